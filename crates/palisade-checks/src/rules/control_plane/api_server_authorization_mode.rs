use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

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
(structured authorization, 1.30+) the modes come from that file's `authorizers` (an
`AuthorizationConfiguration`), judged the same way when the file is scanned.

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
    applies: |object| {
        runs_api_server(object)
            || (object.group() == "apiserver.config.k8s.io"
                && object.kind == "AuthorizationConfiguration")
    },
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    // The structured configuration file (`--authorization-config`): its authorizers' types.
    if object.kind == "AuthorizationConfiguration" {
        let authorizers = object.root.get("authorizers").map_or(&[][..], Node::items);
        let modes: Vec<&str> = authorizers
            .iter()
            .filter_map(|a| a.get("type").and_then(Node::as_str))
            .collect();
        return mode_violations(
            &modes,
            JsonPath::root().key("authorizers"),
            "the authorization configuration",
            &|shown, mode| {
                format!("the authorization configuration's authorizers ({shown}) lack {mode}")
            },
        );
    }
    api_server_violations(object, |flags| {
        // Then the modes come from that file, judged on its own.
        if flags.value("authorization-config").is_some() {
            return Vec::new();
        }
        let mut modes = flags.list("authorization-mode");
        if modes.is_empty() {
            modes = vec!["AlwaysAllow"];
        }
        mode_violations(
            &modes,
            flags.path_of("authorization-mode"),
            "kube-apiserver",
            &|shown, mode| format!("kube-apiserver --authorization-mode={shown} lacks {mode}"),
        )
    })
}

/// The findings of a list of authorization modes: `AlwaysAllow` (critical), `Node` or `RBAC`
/// missing; `what` names the authorizer, `lacks` words a missing mode.
fn mode_violations(
    modes: &[&str],
    path: JsonPath,
    what: &str,
    lacks: &dyn Fn(&str, &str) -> String,
) -> Vec<Violation> {
    let shown = modes.join(",");
    if modes.contains(&"AlwaysAllow") {
        return vec![
            Violation::at(
                path,
                format!("{what} authorizes with {shown} (AlwaysAllow allows every request)"),
            )
            .with_severity(Severity::Critical),
        ];
    }
    ["Node", "RBAC"]
        .into_iter()
        .filter(|mode| !modes.contains(mode))
        .map(|mode| Violation::at(path.clone(), lacks(&shown, mode)))
        .collect()
}
