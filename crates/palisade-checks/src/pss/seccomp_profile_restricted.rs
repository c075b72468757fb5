use palisade_core::{RuleMeta, Severity};
use palisade_k8s::PodView;

use super::seccomp_profile_baseline::{forbidden_type, seccomp_detail};
use super::{
    CATEGORY, PssCheck, RESTRICTED, Revision, Violation, cis, container_subject, is_windows,
    pod_sc_path, pss_reference, sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "seccompProfile_restricted",
        name: "seccomp-profile-restricted",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Seccomp profile must be set",
        doc: r#"Pod Security Standards, **restricted**, policy **v1.19 and later**: the seccomp profile must be
explicitly set to `RuntimeDefault` or `Localhost`. It supersedes `seccompProfile_baseline` at the
restricted level, so an `Unconfined` profile is reported once, under this id. From policy
**v1.25**, pods with `spec.os.name: windows` are exempt.

**What it finds.**
- `seccompProfile.type` of the pod or a container set to anything but `RuntimeDefault` or
  `Localhost`;
- otherwise, any container without a profile when the pod sets no valid profile either.

**Why it matters.** Without a seccomp profile a container can use every system call, including
the ones most kernel exploits rely on.

**Failing**
```yaml
spec:
  containers:
  - name: app
```

**Passing**
```yaml
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: app
```"#,
        remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` at the pod level.",
        aliases: &[],
        frameworks: RESTRICTED,
        references: &[
            pss_reference(
                "restricted/seccomp",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
            ),
            cis("5.7.2"),
            nsa("pod-hardening"),
        ],
    },
    level: super::Level::Restricted,
    revisions: &[
        Revision {
            min_minor: 19,
            check: check_1_19,
            overrides: &["seccompProfile_baseline"],
        },
        Revision {
            min_minor: 25,
            check: check_1_25,
            overrides: &["seccompProfile_baseline"],
        },
    ],
};

const REASON: &str = "seccompProfile";

fn check_1_19(pod: &PodView<'_>) -> Vec<Violation> {
    let pod_profile = pod.security_context("seccompProfile");
    let mut explicit = Vec::new();
    if let Some(bad) = forbidden_type(pod_profile) {
        explicit.push(Violation::new(
            pod_sc_path(pod, &["seccompProfile", "type"]),
            REASON,
            seccomp_detail("pod", bad),
        ));
    }
    let pod_valid = pod_profile.is_some() && forbidden_type(pod_profile).is_none();
    let mut implicit = Vec::new();
    for c in pod.containers() {
        let profile = c.security_context("seccompProfile");
        if let Some(bad) = forbidden_type(profile) {
            explicit.push(Violation::new(
                sc_path(&c, &["seccompProfile", "type"]),
                REASON,
                seccomp_detail(&container_subject(&c), bad),
            ));
        } else if profile.is_none() && !pod_valid {
            implicit.push(Violation::new(
                sc_path(&c, &["seccompProfile"]),
                REASON,
                format!(
                    "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                    container_subject(&c)
                ),
            ));
        }
    }
    if explicit.is_empty() {
        implicit
    } else {
        explicit
    }
}

fn check_1_25(pod: &PodView<'_>) -> Vec<Violation> {
    if is_windows(pod) {
        return Vec::new();
    }
    check_1_19(pod)
}
