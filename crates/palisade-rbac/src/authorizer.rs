//! The RBAC authorizer, as `plugin/pkg/auth/authorizer/rbac` decides: a request is allowed when
//! some rule of a role bound to the user allows it, and denied otherwise.
//!
//! - Bindings: a ClusterRoleBinding's role applies everywhere (every namespace, cluster-scoped
//!   resources, non-resource URLs); a RoleBinding's role (a Role of its namespace, or a
//!   ClusterRole scoped down) only to requests in its namespace. A binding to a missing role
//!   grants nothing.
//! - Subjects: a `User` by name; a `Group` by membership (`system:authenticated`,
//!   `system:serviceaccounts`, `system:serviceaccounts:<ns>` included); a `ServiceAccount` is the
//!   user `system:serviceaccount:<ns>:<name>`.
//! - Rules (`rbacv1helpers`): verbs and API groups equal or `*`; a resource equal to the
//!   request's `resource/subresource`, or `*`, or `*/<subresource>`; `resourceNames` empty or
//!   naming the object (so a rule with names never allows a request without one, such as
//!   `list` or `create`); non-resource URLs equal, `*`, or a prefix ending in `*`.
//! - ClusterRoles with an `aggregationRule` hold the rules of every other ClusterRole its
//!   selectors match (repeated until nothing changes, as the controller converges), each rule
//!   once, roles in name order.

use std::collections::{BTreeMap, HashMap};

use palisade_k8s::Object;

use crate::model::{Binding, Role, RoleRef, Rule, Subject, SubjectKind, Workload};

/// Who asks: a user name and the groups the authenticator gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
}

impl User {
    /// A user as named on the command line: `system:serviceaccount:<ns>:<name>` (with its
    /// groups), `serviceaccount:<ns>:<name>` for short, or a user name (authenticated, except
    /// `system:anonymous`).
    pub fn parse(text: &str) -> User {
        match text
            .strip_prefix("serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
        {
            Some((namespace, name)) => User::service_account(namespace, name),
            None => User::named(text),
        }
    }

    /// The user an authenticator names `name`: `system:serviceaccount:<ns>:<name>` is that
    /// service account (with its groups); other users are authenticated, except
    /// `system:anonymous`.
    pub fn named(name: &str) -> User {
        match name
            .strip_prefix("system:serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
        {
            Some((namespace, account)) => User::service_account(namespace, account),
            None => User {
                name: name.to_string(),
                groups: vec![
                    if name == "system:anonymous" {
                        "system:unauthenticated"
                    } else {
                        "system:authenticated"
                    }
                    .to_string(),
                ],
            },
        }
    }

    /// The user a service account's token authenticates as.
    pub fn service_account(namespace: &str, name: &str) -> User {
        User {
            name: format!("system:serviceaccount:{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".to_string(),
                format!("system:serviceaccounts:{namespace}"),
                "system:authenticated".to_string(),
            ],
        }
    }
}

/// What is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Resource {
        verb: String,
        api_group: String,
        resource: String,
        subresource: String,
        /// The object's name; empty for `list`, `create`, `watch` of a collection.
        name: String,
        /// Empty for cluster-scoped resources.
        namespace: String,
    },
    NonResource {
        verb: String,
        path: String,
    },
}

impl Request {
    /// A resource request, `resource` possibly with its subresource (`pods/exec`); `name` and
    /// `namespace` empty when there is none.
    pub fn resource(
        verb: &str,
        api_group: &str,
        resource: &str,
        name: &str,
        namespace: &str,
    ) -> Request {
        let (resource, subresource) = resource.split_once('/').unwrap_or((resource, ""));
        Request::Resource {
            verb: verb.to_string(),
            api_group: api_group.to_string(),
            resource: resource.to_string(),
            subresource: subresource.to_string(),
            name: name.to_string(),
            namespace: namespace.to_string(),
        }
    }

    fn namespace(&self) -> &str {
        match self {
            Request::Resource { namespace, .. } => namespace,
            Request::NonResource { .. } => "",
        }
    }
}

/// One way a request is allowed: the binding, the role it refers to, and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// `RoleBinding` (with its namespace) or `ClusterRoleBinding`.
    pub binding_kind: &'static str,
    pub binding: String,
    pub binding_namespace: Option<String>,
    pub role: RoleRef,
    pub rule: Rule,
}

/// The authorizer's answer and every grant that allows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub via: Vec<Grant>,
}

