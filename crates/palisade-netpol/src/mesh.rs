//! Plaintext paths: the connections the NetworkPolicies allow that travel unencrypted although
//! a service mesh runs in the input. This joins the network model with each workload's mesh
//! state (its sidecar, the ports it lets bypass the proxy) and the mesh's policies, following
//! how Istio and Linkerd decide what a connection carries:
//!
//! - **Server side.** A workload without a sidecar takes whatever arrives. A port its proxy
//!   does not intercept (`config.linkerd.io/skip-inbound-ports`,
//!   `traffic.sidecar.istio.io/excludeInboundPorts`) reaches the application directly. An
//!   Istio sidecar accepts plaintext unless the effective PeerAuthentication mode is `STRICT`:
//!   the workload's policy (a `portLevelMtls` entry for the container port, else its mode),
//!   else the namespace's, else the mesh-wide one in the root namespace, else `PERMISSIVE`;
//!   `UNSET` inherits. A Linkerd proxy accepts plaintext under the `all-unauthenticated`,
//!   `cluster-unauthenticated` or `audit` default inbound policy (the pod's annotation, else
//!   the namespace's, else the install default `all-unauthenticated`).
//! - **Client side.** A client without a sidecar sends plaintext; so does one whose port is in
//!   its outbound bypass, one whose peer is in no mesh or another mesh (automatic mTLS sends
//!   plaintext where the peer has no sidecar of its own mesh), an Istio client of a server in
//!   `DISABLE` mode, a Linkerd client of a port the server's proxy skips (the destination
//!   service tells the client so), and an Istio client whose DestinationRule for the Service
//!   in between sets `tls.mode: DISABLE`. An Istio client of a port the Istio server bypasses
//!   sends mTLS that the application cannot read: broken, not plaintext.
//!
//! A path is reported when both sides meet, the NetworkPolicies allow the connection on that
//! port, and at least one end has a sidecar (between two workloads outside any mesh plaintext
//! is expected; the namespace-level mesh rules cover those). Servers are judged on their
//! declared TCP container ports and the single ports they bypass. Limits, stated in the docs:
//! several workload-level PeerAuthentications for one workload resolve to the first in the
//! input (Istio takes the oldest); DestinationRules are looked up in the client's namespace,
//! then the Service's, then the root namespace, with the cluster domain `cluster.local`;
//! subsets (chosen by VirtualServices), ambient mode, `excludeOutboundIPRanges` and Linkerd
//! `Server`-level policies are not modelled.

use palisade_k8s::mesh::{
    Bypass, ISTIO_ROOT_NAMESPACE, LINKERD_DEFAULT_INBOUND_POLICY, Mesh, MeshSettings, MtlsMode,
    istio_selects_workloads, linkerd_policy_accepts_plaintext,
};
use palisade_k8s::{JsonPath, Node, Object};

use std::collections::HashMap;

use crate::eval::Endpoint;
use crate::model::{Direction, Model, Service, Source, Workload};
use crate::ports::Protocol;
use crate::selector::{LabelSelector, Labels};

/// The cluster domain Service host names are resolved in.
const CLUSTER_DOMAIN: &str = "svc.cluster.local";

/// The widest bypass range whose ports are judged one by one.
const MAX_BYPASS_RANGE: u16 = 16;

/// An Istio PeerAuthentication.
#[derive(Debug, Clone)]
pub struct PeerAuthentication {
    pub namespace: String,
    pub name: String,
    /// `None`: namespace-wide (mesh-wide in the root namespace).
    pub selector: Option<LabelSelector>,
    pub mode: MtlsMode,
    /// `portLevelMtls`: container port → mode (honoured only with a selector).
    pub ports: Vec<(u16, MtlsMode)>,
    pub source: Source,
}

