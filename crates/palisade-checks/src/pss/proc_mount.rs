use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, PodView};

use super::{
    BASELINE, CATEGORY, PssCheck, Revision, Violation, container_subject, in_user_namespace,
    pss_reference, quote, sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "procMount",
        name: "proc-mount",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "/proc mount type",
        doc: r#"Pod Security Standards, **baseline**: the default `/proc` masks reduce the attack surface and
are required.

**What it finds.** `securityContext.procMount` set to anything but `Default` on any container
(`Unmasked`, but also the empty string). From policy **v1.35** the baseline level allows any
value for pods in a user namespace (`spec.hostUsers: false`); the restricted level keeps
forbidding it through `procMount_restricted`.

**Why it matters.** An unmasked `/proc` exposes kernel interfaces (`/proc/sys`, `/proc/kcore`,
…) that the runtime normally hides or makes read-only.

**Failing**
```yaml
securityContext:
  procMount: Unmasked
```

**Passing**
```yaml
securityContext:
  procMount: Default   # or leave it unset
```"#,
        remediation: "Remove `securityContext.procMount` or set it to `Default`.",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/proc-mount-type",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            nsa("pod-hardening"),
        ],
    },
    level: super::Level::Baseline,
    revisions: &[
        Revision {
            min_minor: 0,
            check: unmasked_proc_mounts,
            overrides: &[],
        },
        Revision {
            min_minor: 35,
            check: check_1_35,
            overrides: &[],
        },
    ],
};

/// The v1.0 rule, which `procMount_restricted` also runs unconditionally from v1.35.
pub(super) fn unmasked_proc_mounts(pod: &PodView<'_>) -> Vec<Violation> {
    pod.containers()
        .filter_map(|c| {
            let value = c.security_context("procMount").and_then(Node::as_str)?;
            (value != "Default").then(|| {
                Violation::new(
                    sc_path(&c, &["procMount"]),
                    "procMount",
                    format!(
                        "{} must not set securityContext.procMount to {}",
                        container_subject(&c),
                        quote(value)
                    ),
                )
            })
        })
        .collect()
}

fn check_1_35(pod: &PodView<'_>) -> Vec<Violation> {
    if in_user_namespace(pod) {
        return Vec::new();
    }
    unmasked_proc_mounts(pod)
}
