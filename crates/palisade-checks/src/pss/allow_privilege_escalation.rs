use palisade_core::{RuleMeta, Severity};
use palisade_k8s::PodView;

use super::{
    CATEGORY, PssCheck, RESTRICTED, Revision, Violation, cis, container_subject, is_windows,
    pss_reference, sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "allowPrivilegeEscalation",
        name: "allow-privilege-escalation",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Privilege escalation",
        doc: r#"Pod Security Standards, **restricted**, policy **v1.8 and later**: privilege escalation (such as
via set-user-ID or set-group-ID file mode) should not be allowed.

**What it finds.** Any container that does not set `securityContext.allowPrivilegeEscalation`
to `false` explicitly: unset counts as allowed, because the runtime default is `true`. From
policy **v1.25**, pods with `spec.os.name: windows` are exempt (the control is Linux-only).

**Why it matters.** With `no_new_privs` off, a process can gain privileges through setuid
binaries (`sudo`, `su`, `ping` on old images) or file capabilities, turning a foothold as an
unprivileged user into root in the container.

**Failing**
```yaml
containers:
- name: app
  image: registry.example/app:1.0
```

**Passing**
```yaml
containers:
- name: app
  image: registry.example/app:1.0
  securityContext:
    allowPrivilegeEscalation: false
```"#,
        remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container, init container and ephemeral container.",
        aliases: &[],
        frameworks: RESTRICTED,
        references: &[
            pss_reference(
                "restricted/privilege-escalation",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
            ),
            cis("5.2.6"),
            nsa("pod-security-enforcement"),
            crate::mitre!("T1068"),
        ],
    },
    level: super::Level::Restricted,
    revisions: &[
        Revision {
            min_minor: 8,
            check: check_1_8,
            overrides: &[],
        },
        Revision {
            min_minor: 25,
            check: check_1_25,
            overrides: &[],
        },
    ],
};

fn check_1_8(pod: &PodView<'_>) -> Vec<Violation> {
    pod.containers()
        .filter(|c| {
            c.security_context("allowPrivilegeEscalation")
                .and_then(|n| n.as_bool())
                != Some(false)
        })
        .map(|c| {
            Violation::new(
                sc_path(&c, &["allowPrivilegeEscalation"]),
                "allowPrivilegeEscalation != false",
                format!(
                    "{} must set securityContext.allowPrivilegeEscalation=false",
                    container_subject(&c)
                ),
            )
        })
        .collect()
}

fn check_1_25(pod: &PodView<'_>) -> Vec<Violation> {
    if is_windows(pod) {
        return Vec::new();
    }
    check_1_8(pod)
}