/// The RBAC objects of an input, with ClusterRole aggregation resolved.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Keyed by (namespace or `None` for ClusterRoles, name).
    pub roles: BTreeMap<(Option<String>, String), Role>,
    pub bindings: Vec<Binding>,
    /// The ServiceAccounts the input declares, by (namespace, name), with their
    /// `automountServiceAccountToken` when set.
    pub service_accounts: BTreeMap<(String, String), Option<bool>>,
    /// The Namespaces the input declares, and whether their Pod Security `enforce` label admits
    /// privileged pods (`privileged`; an invalid level is enforced as `restricted`); `None`
    /// without the label, where the cluster-wide default applies.
    pub namespaces: BTreeMap<String, Option<bool>>,
    /// The PodSecurity admission plugin's cluster-wide configuration, when the input has an
    /// `AdmissionConfiguration` for it.
    pub pod_security: Option<PodSecurityDefaults>,
    /// Who the workloads of the input run as.
    pub workloads: Vec<Workload>,
}

/// The Pod Security Admission label that sets a namespace's enforced level.
const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";

/// What Pod Security admission enforces where no namespace label says otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodSecurityDefaults {
    /// Whether the default `enforce` level admits privileged pods (`privileged`, or unset).
    pub admits_privileged: bool,
    /// Namespaces exempted from Pod Security altogether.
    pub exempt_namespaces: std::collections::BTreeSet<String>,
}

impl PodSecurityDefaults {
    /// The PodSecurity plugin's configuration: in an `AdmissionConfiguration` object, or a
    /// `PodSecurityConfiguration` of its own (the plugin's `path:`).
    fn from_object(object: &Object) -> Option<PodSecurityDefaults> {
        use palisade_k8s::Node;
        let configuration = match (object.group(), object.kind.as_str()) {
            ("pod-security.admission.config.k8s.io", "PodSecurityConfiguration") => &object.root,
            ("apiserver.config.k8s.io", "AdmissionConfiguration") => object
                .root
                .get("plugins")
                .map_or(&[][..], Node::items)
                .iter()
                .find(|p| p.get("name").and_then(Node::as_str) == Some("PodSecurity"))?
                .get("configuration")?,
            _ => return None,
        };
        let enforce = configuration
            .get("defaults")
            .and_then(|d| d.get("enforce"))
            .and_then(Node::as_str);
        Some(PodSecurityDefaults {
            admits_privileged: matches!(enforce, None | Some("privileged")),
            exempt_namespaces: configuration
                .get("exemptions")
                .and_then(|e| e.get("namespaces"))
                .map_or(&[][..], Node::items)
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect(),
        })
    }
}

/// A binding subject as a lookup key: kind, namespace (service accounts), name.
pub(crate) type SubjectKey<'a> = (SubjectKind, Option<&'a str>, &'a str);

fn matches_or_all(values: &[String], wanted: &str) -> bool {
    values.iter().any(|v| v == "*" || v == wanted)
}

/// `rbacv1helpers.ResourceMatches`.
fn resource_matches(rule: &Rule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|resource| {
        resource == "*"
            || resource == combined
            || !subresource.is_empty()
                && resource.len() == subresource.len() + 2
                && resource.starts_with("*/")
                && resource.ends_with(subresource)
    })
}

/// `rbacv1helpers.NonResourceURLMatches`.
fn url_matches(rule: &Rule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|url| {
        url == "*"
            || url == path
            || url
                .strip_suffix('*')
                .is_some_and(|prefix| path.starts_with(prefix))
    })
}

/// Whether a rule grants `verb` on `resource` (with its `/subresource`, if any) of `api_group`
/// for some objects: `RuleAllows` without the `resourceNames` check (a grant on some named
/// objects is still a grant, for the risk rules).
pub fn rule_grants(rule: &Rule, verb: &str, api_group: &str, resource: &str) -> bool {
    let subresource = resource.split_once('/').map_or("", |(_, sub)| sub);
    matches_or_all(&rule.verbs, verb)
        && matches_or_all(&rule.api_groups, api_group)
        && resource_matches(rule, resource, subresource)
}

/// `RuleAllows`: whether one rule allows a request.
pub fn rule_allows(rule: &Rule, request: &Request) -> bool {
    match request {
        Request::Resource {
            verb,
            api_group,
            resource,
            subresource,
            name,
            ..
        } => {
            let combined = if subresource.is_empty() {
                resource.clone()
            } else {
                format!("{resource}/{subresource}")
            };
            rule_grants(rule, verb, api_group, &combined)
                && (rule.resource_names.is_empty() || rule.resource_names.contains(name))
        }
        Request::NonResource { verb, path } => {
            matches_or_all(&rule.verbs, verb) && url_matches(rule, path)
        }
    }
}

