//! The network model of an inventory: namespaces, workloads (the pod endpoints), Services and
//! NetworkPolicies, read from raw objects with their source locations, plus the notes a reader
//! of any answer needs (assumed namespaces, the synthetic DNS endpoint, caveats, and the
//! objects left out because the API server would reject them).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use palisade_core::{Location, ObjectRef};
use palisade_k8s::mesh::MeshSettings;
use palisade_k8s::{ContainerKind, JsonPath, Node, Object, pod_view};
use serde::Serialize;

use crate::cidr::{Cidr, IpBlock};
use crate::eval::Index;
use crate::mesh::MeshPolicies;
use crate::ports::{MAX_PORT, MIN_PORT, Protocol};
use crate::selector::{LabelSelector, Labels, labels_of};

/// The label the API server puts on every namespace, holding its name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";
/// Where objects without a namespace go.
pub const DEFAULT_NAMESPACE: &str = "default";
/// Where the cluster DNS runs, and the label its pods carry.
pub const DNS_NAMESPACE: &str = "kube-system";
pub const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// An object and the place in it that a finding or an explanation points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub object: Arc<ObjectRef>,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NamespaceOrigin {
    /// A Namespace object of the input.
    Declared(Source),
    /// Referenced by a workload, Service or policy but not declared: assumed to exist with
    /// only the automatic name label. Holds the first reference.
    Assumed(Source),
    /// Only the synthetic DNS endpoint lives there.
    Synthetic,
}

#[derive(Debug, Clone, Serialize)]
pub struct Namespace {
    pub name: String,
    /// Including the automatic `kubernetes.io/metadata.name`.
    pub labels: Labels,
    pub origin: NamespaceOrigin,
    /// The mesh injection and policy settings of its metadata.
    #[serde(skip)]
    pub mesh: MeshSettings,
}

/// A port a container declares: what named policy ports resolve against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
}

/// A pod endpoint: the pods of one workload, all carrying its pod template's labels.
#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub labels: Labels,
    pub ports: Vec<ContainerPort>,
    /// Pods in the node's network namespace: NetworkPolicies do not apply to them.
    pub host_network: bool,
    /// `None` for the synthetic DNS endpoint.
    pub source: Option<Source>,
    /// The pod template's own mesh settings, where it has any.
    #[serde(skip)]
    pub mesh: Option<Box<MeshSettings>>,
}

impl Workload {
    /// `namespace/name`, as the command line names workloads.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The numbers of the container ports called `name` with `protocol`.
    pub fn named_ports<'a>(
        &'a self,
        name: &'a str,
        protocol: Protocol,
    ) -> impl Iterator<Item = u16> + 'a {
        self.ports
            .iter()
            .filter(move |p| p.protocol == protocol && p.name.as_deref() == Some(name))
            .map(|p| p.port)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TargetPort {
    Number(u16),
    Name(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
    pub target: TargetPort,
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub namespace: String,
    pub name: String,
    /// `ClusterIP` unless the manifest says otherwise.
    pub service_type: String,
    /// `None`: no selector (endpoints managed by hand), so no pods behind it here.
    pub selector: Option<Labels>,
    pub ports: Vec<ServicePort>,
    pub source: Source,
}

impl Service {
    /// The workloads behind the Service and, for a Service port, the container port each of
    /// them receives it on (a named targetPort resolves per workload, and one that a workload
    /// does not declare reaches nothing there).
    pub fn backends<'a>(
        &self,
        model: &'a Model,
        port: &ServicePort,
    ) -> Vec<(usize, &'a Workload, u16)> {
        model
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| self.selects(w))
            .filter_map(|(index, w)| port.target_on(w).map(|t| (index, w, t)))
            .collect()
    }

    /// Whether the Service's selector picks a workload's pods (one without a selector, or with
    /// an empty one, picks none).
    pub fn selects(&self, workload: &Workload) -> bool {
        self.selector.as_ref().is_some_and(|selector| {
            workload.namespace == self.namespace
                && !selector.is_empty()
                && selector
                    .iter()
                    .all(|(k, v)| workload.labels.get(k) == Some(v))
        })
    }
}

