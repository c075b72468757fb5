use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object, pod_view};

use super::{CATEGORY, service_account};
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "defaultServiceAccount",
        name: "default-service-account",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Pod runs as the default service account",
        doc: r#"Workloads should run as a service account of their own.

**What it finds.** Pods (and pod templates) whose service account is the namespace's
`default`: `spec.serviceAccountName` absent, empty or `default`. When `serviceAccountName` is
empty, the API server uses the deprecated `spec.serviceAccount` field instead, so a pod naming
its account only there is judged by that.

**Why it matters.** Every pod of a namespace that does not name a service account shares
`default`: any permission granted to it — often by a chart that needed "just one" — is granted
to all of them, and their API requests cannot be told apart in the audit log. A dedicated
service account per workload keeps permissions and tokens scoped to the one workload that needs
them.

**Failing**
```yaml
spec:
  containers:
  - name: app
    image: registry.corp.example/app:1.4
```

**Passing**
```yaml
spec:
  serviceAccountName: shop-api
  automountServiceAccountToken: false
  containers:
  - name: app
    image: registry.corp.example/app:1.4
```"#,
        remediation: "Create a ServiceAccount for the workload, set `spec.serviceAccountName` to it, and grant it only what the workload needs; set `automountServiceAccountToken: false` on the namespace's `default` ServiceAccount.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.1.5"),
            nsa("authentication-authorization"),
            crate::mitre!("T1078", "001"),
        ],
    },
    applies: workloads,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    let (name, field) = service_account(&pod);
    if name != "default" {
        return Vec::new();
    }
    let empty = pod.get("serviceAccountName").and_then(Node::as_str) == Some("");
    let (path, detail) = match field {
        Some(field) => (pod.spec_path.key(field), format!("{field}=default")),
        None if empty => (
            pod.spec_path.key("serviceAccountName"),
            "serviceAccountName is empty".to_string(),
        ),
        None => (
            pod.spec_path.clone(),
            "serviceAccountName is not set".to_string(),
        ),
    };
    vec![Violation::at(
        path,
        format!("the pod runs as the namespace's default service account ({detail})"),
    )]
}
