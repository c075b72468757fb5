//! Escalation paths: a graph whose nodes are the subjects of the policy, the node identity and
//! capabilities (the service accounts of a namespace, the tokens mounted there), and whose edges
//! are the standard Kubernetes escalation techniques; the shortest path from each subject to
//! cluster-admin-equivalent power (every verb on every resource cluster-wide).
//!
//! Edges, each decided by the subject's bindings as the authorizer matches them:
//! - `create-pod` / `create-workload`: create pods (or a pod controller) in a namespace → any
//!   service account there (a pod names one and mounts its token, whatever the account says);
//! - `privileged-pod`: the same where Pod Security admits privileged pods (an `enforce` label
//!   `privileged`, or none and an admission configuration whose default does, or an exempted
//!   namespace; for a cluster-wide grant, any such namespace) → the node (a hostPath pod owns
//!   it);
//! - `read-secrets`: get, list or watch Secrets → the service accounts (token Secrets);
//! - `create-token`: create `serviceaccounts/token` → those accounts;
//! - `exec`: `pods/exec` (create, or get: WebSocket exec is authorized as get) → the accounts of
//!   the running workloads that mount their token;
//! - `impersonate`: users, groups, service accounts → those subjects; the group
//!   `system:masters` → cluster-admin (the API server lets that group do anything);
//! - `bind`: bind on ClusterRoles plus create ClusterRoleBindings → cluster-admin; in a
//!   namespace (RoleBindings) → its accounts;
//! - `escalate`: escalate plus update or patch on a ClusterRole the subject holds → cluster-admin;
//! - `csr-approve`: create CSRs, update their approval and approve for a signer:
//!   `kubernetes.io/kube-apiserver-client` (a certificate in group `system:masters`) →
//!   cluster-admin, `kubernetes.io/kube-apiserver-client-kubelet` → the node;
//! - `node-proxy`: `nodes/proxy` → the node, whose pods' tokens it holds → the accounts of the
//!   running workloads that mount their token.
//!
//! The search is one 0-1 breadth-first pass backwards from cluster-admin (steps through
//! capability nodes cost nothing), so every subject's shortest path comes out of one walk over
//! the graph; bindings are indexed by subject so each subject's edges come from its own
//! bindings only.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use crate::authorizer::{Policy, SubjectKey, User, rule_grants};
use crate::model::{Binding, Role, Subject, SubjectKind};

/// A node of the graph that paths report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Principal {
    Subject(Subject),
    /// The kubelet's identity on a node: every token of the pods it runs.
    Node,
    ClusterAdmin,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub technique: &'static str,
    pub to: Principal,
    /// The binding (position in [`Policy::bindings`]) that grants the step; `None` for what
    /// the node holds.
    pub via: Option<usize>,
}

/// How easily an attacker holds a subject's credentials; paths from the easiest come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reach {
    /// `system:anonymous`, `system:unauthenticated`: no credentials at all.
    Anyone,
    /// `system:authenticated`, `system:serviceaccounts[:ns]`: any account or any pod's token.
    AnyAccount,
    /// A service account whose token a running workload mounts: a compromised pod has it.
    RunningWorkload,
    /// Someone who holds this user's, group member's or account's credentials.
    Holder,
}

impl Reach {
    pub fn describe(self) -> &'static str {
        match self {
            Reach::Anyone => "anyone, without credentials",
            Reach::AnyAccount => "any authenticated account",
            Reach::RunningWorkload => "a running workload's token",
            Reach::Holder => "its holder",
        }
    }
}

/// A shortest path from a subject to cluster-admin-equivalent power.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationPath {
    pub from: Subject,
    pub reach: Reach,
    pub steps: Vec<Step>,
}

/// A node of the search graph: a principal, or a capability that leads to several.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Vertex {
    Principal(Principal),
    /// Every service account of a namespace.
    AccountsIn(String),
    /// Every service account of every namespace.
    AccountsEverywhere,
    /// The accounts whose tokens running workloads of a namespace mount.
    MountedIn(String),
    MountedEverywhere,
    AnyUser,
    AnyGroup,
    /// What the members of these groups hold (shared by every subject in them).
    Holds(Vec<String>),
}

