use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::{CATEGORY, boolean, is_kubelet_configuration};
use crate::frameworks::nsa;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeletProtectKernelDefaults",
        name: "kubelet-protect-kernel-defaults",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Kubelet may change kernel settings",
        doc: r#"The kubelet should refuse to run on a node whose kernel settings differ from what it
expects, rather than change them itself.

**What it finds.** A `KubeletConfiguration` without `protectKernelDefaults: true`. Without it
the kubelet modifies kernel tunables (`vm.overcommit_memory`, `kernel.panic`,
`kernel.panic_on_oops`, …) to match its expectations, silently overriding the values the node's
hardening set; with it the kubelet exits with an error instead, so that the hardening is fixed
where it belongs. The field defaults to `false`, so a missing field is reported too.

Earlier versions of the CIS Kubernetes Benchmark had this as a recommendation
(`--protect-kernel-defaults`); v1.10 no longer does.

**Failing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
protectKernelDefaults: false
```

**Passing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
protectKernelDefaults: true
```"#,
        remediation: "Set the kernel tunables the kubelet expects in the node's sysctl configuration (vm.overcommit_memory=1, vm.panic_on_oom=0, kernel.panic=10, kernel.panic_on_oops=1, kernel.keys.root_maxkeys=1000000, kernel.keys.root_maxbytes=25000000), then set `protectKernelDefaults: true` in the kubelet configuration and restart the kubelet.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("pod-hardening")],
    },
    applies: is_kubelet_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let path = JsonPath::root().key("protectKernelDefaults");
    match boolean(&object.root, &["protectKernelDefaults"]) {
        Some(true) => Vec::new(),
        Some(false) => vec![Violation::at(
            path,
            "the kubelet changes kernel settings to its own expectations (protectKernelDefaults is not true)",
        )],
        None => vec![Violation::at(
            path,
            "the kubelet changes kernel settings to its own expectations (protectKernelDefaults is not set; it defaults to false)",
        )],
    }
}