/// Whether a binding's subject is `user` (`appliesToUser`).
pub fn subject_is(subject: &Subject, user: &User) -> bool {
    match subject.kind {
        SubjectKind::User => subject.name == user.name,
        SubjectKind::Group => user.groups.contains(&subject.name),
        SubjectKind::ServiceAccount => subject.namespace.as_ref().is_some_and(|namespace| {
            user.name == format!("system:serviceaccount:{namespace}:{}", subject.name)
        }),
    }
}

impl Policy {
    /// The policy of the RBAC objects, service accounts, namespaces and workloads among
    /// `objects`.
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Policy {
        let mut policy = Policy::default();
        for object in objects {
            policy.add(object);
            policy.add_workload(object);
        }
        policy.complete();
        policy
    }

    /// Whether a document's text can hold an object [`Policy::add`] reads: a cheap filter before
    /// parsing (every such object spells its kind).
    pub fn may_contribute(text: &str) -> bool {
        ["Role", "Namespace", "AdmissionConfiguration", "PodSecurityConfiguration"]
            .iter()
            .any(|kind| text.contains(kind))
            // Not every workload that sets `automountServiceAccountToken`.
            || text
                .match_indices("ServiceAccount")
                .any(|(at, _)| !text[..at].ends_with("automount"))
    }

    /// Adds an object if it is a role, binding, ServiceAccount or Namespace (gathering a policy
    /// while objects stream by, without keeping them); [`Policy::complete`] once all are in.
    /// Workloads come through [`Policy::add_workload`].
    pub fn add(&mut self, object: &Object) {
        if object.kind == "ServiceAccount" && object.api_version == "v1" {
            let namespace = object.namespace.clone().unwrap_or_else(|| "default".into());
            let automount = object
                .root
                .get("automountServiceAccountToken")
                .and_then(palisade_k8s::Node::as_bool);
            self.service_accounts
                .insert((namespace, object.name.clone()), automount);
        } else if object.kind == "Namespace" && object.api_version == "v1" {
            let level = object
                .labels()
                .iter()
                .find(|entry| entry.key.as_str() == ENFORCE_LABEL)
                .and_then(|entry| entry.value.as_str());
            self.namespaces.insert(
                object.name.clone(),
                level.map(|level| level == "privileged"),
            );
        } else if let Some(defaults) = PodSecurityDefaults::from_object(object) {
            self.pod_security = Some(defaults);
        } else if let Some(role) = Role::from_object(object) {
            self.roles
                .insert((role.namespace.clone(), role.name.clone()), role);
        } else if let Some(binding) = Binding::from_object(object) {
            self.bindings.push(binding);
        }
    }

    /// Adds the identity of a workload, if the object is one.
    pub fn add_workload(&mut self, object: &Object) {
        self.workloads.extend(Workload::from_object(object));
    }

    /// Two partial policies (of different inputs) together.
    pub fn merge(mut self, other: Policy) -> Policy {
        self.roles.extend(other.roles);
        self.bindings.extend(other.bindings);
        self.service_accounts.extend(other.service_accounts);
        self.namespaces.extend(other.namespaces);
        self.pod_security = other.pod_security.or(self.pod_security);
        self.workloads.extend(other.workloads);
        self
    }

    /// Once every object is in: the built-in `cluster-admin` when the input binds it without
    /// defining it, and aggregation rules resolved.
    pub fn complete(&mut self) {
        self.roles
            .entry((None, "cluster-admin".to_string()))
            .or_insert_with(Role::builtin_cluster_admin);
        self.aggregate();
    }

    /// Whether Pod Security admits a privileged pod in `namespace` (`None`: some namespace, for a
    /// cluster-wide grant): the namespace's `enforce` label, else the admission configuration's
    /// default (`privileged` without one); exempted namespaces admit anything.
    pub fn admits_privileged(&self, namespace: Option<&str>) -> bool {
        let (default, exempt) = match &self.pod_security {
            Some(defaults) => (defaults.admits_privileged, &defaults.exempt_namespaces),
            None => (true, &std::collections::BTreeSet::new()),
        };
        match namespace {
            Some(namespace) => {
                exempt.contains(namespace)
                    || self
                        .namespaces
                        .get(namespace)
                        .copied()
                        .flatten()
                        .unwrap_or(default)
            }
            None => {
                default
                    || !exempt.is_empty()
                    || self.namespaces.values().any(|admits| *admits == Some(true))
            }
        }
    }

    /// Whether a workload's pods mount their service account's token: the pod's setting, else
    /// the account's, else yes.
    pub fn mounts_token(&self, workload: &Workload) -> bool {
        workload
            .automount
            .or_else(|| {
                self.service_accounts
                    .get(&(workload.namespace.clone(), workload.service_account.clone()))
                    .copied()
                    .flatten()
            })
            .unwrap_or(true)
    }