impl ServicePort {
    /// The container port of `workload` this Service port sends to (a named targetPort
    /// resolves per workload; `None` where the workload does not declare it).
    pub fn target_on(&self, workload: &Workload) -> Option<u16> {
        match &self.target {
            TargetPort::Number(number) => Some(*number),
            TargetPort::Name(name) => workload.named_ports(name, self.protocol).next(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    /// The spec field of this direction's rules, and of a rule's peers.
    fn fields(self) -> (&'static str, &'static str) {
        match self {
            Direction::Ingress => ("ingress", "from"),
            Direction::Egress => ("egress", "to"),
        }
    }
}

/// Whom a peer of a rule selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerKind {
    /// Pods: `podSelector` alone means the policy's namespace, `namespaceSelector` alone every
    /// pod of the selected namespaces, both together the selected pods of the selected
    /// namespaces.
    Pods {
        namespace_selector: Option<LabelSelector>,
        pod_selector: Option<LabelSelector>,
    },
    IpBlock(IpBlock),
}

#[derive(Debug, Clone)]
pub struct Peer {
    pub kind: PeerKind,
    pub location: Location,
}

/// What a `ports` entry names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSpec {
    /// No `port`: every port of the protocol.
    All,
    /// `port`, or `port`..=`endPort`.
    Range(u16, u16),
    /// A container port name, resolved on each destination pod.
    Named(String),
}

#[derive(Debug, Clone)]
pub struct PolicyPort {
    pub protocol: Protocol,
    pub spec: PortSpec,
    pub location: Location,
}

/// One ingress or egress rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `None` when `from`/`to` is missing or empty: every peer, inside or outside the cluster.
    pub peers: Option<Vec<Peer>>,
    /// `None` when `ports` is missing or empty: every port.
    pub ports: Option<Vec<PolicyPort>>,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub namespace: String,
    pub name: String,
    pub pod_selector: LabelSelector,
    /// Whether `policyTypes` (given, or defaulted) holds `Ingress` / `Egress`.
    pub isolates_ingress: bool,
    pub isolates_egress: bool,
    /// The rules of a direction the policy isolates; empty for the others (rules of a direction
    /// `policyTypes` leaves out are ignored by the API, and noted).
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
    pub source: Source,
}

impl Policy {
    pub fn isolates(&self, direction: Direction) -> bool {
        match direction {
            Direction::Ingress => self.isolates_ingress,
            Direction::Egress => self.isolates_egress,
        }
    }

    pub fn rules(&self, direction: Direction) -> &[Rule] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NoteKind {
    /// Something the model assumed because the input did not say.
    Assumption,
    /// A limit of what policies (or this analysis) can promise.
    Caveat,
    /// Input the API server would reject, left out of the analysis.
    Problem,
}

#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub kind: NoteKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<Arc<ObjectRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    pub message: String,
}

/// The network model of one inventory, with its selection indexes built.
#[derive(Debug)]
pub struct Model {
    pub namespaces: Vec<Namespace>,
    pub workloads: Vec<Workload>,
    pub services: Vec<Service>,
    pub policies: Vec<Policy>,
    /// Istio's PeerAuthentications and DestinationRules.
    pub mesh: MeshPolicies,
    pub notes: Vec<Note>,
    pub(crate) index: Index,
}

