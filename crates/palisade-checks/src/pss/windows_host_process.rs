use palisade_core::{RuleMeta, Severity};
use palisade_k8s::PodView;

use super::{
    BASELINE, CATEGORY, PssCheck, Revision, Violation, cis, container_subject, pod_sc_path,
    pss_reference, sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "windowsHostProcess",
        name: "windows-host-process",
        severity: Severity::Critical,
        category: CATEGORY,
        title: "Windows HostProcess containers",
        doc: r#"Pod Security Standards, **baseline**: Windows pods offer the ability to run HostProcess
containers, which enable privileged access to the Windows node; it must be disallowed (all
policy versions).

**What it finds.** `securityContext.windowsOptions.hostProcess: true` on the pod or any
container.

**Why it matters.** A HostProcess container runs directly on the Windows host, with the host's
network and file system, as a host user: full node access.

**Failing**
```yaml
securityContext:
  windowsOptions:
    hostProcess: true
```

**Passing**
```yaml
securityContext:
  windowsOptions:
    runAsUserName: "ContainerUser"
```"#,
        remediation: "Remove `windowsOptions.hostProcess: true`; run node-level agents through a dedicated, separately governed namespace.",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/hostprocess",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            cis("5.2.11"),
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

const DETAIL: &str = "must not set securityContext.windowsOptions.hostProcess=true";

fn check_1_0(pod: &PodView<'_>) -> Vec<Violation> {
    let host_process = |n: Option<&palisade_k8s::Node>| {
        n.and_then(|w| w.get("hostProcess"))
            .and_then(|h| h.as_bool())
            == Some(true)
    };
    let mut violations = Vec::new();
    if host_process(pod.security_context("windowsOptions")) {
        violations.push(Violation::new(
            pod_sc_path(pod, &["windowsOptions", "hostProcess"]),
            "hostProcess",
            format!("pod {DETAIL}"),
        ));
    }
    for c in pod.containers() {
        if host_process(c.security_context("windowsOptions")) {
            violations.push(Violation::new(
                sc_path(&c, &["windowsOptions", "hostProcess"]),
                "hostProcess",
                format!("{} {DETAIL}", container_subject(&c)),
            ));
        }
    }
    violations
}