/// The user a subject's credentials authenticate as (a group: one of its members).
pub fn user_of(subject: &Subject) -> User {
    match subject.kind {
        SubjectKind::User => User::named(&subject.name),
        SubjectKind::Group => User {
            name: format!("member of {}", subject.name),
            groups: vec![subject.name.clone(), "system:authenticated".to_string()],
        },
        SubjectKind::ServiceAccount => User::service_account(
            subject.namespace.as_deref().unwrap_or("default"),
            &subject.name,
        ),
    }
}

fn reach_of(subject: &Subject, running: &BTreeSet<&Subject>) -> Reach {
    match (subject.kind, subject.name.as_str()) {
        (SubjectKind::User, "system:anonymous")
        | (SubjectKind::Group, "system:unauthenticated") => Reach::Anyone,
        (SubjectKind::Group, name)
            if name == "system:authenticated" || name.starts_with("system:serviceaccounts") =>
        {
            Reach::AnyAccount
        }
        _ if running.contains(subject) => Reach::RunningWorkload,
        _ => Reach::Holder,
    }
}

/// A grant found among a subject's bindings: which binding, where it applies (`None`:
/// cluster-wide), and the resource names it is limited to (empty: any).
struct Found<'p> {
    binding: usize,
    namespace: Option<&'p str>,
    names: &'p [String],
}

/// The bindings naming any of `keys`, in order, once each.
fn bindings_of<'k>(
    index: &HashMap<SubjectKey<'_>, Vec<usize>>,
    keys: impl IntoIterator<Item = SubjectKey<'k>>,
) -> Vec<usize> {
    let mut bindings: Vec<usize> = keys
        .into_iter()
        .filter_map(|key| index.get(&key))
        .flatten()
        .copied()
        .collect();
    bindings.sort_unstable();
    bindings.dedup();
    bindings
}

/// A subject's bindings (or its groups'), asked what they grant.
struct Holdings<'p> {
    policy: &'p Policy,
    /// The role of each binding of the policy, resolved once.
    roles: &'p [Option<&'p Role>],
    bindings: Vec<usize>,
    /// The namespaces of every service account known, for cluster-wide grants on named ones.
    account_namespaces: &'p BTreeSet<String>,
}

impl<'p> Holdings<'p> {
    fn binding(&self, position: usize) -> &'p Binding {
        &self.policy.bindings[position]
    }

    /// Every grant of `verb` on `group`/`resource`, lazily (a first match often settles it).
    fn grants<'a>(
        &'a self,
        verb: &'a str,
        group: &'a str,
        resource: &'a str,
    ) -> impl Iterator<Item = Found<'p>> + 'a {
        self.bindings.iter().flat_map(move |&position| {
            let binding = self.binding(position);
            self.roles[position]
                .into_iter()
                .flat_map(|role| &role.rules)
                .filter(move |rule| rule_grants(rule, verb, group, resource))
                .map(move |rule| Found {
                    binding: position,
                    namespace: binding.namespace.as_deref(),
                    names: &rule.resource_names,
                })
        })
    }

    /// Every grant of `verb` on `group`/`resource`.
    fn find(&self, verb: &str, group: &str, resource: &str) -> Vec<Found<'p>> {
        self.grants(verb, group, resource).collect()
    }

    /// The first cluster-wide grant of `verb` on `group`/`resource` for any object or for
    /// `name` (`""`: any object only).
    fn cluster_wide(&self, verb: &str, group: &str, resource: &str, name: &str) -> Option<usize> {
        self.grants(verb, group, resource)
            .find(|f| {
                f.namespace.is_none() && (f.names.is_empty() || f.names.iter().any(|n| n == name))
            })
            .map(|f| f.binding)
    }

    /// The ClusterRoles the subject holds cluster-wide.
    fn cluster_roles(&self) -> impl Iterator<Item = &'p str> + '_ {
        self.bindings
            .iter()
            .map(|&position| self.binding(position))
            .filter(|binding| binding.namespace.is_none() && binding.role_ref.kind == "ClusterRole")
            .map(|binding| binding.role_ref.name.as_str())
    }
}

/// The graph under construction: vertices numbered as first met, edges with their technique
/// (empty out of capabilities) and granting binding.
#[derive(Default)]
struct Graph {
    ids: HashMap<Vertex, usize>,
    vertices: Vec<Vertex>,
    edges: Vec<Vec<(usize, &'static str, Option<usize>)>>,
}

impl Graph {
    fn id(&mut self, vertex: Vertex) -> usize {
        if let Some(&id) = self.ids.get(&vertex) {
            return id;
        }
        let id = self.vertices.len();
        self.ids.insert(vertex.clone(), id);
        self.vertices.push(vertex);
        self.edges.push(Vec::new());
        id
    }