impl Model {
    /// Reads the namespaces, workloads, Services and NetworkPolicies among `objects` (other
    /// kinds are ignored) and builds the selection indexes. Never fails: what cannot be read is
    /// left out with a [`NoteKind::Problem`] note.
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Model {
        let mut builder = ModelBuilder::default();
        for object in objects {
            builder.add(object);
        }
        builder.finish()
    }

    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        // Sorted by name (they come out of a BTreeMap).
        self.namespaces
            .binary_search_by(|n| n.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.namespaces[i])
    }

    /// The workload a command line names: `namespace/name`, or `namespace/kind/name` when a
    /// name is shared by two kinds (`kind` case-insensitive, `deploy`-style short names not
    /// accepted).
    pub fn find_workload(&self, id: &str) -> Result<usize, String> {
        let parts: Vec<&str> = id.split('/').collect();
        let (namespace, kind, name) = match parts.as_slice() {
            [namespace, name] => (*namespace, None, *name),
            [namespace, kind, name] => (*namespace, Some(*kind), *name),
            _ => return Err(format!("{id:?}: expected namespace/name")),
        };
        let found: Vec<usize> = self
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                w.namespace == namespace
                    && w.name == name
                    && kind.is_none_or(|k| w.kind.eq_ignore_ascii_case(k))
            })
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("no workload {id} in the input")),
            several => {
                let kinds: Vec<&str> = several
                    .iter()
                    .map(|&i| self.workloads[i].kind.as_str())
                    .collect();
                Err(format!(
                    "{id} names several workloads ({}): say namespace/kind/name",
                    kinds.join(", ")
                ))
            }
        }
    }
}

/// A model gathered while objects stream by (a scan does not keep them): [`ModelBuilder::add`]
/// each object, [`ModelBuilder::merge`] partial builders, [`ModelBuilder::finish`] once.
#[derive(Default)]
pub struct ModelBuilder {
    namespaces: BTreeMap<String, Namespace>,
    /// Namespaces objects live in, with the first object found there.
    referenced: BTreeMap<String, Source>,
    workloads: Vec<Workload>,
    services: Vec<Service>,
    policies: Vec<Policy>,
    mesh: MeshPolicies,
    notes: Vec<Note>,
}

fn source(object: &Object, path: &JsonPath) -> Source {
    Source {
        object: Arc::new(object.object_ref()),
        location: object.location(path),
    }
}

impl ModelBuilder {
    /// Two partial builders (of different inputs) together, in input order.
    pub fn merge(mut self, other: ModelBuilder) -> ModelBuilder {
        self.namespaces.extend(other.namespaces);
        for (name, first) in other.referenced {
            self.referenced.entry(name).or_insert(first);
        }
        self.workloads.extend(other.workloads);
        self.services.extend(other.services);
        self.policies.extend(other.policies);
        self.mesh.merge(other.mesh);
        self.notes.extend(other.notes);
        self
    }

    /// Adds an object if it is a Namespace, Service, NetworkPolicy, workload, or an Istio
    /// PeerAuthentication or DestinationRule.
    pub fn add(&mut self, object: &Object) {
        if self.add_mesh_policy(object) {
            return;
        }
        match (object.group(), object.kind.as_str()) {
            ("", "Namespace") => self.add_namespace(object),
            ("", "Service") => self.add_service(object),
            ("networking.k8s.io", "NetworkPolicy") => self.add_policy(object),
            // A PodTemplate runs no pods.
            (_, "PodTemplate") => {}
            _ => self.add_workload(object),
        }
    }

    /// Adds an object if it is an Istio PeerAuthentication or DestinationRule (the mesh-wide
    /// ones live in the root namespace, which a scan may leave out of the rest of the model);
    /// says whether it was.
    pub fn add_mesh_policy(&mut self, object: &Object) -> bool {
        self.mesh.add(object)
    }

    fn problem(&mut self, object: &Object, path: &JsonPath, message: String) {
        let source = source(object, path);
        self.notes.push(Note {
            kind: NoteKind::Problem,
            object: Some(source.object),
            location: Some(source.location),
            message,
        });
    }

