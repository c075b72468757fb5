use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object, pod_view};

use super::CATEGORY;
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sensitiveHostPath",
        name: "sensitive-host-path",
        severity: Severity::Critical,
        category: CATEGORY,
        title: "Sensitive host path mounted",
        doc: r#"Pods should not mount the parts of the node's filesystem that hand over the node.

**What it finds.** Each `spec.volumes[].hostPath.path` that is a sensitive path, lies inside
one, or is an **ancestor** of one — mounting `/var` exposes `/var/run/docker.sock`, mounting `/`
exposes everything. The path is normalised first, as the kernel would resolve it (`//`
collapsed, `.` and trailing `/` dropped, `..` resolved lexically). Findings are graded by what
the path exposes; an ancestor takes the highest severity among the paths below it.

- **critical** — `/`, and the container runtime sockets with their directories:
  `/var/run/docker.sock`, `/run/docker.sock`, `/var/run/containerd/containerd.sock`,
  `/run/containerd/containerd.sock`, `/var/run/crio/crio.sock`, `/run/crio/crio.sock`,
  `/var/run/cri-dockerd.sock`, `/run/cri-dockerd.sock` (and, on Windows nodes, the named pipes
  `\\.\pipe\docker_engine` and `\\.\pipe\containerd-containerd`);
- **high** — `/etc`, `/proc`, `/sys`, `/dev`, `/boot`, `/root`, `/home/*/.ssh` (any user),
  `/var/lib/kubelet`, `/etc/kubernetes`, `/var/lib/docker`, `/var/lib/containerd`,
  `/var/lib/etcd`;
- **medium** — `/var/log`.

Whether the volume is mounted `readOnly` does not change the finding: a read-only mount of a
runtime socket still lets the pod connect to it and drive the runtime, and read-only access to
`/etc/kubernetes` or `/var/lib/kubelet` still leaks the node's credentials. The Pod Security
check `hostPathVolumes` reports every host path; this rule singles out the ones that amount to
the node.

**Why it matters.** The container runtime socket is root on the node: whoever can talk to it
starts a privileged container with the host's filesystem mounted. The kubelet's and the
control plane's directories hold credentials for the API server; `/proc`, `/sys` and `/dev`
reach into every process and device of the node; `/etc` and `/boot` let a writer change how the
node runs.

**Failing**
```yaml
spec:
  volumes:
  - name: docker
    hostPath:
      path: /var/run
```

**Passing**
```yaml
spec:
  volumes:
  - name: data
    hostPath:
      path: /mnt/disks/ssd0
      type: Directory
```"#,
        remediation: "Do not mount the path: talk to the Kubernetes API instead of the container runtime, use a `persistentVolumeClaim`, `emptyDir` or projected volume for data, and narrow unavoidable host paths (log collectors) to the exact subdirectory, read-only, on dedicated nodes.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.2.12"),
            nsa("pod-hardening"),
            crate::mitre!("T1611"),
            crate::mitre!("T1552", "001"),
        ],
    },
    applies: workloads,
    check,
};

/// A sensitive host path (`*` matches any one segment).
struct Sensitive {
    path: &'static str,
    severity: Severity,
    /// What the path is, as a noun phrase.
    what: &'static str,
    /// Why exposing it matters.
    why: &'static str,
    /// Whether the paths inside it are as sensitive as itself (not for `/`, which is only
    /// sensitive as a whole).
    inside: bool,
}

const RUNTIME_SOCKET: &str = "the container runtime socket";
const RUNTIME_WHY: &str = "whoever can talk to it controls every container on the node";
const RUNTIME_STORAGE_WHY: &str = "it holds every container's filesystem and configuration";

const fn runtime_socket(path: &'static str) -> Sensitive {
    Sensitive {
        path,
        severity: Severity::Critical,
        what: RUNTIME_SOCKET,
        why: RUNTIME_WHY,
        inside: true,
    }
}

