use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, NetpolRule, REFERENCES};
use crate::model::{Direction, Model};

pub static RULE: NetpolRule = NetpolRule {
    meta: RuleMeta {
        id: "netpolWorkloadUnprotected",
        name: "netpol-workload-unprotected",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "No NetworkPolicy restricts who can connect to a workload",
        doc: r#"A workload whose pods no NetworkPolicy selects for ingress accepts connections from every pod of the cluster and from outside.

**What it finds.** A workload that no policy of its namespace isolates for ingress, or one
using `hostNetwork`, which NetworkPolicies never apply to. Severity is medium where the
namespace has policies that leave this workload out, low where the namespace has none at all
(the namespace finding says so already).

**Why it matters.** Unselected pods are fully open: lateral movement from any compromised pod
reaches them.

**Failing**: a Deployment `web` in `shop` whose labels no policy's `podSelector` matches.

**Passing**: a default-deny policy (`podSelector: {}`) in `shop`, plus a policy allowing the
connections `web` needs."#,
        remediation: "Select the workload with a NetworkPolicy (a namespace-wide default deny covers every workload), and allow only the clients it serves. Avoid hostNetwork.",
        aliases: &[],
        frameworks: &[],
        references: REFERENCES,
    },
    check,
};

fn check(model: &Model) -> Vec<Hit> {
    let with_policies: std::collections::HashSet<&str> = model
        .policies
        .iter()
        .map(|p| p.namespace.as_str())
        .collect();
    model
        .workloads
        .iter()
        .enumerate()
        .filter(|&(i, _)| model.isolating(Direction::Ingress, i).is_empty())
        .filter_map(|(i, w)| {
            let source = w.source.as_ref()?;
            let namespace_has_policies = with_policies.contains(w.namespace.as_str());
            let egress = if model.isolating(Direction::Egress, i).is_empty() {
                "nor for egress"
            } else {
                "(egress is restricted)"
            };
            let message = if w.host_network {
                format!(
                    "{} {}/{} uses hostNetwork: NetworkPolicies do not apply to its pods",
                    w.kind, w.namespace, w.name
                )
            } else {
                format!(
                    "{} {}/{} is selected by no NetworkPolicy for ingress {egress}: anything can connect to it",
                    w.kind, w.namespace, w.name
                )
            };
            Some(Hit {
                object: source.object.clone(),
                location: source.location.clone(),
                message,
                severity: (!namespace_has_policies && !w.host_network).then_some(Severity::Low),
            })
        })
        .collect()
}
