//! NetworkPolicy coverage rules and the mesh's plaintext paths, one per file, each declared with its registry entry. They
//! report from [`crate::coverage`]; a finding points at the Namespace, workload, policy, peer
//! or port it is about, and is informational where the input may just be partial (a policy
//! for a namespace whose workloads are not in the input).

mod mesh_plaintext_path;
mod named_port_unresolved;
mod namespace_default_deny_egress;
mod namespace_default_deny_ingress;
mod peer_matches_nothing;
mod policy_selects_nothing;
mod workload_unprotected;

use std::sync::Arc;

use palisade_core::frameworks::{cis, nsa};
use palisade_core::{Finding, Hit, Location, ObjectRef, Reference, RuleMeta, Severity};

use crate::model::{Model, NamespaceOrigin};

const CATEGORY: &str = "network";

/// The framework controls every coverage rule serves.
const REFERENCES: &[Reference] = &[cis("5.3.2"), nsa("network-policies")];

/// One NetworkPolicy rule: its registry entry and the check over the whole model.
pub struct NetpolRule {
    pub meta: RuleMeta,
    pub check: fn(&Model) -> Vec<Hit>,
}

/// Every NetworkPolicy rule.
pub fn all() -> impl Iterator<Item = &'static NetpolRule> {
    [
        &namespace_default_deny_ingress::RULE,
        &namespace_default_deny_egress::RULE,
        &workload_unprotected::RULE,
        &policy_selects_nothing::RULE,
        &peer_matches_nothing::RULE,
        &named_port_unresolved::RULE,
        &mesh_plaintext_path::RULE,
    ]
    .into_iter()
}

/// The findings of the enabled rules on a model.
pub fn check(model: &Model, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Finding> {
    all()
        .filter(|rule| enabled(&rule.meta))
        .flat_map(|rule| {
            (rule.check)(model)
                .into_iter()
                .map(|hit| hit.into_finding(&rule.meta))
        })
        .collect()
}

/// The object and location a finding about a namespace points at: its Namespace object, or
/// where an object of the input first names it.
fn namespace_site(model: &Model, name: &str) -> Option<(Arc<ObjectRef>, Location)> {
    let namespace = model.namespace(name)?;
    match &namespace.origin {
        NamespaceOrigin::Declared(source) => Some((source.object.clone(), source.location.clone())),
        NamespaceOrigin::Assumed(first) => Some((
            Arc::new(ObjectRef {
                api_version: "v1".to_string(),
                kind: "Namespace".to_string(),
                namespace: None,
                name: name.to_string(),
            }),
            first.location.clone(),
        )),
        NamespaceOrigin::Synthetic => None,
    }
}

/// The hits of a default-deny rule: namespaces of the input without one in `direction`.
fn default_deny_hits(model: &Model, direction: crate::Direction) -> Vec<Hit> {
    crate::coverage::namespaces(model)
        .into_iter()
        .filter(|n| match direction {
            crate::Direction::Ingress => n.default_deny_ingress.is_none(),
            crate::Direction::Egress => n.default_deny_egress.is_none(),
        })
        .filter_map(|n| {
            let (object, location) = namespace_site(model, &n.name)?;
            let policies = match n.policies {
                0 => "it has no NetworkPolicy".to_string(),
                1 => "its one NetworkPolicy does not isolate every pod".to_string(),
                count => format!("none of its {count} NetworkPolicies isolates every pod"),
            };
            Some(Hit {
                object,
                location,
                message: format!(
                    "namespace {} has no default-deny {} policy: {policies} ({} workloads in the input)",
                    n.name,
                    direction.as_str(),
                    n.workloads
                ),
                // Nothing runs there in the input: the namespace may hold nothing yet.
                severity: (n.workloads == 0).then_some(Severity::Info),
            })
        })
        .collect()
}
