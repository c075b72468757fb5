use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::flags::{Component, parse_bool};
use super::{CATEGORY, component_violations, missing_flags, runs};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

const CONTROLLER_MANAGER: &[Component] = &[Component::ControllerManager];

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "controllerManagerCredentials",
        name: "controller-manager-credentials",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Controller manager runs controllers with its own credentials or without service-account keys",
        doc: r#"Each controller should act as its own service account, with tokens the controller
manager can sign and a root CA it hands to pods.

**What it finds.** A `kube-controller-manager` static pod without
`--use-service-account-credentials=true` (default `false`: every controller runs with the
controller manager's own, broad identity), without `--service-account-private-key-file`
(service-account tokens cannot be signed), without `--root-ca-file` (pods do not get the
cluster CA to verify the API server), or with the feature gate
`RotateKubeletServerCertificate=false`.

**Failing**
```yaml
command: [kube-controller-manager, --kubeconfig=/etc/kubernetes/controller-manager.conf]
```

**Passing**
```yaml
command:
- kube-controller-manager
- --use-service-account-credentials=true
- --service-account-private-key-file=/etc/kubernetes/pki/sa.key
- --root-ca-file=/etc/kubernetes/pki/ca.crt
```"#,
        remediation: "Set `--use-service-account-credentials=true`, `--service-account-private-key-file` and `--root-ca-file` (kubeadm sets all three), and leave `RotateKubeletServerCertificate` on.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.3.3"), cis("1.3.4"), cis("1.3.5"), cis("1.3.6")],
    },
    applies: |object| runs(object, CONTROLLER_MANAGER),
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    component_violations(object, CONTROLLER_MANAGER, |flags| {
        let mut found = Vec::new();
        if !flags.enabled("use-service-account-credentials", false) {
            found.push(Violation::at(
                flags.path_of("use-service-account-credentials"),
                "kube-controller-manager runs every controller with its own identity (--use-service-account-credentials is not true)",
            ));
        }
        found.extend(missing_flags(
            flags,
            &[
                (
                    "service-account-private-key-file",
                    "cannot sign service-account tokens",
                ),
                ("root-ca-file", "gives pods no cluster CA"),
            ],
        ));
        if flags.list("feature-gates").iter().any(|gate| {
            gate.split_once('=').is_some_and(|(name, value)| {
                name.trim() == "RotateKubeletServerCertificate"
                    && parse_bool(value.trim()) == Some(false)
            })
        }) {
            found.push(Violation::at(
                flags.path_of("feature-gates"),
                "kube-controller-manager turns RotateKubeletServerCertificate off",
            ));
        }
        found
    })
}