    /// The bindings naming each subject, by position in [`Policy::bindings`].
    pub(crate) fn bindings_by_subject(&self) -> HashMap<SubjectKey<'_>, Vec<usize>> {
        let mut index: HashMap<SubjectKey<'_>, Vec<usize>> = HashMap::new();
        for (position, binding) in self.bindings.iter().enumerate() {
            for subject in &binding.subjects {
                let key = (
                    subject.kind,
                    subject.namespace.as_deref(),
                    subject.name.as_str(),
                );
                let positions = index.entry(key).or_default();
                if positions.last() != Some(&position) {
                    positions.push(position);
                }
            }
        }
        index
    }

    /// Resolves aggregation rules until no aggregated ClusterRole changes.
    fn aggregate(&mut self) {
        let aggregated: Vec<String> = self
            .roles
            .values()
            .filter(|r| r.namespace.is_none() && r.aggregation.is_some())
            .map(|r| r.name.clone())
            .collect();
        // Each pass can only add rules; the number of distinct rules bounds the passes.
        for _ in 0..=self.roles.len() {
            let mut changed = false;
            for name in &aggregated {
                let selectors = self.roles[&(None, name.clone())]
                    .aggregation
                    .clone()
                    .unwrap_or_default();
                let mut rules: Vec<Rule> = Vec::new();
                for ((namespace, other), role) in &self.roles {
                    if namespace.is_some() || other == name {
                        continue;
                    }
                    if selectors.iter().any(|s| s.matches(&role.labels)) {
                        for rule in &role.rules {
                            if !rules.contains(rule) {
                                rules.push(rule.clone());
                            }
                        }
                    }
                }
                let role = self
                    .roles
                    .get_mut(&(None, name.clone()))
                    .expect("listed above");
                if role.rules != rules {
                    role.rules = rules;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// The role a binding refers to, if it exists (a RoleBinding's `Role` is in its namespace).
    pub fn role_of(&self, binding: &Binding) -> Option<&Role> {
        let namespace = match binding.role_ref.kind.as_str() {
            "Role" => Some(binding.namespace.clone()?),
            "ClusterRole" => None,
            _ => return None,
        };
        self.roles.get(&(namespace, binding.role_ref.name.clone()))
    }

    /// The bindings that apply to requests in `namespace` (`""`: cluster-wide requests).
    fn bindings_for<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a Binding> {
        self.bindings
            .iter()
            .filter(move |binding| match &binding.namespace {
                None => true,
                Some(bound) => !namespace.is_empty() && bound == namespace,
            })
    }

    fn grants<'a>(
        &'a self,
        binding: &'a Binding,
        request: &'a Request,
    ) -> impl Iterator<Item = Grant> + 'a {
        self.role_of(binding)
            .into_iter()
            .flat_map(|role| &role.rules)
            .filter(move |rule| rule_allows(rule, request))
            .map(move |rule| Grant {
                binding_kind: binding.kind(),
                binding: binding.name.clone(),
                binding_namespace: binding.namespace.clone(),
                role: binding.role_ref.clone(),
                rule: rule.clone(),
            })
    }

    /// Whether `user` may make `request`, and every grant that allows it.
    pub fn authorize(&self, user: &User, request: &Request) -> Decision {
        let via: Vec<Grant> = self
            .bindings_for(request.namespace())
            .filter(|binding| binding.subjects.iter().any(|s| subject_is(s, user)))
            .flat_map(|binding| self.grants(binding, request))
            .collect();
        Decision {
            allowed: !via.is_empty(),
            via,
        }
    }

    /// What `user` holds: each binding naming it (directly or through a group), the namespace it
    /// is scoped to (`None`: cluster-wide) and the role it refers to (`None`: missing, which
    /// grants nothing).
    pub fn permissions<'a>(&'a self, user: &'a User) -> Vec<(&'a Binding, Option<&'a Role>)> {
        self.bindings
            .iter()
            .filter(|binding| binding.subjects.iter().any(|s| subject_is(s, user)))
            .map(|binding| (binding, self.role_of(binding)))
            .collect()
    }

    /// Every subject some binding allows `request` to, with the grants, in subject order.
    pub fn who_can(&self, request: &Request) -> Vec<(Subject, Vec<Grant>)> {
        let mut subjects: BTreeMap<Subject, Vec<Grant>> = BTreeMap::new();
        for binding in self.bindings_for(request.namespace()) {
            let grants: Vec<Grant> = self.grants(binding, request).collect();
            if grants.is_empty() {
                continue;
            }
            for subject in &binding.subjects {
                subjects
                    .entry(subject.clone())
                    .or_default()
                    .extend(grants.iter().cloned());
            }
        }
        subjects.into_iter().collect()
    }
}