/// An Istio DestinationRule's TLS setting towards its host.
#[derive(Debug, Clone)]
pub struct DestinationRule {
    pub namespace: String,
    pub name: String,
    /// The host as Istio resolves it: short names completed with the rule's namespace.
    pub host: String,
    /// `exportTo`; empty is every namespace.
    pub export_to: Vec<String>,
    /// `trafficPolicy.tls.mode: DISABLE`.
    pub disables: bool,
    /// Service ports whose `portLevelSettings` set the TLS mode: `true` where it is DISABLE.
    pub ports: Vec<(u16, bool)>,
    pub source: Source,
}

/// The mesh policies of an input.
#[derive(Debug, Clone, Default)]
pub struct MeshPolicies {
    pub peer_authentications: Vec<PeerAuthentication>,
    pub destination_rules: Vec<DestinationRule>,
}

fn mode_at(node: Option<&Node>) -> MtlsMode {
    node.and_then(|m| m.get("mode"))
        .and_then(Node::as_str)
        .and_then(MtlsMode::parse)
        .unwrap_or(MtlsMode::Unset)
}

fn tls_disabled(settings: &Node) -> Option<bool> {
    let mode = settings.get("tls")?.get("mode")?.as_str()?;
    Some(mode == "DISABLE")
}

impl MeshPolicies {
    /// Adds an object if it is a PeerAuthentication or a DestinationRule; says whether it was.
    pub fn add(&mut self, object: &Object) -> bool {
        let peer_authentication = match (object.group(), object.kind.as_str()) {
            ("security.istio.io", "PeerAuthentication") => true,
            ("networking.istio.io", "DestinationRule") => false,
            _ => return false,
        };
        let namespace = object.namespace.as_deref().unwrap_or("default").to_string();
        let spec = object.root.get("spec");
        let source = Source {
            object: std::sync::Arc::new(object.object_ref()),
            location: object.location(&JsonPath::root().key("spec")),
        };
        if peer_authentication {
            let selector = istio_selects_workloads(spec)
                .then(|| spec?.get("selector").map(LabelSelector::from_node))
                .flatten()
                .and_then(Result::ok);
            let ports = spec
                .and_then(|s| s.get("portLevelMtls"))
                .map_or(&[][..], Node::entries)
                .iter()
                .filter_map(|entry| {
                    let port = entry.key.as_str().parse().ok()?;
                    Some((port, mode_at(Some(&entry.value))))
                })
                .collect();
            self.peer_authentications.push(PeerAuthentication {
                mode: mode_at(spec.and_then(|s| s.get("mtls"))),
                namespace,
                name: object.name.clone(),
                selector,
                ports,
                source,
            });
            return true;
        }
        let Some(host) = spec.and_then(|s| s.get("host")).and_then(Node::as_str) else {
            return true;
        };
        let host = if host.contains('.') || host == "*" {
            host.to_string()
        } else {
            format!("{host}.{namespace}.{CLUSTER_DOMAIN}")
        };
        let policy = spec.and_then(|s| s.get("trafficPolicy"));
        let ports = policy
            .and_then(|p| p.get("portLevelSettings"))
            .map_or(&[][..], Node::items)
            .iter()
            .filter_map(|settings| {
                let port = settings.get("port")?.get("number")?.as_i64()?;
                Some((u16::try_from(port).ok()?, tls_disabled(settings)?))
            })
            .collect();
        let export_to = spec
            .and_then(|s| s.get("exportTo"))
            .map_or(&[][..], Node::items)
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        self.destination_rules.push(DestinationRule {
            namespace,
            name: object.name.clone(),
            host,
            export_to,
            disables: policy.and_then(tls_disabled) == Some(true),
            ports,
            source,
        });
        true
    }

    pub fn merge(&mut self, other: MeshPolicies) {
        self.peer_authentications.extend(other.peer_authentications);
        self.destination_rules.extend(other.destination_rules);
    }

