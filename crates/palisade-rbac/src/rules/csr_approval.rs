use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, covers, role_rule_hits};
use crate::authorizer::Policy;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacCsrApproval",
        name: "rbac-csr-approval",
        severity: Severity::High,
        category: CATEGORY,
        title: "A role can approve certificate signing requests",
        doc: r#"Approving a CSR mints a client certificate the API server trusts.

**What it finds.** A rule granting `update` or `patch` on `certificatesigningrequests/approval`,
or `approve` on `signers` (`certificates.k8s.io`), judged with its bindings.

**Why it matters.** With `create` on CSRs too, a subject can issue itself a certificate for any
name a signer accepts: a node's identity (`system:node:*`) or a user's.

**Failing**: `rules: [{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}]`.

**Passing**: CSR approval left to the kube-controller-manager's approvers."#,
        remediation: "Leave CSR approval to the controller manager; grant `approve` only on the signers a controller needs, by resourceNames.",
        aliases: &[],
        frameworks: &[],
        references: &[palisade_core::mitre!("T1078", "001")],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    let grants = |rule: &crate::model::Rule| {
        let group = "certificates.k8s.io";
        let approval = ["update", "patch"]
            .iter()
            .any(|verb| covers(rule, verb, group, "certificatesigningrequests/approval"));
        let signers = covers(rule, "approve", group, "signers");
        match (approval, signers) {
            (true, true) => Some("CSR approval and approve on signers".to_string()),
            (true, false) => Some("CSR approval".to_string()),
            (false, true) => Some("approve on signers".to_string()),
            (false, false) => None,
        }
    };
    role_rule_hits(policy, &grants, Severity::High, Severity::High)
}
