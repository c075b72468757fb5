use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::flags::Component;
use super::{CATEGORY, component_violations, runs};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

const PROFILED: &[Component] = &[
    Component::ApiServer,
    Component::ControllerManager,
    Component::Scheduler,
];

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "controlPlaneProfiling",
        name: "control-plane-profiling",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Control-plane component exposes profiling endpoints",
        doc: r#"Profiling endpoints reveal a component's internals and cost resources to serve.

**What it finds.** A `kube-apiserver`, `kube-controller-manager` or `kube-scheduler` static
pod without `--profiling=false` (the flag defaults to `true`, serving `/debug/pprof`).

**Failing**
```yaml
command: [kube-scheduler, --kubeconfig=/etc/kubernetes/scheduler.conf]
```

**Passing**
```yaml
command: [kube-scheduler, --kubeconfig=/etc/kubernetes/scheduler.conf, --profiling=false]
```"#,
        remediation: "Set `--profiling=false` on the API server, controller manager and scheduler.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.15"), cis("1.3.2"), cis("1.4.1")],
    },
    applies: |object| runs(object, PROFILED),
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    component_violations(object, PROFILED, |flags| {
        if flags.enabled("profiling", true) {
            vec![Violation::at(
                flags.path_of("profiling"),
                format!(
                    "{} serves /debug/pprof (--profiling is not false; it defaults to true)",
                    flags.component.program()
                ),
            )]
        } else {
            Vec::new()
        }
    })
}
