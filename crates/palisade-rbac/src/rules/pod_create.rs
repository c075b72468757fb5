use palisade_core::frameworks::cis;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, covers, role_rule_hits};
use crate::authorizer::Policy;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacPodCreate",
        name: "rbac-pod-create",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "A role can create pods or pod controllers",
        doc: r#"Creating a pod is acting as any service account of its namespace.

**What it finds.** A rule granting `create` on `pods` or on a pod controller (`deployments`,
`daemonsets`, `statefulsets`, `replicasets`, `jobs`, `cronjobs`, `replicationcontrollers`),
judged with its bindings: high cluster-wide, medium in a namespace, info unbound.

**Why it matters.** A pod may name any service account of its namespace and mount its token, and
may be privileged where Pod Security does not forbid it: pod creation is an escalation path to
every permission held in the namespace, or to the node.

**Failing**: `rules: [{apiGroups: ["apps"], resources: ["deployments"], verbs: ["create"]}]` for a CI account cluster-wide.

**Passing**: deployments through a GitOps controller whose own account is the only creator."#,
        remediation: "Limit pod creation to the namespaces a subject deploys to, and enforce Pod Security there.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.1.4")],
    },
    check,
};

/// Pods and what creates them (the escalation paths use the same list).
pub(crate) const POD_CREATORS: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

fn check(policy: &Policy) -> Vec<Hit> {
    let grants = |rule: &crate::model::Rule| {
        let created: Vec<&str> = POD_CREATORS
            .iter()
            .filter(|(group, resource)| covers(rule, "create", group, resource))
            .map(|(_, resource)| *resource)
            .collect();
        (!created.is_empty()).then(|| format!("create on {}", created.join(", ")))
    };
    role_rule_hits(policy, &grants, Severity::High, Severity::Medium)
}
