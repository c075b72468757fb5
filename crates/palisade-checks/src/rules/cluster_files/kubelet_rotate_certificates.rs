use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::{CATEGORY, boolean, is_kubelet_configuration};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeletRotateCertificates",
        name: "kubelet-rotate-certificates",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Kubelet client certificate not rotated",
        doc: r#"The kubelet should renew the client certificate it authenticates to the API server with
before it expires.

**What it finds.** A `KubeletConfiguration` without `rotateCertificates: true`. With rotation
the kubelet requests a new client certificate from the `certificates.k8s.io` API as the current
one nears expiry; without it the certificate is either long-lived (a stolen one stays valid) or
expires and takes the node out of the cluster.

The field defaults to `false` in the kubelet's v1beta1 configuration, so a missing field is
reported too. (kubeadm writes `rotateCertificates: true`. CIS 4.2.10's audit also accepts a
missing field; palisade follows the kubelet's documented default.)

**Failing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
rotateCertificates: false
```

**Passing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
rotateCertificates: true
```"#,
        remediation: "Set `rotateCertificates: true` in the kubelet configuration, make sure no `--rotate-certificates=false` flag overrides it, let the kube-controller-manager approve and sign the node client CSRs (kubeadm's default), and restart the kubelet.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("4.2.10")],
    },
    applies: is_kubelet_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    match boolean(&object.root, &["rotateCertificates"]) {
        Some(true) => Vec::new(),
        Some(false) => vec![Violation::at(
            JsonPath::root().key("rotateCertificates"),
            "the kubelet does not rotate its client certificate (rotateCertificates is not true)",
        )],
        None => vec![Violation::at(
            JsonPath::root().key("rotateCertificates"),
            "the kubelet does not rotate its client certificate (rotateCertificates is not set; it defaults to false)",
        )],
    }
}