    /// The effective mTLS mode of an Istio workload's container port, and the policy deciding
    /// it (`None`: Istio's default, PERMISSIVE).
    pub fn istio_mode(
        &self,
        namespace: &str,
        labels: &Labels,
        port: u16,
    ) -> (MtlsMode, Option<&PeerAuthentication>) {
        let workload = self.peer_authentications.iter().find(|pa| {
            pa.namespace == namespace && pa.selector.as_ref().is_some_and(|s| s.matches(labels))
        });
        if let Some(pa) = workload {
            let port_mode = pa.ports.iter().find(|(p, _)| *p == port).map(|(_, m)| *m);
            for mode in [port_mode.unwrap_or(MtlsMode::Unset), pa.mode] {
                if mode != MtlsMode::Unset {
                    return (mode, Some(pa));
                }
            }
        }
        for scope in [namespace, ISTIO_ROOT_NAMESPACE] {
            let wide = self
                .peer_authentications
                .iter()
                .find(|pa| pa.namespace == scope && pa.selector.is_none());
            if let Some(pa) = wide.filter(|pa| pa.mode != MtlsMode::Unset) {
                return (pa.mode, Some(pa));
            }
        }
        (MtlsMode::Permissive, None)
    }

    /// The DestinationRule an Istio client in `client_namespace` applies to the Service in
    /// `front`: the most specific host match in the client's namespace, else the Service's,
    /// else the root namespace, among the rules exported to the client.
    fn destination_rule(
        &self,
        client_namespace: &str,
        front: &Front<'_>,
    ) -> Option<&DestinationRule> {
        let visible = |rule: &DestinationRule| {
            rule.namespace == client_namespace
                || rule.export_to.is_empty()
                || rule
                    .export_to
                    .iter()
                    .any(|to| to == "*" || to == client_namespace)
        };
        [
            client_namespace,
            front.service.namespace.as_str(),
            ISTIO_ROOT_NAMESPACE,
        ]
        .into_iter()
        .find_map(|scope| {
            self.destination_rules
                .iter()
                .filter(|rule| rule.namespace == scope && visible(rule))
                .filter_map(|rule| host_specificity(&rule.host, &front.host).map(|s| (s, rule)))
                .max_by_key(|(specificity, _)| *specificity)
                .map(|(_, rule)| rule)
        })
    }
}

/// How specifically a DestinationRule host matches a Service's name: exact beats any wildcard,
/// and a longer wildcard suffix beats a shorter one.
fn host_specificity(host: &str, fqdn: &str) -> Option<usize> {
    if host == fqdn {
        Some(usize::MAX)
    } else if host == "*" {
        Some(0)
    } else {
        let suffix = host.strip_prefix('*')?;
        fqdn.ends_with(suffix).then_some(suffix.len())
    }
}

/// Why a server takes plaintext on a port.
#[derive(Debug, Clone)]
pub enum ServerSide<'m> {
    /// No sidecar: everything reaches the application as sent.
    NoSidecar,
    /// The proxy does not intercept the port.
    Bypassed(&'m Bypass),
    /// Istio's sidecar in PERMISSIVE or DISABLE mode, with the policy deciding it.
    IstioMode(MtlsMode, Option<&'m PeerAuthentication>),
    /// Linkerd's proxy under a default inbound policy that admits unauthenticated clients;
    /// `true` when an annotation set it.
    LinkerdPolicy(&'m str, bool),
}

/// Why a client sends plaintext.
#[derive(Debug, Clone)]
pub enum ClientSide<'m> {
    NoSidecar,
    Bypassed(&'m Bypass),
    /// Its sidecar's mesh is not the server's (or the server has none): automatic mTLS falls
    /// back to plaintext.
    OtherMesh,
    /// An Istio client of a server whose mode is DISABLE.
    ServerDisables,
    /// A Linkerd client of a port the server's proxy skips.
    ServerSkips,
    /// A DestinationRule disabling TLS towards a Service in front of the server.
    DestinationRule(&'m DestinationRule, &'m Service),
}

/// The allowed connections to one server port that travel in plaintext: every client, with
/// why it sends plaintext.
#[derive(Debug, Clone)]
pub struct PlaintextPaths<'m> {
    pub server: usize,
    /// The server's container port (TCP).
    pub port: u16,
    pub server_side: ServerSide<'m>,
    pub clients: Vec<(usize, ClientSide<'m>)>,
}

/// A server port that takes plaintext, with the Service ports in front of it (for the
/// DestinationRules of Istio clients) and the clients found so far.
struct OpenPort<'m> {
    port: u16,
    side: ServerSide<'m>,
    fronts: Vec<Front<'m>>,
    clients: Vec<(usize, ClientSide<'m>)>,
}

/// A Service port in front of a server's container port, with the host name DestinationRules
/// match against.
struct Front<'m> {
    service: &'m Service,
    port: u16,
    host: String,
}

/// A workload's sidecar and its own mesh settings.
struct Sidecar<'m> {
    mesh: Option<Mesh>,
    settings: &'m MeshSettings,
}

