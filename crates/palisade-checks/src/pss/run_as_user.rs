use palisade_core::{RuleMeta, Severity};
use palisade_k8s::PodView;

use super::cis;
use super::{
    CATEGORY, PssCheck, RESTRICTED, Revision, Violation, container_subject, in_user_namespace,
    pod_sc_path, pss_reference, sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "runAsUser",
        name: "run-as-user-root",
        severity: Severity::High,
        category: CATEGORY,
        title: "Running as UID 0",
        doc: r#"Pod Security Standards, **restricted**, policy **v1.23 and later**: containers must not set
`runAsUser` to 0.

**What it finds.** `securityContext.runAsUser: 0` on the pod or any container. Unset is allowed
(`runAsNonRoot` covers images that default to root). From policy **v1.35**, pods in a user
namespace (`spec.hostUsers: false`) are exempt, since UID 0 there maps to an unprivileged host
user.

**Why it matters.** Root in the container is root on the node's files the container can reach,
and one kernel bug away from root on the node.

**Failing**
```yaml
securityContext:
  runAsUser: 0
```

**Passing**
```yaml
securityContext:
  runAsUser: 10001
```"#,
        remediation: "Set `runAsUser` to a non-zero UID (and `runAsNonRoot: true`), or remove it and use an image with a non-root `USER`.",
        aliases: &[],
        frameworks: RESTRICTED,
        references: &[
            pss_reference(
                "restricted/running-as-non-root-user",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
            ),
            cis("5.2.7"),
            nsa("pod-non-root"),
        ],
    },
    level: super::Level::Restricted,
    revisions: &[
        Revision {
            min_minor: 23,
            check: check_1_23,
            overrides: &[],
        },
        Revision {
            min_minor: 35,
            check: check_1_35,
            overrides: &[],
        },
    ],
};

fn check_1_23(pod: &PodView<'_>) -> Vec<Violation> {
    let is_root = |n: Option<&palisade_k8s::Node>| n.and_then(|n| n.as_i64()) == Some(0);
    let mut violations = Vec::new();
    if is_root(pod.security_context("runAsUser")) {
        violations.push(Violation::new(
            pod_sc_path(pod, &["runAsUser"]),
            "runAsUser=0",
            "pod must not set runAsUser=0",
        ));
    }
    for c in pod.containers() {
        if is_root(c.security_context("runAsUser")) {
            violations.push(Violation::new(
                sc_path(&c, &["runAsUser"]),
                "runAsUser=0",
                format!("{} must not set runAsUser=0", container_subject(&c)),
            ));
        }
    }
    violations
}

fn check_1_35(pod: &PodView<'_>) -> Vec<Violation> {
    if in_user_namespace(pod) {
        return Vec::new();
    }
    check_1_23(pod)
}
