use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::{CATEGORY, is_kubelet_configuration};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeletPodPidsLimit",
        name: "kubelet-pod-pids-limit",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Kubelet sets no limit on the processes of a pod",
        doc: r#"One pod should not be able to exhaust the node's process IDs.

**What it finds.** A `KubeletConfiguration` without a positive `podPidsLimit` (the default is
`-1`: unlimited), so a fork bomb in any pod can starve every other pod of the node, the
kubelet included.

**Failing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
podPidsLimit: -1
```

**Passing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
podPidsLimit: 4096
```"#,
        remediation: "Set `podPidsLimit` to a bound every workload stays under (a few thousand), and restart the kubelet.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("4.2.13")],
    },
    applies: is_kubelet_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    match object.root.get("podPidsLimit").map(|n| n.as_i64()) {
        Some(Some(limit)) if limit > 0 => Vec::new(),
        Some(_) => vec![Violation::at(
            JsonPath::root().key("podPidsLimit"),
            "the kubelet sets no limit on a pod's processes (podPidsLimit is not positive)",
        )],
        None => vec![Violation::at(
            JsonPath::root().key("podPidsLimit"),
            "the kubelet sets no limit on a pod's processes (podPidsLimit defaults to -1: unlimited)",
        )],
    }
}
