use palisade_core::frameworks::cis;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, covers, role_rule_hits};
use crate::authorizer::Policy;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacSecretsRead",
        name: "rbac-secrets-read",
        severity: Severity::High,
        category: CATEGORY,
        title: "A role can read Secrets",
        doc: r#"Reading Secrets is reading every credential they hold, service-account tokens included.

**What it finds.** A rule granting `get`, `list` or `watch` on `secrets` (directly or through
wildcards), judged with its bindings: high cluster-wide, medium in a namespace, info unbound.

**Why it matters.** `list` returns every Secret's data; a token Secret of a privileged service
account is a step to its permissions.

**Failing**: `rules: [{apiGroups: [""], resources: ["secrets"], verbs: ["list"]}]` in a ClusterRole bound cluster-wide.

**Passing**: the workload mounts the one Secret it needs instead of reading it through the API."#,
        remediation: "Mount the Secrets a workload needs, or limit the rule with `resourceNames` to the ones it reads.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.1.2")],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    let grants = |rule: &crate::model::Rule| {
        let verbs: Vec<&str> = ["get", "list", "watch"]
            .into_iter()
            .filter(|verb| covers(rule, verb, "", "secrets"))
            .collect();
        (!verbs.is_empty()).then(|| format!("{} on secrets", verbs.join("/")))
    };
    role_rule_hits(policy, &grants, Severity::High, Severity::Medium)
}
