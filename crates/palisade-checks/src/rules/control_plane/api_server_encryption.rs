use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, api_server_violations, runs_api_server};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerEncryptionAtRest",
        name: "api-server-encryption-at-rest",
        severity: Severity::High,
        category: CATEGORY,
        title: "API server stores Secrets in etcd unencrypted",
        doc: r#"Secrets should be encrypted before they reach etcd.

**What it finds.** A `kube-apiserver` static pod without `--encryption-provider-config`: every
Secret is stored in etcd in plain text (base64 is an encoding, not encryption), readable from
etcd's data directory, its backups and its snapshots.

**Failing**
```yaml
command: [kube-apiserver, --etcd-servers=https://127.0.0.1:2379]
```

**Passing**
```yaml
command: [kube-apiserver, --encryption-provider-config=/etc/kubernetes/enc/encryption.yaml]
```"#,
        remediation: "Write an EncryptionConfiguration whose first provider for `secrets` is `kms` (v2) or `aesgcm`/`aescbc` with a key kept off the etcd hosts, set `--encryption-provider-config`, then rewrite every Secret (`kubectl get secrets -A -o json | kubectl replace -f -`).",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.27"), crate::mitre!("T1552", "007")],
    },
    applies: runs_api_server,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| {
        if flags
            .value("encryption-provider-config")
            .is_none_or(str::is_empty)
        {
            vec![Violation::at(
                flags.path_of("encryption-provider-config"),
                "kube-apiserver has no --encryption-provider-config: Secrets are stored in etcd in plain text",
            )]
        } else {
            Vec::new()
        }
    })
}
