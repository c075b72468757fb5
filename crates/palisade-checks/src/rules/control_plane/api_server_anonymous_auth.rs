use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, api_server_violations, runs_api_server};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerAnonymousAuth",
        name: "api-server-anonymous-auth",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "API server serves anonymous requests",
        doc: r#"The API server should reject requests that no authenticator accepts.

**What it finds.** A `kube-apiserver` static pod without `--anonymous-auth=false` (the flag
defaults to `true`).

**Why it matters.** Anonymous requests are served as `system:anonymous` in the group
`system:unauthenticated`: whatever RBAC grants those (health and discovery endpoints by
default, more after one careless binding) is open to anyone who reaches the API server.

**Failing**
```yaml
command: [kube-apiserver, --authorization-mode=Node,RBAC]
```

**Passing**
```yaml
command: [kube-apiserver, --anonymous-auth=false, --authorization-mode=Node,RBAC]
```"#,
        remediation: "Set `--anonymous-auth=false` in /etc/kubernetes/manifests/kube-apiserver.yaml (health checks then need credentials, or use the `--anonymous-auth` configuration's allowed paths on 1.32+).",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.1")],
    },
    applies: runs_api_server,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| {
        if flags.enabled("anonymous-auth", true) {
            vec![Violation::at(
                flags.path_of("anonymous-auth"),
                "kube-apiserver serves anonymous requests (--anonymous-auth is not false; it defaults to true)",
            )]
        } else {
            Vec::new()
        }
    })
}