static NO_SETTINGS: MeshSettings = MeshSettings {
    istio_injection: None,
    linkerd_injection: None,
    linkerd_inbound_policy: None,
    inbound_bypass: Vec::new(),
    outbound_bypass: Vec::new(),
};

impl Model {
    fn sidecars(&self) -> Vec<Sidecar<'_>> {
        self.workloads
            .iter()
            .map(|w| {
                let settings = w.mesh.as_deref().unwrap_or(&NO_SETTINGS);
                let namespace = self
                    .namespace(&w.namespace)
                    .map_or(&NO_SETTINGS, |n| &n.mesh);
                Sidecar {
                    mesh: settings.sidecar(namespace, w.host_network),
                    settings,
                }
            })
            .collect()
    }

    /// The ports a server is judged on: its TCP container ports and the single ports (or
    /// narrow ranges) its proxy skips inbound.
    fn judged_ports(workload: &Workload, settings: &MeshSettings) -> Vec<u16> {
        let mut ports: Vec<u16> = workload
            .ports
            .iter()
            .filter(|p| p.protocol == Protocol::Tcp)
            .map(|p| p.port)
            .collect();
        for bypass in &settings.inbound_bypass {
            for &(low, high) in &bypass.ports {
                if high - low < MAX_BYPASS_RANGE {
                    ports.extend(low..=high);
                }
            }
        }
        ports.sort_unstable();
        ports.dedup();
        ports
    }

    fn server_side<'m>(
        &'m self,
        server: &'m Workload,
        sidecar: &Sidecar<'m>,
        port: u16,
    ) -> Option<ServerSide<'m>> {
        let Some(mesh) = sidecar.mesh else {
            return Some(ServerSide::NoSidecar);
        };
        if let Some(bypass) = sidecar.settings.bypass(true, port) {
            return Some(ServerSide::Bypassed(bypass));
        }
        match mesh {
            Mesh::Istio => {
                let (mode, policy) = self
                    .mesh
                    .istio_mode(&server.namespace, &server.labels, port);
                (mode != MtlsMode::Strict).then_some(ServerSide::IstioMode(mode, policy))
            }
            Mesh::Linkerd => {
                let namespace = self.namespace(&server.namespace).map(|n| &n.mesh);
                let set = sidecar
                    .settings
                    .linkerd_inbound_policy
                    .as_deref()
                    .or(namespace.and_then(|n| n.linkerd_inbound_policy.as_deref()));
                let policy = set.unwrap_or(LINKERD_DEFAULT_INBOUND_POLICY);
                linkerd_policy_accepts_plaintext(policy)
                    .then_some(ServerSide::LinkerdPolicy(policy, set.is_some()))
            }
        }
    }

    /// Why `client` sends plaintext to `server_car`'s workload on an open port.
    fn client_side<'m>(
        &'m self,
        (client, client_car): (&Workload, &Sidecar<'m>),
        server_car: &Sidecar<'m>,
        open: &OpenPort<'m>,
    ) -> Option<ClientSide<'m>> {
        let (port, server_side) = (open.port, &open.side);
        let Some(mesh) = client_car.mesh else {
            return Some(ClientSide::NoSidecar);
        };
        if let Some(bypass) = client_car.settings.bypass(false, port) {
            return Some(ClientSide::Bypassed(bypass));
        }
        if server_car.mesh != Some(mesh) {
            return Some(ClientSide::OtherMesh);
        }
        match (mesh, server_side) {
            (Mesh::Istio, ServerSide::IstioMode(MtlsMode::Disable, _)) => {
                Some(ClientSide::ServerDisables)
            }
            (Mesh::Linkerd, ServerSide::Bypassed(_)) => Some(ClientSide::ServerSkips),
            (Mesh::Istio, ServerSide::IstioMode(..)) => open.fronts.iter().find_map(|front| {
                let rule = self.mesh.destination_rule(&client.namespace, front)?;
                let disabled = rule
                    .ports
                    .iter()
                    .find(|(p, _)| *p == front.port)
                    .map_or(rule.disables, |(_, disabled)| *disabled);
                disabled.then_some(ClientSide::DestinationRule(rule, front.service))
            }),
            _ => None,
        }
    }

    /// The Service ports in front of a workload's container port, where Istio clients may
    /// apply DestinationRules (none without DestinationRules).
    fn fronts(&self, workload: &Workload, port: u16) -> Vec<Front<'_>> {
        if self.mesh.destination_rules.is_empty() {
            return Vec::new();
        }
        self.services
            .iter()
            .filter(|service| service.selects(workload))
            .flat_map(|service| {
                service
                    .ports
                    .iter()
                    .filter(|p| p.target_on(workload) == Some(port))
                    .map(move |p| Front {
                        service,
                        port: p.port,
                        host: format!("{}.{}.{CLUSTER_DOMAIN}", service.name, service.namespace),
                    })
            })
            .collect()
    }

    /// The workloads that open connections (the synthetic DNS does not), grouped by their
    /// egress isolation, in input order.
    fn clients_by_egress(&self) -> Vec<Vec<usize>> {
        let mut groups: HashMap<u32, Vec<usize>> = HashMap::new();
        for (client, workload) in self.workloads.iter().enumerate() {
            if workload.source.is_some() {
                groups
                    .entry(self.profile_id(Direction::Egress, client))
                    .or_default()
                    .push(client);
            }
        }
        let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
        groups.sort_unstable_by_key(|group| group[0]);
        groups
    }

    /// Every allowed connection that travels in plaintext while one of its ends is in a mesh,
    /// handed over server port by server port (so that only one server's clients are held at a
    /// time: in a large, partly meshed input with few policies they are most of the input).
    pub fn plaintext_paths<'m>(&'m self, mut each: impl FnMut(PlaintextPaths<'m>)) {
        let sidecars = self.sidecars();
        if sidecars.iter().all(|s| s.mesh.is_none()) {
            return;
        }
        let egress_groups = self.clients_by_egress();
        for (server, workload) in self.workloads.iter().enumerate() {
            // The synthetic cluster DNS neither connects anywhere nor makes a mesh gap.
            if workload.source.is_none() {
                continue;
            }
            let server_car = &sidecars[server];
            let mut open: Vec<OpenPort<'m>> = Self::judged_ports(workload, server_car.settings)
                .into_iter()
                .filter_map(|port| {
                    let side = self.server_side(workload, server_car, port)?;
                    let fronts = match (server_car.mesh, &side) {
                        (Some(Mesh::Istio), ServerSide::IstioMode(..)) => {
                            self.fronts(workload, port)
                        }
                        _ => Vec::new(),
                    };
                    Some(OpenPort {
                        port,
                        side,
                        fronts,
                        clients: Vec::new(),
                    })
                })
                .collect();
            if open.is_empty() {
                continue;
            }
            // Only the workloads its ingress rules admit can connect to an isolated server. To
            // one that is not isolated, what a client may send depends only on its egress
            // isolation, which workloads share: a group whose egress reaches none of the open
            // ports is passed over whole.
            let admitted: Option<Vec<usize>> = self
                .ingress_candidates(server)
                .map(|set| set.iter().collect());
            let isolated = admitted.is_some();
            let admitted_group;
            let groups: &[Vec<usize>] = match admitted {
                Some(admitted) => {
                    admitted_group = [admitted];
                    &admitted_group
                }
                None => &egress_groups,
            };
            for group in groups {
                let shared = (!isolated).then(|| {
                    self.allowed_ports(Endpoint::Workload(group[0]), Endpoint::Workload(server))
                });
                if shared.as_ref().is_some_and(|allowed| {
                    !open.iter().any(|p| allowed.contains(Protocol::Tcp, p.port))
                }) {
                    continue;
                }
                for &client in group {
                    let (client_workload, client_car) =
                        (&self.workloads[client], &sidecars[client]);
                    // Between two workloads outside any mesh, plaintext is no mesh gap.
                    if client == server
                        || client_workload.source.is_none()
                        || client_car.mesh.is_none() && server_car.mesh.is_none()
                    {
                        continue;
                    }
                    let mut own = None;
                    for port in &mut open {
                        let Some(client_side) =
                            self.client_side((client_workload, client_car), server_car, port)
                        else {
                            continue;
                        };
                        let allowed = match &shared {
                            Some(allowed) => allowed,
                            None => own.get_or_insert_with(|| {
                                self.allowed_ports(
                                    Endpoint::Workload(client),
                                    Endpoint::Workload(server),
                                )
                            }),
                        };
                        if allowed.contains(Protocol::Tcp, port.port) {
                            port.clients.push((client, client_side));
                        }
                    }
                }
            }
            for port in &mut open {
                port.clients.sort_unstable_by_key(|(client, _)| *client);
            }
            for port in open.into_iter().filter(|p| !p.clients.is_empty()) {
                each(PlaintextPaths {
                    server,
                    port: port.port,
                    server_side: port.side,
                    clients: port.clients,
                });
            }
        }
    }
}

