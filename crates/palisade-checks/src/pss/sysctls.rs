use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, PodView};

use super::{BASELINE, CATEGORY, PssCheck, Revision, Violation, pss_reference};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "sysctls",
        name: "unsafe-sysctls",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Unsafe sysctls",
        doc: r#"Pod Security Standards, **baseline**: sysctls can disable security mechanisms or affect every
container on a host, and must be disallowed except for an allowed "safe" subset.

**What it finds.** Any `spec.securityContext.sysctls[].name` outside the safe set of the policy
version (exact names, no wildcards):
- v1.0: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, `net.ipv4.tcp_syncookies`,
  `net.ipv4.ping_group_range`, `net.ipv4.ip_unprivileged_port_start`;
- v1.27: adds `net.ipv4.ip_local_reserved_ports`;
- v1.29: adds `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
  `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`;
- v1.32: adds `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`;
- v1.37: adds `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`.

**Why it matters.** Unsafe sysctls are not namespaced or not isolated: they change the kernel
for every pod on the node, or open denial-of-service and escape paths.

**Failing**
```yaml
securityContext:
  sysctls:
  - name: kernel.msgmax
    value: "65536"
```

**Passing**
```yaml
securityContext:
  sysctls:
  - name: net.ipv4.ip_local_port_range
    value: "32768 60999"
```"#,
        remediation: "Remove the sysctl, or tune it on the node (for a dedicated node pool) instead of from the pod.",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/sysctls",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            nsa("pod-security-enforcement"),
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
            min_minor: 27,
            check: check_1_27,
            overrides: &[],
        },
        Revision {
            min_minor: 29,
            check: check_1_29,
            overrides: &[],
        },
        Revision {
            min_minor: 32,
            check: check_1_32,
            overrides: &[],
        },
        Revision {
            min_minor: 37,
            check: check_1_37,
            overrides: &[],
        },
    ],
};

const SAFE: &[(u32, &str)] = &[
    (0, "kernel.shm_rmid_forced"),
    (0, "net.ipv4.ip_local_port_range"),
    (0, "net.ipv4.tcp_syncookies"),
    (0, "net.ipv4.ping_group_range"),
    (0, "net.ipv4.ip_unprivileged_port_start"),
    (27, "net.ipv4.ip_local_reserved_ports"),
    (29, "net.ipv4.tcp_keepalive_time"),
    (29, "net.ipv4.tcp_fin_timeout"),
    (29, "net.ipv4.tcp_keepalive_intvl"),
    (29, "net.ipv4.tcp_keepalive_probes"),
    (32, "net.ipv4.tcp_rmem"),
    (32, "net.ipv4.tcp_wmem"),
    (37, "net.ipv4.tcp_slow_start_after_idle"),
    (37, "net.ipv4.tcp_notsent_lowat"),
];

fn check_1_0(pod: &PodView<'_>) -> Vec<Violation> {
    check(pod, 0)
}
fn check_1_27(pod: &PodView<'_>) -> Vec<Violation> {
    check(pod, 27)
}
fn check_1_29(pod: &PodView<'_>) -> Vec<Violation> {
    check(pod, 29)
}
fn check_1_32(pod: &PodView<'_>) -> Vec<Violation> {
    check(pod, 32)
}
fn check_1_37(pod: &PodView<'_>) -> Vec<Violation> {
    check(pod, 37)
}

fn check(pod: &PodView<'_>, minor: u32) -> Vec<Violation> {
    let sysctls = pod.security_context("sysctls").map_or(&[][..], Node::items);
    sysctls
        .iter()
        .enumerate()
        .filter_map(|(i, sysctl)| {
            let name = sysctl.get("name").and_then(Node::as_str).unwrap_or("");
            let safe = SAFE
                .iter()
                .any(|(since, safe)| *since <= minor && *safe == name);
            (!safe).then(|| {
                Violation::new(
                    pod.spec_path
                        .keys(&["securityContext", "sysctls"])
                        .index(i)
                        .key("name"),
                    "forbidden sysctls",
                    name,
                )
            })
        })
        .collect()
}