    fn namespace_of(&mut self, object: &Object) -> String {
        let namespace = object.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE);
        if !self.referenced.contains_key(namespace) {
            let first = source(object, &JsonPath::root().keys(&["metadata", "namespace"]));
            self.referenced.insert(namespace.to_string(), first);
        }
        namespace.to_string()
    }

    fn add_namespace(&mut self, object: &Object) {
        let mut labels = labels_of(object.metadata().and_then(|m| m.get("labels")));
        // The API server sets this label on every namespace, overriding any value given.
        labels.insert(NAMESPACE_NAME_LABEL, &object.name);
        self.namespaces.insert(
            object.name.clone(),
            Namespace {
                name: object.name.clone(),
                labels,
                origin: NamespaceOrigin::Declared(source(object, &JsonPath::root())),
                mesh: MeshSettings::of_namespace(object.metadata()),
            },
        );
    }

    fn add_workload(&mut self, object: &Object) {
        let Some(view) = pod_view(object) else {
            return;
        };
        let namespace = self.namespace_of(object);
        let labels = labels_of(view.metadata.and_then(|m| m.get("labels")));
        let host_network = view.get("hostNetwork").and_then(Node::as_bool) == Some(true);
        let mut ports = Vec::new();
        for container in view.containers() {
            // Ports of init containers count only for sidecars (restartPolicy: Always), which
            // keep running beside the app.
            let runs = match container.kind {
                ContainerKind::Regular => true,
                ContainerKind::Init => {
                    container.node.get("restartPolicy").and_then(Node::as_str) == Some("Always")
                }
                ContainerKind::Ephemeral => false,
            };
            if !runs {
                continue;
            }
            for (index, port) in container
                .node
                .get("ports")
                .map_or(&[][..], Node::items)
                .iter()
                .enumerate()
            {
                let path = container.path.key("ports").index(index);
                match container_port(port) {
                    Ok(port) => ports.push(port),
                    Err(message) => self.problem(
                        object,
                        &path,
                        format!("{}: {message}; port left out", object.object_ref()),
                    ),
                }
            }
        }
        if host_network {
            let source = source(object, &view.spec_path.key("hostNetwork"));
            self.notes.push(Note {
                kind: NoteKind::Caveat,
                object: Some(source.object),
                location: Some(source.location),
                message: format!(
                    "{namespace}/{} uses hostNetwork: NetworkPolicies do not apply to its pods, \
                     and their traffic carries the node's address, so pod selectors of other \
                     policies do not match it",
                    object.name
                ),
            });
        }
        self.workloads.push(Workload {
            kind: object.kind.clone(),
            namespace,
            name: object.name.clone(),
            labels,
            ports,
            host_network,
            source: Some(source(object, &view.metadata_path.key("labels"))),
            mesh: Some(MeshSettings::of_pod(view.metadata))
                .filter(|settings| !settings.is_empty())
                .map(Box::new),
        });
    }

    fn add_service(&mut self, object: &Object) {
        let namespace = self.namespace_of(object);
        let Some(spec) = object.root.get("spec") else {
            return;
        };
        let service_type = spec
            .get("type")
            .and_then(Node::as_str)
            .unwrap_or("ClusterIP")
            .to_string();
        let selector = spec.get("selector").map(|s| labels_of(Some(s)));
        let mut ports = Vec::new();
        for (index, port) in spec
            .get("ports")
            .map_or(&[][..], Node::items)
            .iter()
            .enumerate()
        {
            match service_port(port) {
                Ok(port) => ports.push(port),
                Err(message) => self.problem(
                    object,
                    &JsonPath::root().keys(&["spec", "ports"]).index(index),
                    format!("{}: {message}; port left out", object.object_ref()),
                ),
            }
        }
        let service = Service {
            namespace,
            name: object.name.clone(),
            service_type,
            selector,
            ports,
            source: source(object, &JsonPath::root().key("spec")),
        };
        if matches!(service.service_type.as_str(), "NodePort" | "LoadBalancer") {
            self.notes.push(Note {
                kind: NoteKind::Caveat,
                object: Some(service.source.object.clone()),
                location: Some(service.source.location.clone()),
                message: format!(
                    "{} Service {}/{}: traffic through a node port or load balancer may be \
                     SNATed to a node address, so ipBlock rules may not see the client's address",
                    service.service_type, service.namespace, service.name
                ),
            });
        }
        self.services.push(service);
    }

    fn add_policy(&mut self, object: &Object) {
        let namespace = self.namespace_of(object);
        if object.api_version != "networking.k8s.io/v1" {
            self.problem(
                object,
                &JsonPath::root().key("apiVersion"),
                format!(
                    "{}: {} is not served; only networking.k8s.io/v1 NetworkPolicies are analyzed",
                    object.object_ref(),
                    object.api_version
                ),
            );
            return;
        }
        match parse_policy(object, namespace) {
            Ok((policy, ignored)) => {
                for (direction, path) in ignored {
                    let source = source(object, &path);
                    self.notes.push(Note {
                        kind: NoteKind::Caveat,
                        object: Some(source.object),
                        location: Some(source.location),
                        message: format!(
                            "{}: policyTypes leaves out {}, so its {} rules are ignored",
                            policy.id(),
                            match direction {
                                Direction::Ingress => "Ingress",
                                Direction::Egress => "Egress",
                            },
                            direction.as_str()
                        ),
                    });
                }
                self.policies.push(policy);
            }
            Err((path, message)) => self.problem(
                object,
                &path,
                format!(
                    "{}: {message}; the API server rejects this NetworkPolicy, so it is left out",
                    object.object_ref()
                ),
            ),
        }
    }

    /// The model, with assumed namespaces, the cluster DNS and the selection indexes.
    pub fn finish(mut self) -> Model {
        let has_dns = self.workloads.iter().any(|w| {
            w.namespace == DNS_NAMESPACE && w.labels.get(DNS_LABEL.0) == Some(DNS_LABEL.1)
        });
        if !has_dns {
            self.workloads.push(synthetic_dns());
            self.notes.push(Note {
                kind: NoteKind::Assumption,
                object: None,
                location: None,
                message: format!(
                    "no pods labelled {}={} in {DNS_NAMESPACE}: a synthetic {DNS_NAMESPACE}/kube-dns \
                     endpoint (53/UDP, 53/TCP) stands for the cluster DNS",
                    DNS_LABEL.0, DNS_LABEL.1
                ),
            });
        }
        for (name, first) in std::mem::take(&mut self.referenced) {
            if self.namespaces.contains_key(&name) {
                continue;
            }
            self.notes.push(Note {
                kind: NoteKind::Assumption,
                object: Some(first.object.clone()),
                location: Some(first.location.clone()),
                message: format!(
                    "namespace {name} is not declared in the input: assumed to exist with only \
                     the label {NAMESPACE_NAME_LABEL}={name}"
                ),
            });
            self.namespaces.insert(
                name.clone(),
                assumed_namespace(&name, NamespaceOrigin::Assumed(first)),
            );
        }
        if !has_dns && !self.namespaces.contains_key(DNS_NAMESPACE) {
            self.namespaces.insert(
                DNS_NAMESPACE.to_string(),
                assumed_namespace(DNS_NAMESPACE, NamespaceOrigin::Synthetic),
            );
        }
        if !self.policies.is_empty() {
            self.notes.push(Note {
                kind: NoteKind::Caveat,
                object: None,
                location: None,
                message: "NetworkPolicies take effect only with a network plugin that enforces \
                          them; this analysis assumes one does"
                    .to_string(),
            });
        }
        let uses_ip_blocks = self.policies.iter().any(|p| {
            [Direction::Ingress, Direction::Egress]
                .into_iter()
                .any(|d| {
                    p.rules(d).iter().any(|r| {
                        r.peers
                            .iter()
                            .flatten()
                            .any(|peer| matches!(peer.kind, PeerKind::IpBlock(_)))
                    })
                })
        });
        if uses_ip_blocks {
            self.notes.push(Note {
                kind: NoteKind::Caveat,
                object: None,
                location: None,
                message: "ipBlock peers are matched against addresses outside the cluster only: \
                          whether an ipBlock also matches pod addresses is left to the network \
                          plugin"
                    .to_string(),
            });
        }
        let namespaces: Vec<Namespace> = self.namespaces.into_values().collect();
        // Numbered namespace by namespace (input order within one), so a policy's selection is
        // a narrow window of the bitsets.
        self.workloads.sort_by(|a, b| a.namespace.cmp(&b.namespace));
        let index = Index::build(&namespaces, &self.workloads, &self.policies);
        Model {
            namespaces,
            workloads: self.workloads,
            services: self.services,
            policies: self.policies,
            mesh: self.mesh,
            notes: self.notes,
            index,
        }
    }
}

