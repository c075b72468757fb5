use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, PodView};

use super::cis;
use super::{CATEGORY, PssCheck, RESTRICTED, Revision, Violation, pss_reference, quote};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "restrictedVolumes",
        name: "restricted-volume-types",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Volume types",
        doc: r#"Pod Security Standards, **restricted**: the restricted policy only permits these volume types:
`configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`,
`projected` and `secret`. It supersedes the baseline `hostPathVolumes` control at the restricted
level, so a hostPath volume is reported once, under this id.

**What it finds.** Any volume of another type (`hostPath`, `nfs`, `gitRepo`, `iscsi`, cloud
disks, …), or with no recognised source at all (reported as `"unknown"`).

**Why it matters.** Other volume types reach outside the pod's storage sandbox: node files,
network filesystems shared with other tenants, git repositories cloned by the kubelet as root.

**Failing**
```yaml
volumes:
- name: data
  nfs:
    server: nfs.example.com
    path: /exports
```

**Passing**
```yaml
volumes:
- name: data
  persistentVolumeClaim:
    claimName: data
```"#,
        remediation: "Use a PersistentVolumeClaim (backed by whatever storage you need), or an emptyDir/ConfigMap/Secret/projected volume.",
        aliases: &[],
        frameworks: RESTRICTED,
        references: &[
            pss_reference(
                "restricted/volume-types",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
            ),
            cis("5.2.12"),
            nsa("pod-security-enforcement"),
            crate::mitre!("T1611"),
        ],
    },
    level: super::Level::Restricted,
    revisions: &[Revision {
        min_minor: 0,
        check: check_1_0,
        overrides: &["hostPathVolumes"],
    }],
};

const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// In the order Pod Security Admission tests them to name a volume's type.
const RESTRICTED_TYPES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn check_1_0(pod: &PodView<'_>) -> Vec<Violation> {
    let volumes = pod.get("volumes").map_or(&[][..], Node::items);
    volumes
        .iter()
        .enumerate()
        .filter(|(_, v)| !ALLOWED.iter().any(|t| v.get(t).is_some()))
        .map(|(i, volume)| {
            let name = volume.get("name").and_then(Node::as_str).unwrap_or("");
            let kind = RESTRICTED_TYPES.iter().find(|t| volume.get(t).is_some());
            let path = pod.spec_path.key("volumes").index(i);
            Violation::new(
                kind.map_or(path.clone(), |k| path.key(k)),
                "restricted volume types",
                format!(
                    "volume {} uses restricted volume type {}",
                    quote(name),
                    quote(kind.unwrap_or(&"unknown"))
                ),
            )
        })
        .collect()
}
