use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, PodView};

use super::{
    BASELINE, CATEGORY, PssCheck, Revision, Violation, container_subject, pod_sc_path,
    pss_reference, quote, sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "appArmorProfile",
        name: "apparmor-profile",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "AppArmor profile",
        doc: r#"Pod Security Standards, **baseline**: on supported hosts the `RuntimeDefault` AppArmor profile is
applied by default; overriding or disabling it must be prevented, and only allowed profiles may
be set (all policy versions).

**What it finds.**
- `securityContext.appArmorProfile.type` (pod or any container) other than `RuntimeDefault` or
  `Localhost` (so `Unconfined` and the empty string fail when the field is present);
- annotations `container.apparmor.security.beta.kubernetes.io/*` with a value other than empty,
  `runtime/default` or `localhost/*`.

**Why it matters.** An unconfined container loses the mandatory access control that blocks
mounting filesystems, writing to `/proc` and `/sys` and other escape primitives.

**Failing**
```yaml
securityContext:
  appArmorProfile:
    type: Unconfined
```

**Passing**
```yaml
securityContext:
  appArmorProfile:
    type: RuntimeDefault
```"#,
        remediation: "Remove the override, or set `appArmorProfile.type` to `RuntimeDefault` or `Localhost` (annotations: `runtime/default` or `localhost/<profile>`).",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/apparmor",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            nsa("pod-hardening"),
        ],
    },
    level: super::Level::Baseline,
    revisions: &[Revision {
        min_minor: 0,
        check: check_1_0,
        overrides: &[],
    }],
};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_type(profile: &Node) -> Option<&str> {
    let kind = profile.get("type").and_then(Node::as_str).unwrap_or("");
    (!matches!(kind, "RuntimeDefault" | "Localhost")).then_some(kind)
}

fn detail(setter: &str, value: &str) -> String {
    format!(
        "{setter} must not set AppArmor profile type to {}",
        quote(value)
    )
}

fn check_1_0(pod: &PodView<'_>) -> Vec<Violation> {
    const REASON: &str = "forbidden AppArmor profile";
    let mut violations = Vec::new();
    if let Some(bad) = pod
        .security_context("appArmorProfile")
        .and_then(allowed_type)
    {
        violations.push(Violation::new(
            pod_sc_path(pod, &["appArmorProfile", "type"]),
            REASON,
            detail("pod", bad),
        ));
    }
    for container in pod.containers() {
        if let Some(bad) = container
            .security_context("appArmorProfile")
            .and_then(allowed_type)
        {
            violations.push(Violation::new(
                sc_path(&container, &["appArmorProfile", "type"]),
                REASON,
                detail(&container_subject(&container), bad),
            ));
        }
    }
    for entry in pod.annotations() {
        if !entry.key.starts_with(ANNOTATION_PREFIX) {
            continue;
        }
        let value = entry.value.as_str().unwrap_or("");
        if value.is_empty() || value == "runtime/default" || value.starts_with("localhost/") {
            continue;
        }
        violations.push(Violation::new(
            pod.metadata_path.key("annotations").key(&entry.key),
            REASON,
            detail("annotation", &format!("{}={value:?}", entry.key)),
        ));
    }
    violations
}
