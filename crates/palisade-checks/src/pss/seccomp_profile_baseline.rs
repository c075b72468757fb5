use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, PodView};

use super::{
    BASELINE, CATEGORY, PssCheck, Revision, Violation, cis, container_subject, pod_sc_path,
    pss_reference, quote, sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "seccompProfile_baseline",
        name: "seccomp-profile-baseline",
        severity: Severity::High,
        category: CATEGORY,
        title: "Seccomp profile must not be unconfined",
        doc: r#"Pod Security Standards, **baseline**: the seccomp profile must not be explicitly set to
`Unconfined`. At the restricted level (v1.19 and later) `seccompProfile_restricted` supersedes it.

**What it finds.**
- policy **v1.0–v1.18**: the annotations `seccomp.security.alpha.kubernetes.io/pod` and
  `container.seccomp.security.alpha.kubernetes.io/<container>` with a value other than
  `runtime/default`, `docker/default` or `localhost/*`;
- policy **v1.19 and later**: `securityContext.seccompProfile.type` of the pod or any container
  other than `RuntimeDefault` or `Localhost` (annotations are no longer read).

**Why it matters.** Seccomp blocks the system calls most kernel exploits need; `Unconfined`
turns it off.

**Failing**
```yaml
securityContext:
  seccompProfile:
    type: Unconfined
```

**Passing**
```yaml
securityContext:
  seccompProfile:
    type: RuntimeDefault
```"#,
        remediation: "Set `seccompProfile.type` to `RuntimeDefault` (or `Localhost` with a profile), or remove the `Unconfined` override.",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/seccomp",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            cis("5.7.2"),
            nsa("pod-hardening"),
        ],
    },
    level: super::Level::Baseline,
    revisions: &[
        Revision {
            min_minor: 0,
            check: check_1_0,
            overrides: &[],
        },
        Revision {
            min_minor: 19,
            check: check_1_19,
            overrides: &[],
        },
    ],
};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn allowed_annotation(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

fn check_1_0(pod: &PodView<'_>) -> Vec<Violation> {
    let mut keys = vec![POD_ANNOTATION.to_string()];
    keys.extend(
        pod.containers()
            .map(|c| format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name)),
    );
    keys.iter()
        .filter_map(|key| {
            let value = pod.annotation(key)?.as_str().unwrap_or("");
            (!allowed_annotation(value)).then(|| {
                Violation::new(
                    pod.metadata_path.key("annotations").key(key),
                    "seccompProfile",
                    format!("forbidden annotation {key}={value:?}"),
                )
            })
        })
        .collect()
}

/// The profile type when it is present and not `RuntimeDefault`/`Localhost`.
pub(super) fn forbidden_type(profile: Option<&Node>) -> Option<&str> {
    let kind = profile?.get("type").and_then(Node::as_str).unwrap_or("");
    (!matches!(kind, "RuntimeDefault" | "Localhost")).then_some(kind)
}

pub(super) fn seccomp_detail(setter: &str, value: &str) -> String {
    format!(
        "{setter} must not set securityContext.seccompProfile.type to {}",
        quote(value)
    )
}

fn check_1_19(pod: &PodView<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    if let Some(bad) = forbidden_type(pod.security_context("seccompProfile")) {
        violations.push(Violation::new(
            pod_sc_path(pod, &["seccompProfile", "type"]),
            "seccompProfile",
            seccomp_detail("pod", bad),
        ));
    }
    for container in pod.containers() {
        if let Some(bad) = forbidden_type(container.security_context("seccompProfile")) {
            violations.push(Violation::new(
                sc_path(&container, &["seccompProfile", "type"]),
                "seccompProfile",
                seccomp_detail(&container_subject(&container), bad),
            ));
        }
    }
    violations
}
