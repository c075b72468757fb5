use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, api_server_violations, runs_api_server};
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerAuditLog",
        name: "api-server-audit-log",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "API server records no audit log",
        doc: r#"Without an audit log nobody can tell who did what to the cluster.

**What it finds.** A `kube-apiserver` static pod with neither `--audit-log-path` nor
`--audit-webhook-config-file` (no audit backend), or with a backend but no
`--audit-policy-file` (without a policy the API server records nothing).

**Failing**
```yaml
command: [kube-apiserver, --audit-log-path=/var/log/kubernetes/audit.log]
```

**Passing**
```yaml
command:
- kube-apiserver
- --audit-policy-file=/etc/kubernetes/audit-policy.yaml
- --audit-log-path=/var/log/kubernetes/audit.log
- --audit-log-maxage=30
```"#,
        remediation: "Set `--audit-policy-file` to a policy that records at least metadata of every request (and request bodies for Secrets' writes, RBAC and pods/exec), and `--audit-log-path` (or a webhook backend).",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.16"), nsa("audit-logging")],
    },
    applies: runs_api_server,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| {
        let backend = ["audit-log-path", "audit-webhook-config-file"]
            .into_iter()
            .find(|flag| flags.value(flag).is_some_and(|v| !v.is_empty()));
        match backend {
            None => vec![Violation::at(
                flags.path_of("audit-log-path"),
                "kube-apiserver has no audit backend (neither --audit-log-path nor --audit-webhook-config-file)",
            )],
            Some(backend) if flags.value("audit-policy-file").is_none_or(str::is_empty) => {
                vec![Violation::at(
                    flags.path_of(backend),
                    format!(
                        "kube-apiserver has --{backend} but no --audit-policy-file: nothing is recorded"
                    ),
                )]
            }
            Some(_) => Vec::new(),
        }
    })
}
