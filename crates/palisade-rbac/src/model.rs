//! The RBAC objects of the input, read from the raw manifests (`rbac.authorization.k8s.io/v1`):
//! Roles and ClusterRoles with their rules and aggregation rules, RoleBindings and
//! ClusterRoleBindings with their role reference and subjects.

use std::sync::Arc;

use palisade_core::{Location, ObjectRef};
use palisade_k8s::{JsonPath, Node, Object, pod_view};

use palisade_k8s::selector::{LabelSelector, Labels, labels_of};

/// One policy rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn strings(node: &Node, key: &str) -> Vec<String> {
    node.get(key)
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(|item| item.as_str().map(str::to_string))
        .collect()
}

impl Rule {
    fn from_node(node: &Node) -> Rule {
        Rule {
            verbs: strings(node, "verbs"),
            api_groups: strings(node, "apiGroups"),
            resources: strings(node, "resources"),
            resource_names: strings(node, "resourceNames"),
            non_resource_urls: strings(node, "nonResourceURLs"),
        }
    }
}

/// Where an RBAC object came from: the object and the locations findings point at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    pub object: Arc<ObjectRef>,
    /// The object itself (its `metadata`, or the document).
    pub location: Location,
    /// Each rule of a role, or each subject of a binding.
    pub items: Vec<Location>,
}

impl Source {
    fn of(object: &Object, list: &str, count: usize) -> Source {
        let root = JsonPath::root();
        Source {
            object: Arc::new(object.object_ref()),
            location: object.location(&root.key("metadata")),
            items: (0..count)
                .map(|i| object.location(&root.key(list).index(i)))
                .collect(),
        }
    }
}

/// The label Kubernetes puts on its default (bootstrap) roles and bindings.
pub const BOOTSTRAP_LABEL: (&str, &str) = ("kubernetes.io/bootstrapping", "rbac-defaults");

/// A Role (`namespace` set) or ClusterRole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Role {
    pub namespace: Option<String>,
    pub name: String,
    pub labels: Labels,
    pub rules: Vec<Rule>,
    /// A ClusterRole's `aggregationRule.clusterRoleSelectors`.
    pub aggregation: Option<Vec<LabelSelector>>,
    pub source: Source,
}

/// What a binding grants.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RoleRef {
    /// `Role` or `ClusterRole`.
    pub kind: String,
    pub name: String,
}

/// The kind of a binding's subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

impl SubjectKind {
    /// The kind as RBAC spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        }
    }
}

/// A binding's subject.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    /// A service account's namespace.
    pub namespace: Option<String>,
}

/// `ServiceAccount shop/default`, `User alice`, `Group platform`.
impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(namespace) => write!(f, "{} {namespace}/{}", self.kind.as_str(), self.name),
            None => write!(f, "{} {}", self.kind.as_str(), self.name),
        }
    }
}

/// A RoleBinding (`namespace` set) or ClusterRoleBinding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub namespace: Option<String>,
    pub name: String,
    pub role_ref: RoleRef,
    pub subjects: Vec<Subject>,
    /// Part of Kubernetes' bootstrap policy.
    pub is_default: bool,
    pub source: Source,
}

impl Binding {
    /// `RoleBinding` or `ClusterRoleBinding`.
    pub fn kind(&self) -> &'static str {
        if self.namespace.is_some() {
            "RoleBinding"
        } else {
            "ClusterRoleBinding"
        }
    }
}

/// Who a workload's pods run as: the service account, and whether the pods mount its token
/// (a compromised pod hands it over; so does the node running it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub namespace: String,
    pub service_account: String,
    /// The pod's `automountServiceAccountToken`, when set (it overrides the account's).
    pub automount: Option<bool>,
}

impl Workload {
    /// The identity of a workload (any kind with a pod template, or a Pod).
    pub fn from_object(object: &Object) -> Option<Workload> {
        let pod = pod_view(object)?;
        let service_account = ["serviceAccountName", "serviceAccount"]
            .into_iter()
            .find_map(|field| pod.get(field).and_then(Node::as_str))
            .filter(|name| !name.is_empty())
            .unwrap_or("default");
        Some(Workload {
            namespace: object.namespace.clone().unwrap_or_else(|| "default".into()),
            service_account: service_account.to_string(),
            automount: pod
                .get("automountServiceAccountToken")
                .and_then(Node::as_bool),
        })
    }
}

fn labels(object: &Object) -> Labels {
    labels_of(object.metadata().and_then(|m| m.get("labels")))
}

fn is_rbac(object: &Object) -> bool {
    object.api_version.starts_with("rbac.authorization.k8s.io/")
}

