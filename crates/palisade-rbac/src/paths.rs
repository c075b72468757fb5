//! Escalation paths: a graph whose nodes are the subjects of the policy (and the node identity),
//! whose edges are the standard Kubernetes escalation techniques, searched breadth-first for the
//! shortest path from each subject to cluster-admin-equivalent power (every verb on every
//! resource cluster-wide).
//!
//! Edges, each decided by the authorizer:
//! - `create-pod`: create pods in a namespace → any service account of it (a pod names one and
//!   mounts its token);
//! - `read-secrets`: get secrets in a namespace → its service accounts (token Secrets);
//! - `create-token`: create `serviceaccounts/token` in a namespace → its service accounts;
//! - `impersonate`: impersonate users, groups or service accounts → those subjects;
//! - `bind` / `escalate`: on ClusterRoles cluster-wide → cluster-admin;
//! - `node-proxy`: `nodes/proxy` → the node, which holds every mounted token → every service
//!   account.
//!
//! Service accounts are those the policy names; a namespace's accounts that no binding names
//! hold nothing to escalate to.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::authorizer::{Policy, Request, User};
use crate::model::{Subject, SubjectKind};

/// A node of the graph.
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
}

/// A shortest path from a subject to cluster-admin-equivalent power.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationPath {
    pub from: Subject,
    pub steps: Vec<Step>,
}

/// The user a subject's credentials authenticate as (a group: one of its members).
fn user_of(subject: &Subject) -> User {
    match subject.kind {
        SubjectKind::User => User::parse(&subject.name),
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

fn request(verb: &str, group: &str, resource: &str, namespace: &str) -> Request {
    Request::resource(verb, group, resource, "", namespace)
}

/// Every escalation path of the policy, shortest first, then by subject.
pub fn escalation_paths(policy: &Policy) -> Vec<EscalationPath> {
    let subjects: BTreeSet<Subject> = policy
        .bindings
        .iter()
        .flat_map(|b| b.subjects.iter().cloned())
        .filter(|s| s.kind != SubjectKind::ServiceAccount || s.namespace.is_some())
        .collect();
    let accounts_in = |namespace: &str| -> Vec<Subject> {
        subjects
            .iter()
            .filter(|s| {
                s.kind == SubjectKind::ServiceAccount && s.namespace.as_deref() == Some(namespace)
            })
            .cloned()
            .collect()
    };
    let namespaces: BTreeSet<String> = subjects
        .iter()
        .filter_map(|s| s.namespace.clone())
        .chain(policy.bindings.iter().filter_map(|b| b.namespace.clone()))
        .collect();
    let is_admin = |user: &User| policy.authorize(user, &request("*", "*", "*", "")).allowed;
    let edges = |principal: &Principal| -> Vec<Step> {
        let mut steps = Vec::new();
        let user = match principal {
            Principal::Subject(subject) => user_of(subject),
            Principal::Node => {
                return subjects
                    .iter()
                    .filter(|s| s.kind == SubjectKind::ServiceAccount)
                    .map(|s| Step {
                        technique: "node-tokens",
                        to: Principal::Subject(s.clone()),
                    })
                    .collect();
            }
            Principal::ClusterAdmin => return steps,
        };
        let can = |verb: &str, group: &str, resource: &str, namespace: &str| {
            policy
                .authorize(&user, &request(verb, group, resource, namespace))
                .allowed
        };
        if is_admin(&user) {
            steps.push(Step {
                technique: "bound-to-cluster-admin",
                to: Principal::ClusterAdmin,
            });
            return steps;
        }
        for verb in ["bind", "escalate"] {
            if can(verb, "rbac.authorization.k8s.io", "clusterroles", "") {
                steps.push(Step {
                    technique: verb,
                    to: Principal::ClusterAdmin,
                });
            }
        }
        if can("get", "", "nodes/proxy", "") || can("create", "", "nodes/proxy", "") {
            steps.push(Step {
                technique: "node-proxy",
                to: Principal::Node,
            });
        }
        for (kind, resource) in [
            (SubjectKind::User, "users"),
            (SubjectKind::Group, "groups"),
            (SubjectKind::ServiceAccount, "serviceaccounts"),
        ] {
            if can("impersonate", "", resource, "") {
                for subject in subjects.iter().filter(|s| s.kind == kind) {
                    steps.push(Step {
                        technique: "impersonate",
                        to: Principal::Subject(subject.clone()),
                    });
                }
            }
        }
        for namespace in &namespaces {
            for (technique, verb, resource) in [
                ("create-pod", "create", "pods"),
                ("read-secrets", "get", "secrets"),
                ("create-token", "create", "serviceaccounts/token"),
            ] {
                if can(verb, "", resource, namespace) {
                    steps.extend(accounts_in(namespace).into_iter().map(|s| Step {
                        technique,
                        to: Principal::Subject(s),
                    }));
                }
            }
        }
        steps
    };
    // The graph, built once.
    let mut graph: BTreeMap<Principal, Vec<Step>> = BTreeMap::new();
    let mut pending: Vec<Principal> = subjects.iter().cloned().map(Principal::Subject).collect();
    pending.push(Principal::Node);
    for principal in pending {
        let steps = edges(&principal);
        graph.insert(principal, steps);
    }
    let mut paths = Vec::new();
    for subject in &subjects {
        let start = Principal::Subject(subject.clone());
        // Admins themselves are not escalation paths.
        if graph[&start]
            .iter()
            .any(|s| s.technique == "bound-to-cluster-admin")
        {
            continue;
        }
        let mut previous: BTreeMap<Principal, (Principal, &'static str)> = BTreeMap::new();
        let mut queue = VecDeque::from([start.clone()]);
        let mut seen = BTreeSet::from([start.clone()]);
        while let Some(current) = queue.pop_front() {
            if current == Principal::ClusterAdmin {
                break;
            }
            for step in graph.get(&current).into_iter().flatten() {
                if seen.insert(step.to.clone()) {
                    previous.insert(step.to.clone(), (current.clone(), step.technique));
                    queue.push_back(step.to.clone());
                }
            }
        }
        if !previous.contains_key(&Principal::ClusterAdmin) {
            continue;
        }
        let mut steps = Vec::new();
        let mut at = Principal::ClusterAdmin;
        while let Some((from, technique)) = previous.get(&at) {
            steps.push(Step {
                technique,
                to: at.clone(),
            });
            at = from.clone();
        }
        steps.reverse();
        paths.push(EscalationPath {
            from: subject.clone(),
            steps,
        });
    }
    paths.sort_by(|a, b| {
        a.steps
            .len()
            .cmp(&b.steps.len())
            .then_with(|| a.from.cmp(&b.from))
    });
    paths
}