impl ServerSide<'_> {
    /// Why the server takes plaintext, for messages.
    pub fn describe(&self, server: &Workload) -> String {
        match self {
            ServerSide::NoSidecar => "has no mesh sidecar".to_string(),
            ServerSide::Bypassed(bypass) => {
                format!("bypasses its proxy ({})", bypass.annotation)
            }
            ServerSide::IstioMode(mode, Some(policy)) => format!(
                "accepts plaintext ({} by PeerAuthentication {}/{})",
                mode.as_str(),
                policy.namespace,
                policy.name
            ),
            ServerSide::IstioMode(mode, None) => format!(
                "accepts plaintext ({}: no PeerAuthentication applies to {})",
                mode.as_str(),
                server.namespace
            ),
            ServerSide::LinkerdPolicy(policy, true) => {
                format!("accepts plaintext (Linkerd default inbound policy {policy})")
            }
            ServerSide::LinkerdPolicy(policy, false) => {
                format!("accepts plaintext (Linkerd's install default inbound policy {policy})")
            }
        }
    }
}

impl ClientSide<'_> {
    /// Why the client sends plaintext, for messages.
    pub fn describe(&self) -> String {
        match self {
            ClientSide::NoSidecar => "no sidecar".to_string(),
            ClientSide::Bypassed(bypass) => format!("bypasses its proxy: {}", bypass.annotation),
            ClientSide::OtherMesh => "its mesh is not the server's".to_string(),
            ClientSide::ServerDisables => "the server's mode is DISABLE".to_string(),
            ClientSide::ServerSkips => "the server's proxy skips the port".to_string(),
            ClientSide::DestinationRule(rule, service) => format!(
                "DestinationRule {}/{} disables TLS to Service {}/{}",
                rule.namespace, rule.name, service.namespace, service.name
            ),
        }
    }
}
