use palisade_core::frameworks::cis;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, subject_hits};
use crate::authorizer::Policy;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacClusterAdminBinding",
        name: "rbac-cluster-admin-binding",
        severity: Severity::Critical,
        category: CATEGORY,
        title: "cluster-admin is bound to a subject outside system:",
        doc: r#"`cluster-admin` is every permission on every resource; only the control plane needs it.

**What it finds.** A ClusterRoleBinding or RoleBinding to the `cluster-admin` ClusterRole whose
subject is not a `system:` user or group (a RoleBinding scopes it to its namespace: high).

**Why it matters.** Whoever holds the subject's credentials owns the cluster.

**Failing**: `roleRef: {kind: ClusterRole, name: cluster-admin}` with `subjects: [{kind: User, name: alice}]`.

**Passing**: `admin` bound per namespace, cluster-admin kept for break-glass access."#,
        remediation: "Bind narrower roles (`admin` in a namespace, or a purpose-built ClusterRole); keep cluster-admin for break-glass accounts.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.1.1")],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    subject_hits(policy, &|binding, subject| {
        let cluster_admin =
            binding.role_ref.kind == "ClusterRole" && binding.role_ref.name == "cluster-admin";
        let system = subject.namespace.is_none() && subject.name.starts_with("system:");
        // A RoleBinding scopes it to one namespace: high rather than critical.
        let severity = if binding.namespace.is_some() {
            Severity::High
        } else {
            Severity::Critical
        };
        (cluster_admin && !system).then_some((severity, "every permission on every resource"))
    })
}
