use palisade_core::frameworks::cis;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, subject_hits};
use crate::authorizer::Policy;
use crate::model::SubjectKind;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacAnonymousBinding",
        name: "rbac-anonymous-binding",
        severity: Severity::High,
        category: CATEGORY,
        title: "A binding grants a role to anonymous or to every authenticated user",
        doc: r#"`system:anonymous`, `system:unauthenticated` and `system:authenticated` are everyone.

**What it finds.** A RoleBinding or ClusterRoleBinding whose subject is the user
`system:anonymous` or the group `system:unauthenticated` (high), or the group
`system:authenticated` (medium: every user and service account with any credential).

**Why it matters.** A permission granted to anonymous requests is granted to the internet if the
API server is reachable; one granted to `system:authenticated` to every workload's token.

**Failing**: `subjects: [{kind: Group, name: "system:unauthenticated"}]`.

**Passing**: a named group of the identity provider."#,
        remediation: "Bind the role to the users, groups or service accounts that need it.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.1.1")],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    subject_hits(
        policy,
        &|_, subject| match (subject.kind, subject.name.as_str()) {
            (SubjectKind::User, "system:anonymous")
            | (SubjectKind::Group, "system:unauthenticated") => {
                Some((Severity::High, "anonymous requests"))
            }
            (SubjectKind::Group, "system:authenticated") => Some((
                Severity::Medium,
                "every authenticated user and service account",
            )),
            _ => None,
        },
    )
}
