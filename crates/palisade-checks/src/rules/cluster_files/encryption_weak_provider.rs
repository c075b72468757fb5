use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::encryption::entries;
use super::{CATEGORY, is_encryption_configuration};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "encryptionWeakProvider",
        name: "encryption-weak-provider",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "EncryptionConfiguration encrypts with a weak provider",
        doc: r#"Resources should be encrypted at rest with a provider the Kubernetes documentation
recommends.

**What it finds.** An entry of an `EncryptionConfiguration` whose first provider — the one that
encrypts everything written — is, in the words of the Kubernetes docs' provider table:

- `aescbc` (**medium**): AES-CBC with PKCS#7 padding, rated *weak* and "not recommended due to
  CBC's vulnerability to padding oracle attacks";
- `aesgcm` (**low**): AES-GCM with a random nonce, whose key "must be rotated every 200,000
  writes" and which is "not recommended for use except when an automated key rotation scheme is
  implemented";
- `kms` without `apiVersion: v2` (**low**): KMS v1 (the default `apiVersion`), deprecated since
  Kubernetes 1.28 and behind the `KMSv1` feature gate, off by default, since 1.29.

`identity` first is reported by `encryptionSecretsPlaintext` for Secrets (and is the documented
way to opt a resource such as `events` out); `secretbox` and `kms` v2 are not reported here.
Keys written into the file are reported by `encryptionKeyInFile`.

**Failing**
```yaml
resources:
- resources: [secrets]
  providers:
  - aescbc:
      keys:
      - name: key1
        secret: <base64 key>
```

**Passing**
```yaml
resources:
- resources: [secrets]
  providers:
  - kms:
      apiVersion: v2
      name: vault
      endpoint: unix:///var/run/kms-provider.sock
```"#,
        remediation: "Use a `kms` provider with `apiVersion: v2` (keys kept in an external KMS, a new data key per API server start, rotated with the key-encryption key); failing that `secretbox`, or `aesgcm` only with automated key rotation. Rewrite the resources afterwards so that they are re-encrypted.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.28")],
    },
    applies: is_encryption_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    entries(object)
        .iter()
        .filter_map(|entry| {
            let first = entry.providers.first()?;
            let covering = entry.describe();
            match first.kind {
                "aescbc" => Some(
                    Violation::at(
                        first.path.clone(),
                        format!(
                            "{covering} encrypted with aescbc: AES-CBC is weak (padding oracle attacks); use kms v2"
                        ),
                    )
                    .with_severity(Severity::Medium),
                ),
                "aesgcm" => Some(
                    Violation::at(
                        first.path.clone(),
                        format!(
                            "{covering} encrypted with aesgcm: its key must be rotated every 200,000 writes; use kms v2 or automate the rotation"
                        ),
                    )
                    .with_severity(Severity::Low),
                ),
                "kms" => {
                    let version = first.config.get("apiVersion").and_then(|v| v.as_str());
                    if version == Some("v2") {
                        return None;
                    }
                    let path = match version {
                        Some(_) => first.path.key("apiVersion"),
                        None => first.path.clone(),
                    };
                    Some(
                        Violation::at(
                            path,
                            format!(
                                "{covering} encrypted with KMS v1 (apiVersion {}): deprecated since 1.28 and off by default since 1.29; use apiVersion v2",
                                version.unwrap_or("not set, v1 by default")
                            ),
                        )
                        .with_severity(Severity::Low),
                    )
                }
                _ => None,
            }
        })
        .collect()
}
