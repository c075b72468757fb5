use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::{CATEGORY, is_kubelet_configuration};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeletClientCaFile",
        name: "kubelet-client-ca-file",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Kubelet does not authenticate client certificates",
        doc: r#"The kubelet should verify the client certificates of those who call its API — the API
server first of all.

**What it finds.** A `KubeletConfiguration` without `authentication.x509.clientCAFile` (the
default is empty: X.509 client authentication is off, and the API server's
`--kubelet-client-certificate` proves nothing to the kubelet).

**Failing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  webhook: {enabled: true}
```

**Passing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
  webhook: {enabled: true}
```"#,
        remediation: "Set `authentication.x509.clientCAFile` to the cluster CA (kubeadm writes /etc/kubernetes/pki/ca.crt) and restart the kubelet.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("4.2.3")],
    },
    applies: is_kubelet_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let authentication = object.root.get("authentication");
    let file = authentication
        .and_then(|a| a.get("x509"))
        .and_then(|x| x.get("clientCAFile"))
        .and_then(Node::as_str)
        .unwrap_or("");
    if !file.is_empty() {
        return Vec::new();
    }
    vec![Violation::at(
        JsonPath::root().keys(&["authentication", "x509", "clientCAFile"]),
        "the kubelet does not authenticate client certificates (authentication.x509.clientCAFile is not set)",
    )]
}