const fn high(path: &'static str, what: &'static str, why: &'static str) -> Sensitive {
    Sensitive {
        path,
        severity: Severity::High,
        what,
        why,
        inside: true,
    }
}

/// In order of preference among paths of the same severity exposed by one ancestor.
static SENSITIVE: &[Sensitive] = &[
    Sensitive {
        path: "/",
        severity: Severity::Critical,
        what: "the node's root filesystem",
        why: "the pod can read every credential on the node and, if it can write, take the node over",
        inside: false,
    },
    runtime_socket("/var/run/docker.sock"),
    runtime_socket("/run/docker.sock"),
    runtime_socket("/var/run/containerd/containerd.sock"),
    runtime_socket("/run/containerd/containerd.sock"),
    runtime_socket("/var/run/crio/crio.sock"),
    runtime_socket("/run/crio/crio.sock"),
    runtime_socket("/var/run/cri-dockerd.sock"),
    runtime_socket("/run/cri-dockerd.sock"),
    high(
        "/var/lib/kubelet",
        "the kubelet's state",
        "it holds the kubelet's credentials and every pod's volumes, Secrets included",
    ),
    high(
        "/etc/kubernetes",
        "the Kubernetes configuration and PKI",
        "it holds the kubelet's kubeconfig and, on control-plane nodes, the cluster CA keys and admin credentials",
    ),
    high(
        "/var/lib/etcd",
        "etcd's data",
        "it holds every object of the cluster, Secrets included",
    ),
    high(
        "/var/lib/docker",
        "Docker's container storage",
        RUNTIME_STORAGE_WHY,
    ),
    high(
        "/var/lib/containerd",
        "containerd's container storage",
        RUNTIME_STORAGE_WHY,
    ),
    high(
        "/etc",
        "the node's configuration",
        "it holds credentials and, if writable, lets the pod change the node's users, services and jobs",
    ),
    high(
        "/root",
        "root's home directory",
        "it holds root's SSH keys, credentials and shell history",
    ),
    high(
        "/home/*/.ssh",
        "the SSH keys of a node user",
        "authorized_keys and private keys give SSH access to the node and beyond",
    ),
    high(
        "/proc",
        "the node's process and kernel information",
        "it reaches every process's environment and root filesystem (/proc/1/root) and the kernel's tunables",
    ),
    high(
        "/sys",
        "the node's kernel and device settings",
        "writes there reconfigure the kernel, devices and cgroups, a known escape route",
    ),
    high(
        "/dev",
        "the node's devices",
        "raw disks and memory devices bypass every file permission",
    ),
    high(
        "/boot",
        "the node's kernel and boot loader",
        "a write there runs the attacker's code at the next boot",
    ),
    Sensitive {
        path: "/var/log",
        severity: Severity::Medium,
        what: "the node's logs",
        why: "they leak other pods' output and, if writable, let the pod forge or erase them",
        inside: true,
    },
];

/// The Windows named pipes of the container runtimes, compared case-insensitively and with
/// `/` read as `\`.
const WINDOWS_PIPES: &[&str] = &[r"\\.\pipe\docker_engine", r"\\.\pipe\containerd-containerd"];

/// How a mounted path relates to a sensitive one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Relation {
    /// Mounts an ancestor of the sensitive path.
    Exposes,
    /// Mounts a path inside the sensitive one.
    Inside,
    /// Mounts the sensitive path itself.
    Is,
}

/// The segments of `path` resolved lexically: `//`, `.` and a trailing `/` dropped, `..`
/// removing the segment before it (`..` at the root stays at the root). A relative path is
/// read from the root.
fn normalise(path: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            _ => segments.push(segment),
        }
    }
    segments
}

fn display(segments: &[&str]) -> String {
    format!("/{}", segments.join("/"))
}

