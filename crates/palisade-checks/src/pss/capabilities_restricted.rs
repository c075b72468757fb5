use palisade_core::{RuleMeta, Severity};
use palisade_k8s::PodView;

use super::capabilities_baseline::{added_outside, forbidden_capabilities_detail};
use super::{
    CATEGORY, PssCheck, RESTRICTED, Revision, Violation, cis, container_subject, is_windows,
    pss_reference, sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "capabilities_restricted",
        name: "capabilities-restricted",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Capabilities must drop ALL",
        doc: r#"Pod Security Standards, **restricted**, policy **v1.22 and later**: containers must drop `ALL`
capabilities and are only permitted to add back `NET_BIND_SERVICE`. It supersedes
`capabilities_baseline` at the restricted level. From policy **v1.25**, pods with
`spec.os.name: windows` are exempt.

**What it finds.** Per container (init and ephemeral included):
- `securityContext.capabilities.drop` not containing `ALL` (exact, case-sensitive);
- any `capabilities.add` entry other than `NET_BIND_SERVICE`.

**Why it matters.** Dropping everything and adding back only what is needed removes `NET_RAW`
(spoofing), `CHOWN`, `SETUID` and the rest of the runtime's default set from an attacker's
reach.

**Failing**
```yaml
securityContext:
  capabilities:
    add: ["CHOWN"]
```

**Passing**
```yaml
securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]
```"#,
        remediation: "Set `securityContext.capabilities.drop: [\"ALL\"]` and add back only `NET_BIND_SERVICE` if the container binds a port below 1024.",
        aliases: &[],
        frameworks: RESTRICTED,
        references: &[
            pss_reference(
                "restricted/capabilities",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
            ),
            cis("5.2.10"),
            cis("5.2.8"),
            cis("5.2.9"),
            nsa("pod-security-enforcement"),
            crate::mitre!("T1611"),
        ],
    },
    level: super::Level::Restricted,
    revisions: &[
        Revision {
            min_minor: 22,
            check: check_1_22,
            overrides: &["capabilities_baseline"],
        },
        Revision {
            min_minor: 25,
            check: check_1_25,
            overrides: &["capabilities_baseline"],
        },
    ],
};

const REASON: &str = "unrestricted capabilities";

fn check_1_22(pod: &PodView<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for c in pod.containers() {
        let drops_all = c
            .security_context("capabilities")
            .and_then(|caps| caps.get("drop"))
            .is_some_and(|drop| drop.items().iter().any(|d| d.as_str() == Some("ALL")));
        if !drops_all {
            violations.push(Violation::new(
                sc_path(&c, &["capabilities", "drop"]),
                REASON,
                format!(
                    "{} must set securityContext.capabilities.drop=[\"ALL\"]",
                    container_subject(&c)
                ),
            ));
        }
        if let Some((first, bad)) = added_outside(&c, &["NET_BIND_SERVICE"]) {
            violations.push(Violation::new(
                sc_path(&c, &["capabilities", "add"]).index(first),
                REASON,
                forbidden_capabilities_detail(&container_subject(&c), &bad),
            ));
        }
    }
    violations
}

fn check_1_25(pod: &PodView<'_>) -> Vec<Violation> {
    if is_windows(pod) {
        return Vec::new();
    }
    check_1_22(pod)
}
