use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, covers, role_rule_hits};
use crate::authorizer::Policy;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacTokenCreate",
        name: "rbac-token-create",
        severity: Severity::High,
        category: CATEGORY,
        title: "A role can mint service-account tokens",
        doc: r#"`create` on `serviceaccounts/token` issues a token for a service account: its permissions, on demand.

**What it finds.** A rule granting `create` on `serviceaccounts/token`, judged with its bindings.

**Why it matters.** It is acting as every service account the rule covers, without running a pod
or reading a Secret.

**Failing**: `rules: [{apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"]}]`.

**Passing**: workloads get their tokens through projected volumes; nobody mints them by hand."#,
        remediation: "Remove the grant, or limit it with resourceNames to the service accounts a controller must issue tokens for.",
        aliases: &[],
        frameworks: &[],
        references: &[palisade_core::mitre!("T1528")],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    let grants = |rule: &crate::model::Rule| {
        covers(rule, "create", "", "serviceaccounts/token")
            .then(|| "create on serviceaccounts/token".to_string())
    };
    role_rule_hits(policy, &grants, Severity::High, Severity::High)
}