/// How `mounted` relates to `sensitive`, if it does.
fn relation(mounted: &[&str], sensitive: &Sensitive) -> Option<Relation> {
    let pattern = normalise(sensitive.path);
    let shared = mounted.len().min(pattern.len());
    let matches = mounted[..shared]
        .iter()
        .zip(&pattern[..shared])
        .all(|(m, p)| *p == "*" || m == p);
    if !matches {
        return None;
    }
    match mounted.len().cmp(&pattern.len()) {
        std::cmp::Ordering::Equal => Some(Relation::Is),
        std::cmp::Ordering::Greater => sensitive.inside.then_some(Relation::Inside),
        std::cmp::Ordering::Less => Some(Relation::Exposes),
    }
}

/// The most severe sensitive path `mounted` relates to; among equals, the path itself, then
/// the closest path it lies inside, then the first one it exposes.
fn most_sensitive(mounted: &[&str]) -> Option<(&'static Sensitive, Relation)> {
    let mut best: Option<(&'static Sensitive, Relation)> = None;
    for sensitive in SENSITIVE {
        let Some(relation) = relation(mounted, sensitive) else {
            continue;
        };
        // Inside, the closest (longest) path wins; otherwise the first in the table.
        let key = |(s, r): (&Sensitive, Relation)| {
            let closeness = if r == Relation::Inside {
                s.path.len()
            } else {
                0
            };
            (s.severity, r, closeness)
        };
        if best.is_none_or(|b| key((sensitive, relation)) > key(b)) {
            best = Some((sensitive, relation));
        }
    }
    best
}

/// The sensitive path as exposed by `mounted`: its wildcards filled in from the mounted path
/// where it has the segment.
fn exposed_path(sensitive: &Sensitive, mounted: &[&str]) -> String {
    let pattern = normalise(sensitive.path);
    let filled: Vec<&str> = pattern
        .iter()
        .enumerate()
        .map(|(i, p)| match mounted.get(i) {
            Some(m) if *p == "*" => *m,
            _ => *p,
        })
        .collect();
    display(&filled)
}

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    let volumes = pod.get("volumes").map_or(&[][..], Node::items);
    let mut violations = Vec::new();
    for (index, volume) in volumes.iter().enumerate() {
        let Some(raw) = volume
            .get("hostPath")
            .and_then(|h| h.get("path"))
            .and_then(Node::as_str)
            .filter(|p| !p.is_empty())
        else {
            continue;
        };
        let name = volume.get("name").and_then(Node::as_str).unwrap_or("");
        let path = pod
            .spec_path
            .key("volumes")
            .index(index)
            .keys(&["hostPath", "path"]);
        let subject = format!("volume \"{name}\" mounts host path \"{raw}\"");
        let backslashed = raw.replace('/', "\\");
        if WINDOWS_PIPES
            .iter()
            .any(|p| p.eq_ignore_ascii_case(&backslashed))
        {
            violations.push(
                Violation::at(
                    path,
                    format!("{subject}, the container runtime's named pipe: {RUNTIME_WHY}"),
                )
                .with_severity(Severity::Critical),
            );
            continue;
        }
        let mounted = normalise(raw);
        let Some((sensitive, relation)) = most_sensitive(&mounted) else {
            continue;
        };
        let shown = display(&mounted);
        let subject = if shown == raw {
            subject
        } else {
            format!("{subject} ({shown})")
        };
        let what = sensitive.what;
        let message = match relation {
            Relation::Is => format!("{subject}, {what}: {}", sensitive.why),
            Relation::Inside => format!(
                "{subject}, part of {what} ({}): {}",
                exposed_path(sensitive, &mounted[..normalise(sensitive.path).len()]),
                sensitive.why
            ),
            Relation::Exposes => format!(
                "{subject} which exposes {what} {}: {}",
                exposed_path(sensitive, &mounted),
                sensitive.why
            ),
        };
        violations.push(Violation::at(path, message).with_severity(sensitive.severity));
    }
    violations
}
