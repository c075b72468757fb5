use palisade_core::{RuleMeta, Severity};
use palisade_k8s::PodView;

use super::{
    CATEGORY, PssCheck, RESTRICTED, Revision, Violation, cis, container_subject, in_user_namespace,
    pod_sc_path, pss_reference, sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "runAsNonRoot",
        name: "run-as-non-root",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Running as non-root",
        doc: r#"Pod Security Standards, **restricted**: containers must be required to run as non-root users.

**What it finds.**
- `runAsNonRoot: false` set explicitly on the pod or a container;
- otherwise, any container whose `runAsNonRoot` is unset while the pod's
  `securityContext.runAsNonRoot` is not `true` (a container setting `true` is fine on its own).
`runAsUser` does not satisfy this control: only `runAsNonRoot: true` does. From policy **v1.35**,
pods in a user namespace (`spec.hostUsers: false`) are exempt.

**Why it matters.** `runAsNonRoot: true` makes the kubelet refuse to start a container whose
image would run as UID 0, whatever the image says.

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
    runAsNonRoot: true
  containers:
  - name: app
```"#,
        remediation: "Set `securityContext.runAsNonRoot: true` at the pod level (and build the image with a numeric non-root `USER`).",
        aliases: &[],
        frameworks: RESTRICTED,
        references: &[
            pss_reference(
                "restricted/running-as-non-root",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
            ),
            cis("5.2.7"),
            nsa("pod-non-root"),
        ],
    },
    level: super::Level::Restricted,
    revisions: &[
        Revision {
            min_minor: 0,
            check: check_1_0,
            overrides: &[],
        },
        Revision {
            min_minor: 35,
            check: check_1_35,
            overrides: &[],
        },
    ],
};

const REASON: &str = "runAsNonRoot != true";

fn check_1_0(pod: &PodView<'_>) -> Vec<Violation> {
    let pod_value = pod
        .security_context("runAsNonRoot")
        .and_then(|n| n.as_bool());
    let mut explicit = Vec::new();
    if pod_value == Some(false) {
        explicit.push(Violation::new(
            pod_sc_path(pod, &["runAsNonRoot"]),
            REASON,
            "pod must not set securityContext.runAsNonRoot=false",
        ));
    }
    let mut implicit = Vec::new();
    for c in pod.containers() {
        match c.security_context("runAsNonRoot").and_then(|n| n.as_bool()) {
            Some(false) => explicit.push(Violation::new(
                sc_path(&c, &["runAsNonRoot"]),
                REASON,
                format!(
                    "{} must not set securityContext.runAsNonRoot=false",
                    container_subject(&c)
                ),
            )),
            None if pod_value != Some(true) => implicit.push(Violation::new(
                sc_path(&c, &["runAsNonRoot"]),
                REASON,
                format!(
                    "pod or {} must set securityContext.runAsNonRoot=true",
                    container_subject(&c)
                ),
            )),
            _ => {}
        }
    }
    // Pod Security Admission reports the explicit settings first and only them when present.
    if explicit.is_empty() {
        implicit
    } else {
        explicit
    }
}

fn check_1_35(pod: &PodView<'_>) -> Vec<Violation> {
    if in_user_namespace(pod) {
        return Vec::new();
    }
    check_1_0(pod)
}