fn assumed_namespace(name: &str, origin: NamespaceOrigin) -> Namespace {
    Namespace {
        name: name.to_string(),
        labels: [(NAMESPACE_NAME_LABEL.to_string(), name.to_string())].into(),
        origin,
        mesh: MeshSettings::default(),
    }
}

fn synthetic_dns() -> Workload {
    let port = |name: &str, protocol| ContainerPort {
        name: Some(name.to_string()),
        port: 53,
        protocol,
    };
    Workload {
        kind: "Deployment".to_string(),
        namespace: DNS_NAMESPACE.to_string(),
        name: "kube-dns".to_string(),
        labels: [(DNS_LABEL.0.to_string(), DNS_LABEL.1.to_string())].into(),
        ports: vec![port("dns", Protocol::Udp), port("dns-tcp", Protocol::Tcp)],
        host_network: false,
        source: None,
        mesh: None,
    }
}

/// A port number field: an integer from 1 to 65535.
fn port_number(node: &Node, field: &str) -> Result<u16, String> {
    node.as_i64()
        .and_then(|n| u16::try_from(n).ok())
        .filter(|n| (MIN_PORT..=MAX_PORT).contains(n))
        .ok_or_else(|| {
            format!(
                "{field} must be a port number from 1 to 65535, not {}",
                node.describe()
            )
        })
}

