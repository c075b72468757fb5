use palisade_core::{RuleMeta, Severity};
use palisade_k8s::PodView;

use super::{
    BASELINE, CATEGORY, PssCheck, Revision, Violation, cis, container_subject, pss_reference,
    sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "privileged",
        name: "privileged-containers",
        severity: Severity::Critical,
        category: CATEGORY,
        title: "Privileged containers",
        doc: r#"Pod Security Standards, **baseline**: privileged pods disable most security mechanisms and must
be disallowed (all policy versions).

**What it finds.** Any container, init container or ephemeral container with
`securityContext.privileged: true`. Unset and `false` are allowed.

**Why it matters.** A privileged container runs with every capability, no seccomp or AppArmor
confinement and access to all host devices: a compromise of the container is a compromise of
the node.

**Failing**
```yaml
containers:
- name: app
  securityContext:
    privileged: true
```

**Passing**
```yaml
containers:
- name: app
  securityContext:
    privileged: false
```"#,
        remediation: "Remove `securityContext.privileged: true` (or set it to false); grant the specific capability the workload needs instead.",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/privileged-containers",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            cis("5.2.2"),
            nsa("pod-security-enforcement"),
            crate::mitre!("T1611"),
            crate::mitre!("T1610"),
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
    pod.containers()
        .filter(|c| c.security_context("privileged").and_then(|n| n.as_bool()) == Some(true))
        .map(|c| {
            Violation::new(
                sc_path(&c, &["privileged"]),
                "privileged",
                format!(
                    "{} must not set securityContext.privileged=true",
                    container_subject(&c)
                ),
            )
        })
        .collect()
}
