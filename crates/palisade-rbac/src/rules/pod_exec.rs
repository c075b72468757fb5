use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, covers, role_rule_hits};
use crate::authorizer::Policy;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacPodExec",
        name: "rbac-pod-exec",
        severity: Severity::High,
        category: CATEGORY,
        title: "A role can run commands in pods or proxy to nodes",
        doc: r#"`pods/exec`, `pods/attach`, `pods/portforward` and `nodes/proxy` reach inside workloads and nodes.

**What it finds.** A rule granting `create` on `pods/exec`, `pods/attach` or `pods/portforward`,
or `get`/`create` on `nodes/proxy`, judged with its bindings.

**Why it matters.** Exec runs code as the pod, with its service-account token and its Secrets;
`nodes/proxy` reaches the kubelet API, which can exec into every pod of the node.

**Failing**: `rules: [{apiGroups: [""], resources: ["pods/exec"], verbs: ["create"]}]` bound to a CI account.

**Passing**: debugging through `kubectl debug` granted just in time, and no standing exec rights."#,
        remediation: "Remove standing exec, attach, port-forward and node proxy rights; grant them just in time for debugging.",
        aliases: &[],
        frameworks: &[],
        references: &[palisade_core::mitre!("T1609")],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    let grants = |rule: &crate::model::Rule| {
        let reached: Vec<&str> = [
            ("create", "pods/exec"),
            ("create", "pods/attach"),
            ("create", "pods/portforward"),
            ("get", "nodes/proxy"),
            ("create", "nodes/proxy"),
        ]
        .into_iter()
        .filter(|(verb, resource)| covers(rule, verb, "", resource))
        .map(|(_, resource)| resource)
        .collect();
        let mut reached = reached;
        reached.dedup();
        (!reached.is_empty()).then(|| format!("access to {}", reached.join(", ")))
    };
    role_rule_hits(policy, &grants, Severity::High, Severity::High)
}