fn protocol_of(node: &Node) -> Result<Protocol, String> {
    match node.get("protocol") {
        None => Ok(Protocol::Tcp),
        Some(p) => p
            .as_str()
            .and_then(Protocol::parse)
            .ok_or_else(|| format!("protocol must be TCP, UDP or SCTP, not {}", p.describe())),
    }
}

/// An IANA service name as Kubernetes validates port names: at most 15 lowercase letters,
/// digits and inner single hyphens, with at least one letter.
fn is_port_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

fn container_port(node: &Node) -> Result<ContainerPort, String> {
    let port = port_number(
        node.get("containerPort")
            .ok_or("containerPort is missing")?,
        "containerPort",
    )?;
    let name = match node.get("name") {
        None => None,
        Some(n) => Some(
            n.as_str()
                .filter(|s| is_port_name(s))
                .ok_or_else(|| format!("{} is not a valid port name", n.describe()))?
                .to_string(),
        ),
    };
    Ok(ContainerPort {
        name,
        port,
        protocol: protocol_of(node)?,
    })
}

fn service_port(node: &Node) -> Result<ServicePort, String> {
    let port = port_number(node.get("port").ok_or("port is missing")?, "port")?;
    let target = match node.get("targetPort") {
        None => TargetPort::Number(port),
        Some(t) if t.as_i64().is_some() => TargetPort::Number(port_number(t, "targetPort")?),
        Some(t) => TargetPort::Name(
            t.as_str()
                .filter(|s| is_port_name(s))
                .ok_or_else(|| format!("targetPort {} is not a port name", t.describe()))?
                .to_string(),
        ),
    };
    Ok(ServicePort {
        name: node.get("name").and_then(Node::as_str).map(str::to_string),
        port,
        protocol: protocol_of(node)?,
        target,
    })
}

