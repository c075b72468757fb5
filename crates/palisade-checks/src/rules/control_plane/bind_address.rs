use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::flags::Component;
use super::{CATEGORY, component_violations, runs};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

const LOCAL_ONLY: &[Component] = &[Component::ControllerManager, Component::Scheduler];

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "controlPlaneBindAddress",
        name: "control-plane-bind-address",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Controller manager or scheduler listens beyond localhost",
        doc: r#"The controller manager and scheduler serve health, metrics and debug endpoints that
only the node itself needs.

**What it finds.** A `kube-controller-manager` or `kube-scheduler` static pod whose
`--bind-address` is not `127.0.0.1` (or `::1`, `localhost`). Without the flag they listen on
every interface (`0.0.0.0`); kubeadm sets `127.0.0.1`.

**Failing**
```yaml
command: [kube-controller-manager, --bind-address=0.0.0.0]
```

**Passing**
```yaml
command: [kube-controller-manager, --bind-address=127.0.0.1]
```"#,
        remediation: "Set `--bind-address=127.0.0.1` (probes reach it from the node itself).",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.3.7"), cis("1.4.2")],
    },
    applies: |object| runs(object, LOCAL_ONLY),
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    component_violations(object, LOCAL_ONLY, |flags| {
        let program = flags.component.program();
        match flags.value("bind-address") {
            Some("127.0.0.1" | "::1" | "localhost") => Vec::new(),
            Some(address) => vec![Violation::at(
                flags.path_of("bind-address"),
                format!("{program} listens on {address}, not only on 127.0.0.1"),
            )],
            None => vec![Violation::at(
                flags.path_of("bind-address"),
                format!(
                    "{program} listens on every interface (--bind-address defaults to 0.0.0.0)"
                ),
            )],
        }
    })
}
