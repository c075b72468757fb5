use palisade_core::{RuleMeta, Severity};
use palisade_k8s::PodView;

use super::{BASELINE, CATEGORY, PssCheck, Revision, Violation, cis, pss_reference};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "hostNamespaces",
        name: "host-namespaces",
        severity: Severity::High,
        category: CATEGORY,
        title: "Host namespaces",
        doc: r#"Pod Security Standards, **baseline**: sharing the host namespaces must be disallowed (all policy
versions).

**What it finds.** `spec.hostNetwork`, `spec.hostPID` or `spec.hostIPC` set to `true`.

**Why it matters.** `hostNetwork` lets the pod sniff and bind node traffic and reach services
bound to localhost; `hostPID` shows (and with privileges, lets it signal or ptrace) every
process of the node; `hostIPC` exposes the node's shared memory.

**Failing**
```yaml
spec:
  hostPID: true
```

**Passing**
```yaml
spec:
  hostPID: false   # or leave it unset
```"#,
        remediation: "Remove `hostNetwork`, `hostPID` and `hostIPC` (or set them to false). Expose ports through a Service instead of the host network.",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/host-namespaces",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            cis("5.2.3"),
            cis("5.2.4"),
            cis("5.2.5"),
            nsa("pod-security-enforcement"),
            crate::mitre!("T1611"),
        ],
    },
    level: super::Level::Baseline,
    revisions: &[Revision {
        min_minor: 0,
        check: check_1_0,
        overrides: &[],
    }],
};

fn check_1_0(pod: &PodView<'_>) -> Vec<Violation> {
    ["hostNetwork", "hostPID", "hostIPC"]
        .into_iter()
        .filter(|field| pod.get(field).and_then(|n| n.as_bool()) == Some(true))
        .map(|field| {
            Violation::new(
                pod.spec_path.key(field),
                "host namespaces",
                format!("{field}=true"),
            )
        })
        .collect()
}
