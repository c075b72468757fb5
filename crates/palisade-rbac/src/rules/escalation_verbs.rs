use palisade_core::frameworks::cis;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, covers, role_rule_hits};
use crate::authorizer::Policy;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacEscalationVerbs",
        name: "rbac-escalation-verbs",
        severity: Severity::Critical,
        category: CATEGORY,
        title: "A role can escalate, bind or impersonate",
        doc: r#"`escalate`, `bind` and `impersonate` are the verbs RBAC's own safety checks rely on not being granted.

**What it finds.** A rule granting `escalate` or `bind` on `roles`/`clusterroles`, or
`impersonate` on `users`, `groups` or `serviceaccounts`, judged with its bindings.

**Why it matters.** `escalate` lets a subject write roles with permissions it does not hold;
`bind` lets it bind any role, `cluster-admin` included; `impersonate` lets it act as anyone.

**Failing**: `rules: [{apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"]}]`.

**Passing**: role management left to cluster administrators."#,
        remediation: "Remove escalate, bind and impersonate; where a controller needs bind, limit it with resourceNames to the roles it hands out.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.1.8")],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    let grants = |rule: &crate::model::Rule| {
        let rbac = "rbac.authorization.k8s.io";
        let mut found: Vec<String> = Vec::new();
        for verb in ["escalate", "bind"] {
            if ["roles", "clusterroles"]
                .iter()
                .any(|r| covers(rule, verb, rbac, r))
            {
                found.push(verb.to_string());
            }
        }
        let impersonated: Vec<&str> = [("", "users"), ("", "groups"), ("", "serviceaccounts")]
            .into_iter()
            .filter(|(group, resource)| covers(rule, "impersonate", group, resource))
            .map(|(_, resource)| resource)
            .collect();
        if !impersonated.is_empty() {
            found.push(format!("impersonate ({})", impersonated.join(", ")));
        }
        (!found.is_empty()).then(|| found.join(", "))
    };
    role_rule_hits(policy, &grants, Severity::Critical, Severity::High)
}
