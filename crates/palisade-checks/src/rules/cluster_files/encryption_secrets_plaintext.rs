use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::encryption::{entries, secrets_entry};
use super::{CATEGORY, is_encryption_configuration};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "encryptionSecretsPlaintext",
        name: "encryption-secrets-plaintext",
        severity: Severity::High,
        category: CATEGORY,
        title: "EncryptionConfiguration writes Secrets in plain text",
        doc: r#"An encryption configuration should encrypt Secrets, not just mention them.

**What it finds.** An `EncryptionConfiguration` (the file of the API server's
`--encryption-provider-config`) in which Secrets are written to etcd unencrypted:

- the entry that governs `secrets` lists `identity` first. The API server encrypts with the
  first provider of an entry and only *decrypts* with the others, so `identity` first means
  every Secret written is stored as is (the docs' own example warns of this);
- or no entry covers `secrets` at all — neither `secrets` nor the wildcards `*.` (the core
  group) and `*.*` — and `identity`, the default, applies.

Entries are matched in order and the first one that covers a resource governs it, so an
`identity` entry for `secrets` placed before a `*.*` entry that encrypts wins. `identity`
*after* an encrypting provider is fine: it only lets the API server read Secrets written
before encryption was turned on.

**Failing**
```yaml
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - identity: {}
  - aescbc:
      keys:
      - name: key1
        secret: <base64 key>
```

**Passing**
```yaml
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - kms:
      apiVersion: v2
      name: vault
      endpoint: unix:///var/run/kms-provider.sock
  - identity: {}
```"#,
        remediation: "Put an encrypting provider (`kms` with `apiVersion: v2`, or `secretbox`/`aesgcm` with a key rotation scheme) first in the entry for `secrets`, keep `identity` after it only while existing Secrets are rewritten (`kubectl get secrets -A -o json | kubectl replace -f -`), then restart the API servers.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.28"), crate::mitre!("T1552", "007")],
    },
    applies: is_encryption_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let entries = entries(object);
    let Some(entry) = secrets_entry(&entries) else {
        return vec![Violation::at(
            JsonPath::root().key("resources"),
            "no entry covers secrets (\"secrets\", \"*.\" or \"*.*\"): they are written to etcd in plain text (identity is the default)",
        )];
    };
    match entry.providers.first() {
        Some(first) if first.kind == "identity" => {
            let through = entry.covers_secrets().unwrap_or("secrets");
            vec![Violation::at(
                first.path.clone(),
                format!(
                    "secrets are written to etcd in plain text: the first provider of {} (covering secrets as {through:?}) is identity, and only the first provider encrypts",
                    entry.path
                ),
            )]
        }
        _ => Vec::new(),
    }
}
