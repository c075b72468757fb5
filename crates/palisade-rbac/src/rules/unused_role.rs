use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, bindings_by_role};
use crate::authorizer::Policy;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacUnusedRole",
        name: "rbac-unused-role",
        severity: Severity::Info,
        category: CATEGORY,
        title: "A Role is bound by nothing",
        doc: r#"A Role that no RoleBinding refers to grants nothing today, and anything tomorrow.

**What it finds.** A namespaced Role that no RoleBinding of its namespace refers to.
(ClusterRoles are left out: many are aggregated into others, or bound by platforms.)

**Why it matters.** Unused roles are leftovers that obscure reviews; binding one later revives
permissions nobody re-checked.

**Failing**: a Role `old-debugger` in `shop` with no RoleBinding naming it.

**Passing**: every Role bound, or deleted."#,
        remediation: "Delete the Role, or bind it where it is needed.",
        aliases: &[],
        frameworks: &[],
        references: &[],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    let bound = bindings_by_role(policy);
    policy
        .roles
        .values()
        .filter(|role| role.namespace.is_some() && !role.is_default())
        .filter(|role| !bound.contains_key(&(role.namespace.as_deref(), role.name.as_str())))
        .map(|role| Hit {
            object: role.source.object.clone(),
            location: role.source.location.clone(),
            message: format!(
                "Role {} in namespace {} is bound by nothing",
                role.name,
                role.namespace.as_deref().unwrap_or_default()
            ),
            severity: None,
        })
        .collect()
}