type ParseError = (JsonPath, String);

/// A NetworkPolicy as the API server reads it, with the directions whose rules `policyTypes`
/// makes it ignore; or the first reason the API server would reject it.
fn parse_policy(
    object: &Object,
    namespace: String,
) -> Result<(Policy, Vec<(Direction, JsonPath)>), ParseError> {
    let spec_path = JsonPath::root().key("spec");
    let empty = Node {
        value: palisade_k8s::Value::Map(Vec::new()),
        pos: object.root.pos,
    };
    // A policy without a spec has an empty podSelector and the default policyTypes.
    let spec = object.root.get("spec").unwrap_or(&empty);
    let pod_selector = match spec.get("podSelector") {
        None => LabelSelector::default(),
        Some(node) => LabelSelector::from_node(node)
            .map_err(|m| (spec_path.key("podSelector"), format!("podSelector: {m}")))?,
    };
    let mut rules = BTreeMap::new();
    for direction in [Direction::Ingress, Direction::Egress] {
        let (field, _) = direction.fields();
        let path = spec_path.key(field);
        let list = match spec.get(field) {
            None => &[][..],
            Some(node) if matches!(node.value, palisade_k8s::Value::Seq(_)) => node.items(),
            Some(node) => {
                return Err((
                    path,
                    format!("{field} must be a list, not {}", node.describe()),
                ));
            }
        };
        let parsed = list
            .iter()
            .enumerate()
            .map(|(index, rule)| parse_rule(object, rule, direction, &path.index(index)))
            .collect::<Result<Vec<Rule>, ParseError>>()?;
        rules.insert(direction, parsed);
    }
    let types_path = spec_path.key("policyTypes");
    let given: Vec<&Node> = spec
        .get("policyTypes")
        .map_or(&[][..], Node::items)
        .iter()
        .collect();
    let mut types = BTreeSet::new();
    for (index, node) in given.iter().enumerate() {
        match node.as_str() {
            Some("Ingress") => types.insert(Direction::Ingress),
            Some("Egress") => types.insert(Direction::Egress),
            _ => {
                return Err((
                    types_path.index(index),
                    format!(
                        "policyTypes may hold Ingress and Egress, not {}",
                        node.describe()
                    ),
                ));
            }
        };
    }
    if types.is_empty() {
        // The API's defaulting: Ingress always, Egress when there are egress rules.
        types.insert(Direction::Ingress);
        if !rules[&Direction::Egress].is_empty() {
            types.insert(Direction::Egress);
        }
    }
    let mut ignored = Vec::new();
    for direction in [Direction::Ingress, Direction::Egress] {
        if !types.contains(&direction) && !rules[&direction].is_empty() {
            ignored.push((direction, spec_path.key(direction.fields().0)));
            rules.insert(direction, Vec::new());
        }
    }
    let mut take = |d| rules.remove(&d).unwrap_or_default();
    let policy = Policy {
        namespace,
        name: object.name.clone(),
        pod_selector,
        isolates_ingress: types.contains(&Direction::Ingress),
        isolates_egress: types.contains(&Direction::Egress),
        ingress: take(Direction::Ingress),
        egress: take(Direction::Egress),
        source: source(object, &spec_path.key("podSelector")),
    };
    Ok((policy, ignored))
}

