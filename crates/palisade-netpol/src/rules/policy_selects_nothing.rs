use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, NetpolRule};
use crate::coverage::dead_policies;
use crate::model::Model;

pub static RULE: NetpolRule = NetpolRule {
    meta: RuleMeta {
        id: "netpolPolicySelectsNothing",
        name: "netpol-policy-selects-nothing",
        severity: Severity::Low,
        category: CATEGORY,
        title: "A NetworkPolicy selects no workload",
        doc: r#"A NetworkPolicy whose `podSelector` matches no workload of its namespace protects nothing.

**What it finds.** A policy whose `podSelector` selects none of the workloads the input holds
in the policy's namespace. Informational when the input holds no workload in that namespace at
all (the workloads may live elsewhere).

**Why it matters.** Usually a typo in a label or a leftover after a rename: the workload the
policy was written for is unprotected while the policy suggests otherwise.

**Failing**: `podSelector: {matchLabels: {app: fronend}}` while the Deployment's pods carry
`app: frontend`.

**Passing**: the selector matches the pod template labels of the intended workload."#,
        remediation: "Fix the podSelector to match the pod template labels of the intended workload, or delete the policy.",
        aliases: &[],
        frameworks: &[],
        references: &[],
    },
    check,
};

fn check(model: &Model) -> Vec<Hit> {
    dead_policies(model)
        .into_iter()
        .map(|dead| Hit {
            object: model.policies[dead.policy].source.object.clone(),
            location: dead.location,
            message: format!(
                "NetworkPolicy {} selects no workload (podSelector {}){}",
                dead.id,
                dead.selector,
                if dead.namespace_has_workloads {
                    ""
                } else {
                    "; the input holds no workload in its namespace"
                }
            ),
            severity: (!dead.namespace_has_workloads).then_some(Severity::Info),
        })
        .collect()
}
