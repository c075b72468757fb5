use palisade_core::secrets::is_placeholder;
use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::{CATEGORY, is_kubeconfig, redacted};
use crate::frameworks::nsa;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeconfigEmbeddedCredentials",
        name: "kubeconfig-embedded-credentials",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "kubeconfig embeds credentials",
        doc: r#"Credentials to the API server should not travel inside the kubeconfig file.

**What it finds.** A kubeconfig file (`apiVersion: v1`, `kind: Config`) with a user
(`users[].user`) whose credentials are written into it:

- `token` (a bearer token),
- `client-key-data` (the private key of a client certificate),
- `password` (basic authentication),
- or, for the legacy `auth-provider` plugins, the tokens and secrets of its `config`
  (`id-token`, `refresh-token`, `access-token`, `client-secret`).

Whoever gets a copy of the file — in a repository, a CI log, a backup, a laptop — acts as that
user. kubeadm's `admin.conf` embeds the key of a `system:masters` (or, since 1.29,
`kubeadm:cluster-admins`) certificate: cluster-admin that RBAC cannot revoke.
`client-certificate-data` alone is not a secret (a certificate is public; its key is what
matters), and paths (`client-key`, `tokenFile`) and `exec` plugins keep the secret out of the
file. Values are never shown: the finding names the field and gives its length.

**Failing**
```yaml
users:
- name: kubernetes-admin
  user:
    client-certificate-data: <base64 certificate>
    client-key-data: <base64 private key>
```

**Passing**
```yaml
users:
- name: dev
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubelogin
      args: [get-token]
```"#,
        remediation: "Use an `exec` credential plugin (OIDC, cloud IAM) or short-lived tokens, or reference files (`client-key`, `tokenFile`) readable by their owner only; keep kubeconfigs with embedded keys (admin.conf) on the control plane, root-only, never in version control; rotate any credential that left it.",
        aliases: &[],
        frameworks: &[],
        references: &[
            nsa("authentication-authorization"),
            crate::mitre!("T1552", "001"),
        ],
    },
    applies: is_kubeconfig,
    check,
};

/// The fields of `user` that hold a secret, and what they are.
const SECRET_FIELDS: &[(&str, &str)] = &[
    ("token", "a bearer token"),
    ("client-key-data", "a client certificate's private key"),
    ("password", "a basic-auth password"),
];

/// The secrets of a legacy `auth-provider`'s `config`.
const AUTH_PROVIDER_SECRETS: &[&str] =
    &["id-token", "refresh-token", "access-token", "client-secret"];

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let users = JsonPath::root().key("users");
    let mut violations = Vec::new();
    for (i, named) in object
        .root
        .get("users")
        .map_or(&[][..], Node::items)
        .iter()
        .enumerate()
    {
        let Some(user) = named.get("user") else {
            continue;
        };
        let name = named.get("name").and_then(Node::as_str).unwrap_or("");
        let user_path = users.index(i).key("user");
        for (field, what) in SECRET_FIELDS {
            if let Some(value) = embedded(user.get(field)) {
                violations.push(Violation::at(
                    user_path.key(field),
                    format!("user {name:?} embeds {what} ({field}, {})", redacted(value)),
                ));
            }
        }
        if let Some(config) = user.get("auth-provider").and_then(|p| p.get("config")) {
            let config_path = user_path.keys(&["auth-provider", "config"]);
            for field in AUTH_PROVIDER_SECRETS {
                if let Some(value) = embedded(config.get(field)) {
                    violations.push(Violation::at(
                        config_path.key(field),
                        format!(
                            "user {name:?} embeds its auth-provider's {field} ({})",
                            redacted(value)
                        ),
                    ));
                }
            }
        }
    }
    violations
}

/// A secret written into the file: a string that is no placeholder.
fn embedded(value: Option<&Node>) -> Option<&str> {
    value.and_then(Node::as_str).filter(|v| !is_placeholder(v))
}
