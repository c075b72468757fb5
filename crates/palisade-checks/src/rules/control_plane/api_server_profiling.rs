use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, api_server_violations, runs_api_server};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerProfiling",
        name: "api-server-profiling",
        severity: Severity::Low,
        category: CATEGORY,
        title: "API server exposes profiling endpoints",
        doc: r#"Profiling endpoints reveal the program's internals and cost resources to serve.

**What it finds.** A `kube-apiserver` static pod without `--profiling=false` (the flag
defaults to `true`, serving `/debug/pprof`).

**Failing**
```yaml
command: [kube-apiserver, --authorization-mode=Node,RBAC]
```

**Passing**
```yaml
command: [kube-apiserver, --profiling=false]
```"#,
        remediation: "Set `--profiling=false`.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.15")],
    },
    applies: runs_api_server,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| {
        if flags.enabled("profiling", true) {
            vec![Violation::at(
                flags.path_of("profiling"),
                "kube-apiserver serves /debug/pprof (--profiling is not false; it defaults to true)",
            )]
        } else {
            Vec::new()
        }
    })
}
