use palisade_core::frameworks::cis;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, role_rule_hits};
use crate::authorizer::Policy;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacWildcard",
        name: "rbac-wildcard",
        severity: Severity::High,
        category: CATEGORY,
        title: "A role grants wildcard verbs, resources or API groups",
        doc: r#"`*` in a rule grants everything that exists and everything added later.

**What it finds.** A Role or ClusterRole rule with `*` among its `verbs`, `resources` or
`apiGroups`, judged with its bindings: high when a ClusterRoleBinding grants it cluster-wide,
medium when only RoleBindings do, info when nothing binds it.

**Why it matters.** A wildcard grants new resource types and subresources (`pods/exec`,
`secrets`) the author never meant to, and makes least privilege unreviewable.

**Failing**: `rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]` bound to a team.

**Passing**: `rules: [{apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list"]}]`."#,
        remediation: "List the API groups, resources and verbs the subject needs.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.1.3")],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    let grants = |rule: &crate::model::Rule| {
        let wild = |values: &[String]| values.iter().any(|v| v == "*");
        (wild(&rule.verbs) || wild(&rule.resources) || wild(&rule.api_groups))
            .then(|| "wildcard access (`*`)".to_string())
    };
    role_rule_hits(policy, &grants, Severity::High, Severity::Medium)
}
