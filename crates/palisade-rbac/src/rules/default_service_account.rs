use palisade_core::frameworks::cis;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, subject_hits};
use crate::authorizer::Policy;
use crate::model::SubjectKind;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacDefaultServiceAccountBinding",
        name: "rbac-default-service-account-binding",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "A binding grants a role to a namespace's default service account",
        doc: r#"Every pod that names no service account runs as `default`.

**What it finds.** A RoleBinding or ClusterRoleBinding with the ServiceAccount `default` of a
namespace among its subjects.

**Why it matters.** The grant reaches every pod of the namespace that does not choose its own
service account, now and later, including pods that never needed it.

**Failing**: `subjects: [{kind: ServiceAccount, name: default, namespace: shop}]`.

**Passing**: a dedicated ServiceAccount per workload, named in its pod spec."#,
        remediation: "Create a ServiceAccount for the workload that needs the permission and bind that one.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.1.5")],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    subject_hits(policy, &|_, subject| {
        (subject.kind == SubjectKind::ServiceAccount && subject.name == "default").then_some((
            Severity::Medium,
            "every pod of the namespace that names no service account",
        ))
    })
}
