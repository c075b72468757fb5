use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, api_server_violations, runs_api_server};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerServiceAccountTokens",
        name: "api-server-service-account-tokens",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "API server accepts tokens of deleted service accounts or has no key to verify them",
        doc: r#"A service-account token should stop working when its account is deleted.

**What it finds.** A `kube-apiserver` static pod with `--service-account-lookup=false` (the
default is `true`: without the lookup, a token stays valid after its ServiceAccount or Secret is
deleted, until it expires), or without `--service-account-key-file` (no key to verify tokens
with).

**Failing**
```yaml
command: [kube-apiserver, --service-account-lookup=false]
```

**Passing**
```yaml
command: [kube-apiserver, --service-account-key-file=/etc/kubernetes/pki/sa.pub]
```"#,
        remediation: "Remove `--service-account-lookup=false`, and set `--service-account-key-file` to the public key matching the controller manager's `--service-account-private-key-file`.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.21"), cis("1.2.22")],
    },
    applies: runs_api_server,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| {
        let mut found = Vec::new();
        if !flags.enabled("service-account-lookup", true) {
            found.push(Violation::at(
                flags.path_of("service-account-lookup"),
                "kube-apiserver accepts tokens of deleted service accounts (--service-account-lookup=false)",
            ));
        }
        if flags
            .value("service-account-key-file")
            .is_none_or(str::is_empty)
        {
            found.push(Violation::at(
                flags.path_of("service-account-key-file"),
                "kube-apiserver has no key to verify service-account tokens (--service-account-key-file is not set)",
            ));
        }
        found
    })
}
