//! palisade-rbac owns Kubernetes access control as the API server decides it: the RBAC objects
//! of the input (Roles, ClusterRoles with their aggregation rules resolved as the aggregation
//! controller does, RoleBindings, ClusterRoleBindings), the authorizer's exact matching of a
//! request against their rules (API groups, resources and subresources, resource names, verbs,
//! non-resource URLs, namespace scoping of bindings, deny by default), and the questions built
//! on it: can this user do that (`can-i`), and who can (`who-can`).
//!
//! Also the risky grants ([`rules`]), judged with their bindings, and the escalation paths to
//! cluster-admin ([`paths`]) through the standard techniques, with the workloads (which account
//! they run as, whether they mount its token) and the namespaces' Pod Security levels the input
//! declares.

pub mod authorizer;
pub mod model;
pub mod paths;
pub mod rules;
pub use palisade_k8s::selector;

pub use authorizer::{Decision, Grant, Policy, Request, User};
pub use model::{Binding, Role, RoleRef, Rule, Subject, SubjectKind, Workload};
