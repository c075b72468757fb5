use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object, pod_view};

use super::CATEGORY;
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "shareProcessNamespace",
        name: "share-process-namespace",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Containers share one process namespace",
        doc: r#"Containers of a pod should not see each other's processes.

**What it finds.** A pod (or pod template) with `spec.shareProcessNamespace: true`.

**Why it matters.** With a shared process namespace every container of the pod sees the
processes of the others, can signal them, and can read their environment and filesystem
through `/proc/<pid>/environ` and `/proc/<pid>/root` — secrets of a sidecar become readable by
the application container, and a compromised container can kill or trace its neighbours.

**Failing**
```yaml
spec:
  shareProcessNamespace: true
  containers:
  - name: app
    image: registry.corp.example/app:1.4
```

**Passing**
```yaml
spec:
  containers:
  - name: app
    image: registry.corp.example/app:1.4
```"#,
        remediation: "Remove `shareProcessNamespace: true`; debug with an ephemeral container targeting one container (`kubectl debug --target`) instead.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.7.3"),
            nsa("pod-hardening"),
            crate::mitre!("T1611"),
            crate::mitre!("T1552", "001"),
        ],
    },
    applies: workloads,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    match pod.get("shareProcessNamespace").and_then(Node::as_bool) {
        Some(true) => vec![Violation::at(
            pod.spec_path.key("shareProcessNamespace"),
            "shareProcessNamespace=true: every container of the pod sees and can signal the others' processes",
        )],
        _ => Vec::new(),
    }
}
