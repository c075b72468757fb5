use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::{CATEGORY, boolean, is_kubelet_configuration};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeletServerCertificateRotation",
        name: "kubelet-server-certificate-rotation",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Kubelet serving certificate not rotated",
        doc: r#"The kubelet's API (port 10250) should be served with a certificate the cluster's CA signed
and that the kubelet renews, not a self-signed one that it keeps forever.

**What it finds.** A `KubeletConfiguration` that

- turns the `RotateKubeletServerCertificate` feature gate off
  (`featureGates: {RotateKubeletServerCertificate: false}`; the gate is on by default), or
- leaves `serverTLSBootstrap` unset or `false` (its default) without a `tlsCertFile`: the
  kubelet then generates a self-signed serving certificate at start-up and never rotates it,
  and the API server (and anyone else) cannot verify it is talking to the right kubelet.

With `serverTLSBootstrap: true` the kubelet requests its serving certificate from the
`certificates.k8s.io` API and renews it as it nears expiry; the CSRs
(`kubernetes.io/kubelet-serving`) need an approver. A `tlsCertFile` provisioned by other
means is left to whoever provisions it.

**Failing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
featureGates:
  RotateKubeletServerCertificate: false
```

**Passing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
serverTLSBootstrap: true
```"#,
        remediation: "Set `serverTLSBootstrap: true` in the kubelet configuration (kubeadm: `serverTLSBootstrap: true` in its KubeletConfiguration), do not turn the RotateKubeletServerCertificate feature gate off, approve the `kubernetes.io/kubelet-serving` CSRs (manually or with an approver that checks the node's addresses), and restart the kubelet.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("4.2.11")],
    },
    applies: is_kubelet_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let root = &object.root;
    if boolean(root, &["featureGates", "RotateKubeletServerCertificate"]) == Some(false) {
        return vec![Violation::at(
            JsonPath::root().keys(&["featureGates", "RotateKubeletServerCertificate"]),
            "the kubelet never rotates its serving certificate (the RotateKubeletServerCertificate feature gate is off)",
        )];
    }
    let bootstrap = boolean(root, &["serverTLSBootstrap"]) == Some(true);
    let own_certificate = root
        .get("tlsCertFile")
        .and_then(|f| f.as_str())
        .is_some_and(|f| !f.is_empty());
    if bootstrap || own_certificate {
        return Vec::new();
    }
    vec![Violation::at(
        JsonPath::root().key("serverTLSBootstrap"),
        "the kubelet serves port 10250 with a self-signed certificate it never rotates (serverTLSBootstrap is not true and no tlsCertFile is set)",
    )]
}
