use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::{CATEGORY, boolean, is_kubelet_configuration};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeletMakeIptablesUtilChains",
        name: "kubelet-make-iptables-util-chains",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Kubelet does not manage its iptables chains",
        doc: r#"The kubelet should create its iptables utility chains, keeping the node's iptables
configuration consistent with what pod networking expects.

**What it finds.** A `KubeletConfiguration` with `makeIPTablesUtilChains: false`. The field
defaults to `true`, so a missing field passes. Current kubelets only create the
`KUBE-IPTABLES-HINT` chain with it (a hint to other components about the iptables mode in
use; the `KUBE-MARK-DROP`/`KUBE-MARK-MASQ` chains it used to create are now kube-proxy's), which
is why the finding is low.

**Failing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
makeIPTablesUtilChains: false
```

**Passing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
makeIPTablesUtilChains: true
```"#,
        remediation: "Remove `makeIPTablesUtilChains: false` from the kubelet configuration (it defaults to true), make sure no `--make-iptables-util-chains=false` flag overrides it, and restart the kubelet.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("4.2.6")],
    },
    applies: is_kubelet_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    if boolean(&object.root, &["makeIPTablesUtilChains"]) == Some(false) {
        vec![Violation::at(
            JsonPath::root().key("makeIPTablesUtilChains"),
            "the kubelet does not create its iptables utility chains (makeIPTablesUtilChains: false; the default is true)",
        )]
    } else {
        Vec::new()
    }
}