fn parse_rule(
    object: &Object,
    node: &Node,
    direction: Direction,
    path: &JsonPath,
) -> Result<Rule, ParseError> {
    let (_, peer_field) = direction.fields();
    let peer_nodes = node.get(peer_field).map_or(&[][..], Node::items);
    let peers = if peer_nodes.is_empty() {
        None
    } else {
        let peers_path = path.key(peer_field);
        Some(
            peer_nodes
                .iter()
                .enumerate()
                .map(|(index, peer)| {
                    let peer_path = peers_path.index(index);
                    parse_peer(peer)
                        .map(|kind| Peer {
                            kind,
                            location: object.location(&peer_path),
                        })
                        .map_err(|m| (peer_path, m))
                })
                .collect::<Result<Vec<Peer>, ParseError>>()?,
        )
    };
    let port_nodes = node.get("ports").map_or(&[][..], Node::items);
    let ports = if port_nodes.is_empty() {
        None
    } else {
        let ports_path = path.key("ports");
        Some(
            port_nodes
                .iter()
                .enumerate()
                .map(|(index, port)| {
                    let port_path = ports_path.index(index);
                    parse_policy_port(port)
                        .map(|(protocol, spec)| PolicyPort {
                            protocol,
                            spec,
                            location: object.location(&port_path),
                        })
                        .map_err(|m| (port_path, m))
                })
                .collect::<Result<Vec<PolicyPort>, ParseError>>()?,
        )
    };
    Ok(Rule {
        peers,
        ports,
        location: object.location(path),
    })
}

fn parse_peer(node: &Node) -> Result<PeerKind, String> {
    let selector = |field: &str| {
        node.get(field)
            .map(|s| LabelSelector::from_node(s).map_err(|m| format!("{field}: {m}")))
            .transpose()
    };
    let pod_selector = selector("podSelector")?;
    let namespace_selector = selector("namespaceSelector")?;
    match node.get("ipBlock") {
        Some(_) if pod_selector.is_some() || namespace_selector.is_some() => {
            Err("a peer may not give ipBlock together with a selector".to_string())
        }
        Some(block) => parse_ip_block(block).map(PeerKind::IpBlock),
        None if pod_selector.is_none() && namespace_selector.is_none() => {
            Err("a peer needs podSelector, namespaceSelector or ipBlock".to_string())
        }
        None => Ok(PeerKind::Pods {
            namespace_selector,
            pod_selector,
        }),
    }
}

fn parse_ip_block(node: &Node) -> Result<IpBlock, String> {
    let cidr: Cidr = node
        .get("cidr")
        .and_then(Node::as_str)
        .ok_or("ipBlock needs a cidr")?
        .parse()?;
    let mut except = Vec::new();
    for entry in node.get("except").map_or(&[][..], Node::items) {
        let text = entry.as_str().ok_or("ipBlock.except holds CIDR strings")?;
        let excepted: Cidr = text.parse()?;
        if !cidr.contains(&excepted) || excepted == cidr {
            return Err(format!(
                "except {excepted} must be a strict subset of cidr {cidr}"
            ));
        }
        except.push(excepted);
    }
    Ok(IpBlock { cidr, except })
}

fn parse_policy_port(node: &Node) -> Result<(Protocol, PortSpec), String> {
    let protocol = protocol_of(node)?;
    let end_port = node.get("endPort");
    let spec = match node.get("port") {
        None if end_port.is_some() => return Err("endPort needs a numeric port".to_string()),
        None => PortSpec::All,
        Some(port) if port.as_i64().is_some() => {
            let start = port_number(port, "port")?;
            let end = match end_port {
                None => start,
                Some(end) => port_number(end, "endPort")?,
            };
            if end < start {
                return Err(format!("endPort {end} is lower than port {start}"));
            }
            PortSpec::Range(start, end)
        }
        Some(port) => {
            let name = port.as_str().filter(|s| is_port_name(s)).ok_or_else(|| {
                format!(
                    "port {} is neither a number nor a port name",
                    port.describe()
                )
            })?;
            if end_port.is_some() {
                return Err("endPort may not be used with a named port".to_string());
            }
            PortSpec::Named(name.to_string())
        }
    };
    Ok((protocol, spec))
}
