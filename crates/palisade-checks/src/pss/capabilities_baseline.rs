use palisade_core::{RuleMeta, Severity};
use palisade_k8s::PodView;

use super::{
    BASELINE, CATEGORY, PssCheck, Revision, Violation, cis, container_subject, pss_reference,
    quote, sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "capabilities_baseline",
        name: "non-default-capabilities",
        severity: Severity::High,
        category: CATEGORY,
        title: "Capabilities beyond the default set",
        doc: r#"Pod Security Standards, **baseline**: adding capabilities beyond the container runtime's default
set must be disallowed. At the restricted level (v1.22 and later) `capabilities_restricted`
supersedes it.

**What it finds.** Any entry of `securityContext.capabilities.add` (on any container) outside
`AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`,
`NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT`. Names are
case-sensitive and without the `CAP_` prefix, exactly as the API server compares them.

**Why it matters.** Capabilities such as `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE` or `NET_RAW`
give a container root powers over the kernel and the node's network.

**Failing**
```yaml
securityContext:
  capabilities:
    add: ["SYS_ADMIN"]
```

**Passing**
```yaml
securityContext:
  capabilities:
    add: ["NET_BIND_SERVICE"]
```"#,
        remediation: "Remove the added capability; if the workload really needs one, isolate it on dedicated nodes and document the exception.",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/capabilities",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            cis("5.2.9"),
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

const DEFAULT_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The added capabilities of a container outside `allowed`, sorted and de-duplicated, with the
/// index of the first one.
pub(super) fn added_outside<'a>(
    container: &palisade_k8s::ContainerView<'a>,
    allowed: &[&str],
) -> Option<(usize, Vec<&'a str>)> {
    let added = container
        .security_context("capabilities")?
        .get("add")?
        .items();
    let mut first = None;
    let mut bad: Vec<&str> = Vec::new();
    for (i, cap) in added.iter().enumerate() {
        let name = cap.as_str().unwrap_or("");
        if !allowed.contains(&name) {
            first.get_or_insert(i);
            bad.push(name);
        }
    }
    bad.sort_unstable();
    bad.dedup();
    first.map(|i| (i, bad))
}

pub(super) fn forbidden_capabilities_detail(subject: &str, capabilities: &[&str]) -> String {
    let listed: Vec<String> = capabilities.iter().map(|c| quote(c)).collect();
    format!(
        "{subject} must not include {} in securityContext.capabilities.add",
        listed.join(", ")
    )
}

fn check_1_0(pod: &PodView<'_>) -> Vec<Violation> {
    pod.containers()
        .filter_map(|c| {
            let (first, bad) = added_outside(&c, DEFAULT_CAPABILITIES)?;
            Some(Violation::new(
                sc_path(&c, &["capabilities", "add"]).index(first),
                "non-default capabilities",
                forbidden_capabilities_detail(&container_subject(&c), &bad),
            ))
        })
        .collect()
}
