use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, PodView};

use super::{BASELINE, CATEGORY, PssCheck, Revision, Violation, cis, pss_reference, quote};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "hostPathVolumes",
        name: "host-path-volumes",
        severity: Severity::High,
        category: CATEGORY,
        title: "HostPath volumes",
        doc: r#"Pod Security Standards, **baseline**: hostPath volumes must be forbidden (all policy versions).
At the restricted level this control is superseded by `restrictedVolumes`, which reports the same
volumes (and more), so a hostPath volume is reported once.

**What it finds.** Any entry of `spec.volumes` with a `hostPath` source.

**Why it matters.** A hostPath mount gives the container the node's files: container runtime
sockets, kubelet credentials, other pods' data, `/etc`.

**Failing**
```yaml
volumes:
- name: docker
  hostPath:
    path: /var/run/docker.sock
```

**Passing**
```yaml
volumes:
- name: cache
  emptyDir: {}
```"#,
        remediation: "Replace the hostPath volume with an emptyDir, a ConfigMap/Secret, or a PersistentVolumeClaim.",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/hostpath-volumes",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            cis("5.2.12"),
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

fn check_1_0(pod: &PodView<'_>) -> Vec<Violation> {
    let volumes = pod.get("volumes").map_or(&[][..], Node::items);
    volumes
        .iter()
        .enumerate()
        .filter(|(_, v)| v.get("hostPath").is_some())
        .map(|(i, v)| {
            let name = v.get("name").and_then(Node::as_str).unwrap_or("");
            Violation::new(
                pod.spec_path.key("volumes").index(i).key("hostPath"),
                "hostPath volumes",
                format!("volume {}", quote(name)),
            )
        })
        .collect()
}
