use palisade_core::secrets::is_placeholder;
use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::{CATEGORY, is_core};
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "secretManifest",
        name: "secret-manifest",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Secret values committed in a manifest",
        doc: r#"Secret values should not live in source control.

**What it finds.** A core/v1 `Secret` whose `data` or `stringData` gives a key a value
(values that are empty or placeholders such as `${PASSWORD}`, `{{ … }}` or sops-encrypted
`ENC[…]` do not count). The finding lists the key names, never the values. Secrets whose
values are filled in by a controller (service account tokens, cert-manager certificates)
have no values in the manifest and pass.

**Why it matters.** `data` is base64, not encryption: anyone who can read the repository, a
clone, a CI log or a rendered chart has the secret, forever — removing it later does not
remove it from the history. Rotation needs a commit, and the same file is often applied to
several environments.

**Failing**
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: hunter2
```

**Passing**
```yaml
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db
spec:
  secretStoreRef: {name: vault, kind: ClusterSecretStore}
  target: {name: db}
  data:
  - secretKey: password
    remoteRef: {key: shop/db, property: password}
```"#,
        remediation: "Rotate the committed values and keep only a reference in the repository: an ExternalSecret (External Secrets Operator), a SealedSecret, a sops-encrypted file, or a CSI secrets-store volume.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.4.2"),
            nsa("network-secrets"),
            crate::mitre!("T1552", "001"),
        ],
    },
    applies: |object| is_core(object, "Secret"),
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    ["data", "stringData"]
        .into_iter()
        .filter_map(|field| {
            let keys: Vec<String> = object
                .root
                .get(field)
                .map_or(&[][..], Node::entries)
                .iter()
                .filter(|e| e.value.as_str().is_some_and(|v| !is_placeholder(v)))
                .map(|e| format!("{:?}", e.key))
                .collect();
            if keys.is_empty() {
                return None;
            }
            let noun = if keys.len() == 1 { "key" } else { "keys" };
            Some(Violation::at(
                JsonPath::root().key(field),
                format!(
                    "Secret {field} holds values for {noun} {} in the manifest",
                    keys.join(", ")
                ),
            ))
        })
        .collect()
}