impl Role {
    /// `cluster-admin` as every API server defines it (the bootstrap policy reconciles it at
    /// start-up), for inputs that bind it without defining it.
    pub fn builtin_cluster_admin() -> Role {
        let all = |values: &[&str]| values.iter().map(|v| v.to_string()).collect::<Vec<_>>();
        Role {
            namespace: None,
            name: "cluster-admin".to_string(),
            labels: Labels::from([BOOTSTRAP_LABEL]),
            rules: vec![
                Rule {
                    verbs: all(&["*"]),
                    api_groups: all(&["*"]),
                    resources: all(&["*"]),
                    ..Rule::default()
                },
                Rule {
                    verbs: all(&["*"]),
                    non_resource_urls: all(&["*"]),
                    ..Rule::default()
                },
            ],
            aggregation: None,
            source: Source {
                object: Arc::new(ObjectRef {
                    api_version: "rbac.authorization.k8s.io/v1".into(),
                    kind: "ClusterRole".into(),
                    namespace: None,
                    name: "cluster-admin".into(),
                }),
                ..Source::default()
            },
        }
    }

    /// Whether Kubernetes itself defines this role (its bootstrap policy): findings are about
    /// what the input adds, not about the defaults.
    pub fn is_default(&self) -> bool {
        self.labels.get(BOOTSTRAP_LABEL.0) == Some(BOOTSTRAP_LABEL.1)
    }

    /// The Role or ClusterRole an object is, if it is one.
    pub fn from_object(object: &Object) -> Option<Role> {
        if !is_rbac(object) {
            return None;
        }
        let namespace = match object.kind.as_str() {
            // A Role without a namespace lives in the one it is applied to: `default` here.
            "Role" => Some(object.namespace.clone().unwrap_or_else(|| "default".into())),
            "ClusterRole" => None,
            _ => return None,
        };
        let aggregation = (namespace.is_none())
            .then(|| object.root.get("aggregationRule"))
            .flatten()
            .filter(|rule| !rule.is_null())
            .map(|rule| {
                rule.get("clusterRoleSelectors")
                    .map_or(&[][..], Node::items)
                    .iter()
                    // A selector the API server would reject aggregates nothing.
                    .filter_map(|node| LabelSelector::from_node(node).ok())
                    .collect()
            });
        let rules: Vec<Rule> = object
            .root
            .get("rules")
            .map_or(&[][..], Node::items)
            .iter()
            .map(Rule::from_node)
            .collect();
        Some(Role {
            namespace,
            name: object.name.clone(),
            labels: labels(object),
            source: Source::of(object, "rules", rules.len()),
            rules,
            aggregation,
        })
    }
}

impl Binding {
    /// The RoleBinding or ClusterRoleBinding an object is, if it is one.
    pub fn from_object(object: &Object) -> Option<Binding> {
        if !is_rbac(object) {
            return None;
        }
        let namespace = match object.kind.as_str() {
            "RoleBinding" => Some(object.namespace.clone().unwrap_or_else(|| "default".into())),
            "ClusterRoleBinding" => None,
            _ => return None,
        };
        let role_ref = object.root.get("roleRef")?;
        let text =
            |node: &Node, key: &str| node.get(key).and_then(Node::as_str).map(str::to_string);
        let listed = object.root.get("subjects").map_or(&[][..], Node::items);
        let (subjects, kept): (Vec<Subject>, Vec<usize>) = listed
            .iter()
            .enumerate()
            .filter_map(|(index, subject)| {
                let kind = match text(subject, "kind")?.as_str() {
                    "User" => SubjectKind::User,
                    "Group" => SubjectKind::Group,
                    "ServiceAccount" => SubjectKind::ServiceAccount,
                    _ => return None,
                };
                // A service account subject without a namespace is in the binding's (the API
                // server defaults it so for RoleBindings).
                let subject_namespace = text(subject, "namespace")
                    .filter(|n| !n.is_empty())
                    .or_else(|| {
                        (kind == SubjectKind::ServiceAccount)
                            .then(|| namespace.clone())
                            .flatten()
                    });
                let subject = Subject {
                    kind,
                    name: text(subject, "name")?,
                    namespace: subject_namespace,
                };
                Some((subject, index))
            })
            .unzip();
        let mut source = Source::of(object, "subjects", listed.len());
        // One location per subject kept (subjects of unknown kinds are not subjects).
        source.items = kept
            .into_iter()
            .filter_map(|index| source.items.get(index).cloned())
            .collect();
        Some(Binding {
            is_default: labels(object).get(BOOTSTRAP_LABEL.0) == Some(BOOTSTRAP_LABEL.1),
            source,
            namespace,
            name: object.name.clone(),
            role_ref: RoleRef {
                kind: text(role_ref, "kind")?,
                name: text(role_ref, "name")?,
            },
            subjects,
        })
    }
}
