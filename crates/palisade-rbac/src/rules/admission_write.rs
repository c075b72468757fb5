use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, covers, role_rule_hits};
use crate::authorizer::Policy;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacAdmissionControlWrite",
        name: "rbac-admission-control-write",
        severity: Severity::High,
        category: CATEGORY,
        title: "A role can change admission control, CRDs or namespace labels",
        doc: r#"Admission webhooks, admission policies, CRDs and namespace labels decide what the cluster accepts.

**What it finds.** A rule granting `create`, `update`, `patch` or `delete` on
`validatingwebhookconfigurations`, `mutatingwebhookconfigurations`,
`validatingadmissionpolicies` or their bindings, `customresourcedefinitions`, or `update`/`patch`
on `namespaces` (whose `pod-security.kubernetes.io` labels switch Pod Security off), judged
with its bindings.

**Why it matters.** Whoever changes admission control can disable the policies that stop
privileged pods, or route every object through a webhook of their own.

**Failing**: `rules: [{apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], verbs: [delete]}]`.

**Passing**: admission configuration managed by the platform team's pipeline only."#,
        remediation: "Keep admission configuration, CRDs and namespace labels to cluster administrators and their deployment pipeline.",
        aliases: &[],
        frameworks: &[],
        references: &[palisade_core::mitre!("T1610")],
    },
    check,
};

const TARGETS: &[(&str, &str)] = &[
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
    ),
    ("apiextensions.k8s.io", "customresourcedefinitions"),
];

fn check(policy: &Policy) -> Vec<Hit> {
    let grants = |rule: &crate::model::Rule| {
        let mut reached: Vec<&str> = TARGETS
            .iter()
            .filter(|(group, resource)| {
                ["create", "update", "patch", "delete"]
                    .iter()
                    .any(|verb| covers(rule, verb, group, resource))
            })
            .map(|(_, resource)| *resource)
            .collect();
        if ["update", "patch"]
            .iter()
            .any(|verb| covers(rule, verb, "", "namespaces"))
        {
            reached.push("namespaces (labels)");
        }
        (!reached.is_empty()).then(|| format!("write access to {}", reached.join(", ")))
    };
    role_rule_hits(policy, &grants, Severity::High, Severity::Medium)
}
