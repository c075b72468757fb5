use palisade_core::secrets::is_placeholder;
use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object};

use super::encryption::entries;
use super::{CATEGORY, is_encryption_configuration, redacted};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "encryptionKeyInFile",
        name: "encryption-key-in-file",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Encryption key stored in the EncryptionConfiguration",
        doc: r#"The keys that encrypt etcd should not sit in a file on the same hosts as the data.

**What it finds.** Every key of an `aescbc`, `aesgcm` or `secretbox` provider in an
`EncryptionConfiguration` (`keys[].secret`, the base64 key itself), in any position: the first
provider's first key encrypts, and every key decrypts. As the Kubernetes docs put it, storing
the raw key in the configuration "only moderately improves your security posture": it protects
an etcd backup, but anyone who reads the file on a control-plane node — or a copy of it, such
as this one — decrypts everything. Placeholders (`<BASE 64 ENCODED SECRET>`, `${KEY}`) are
skipped. The key is never shown: the finding names the key and gives its length.

**Failing**
```yaml
providers:
- secretbox:
    keys:
    - name: key1
      secret: <a real base64 key>
```

**Passing**
```yaml
providers:
- kms:
    apiVersion: v2
    name: vault
    endpoint: unix:///var/run/kms-provider.sock
```"#,
        remediation: "Move to a `kms` v2 provider so that the key-encryption key stays in an external KMS; until then keep the file readable by root only (0600), out of version control and backups, and rotate the key if this copy was shared.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.28"), crate::mitre!("T1552", "001")],
    },
    applies: is_encryption_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let mut violations = Vec::new();
    for entry in entries(object) {
        for provider in &entry.providers {
            if !matches!(provider.kind, "aescbc" | "aesgcm" | "secretbox") {
                continue;
            }
            let keys_path = provider.path.key("keys");
            let keys = provider.config.get("keys").map_or(&[][..], Node::items);
            for (k, key) in keys.iter().enumerate() {
                let Some(secret) = key.get("secret").and_then(Node::as_str) else {
                    continue;
                };
                if is_placeholder(secret) {
                    continue;
                }
                let name = key.get("name").and_then(Node::as_str).unwrap_or("");
                violations.push(Violation::at(
                    keys_path.index(k).key("secret"),
                    format!(
                        "{} key {name:?} is stored in the file ({}): whoever reads the file decrypts what it protects",
                        provider.kind,
                        redacted(secret)
                    ),
                ));
            }
        }
    }
    violations
}
