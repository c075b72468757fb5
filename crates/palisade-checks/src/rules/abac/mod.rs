//! ABAC policy files (`--authorization-policy-file`): one `Policy` per line
//! (`abac.authorization.kubernetes.io/v1beta1`), each granting a subject (user or group) access
//! to resources or non-resource paths, read as the ABAC authorizer matches them (`*` matches
//! everything; `readonly` limits a policy to get, list and watch). Kubernetes discourages ABAC:
//! policies are static, live on the control-plane node and need an API server restart.

mod all_users;
mod cluster_admin;
mod cluster_wide_write;
mod unauthenticated;

use palisade_k8s::{JsonPath, Node, Object};

use super::Rule;

const CATEGORY: &str = "abac";

pub static RULES: &[&Rule] = &[
    &all_users::RULE,
    &unauthenticated::RULE,
    &cluster_wide_write::RULE,
    &cluster_admin::RULE,
];

/// A note every ABAC finding ends with.
const DISCOURAGED: &str = "ABAC is discouraged: move the grant to RBAC";

/// `applies` of the ABAC rules.
fn is_abac_policy(object: &Object) -> bool {
    object.group() == "abac.authorization.kubernetes.io" && object.kind == "Policy"
}

/// One policy's `spec`, with absent strings empty.
struct Spec<'a> {
    user: &'a str,
    group: &'a str,
    readonly: bool,
    api_group: &'a str,
    namespace: &'a str,
    resource: &'a str,
    non_resource_path: &'a str,
}

impl<'a> Spec<'a> {
    fn of(object: &'a Object) -> Option<Spec<'a>> {
        let spec = object.root.get("spec")?;
        let text = |key: &str| spec.get(key).and_then(Node::as_str).unwrap_or("");
        Some(Spec {
            user: text("user"),
            group: text("group"),
            readonly: spec.get("readonly").and_then(Node::as_bool) == Some(true),
            api_group: text("apiGroup"),
            namespace: text("namespace"),
            resource: text("resource"),
            non_resource_path: text("nonResourcePath"),
        })
    }

    /// Who the policy grants to, as the message names it.
    fn subject(&self) -> String {
        match (self.user, self.group) {
            ("", group) => format!("group {group}"),
            (user, "") => format!("user {user}"),
            (user, group) => format!("user {user} in group {group}"),
        }
    }

    fn access(&self) -> &'static str {
        if self.readonly {
            "read"
        } else {
            "read and write"
        }
    }
}

/// Where a finding about a policy line points: its `spec` (or the line).
fn spec_path(object: &Object) -> JsonPath {
    if object.root.get("spec").is_some() {
        JsonPath::root().key("spec")
    } else {
        JsonPath::root()
    }
}