    fn edge(&mut self, from: usize, to: Vertex, technique: &'static str, via: Option<usize>) {
        let to = self.id(to);
        self.edges[from].push((to, technique, via));
    }
}

fn account(namespace: &str, name: &str) -> Vertex {
    Vertex::Principal(Principal::Subject(Subject {
        kind: SubjectKind::ServiceAccount,
        name: name.to_string(),
        namespace: Some(namespace.to_string()),
    }))
}

/// The accounts reached in the namespace of a grant (`None`: every namespace).
fn accounts(namespace: Option<&str>) -> Vertex {
    namespace.map_or(Vertex::AccountsEverywhere, |n| {
        Vertex::AccountsIn(n.to_string())
    })
}

/// The edges out of one subject, before they join the graph.
#[derive(Default, Clone)]
struct Edges(Vec<(Vertex, &'static str, Option<usize>)>);

impl Edges {
    fn edge(&mut self, to: Vertex, technique: &'static str, via: Option<usize>) {
        self.0.push((to, technique, via));
    }

    fn is_admin(&self) -> bool {
        self.0
            .iter()
            .any(|&(_, technique, _)| technique == "bound-to-cluster-admin")
    }
}

/// What the members of a set of groups hold: a vertex with its edges, whether that is
/// cluster-admin already, and its permissions toward combined techniques.
struct GroupSet {
    vertex: usize,
    admin: bool,
    parts: ComboParts,
}

impl GroupSet {
    fn new(
        graph: &mut Graph,
        policy: &Policy,
        roles: &[Option<&Role>],
        index: &HashMap<SubjectKey<'_>, Vec<usize>>,
        account_namespaces: &BTreeSet<String>,
        groups: &[String],
    ) -> GroupSet {
        let vertex = graph.id(Vertex::Holds(groups.to_vec()));
        let holdings = Holdings {
            policy,
            roles,
            bindings: bindings_of(
                index,
                groups
                    .iter()
                    .map(|group| (SubjectKind::Group, None, group.as_str())),
            ),
            account_namespaces,
        };
        let mut edges = Edges::default();
        let parts = ComboParts::of(&holdings);
        // The API server lets `system:masters` do anything, whatever RBAC says.
        if groups.iter().any(|g| g == "system:masters") {
            edges.edge(
                Vertex::Principal(Principal::ClusterAdmin),
                "bound-to-cluster-admin",
                None,
            );
        } else {
            simple_edges(&mut edges, &holdings, policy);
            parts.edges(&mut edges);
        }
        let admin = edges.is_admin();
        for (to, technique, via) in edges.0 {
            graph.edge(vertex, to, technique, via);
        }
        GroupSet {
            vertex,
            admin,
            parts,
        }
    }
}

/// The edges of the techniques that need one permission, from a set of bindings.
fn simple_edges(out: &mut Edges, holdings: &Holdings<'_>, policy: &Policy) {
    if let Some(via) = holdings.cluster_wide("*", "*", "*", "") {
        out.edge(
            Vertex::Principal(Principal::ClusterAdmin),
            "bound-to-cluster-admin",
            Some(via),
        );
        return;
    }
    // impersonate.
    for found in holdings.find("impersonate", "", "groups") {
        if found.namespace.is_some() {
            continue;
        }
        if found.names.is_empty() || found.names.iter().any(|n| n == "system:masters") {
            out.edge(
                Vertex::Principal(Principal::ClusterAdmin),
                "impersonate",
                Some(found.binding),
            );
        }
        for name in found.names {
            let group = Vertex::Principal(Principal::Subject(Subject {
                kind: SubjectKind::Group,
                name: name.clone(),
                namespace: None,
            }));
            out.edge(group, "impersonate", Some(found.binding));
        }
        if found.names.is_empty() {
            out.edge(Vertex::AnyGroup, "impersonate", Some(found.binding));
        }
    }
    for found in holdings.find("impersonate", "", "users") {
        if found.namespace.is_some() {
            continue;
        }
        if found.names.is_empty() {
            out.edge(Vertex::AnyUser, "impersonate", Some(found.binding));
        }
        for name in found.names {
            let user = User::named(name);
            let subject = match user
                .name
                .strip_prefix("system:serviceaccount:")
                .and_then(|rest| rest.split_once(':'))
            {
                Some((namespace, name)) => account(namespace, name),
                None => Vertex::Principal(Principal::Subject(Subject {
                    kind: SubjectKind::User,
                    name: name.clone(),
                    namespace: None,
                })),
            };
            out.edge(subject, "impersonate", Some(found.binding));
        }
    }
    named_accounts_edges(out, holdings, "impersonate", "serviceaccounts");
    // Pods, and the controllers that create them as any account of their namespace.
    let pod_grants = crate::rules::POD_CREATORS
        .iter()
        .flat_map(|&(group, resource)| {
            let technique = if resource == "pods" {
                "create-pod"
            } else {
                "create-workload"
            };
            holdings
                .find("create", group, resource)
                .into_iter()
                .map(move |f| (f, technique))
        });
    for (found, technique) in pod_grants {
        out.edge(accounts(found.namespace), technique, Some(found.binding));
        if policy.admits_privileged(found.namespace) {
            out.edge(
                Vertex::Principal(Principal::Node),
                "privileged-pod",
                Some(found.binding),
            );
        }
    }
    for verb in ["get", "list", "watch"] {
        for found in holdings.find(verb, "", "secrets") {
            if found.names.is_empty() {
                out.edge(
                    accounts(found.namespace),
                    "read-secrets",
                    Some(found.binding),
                );
            }
        }
    }
    named_accounts_edges(out, holdings, "create-token", "serviceaccounts/token");
    for verb in ["create", "get"] {
        for found in holdings.find(verb, "", "pods/exec") {
            let mounted = found
                .namespace
                .map_or(Vertex::MountedEverywhere, |n| Vertex::MountedIn(n.into()));
            out.edge(mounted, "exec", Some(found.binding));
        }
    }
    // The node: through the kubelet API, or a certificate from a CSR the subject approves.
    for verb in ["get", "create"] {
        if let Some(via) = holdings.cluster_wide(verb, "", "nodes/proxy", "") {
            out.edge(Vertex::Principal(Principal::Node), "node-proxy", Some(via));
        }
    }
}

/// The permissions of the techniques that need several together, gathered from a set of
/// bindings so that a subject's own and its groups' combine (bind plus create bindings,
/// escalate plus update on a held role, CSR create plus approval plus a signer).
#[derive(Debug, Default, Clone)]
struct ComboParts {
    /// `bind` on the ClusterRole cluster-admin, cluster-wide.
    bind_cluster_admin: Option<usize>,
    create_cluster_bindings: bool,
    /// `bind` on an admin-like role within a namespace (a RoleBinding's scope).
    namespace_binds: Vec<(String, usize)>,
    /// Where RoleBindings may be created (`None`: every namespace).
    create_bindings: Vec<Option<String>>,
    /// Cluster-wide `escalate` and `update`/`patch` on ClusterRoles: their resource names.
    escalate: Vec<(Vec<String>, usize)>,
    edit: Vec<Vec<String>>,
    /// The ClusterRoles held through ClusterRoleBindings.
    held: Vec<String>,
    csr_create: bool,
    csr_approval: bool,
    approve_client: Option<usize>,
    approve_kubelet: Option<usize>,
}

impl ComboParts {
    fn of(holdings: &Holdings<'_>) -> ComboParts {
        let rbac = "rbac.authorization.k8s.io";
        let certificates = "certificates.k8s.io";
        let approves = |signer: &str| {
            holdings
                .cluster_wide("approve", certificates, "signers", signer)
                .or_else(|| {
                    holdings.cluster_wide("approve", certificates, "signers", "kubernetes.io/*")
                })
        };
        let cluster = |found: Vec<Found<'_>>| -> Vec<(Vec<String>, usize)> {
            found
                .into_iter()
                .filter(|f| f.namespace.is_none())
                .map(|f| (f.names.to_vec(), f.binding))
                .collect()
        };
        ComboParts {
            bind_cluster_admin: holdings.cluster_wide(
                "bind",
                rbac,
                "clusterroles",
                "cluster-admin",
            ),
            create_cluster_bindings: holdings
                .cluster_wide("create", rbac, "clusterrolebindings", "")
                .is_some(),
            namespace_binds: holdings
                .find("bind", rbac, "clusterroles")
                .into_iter()
                .filter(|f| {
                    f.names.is_empty()
                        || f.names
                            .iter()
                            .any(|n| matches!(n.as_str(), "cluster-admin" | "admin" | "edit"))
                })
                .filter_map(|f| Some((f.namespace?.to_string(), f.binding)))
                .collect(),
            create_bindings: holdings
                .find("create", rbac, "rolebindings")
                .into_iter()
                .map(|f| f.namespace.map(str::to_string))
                .collect(),
            escalate: cluster(holdings.find("escalate", rbac, "clusterroles")),
            edit: ["update", "patch"]
                .into_iter()
                .flat_map(|verb| cluster(holdings.find(verb, rbac, "clusterroles")))
                .map(|(names, _)| names)
                .collect(),
            held: holdings.cluster_roles().map(str::to_string).collect(),
            csr_create: holdings
                .cluster_wide("create", certificates, "certificatesigningrequests", "")
                .is_some(),
            csr_approval: holdings
                .cluster_wide(
                    "update",
                    certificates,
                    "certificatesigningrequests/approval",
                    "",
                )
                .is_some(),
            approve_client: approves("kubernetes.io/kube-apiserver-client"),
            approve_kubelet: approves("kubernetes.io/kube-apiserver-client-kubelet"),
        }
    }

    fn is_empty(&self) -> bool {
        self.bind_cluster_admin.is_none()
            && !self.create_cluster_bindings
            && self.namespace_binds.is_empty()
            && self.create_bindings.is_empty()
            && self.escalate.is_empty()
            && self.edit.is_empty()
            && self.held.is_empty()
            && !self.csr_create
            && !self.csr_approval
            && self.approve_client.is_none()
            && self.approve_kubelet.is_none()
    }

    /// Both sets of permissions together.
    fn with(&self, other: &ComboParts) -> ComboParts {
        let mut both = self.clone();
        both.bind_cluster_admin = both.bind_cluster_admin.or(other.bind_cluster_admin);
        both.create_cluster_bindings |= other.create_cluster_bindings;
        both.namespace_binds
            .extend(other.namespace_binds.iter().cloned());
        both.create_bindings
            .extend(other.create_bindings.iter().cloned());
        both.escalate.extend(other.escalate.iter().cloned());
        both.edit.extend(other.edit.iter().cloned());
        both.held.extend(other.held.iter().cloned());
        both.csr_create |= other.csr_create;
        both.csr_approval |= other.csr_approval;
        both.approve_client = both.approve_client.or(other.approve_client);
        both.approve_kubelet = both.approve_kubelet.or(other.approve_kubelet);
        both
    }

    /// The edges the combined permissions make.
    fn edges(&self, out: &mut Edges) {
        let admin = || Vertex::Principal(Principal::ClusterAdmin);
        if let (Some(via), true) = (self.bind_cluster_admin, self.create_cluster_bindings) {
            out.edge(admin(), "bind", Some(via));
        }
        for (namespace, via) in &self.namespace_binds {
            let creates = self
                .create_bindings
                .iter()
                .any(|scope| scope.as_ref().is_none_or(|n| n == namespace));
            if creates {
                out.edge(accounts(Some(namespace)), "bind", Some(*via));
            }
        }
        let names =
            |names: &[String], role: &str| names.is_empty() || names.iter().any(|n| n == role);
        let escalation = self.held.iter().find_map(|role| {
            let (_, via) = self.escalate.iter().find(|(n, _)| names(n, role))?;
            self.edit.iter().any(|n| names(n, role)).then_some(*via)
        });
        if let Some(via) = escalation {
            out.edge(admin(), "escalate", Some(via));
        }
        if self.csr_create && self.csr_approval {
            if let Some(via) = self.approve_client {
                out.edge(admin(), "csr-approve", Some(via));
            } else if let Some(via) = self.approve_kubelet {
                out.edge(Vertex::Principal(Principal::Node), "csr-approve", Some(via));
            }
        }
    }
}

/// Edges to service accounts through a grant on `resource` that may be limited to named
/// accounts (impersonation, token requests).
fn named_accounts_edges(
    out: &mut Edges,
    holdings: &Holdings<'_>,
    technique: &'static str,
    resource: &str,
) {
    let verb = if technique == "impersonate" {
        "impersonate"
    } else {
        "create"
    };
    for found in holdings.find(verb, "", resource) {
        if found.names.is_empty() {
            out.edge(accounts(found.namespace), technique, Some(found.binding));
            continue;
        }
        let namespaces: Vec<&str> = match found.namespace {
            Some(namespace) => vec![namespace],
            None => holdings
                .account_namespaces
                .iter()
                .map(String::as_str)
                .collect(),
        };
        for namespace in namespaces {
            for name in found.names {
                out.edge(account(namespace, name), technique, Some(found.binding));
            }
        }
    }
}

/// Every escalation path of the policy: by how reachable the starting subject is, then
/// shortest first, then by subject.
pub fn escalation_paths(policy: &Policy) -> Vec<EscalationPath> {
    let index = policy.bindings_by_subject();
    let roles: Vec<Option<&Role>> = policy.bindings.iter().map(|b| policy.role_of(b)).collect();
    // The principals: binding subjects, then the declared and running service accounts.
    let starts: BTreeSet<&Subject> = policy
        .bindings
        .iter()
        .flat_map(|b| &b.subjects)
        .filter(|s| s.kind != SubjectKind::ServiceAccount || s.namespace.is_some())
        .collect();
    let running_accounts: Vec<Subject> = policy
        .workloads
        .iter()
        .filter(|w| policy.mounts_token(w))
        .map(|w| Subject {
            kind: SubjectKind::ServiceAccount,
            name: w.service_account.clone(),
            namespace: Some(w.namespace.clone()),
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let running: BTreeSet<&Subject> = running_accounts.iter().collect();
    let declared: Vec<Subject> = policy
        .service_accounts
        .keys()
        .map(|(namespace, name)| Subject {
            kind: SubjectKind::ServiceAccount,
            name: name.clone(),
            namespace: Some(namespace.clone()),
        })
        .collect();
    let mut graph = Graph::default();
    let mut principals: BTreeSet<&Subject> = starts.clone();
    principals.extend(&running_accounts);
    principals.extend(&declared);
    let account_namespaces: BTreeSet<String> = principals
        .iter()
        .filter_map(|s| s.namespace.clone())
        .collect();
    for subject in &principals {
        graph.id(Vertex::Principal(Principal::Subject((*subject).clone())));
    }
    // A subject's edges: its own bindings', and one step to what its groups hold (built once
    // per set of groups); combined techniques also join its own and its groups' permissions.
    let mut group_sets: HashMap<Vec<String>, GroupSet> = HashMap::new();
    let mut admins: HashSet<usize> = HashSet::new();
    for subject in &principals {
        let from = graph.id(Vertex::Principal(Principal::Subject((*subject).clone())));
        let user = user_of(subject);
        let mut groups = user.groups.clone();
        groups.sort();
        if !group_sets.contains_key(&groups) {
            let set = GroupSet::new(
                &mut graph,
                policy,
                &roles,
                &index,
                &account_namespaces,
                &groups,
            );
            group_sets.insert(groups.clone(), set);
        }
        let group = &group_sets[&groups];
        graph.edges[from].push((group.vertex, "", None));
        let mut own_keys = vec![(SubjectKind::User, None, user.name.as_str())];
        if let Some((namespace, name)) = user
            .name
            .strip_prefix("system:serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
        {
            own_keys.push((SubjectKind::ServiceAccount, Some(namespace), name));
        }
        let own = Holdings {
            policy,
            roles: &roles,
            bindings: bindings_of(&index, own_keys),
            account_namespaces: &account_namespaces,
        };
        let mut edges = Edges::default();
        if !own.bindings.is_empty() {
            simple_edges(&mut edges, &own, policy);
            let parts = ComboParts::of(&own);
            if !parts.is_empty() {
                parts.with(&group.parts).edges(&mut edges);
            }
        }
        if group.admin || edges.is_admin() {
            admins.insert(from);
        }
        for (to, technique, via) in edges.0 {
            graph.edge(from, to, technique, via);
        }
    }
    // Capabilities lead to the principals they stand for (including accounts first met as
    // targets of named grants); the node to the tokens its pods mount.
    let mut accounts_by_namespace: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut users = Vec::new();
    let mut groups = Vec::new();
    for (id, vertex) in graph.vertices.iter().enumerate() {
        let Vertex::Principal(Principal::Subject(subject)) = vertex else {
            continue;
        };
        match (subject.kind, &subject.namespace) {
            (SubjectKind::ServiceAccount, Some(namespace)) => accounts_by_namespace
                .entry(namespace.clone())
                .or_default()
                .push(id),
            (SubjectKind::User, _) => users.push(id),
            (SubjectKind::Group, _) => groups.push(id),
            _ => {}
        }
    }
    let everywhere = graph.id(Vertex::AccountsEverywhere);
    for (namespace, ids) in &accounts_by_namespace {
        let capability = graph.id(Vertex::AccountsIn(namespace.clone()));
        graph.edges[everywhere].push((capability, "", None));
        graph.edges[capability].extend(ids.iter().map(|&id| (id, "", None)));
    }
    let mounted_everywhere = graph.id(Vertex::MountedEverywhere);
    for account in &running_accounts {
        let namespace = account.namespace.clone().unwrap_or_default();
        let capability = graph.id(Vertex::MountedIn(namespace));
        let target = graph.id(Vertex::Principal(Principal::Subject(account.clone())));
        graph.edges[capability].push((target, "", None));
        if !graph.edges[mounted_everywhere]
            .iter()
            .any(|e| e.0 == capability)
        {
            graph.edges[mounted_everywhere].push((capability, "", None));
        }
    }
    let node = graph.id(Vertex::Principal(Principal::Node));
    graph.edges[node].push((mounted_everywhere, "node-tokens", None));
    let any_user = graph.id(Vertex::AnyUser);
    graph.edges[any_user].extend(users.iter().map(|&id| (id, "", None)));
    let any_group = graph.id(Vertex::AnyGroup);
    graph.edges[any_group].extend(groups.iter().map(|&id| (id, "", None)));
    let admin = graph.id(Vertex::Principal(Principal::ClusterAdmin));

    let next = shortest_next_steps(&graph, admin);
    let mut paths = Vec::new();
    for subject in starts {
        let start = graph.ids[&Vertex::Principal(Principal::Subject(subject.clone()))];
        // Admins themselves are not escalation paths.
        if admins.contains(&start) || next[start].is_none() {
            continue;
        }
        let mut steps = Vec::new();
        let mut at = start;
        let mut pending = None;
        while let Some((to, technique, via)) = next[at] {
            // A step is named by its first technique (capabilities pass it on unnamed).
            if pending.is_none() && !technique.is_empty() {
                pending = Some((technique, via));
            }
            let (technique, via) = pending.unwrap_or((technique, via));
            if let Vertex::Principal(principal) = &graph.vertices[to] {
                steps.push(Step {
                    technique,
                    to: principal.clone(),
                    via,
                });
                pending = None;
            }
            at = to;
        }
        paths.push(EscalationPath {
            from: subject.clone(),
            reach: reach_of(subject, &running),
            steps,
        });
    }
    paths.sort_by(|a, b| (a.reach, a.steps.len(), &a.from).cmp(&(b.reach, b.steps.len(), &b.from)));
    paths
}

/// For every vertex, the first edge of a shortest path to `target` (`None`: no path, or the
/// target itself): a 0-1 breadth-first search backwards, where leaving a principal costs one
/// step and leaving a capability nothing.
fn shortest_next_steps(
    graph: &Graph,
    target: usize,
) -> Vec<Option<(usize, &'static str, Option<usize>)>> {
    let mut reverse: Vec<Vec<(usize, &'static str, Option<usize>)>> =
        vec![Vec::new(); graph.vertices.len()];
    for (from, edges) in graph.edges.iter().enumerate() {
        for &(to, technique, via) in edges {
            reverse[to].push((from, technique, via));
        }
    }
    let mut distance = vec![u32::MAX; graph.vertices.len()];
    let mut next = vec![None; graph.vertices.len()];
    distance[target] = 0;
    let mut queue = VecDeque::from([target]);
    while let Some(at) = queue.pop_front() {
        for &(from, technique, via) in &reverse[at] {
            let cost = u32::from(matches!(graph.vertices[from], Vertex::Principal(_)));
            let through = distance[at] + cost;
            if through < distance[from] {
                distance[from] = through;
                next[from] = Some((at, technique, via));
                if cost == 0 {
                    queue.push_front(from);
                } else {
                    queue.push_back(from);
                }
            }
        }
    }
    next
}
