use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, api_server_violations, runs_api_server};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerAuthorizationMode",
        name: "api-server-authorization-mode",
        severity: Severity::High,
        category: CATEGORY,
        title: "API server authorization allows everything or lacks Node and RBAC",
        doc: r#"Every request should be authorized by RBAC, and kubelets by the Node authorizer.

**What it finds.** A `kube-apiserver` static pod whose `--authorization-mode` contains
`AlwaysAllow` (**critical**: every authenticated request is allowed), or lacks `Node` or `RBAC`
(**high**). Without the flag the mode is `AlwaysAllow`. With an `--authorization-config` file
(structured authorization, 1.30+) the modes come from that file, which this rule does not read
yet: it reports nothing.

**Failing**
```yaml
command: [kube-apiserver, --authorization-mode=AlwaysAllow]
```

**Passing**
```yaml
command: [kube-apiserver, --authorization-mode=Node,RBAC]
```"#,
        remediation: "Set `--authorization-mode=Node,RBAC` (Webhook may follow).",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.6"), cis("1.2.7"), cis("1.2.8")],
    },
    applies: runs_api_server,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| {
        if flags.value("authorization-config").is_some() {
            return Vec::new();
        }
        let mut modes = flags.list("authorization-mode");
        if modes.is_empty() {
            modes = vec!["AlwaysAllow"];
        }
        let path = flags.path_of("authorization-mode");
        if modes.contains(&"AlwaysAllow") {
            return vec![
                Violation::at(
                    path,
                    format!(
                        "kube-apiserver authorizes with {} (AlwaysAllow allows every request)",
                        modes.join(",")
                    ),
                )
                .with_severity(Severity::Critical),
            ];
        }
        ["Node", "RBAC"]
            .into_iter()
            .filter(|mode| !modes.contains(mode))
            .map(|mode| {
                Violation::at(
                    path.clone(),
                    format!(
                        "kube-apiserver --authorization-mode={} lacks {mode}",
                        modes.join(",")
                    ),
                )
            })
            .collect()
    })
}
