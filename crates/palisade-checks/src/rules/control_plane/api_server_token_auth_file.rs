use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, api_server_violations, runs_api_server};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerTokenAuthFile",
        name: "api-server-token-auth-file",
        severity: Severity::High,
        category: CATEGORY,
        title: "API server authenticates static tokens from a file",
        doc: r#"Static token files hold long-lived bearer tokens in clear text.

**What it finds.** A `kube-apiserver` static pod with `--token-auth-file`.

**Why it matters.** The tokens in the file never expire, cannot be revoked without
restarting the API server, and sit in plain text on the control-plane nodes.

**Failing**
```yaml
command: [kube-apiserver, --token-auth-file=/etc/kubernetes/tokens.csv]
```

**Passing**
```yaml
command: [kube-apiserver, --client-ca-file=/etc/kubernetes/pki/ca.crt]
```"#,
        remediation: "Remove `--token-auth-file`; authenticate people through OIDC or client certificates and workloads through service-account tokens.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.2")],
    },
    applies: runs_api_server,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| {
        flags
            .last("token-auth-file")
            .map(|flag| {
                Violation::at(
                    flag.path.clone(),
                    format!(
                        "kube-apiserver accepts the static tokens of {}",
                        flag.value.as_deref().unwrap_or("a token file")
                    ),
                )
            })
            .into_iter()
            .collect()
    })
}
