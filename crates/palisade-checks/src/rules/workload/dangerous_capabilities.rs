use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object, pod_view};

use super::{CATEGORY, container_subject};
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "dangerousCapabilities",
        name: "dangerous-capabilities",
        severity: Severity::Critical,
        category: CATEGORY,
        title: "Dangerous Linux capability added",
        doc: r#"Containers should not add Linux capabilities that break container isolation.

**What it finds.** Each entry of a container's `securityContext.capabilities.add` (init,
regular and ephemeral containers) that is a dangerous capability, graded by what it gives away.
Names are compared case-insensitively and with or without the `CAP_` prefix, as container
runtimes accept them (`cap_sys_admin` is `SYS_ADMIN`).

- **critical** — `ALL`, `SYS_ADMIN`, `SYS_MODULE`, `SYS_RAWIO`, `SYS_PTRACE`,
  `DAC_READ_SEARCH`, `BPF`: each is a known path to the node (kernel modules, raw device and
  memory access, injecting into processes, reading host files by handle, kernel-level BPF);
- **high** — `NET_ADMIN`, `SYS_BOOT`, `SYS_TIME`, `MAC_ADMIN`, `MAC_OVERRIDE`, `SETFCAP`,
  `DAC_OVERRIDE`, `LINUX_IMMUTABLE`, `PERFMON`, `SYSLOG`, `SYS_RESOURCE`,
  `CHECKPOINT_RESTORE`: node-wide effects or bypasses of file and security-module permissions;
- **medium** — `NET_RAW`, `SYS_CHROOT`, `SETUID`, `SETGID`, `MKNOD`: in the runtime's default
  set, but steps in spoofing and escape techniques.

`NET_BIND_SERVICE` (binding ports below 1024) is not dangerous, and capabilities not listed
here are left to the Pod Security checks `capabilities_baseline` and
`capabilities_restricted`.

**Why it matters.** Capabilities split root's power into pieces; adding the wrong piece gives a
container most of root on the node regardless of its user, seccomp profile or namespaces.
`SYS_ADMIN` alone allows mounting filesystems, creating namespaces and loading BPF — most
container escapes start there.

**Failing**
```yaml
securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["SYS_ADMIN", "NET_RAW"]
```

**Passing**
```yaml
securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]
```"#,
        remediation: "Remove the capability from `securityContext.capabilities.add` and drop `ALL`; if the workload truly needs it, isolate it (a dedicated node pool, a sandboxed runtime) and accept the finding with a `palisade.dev/ignore` annotation.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.2.9"),
            nsa("pod-hardening"),
            crate::mitre!("T1611"),
            crate::mitre!("T1068"),
        ],
    },
    applies: workloads,
    check,
};

/// The dangerous capabilities (without `CAP_`), their severity, and what each allows.
const DANGEROUS: &[(&str, Severity, &str)] = &[
    (
        "ALL",
        Severity::Critical,
        "every capability, i.e. root's full power over the host kernel",
    ),
    (
        "SYS_ADMIN",
        Severity::Critical,
        "near-root power over the host kernel (mount, namespaces, BPF...)",
    ),
    (
        "SYS_MODULE",
        Severity::Critical,
        "loading kernel modules, i.e. running any code in the host kernel",
    ),
    (
        "SYS_RAWIO",
        Severity::Critical,
        "raw access to devices, I/O ports and kernel memory",
    ),
    (
        "SYS_PTRACE",
        Severity::Critical,
        "tracing other processes, reading their memory and injecting code",
    ),
    (
        "DAC_READ_SEARCH",
        Severity::Critical,
        "reading any file, and host files by handle (open_by_handle_at escapes)",
    ),
    (
        "BPF",
        Severity::Critical,
        "loading BPF programs that read kernel memory and trace the node",
    ),
    (
        "NET_ADMIN",
        Severity::High,
        "reconfiguring interfaces, routes and firewall rules to sniff or redirect traffic",
    ),
    (
        "SYS_BOOT",
        Severity::High,
        "rebooting the node and loading a new kernel (kexec)",
    ),
    ("SYS_TIME", Severity::High, "setting the node's clock"),
    (
        "MAC_ADMIN",
        Severity::High,
        "changing the AppArmor/SELinux policy",
    ),
    (
        "MAC_OVERRIDE",
        Severity::High,
        "bypassing the AppArmor/SELinux policy",
    ),
    (
        "SETFCAP",
        Severity::High,
        "granting capabilities to any executable file",
    ),
    (
        "DAC_OVERRIDE",
        Severity::High,
        "bypassing file read, write and execute permissions",
    ),
    (
        "LINUX_IMMUTABLE",
        Severity::High,
        "changing immutable and append-only files such as logs",
    ),
    (
        "PERFMON",
        Severity::High,
        "performance monitoring that observes the kernel and other processes",
    ),
    (
        "SYSLOG",
        Severity::High,
        "reading the kernel log and kernel addresses",
    ),
    (
        "SYS_RESOURCE",
        Severity::High,
        "overriding resource limits and quotas",
    ),
    (
        "CHECKPOINT_RESTORE",
        Severity::High,
        "checkpointing and restoring processes, reaching into their memory",
    ),
    (
        "NET_RAW",
        Severity::Medium,
        "crafting raw packets to spoof or intercept traffic (ARP, DNS)",
    ),
    (
        "SYS_CHROOT",
        Severity::Medium,
        "chroot, a step in many escape techniques",
    ),
    (
        "SETUID",
        Severity::Medium,
        "switching to any user ID, root included",
    ),
    (
        "SETGID",
        Severity::Medium,
        "switching to any group ID, root's included",
    ),
    ("MKNOD", Severity::Medium, "creating device files"),
];

/// The dangerous capability `name` is, as a runtime reads it: any case, `CAP_` or not.
fn dangerous(name: &str) -> Option<&'static (&'static str, Severity, &'static str)> {
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
    DANGEROUS.iter().find(|(cap, _, _)| *cap == bare)
}

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    let mut violations = Vec::new();
    for c in pod.containers() {
        let added = c
            .security_context("capabilities")
            .and_then(|caps| caps.get("add"))
            .map_or(&[][..], Node::items);
        for (index, entry) in added.iter().enumerate() {
            let Some(written) = entry.as_str() else {
                continue;
            };
            let Some((cap, severity, allows)) = dangerous(written) else {
                continue;
            };
            let shown = if written == *cap {
                cap.to_string()
            } else {
                format!("{written:?} ({cap})")
            };
            violations.push(
                Violation::at(
                    c.path
                        .keys(&["securityContext", "capabilities", "add"])
                        .index(index),
                    format!("{} adds {shown}: {allows}", container_subject(&c)),
                )
                .with_severity(*severity),
            );
        }
    }
    violations
}
