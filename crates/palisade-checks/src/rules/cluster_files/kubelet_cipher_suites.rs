use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::{CATEGORY, is_kubelet_configuration};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

/// The suites the CIS benchmark accepts for the kubelet (v1.10, 4.2.12).
const STRONG: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
];

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeletWeakCipherSuites",
        name: "kubelet-weak-cipher-suites",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Kubelet allows weak TLS cipher suites",
        doc: r#"The kubelet's API (exec, logs, port-forward) should negotiate only strong cipher suites.

**What it finds.** A `KubeletConfiguration` whose `tlsCipherSuites` names a suite outside the
CIS benchmark's list for the kubelet (AES-GCM and ChaCha20-Poly1305 suites). Without the field
Go's defaults apply, which exclude the insecure suites: no finding.

**Failing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_3DES_EDE_CBC_SHA]
```

**Passing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]
```"#,
        remediation: "List only ECDHE suites with AES-GCM or ChaCha20-Poly1305 in `tlsCipherSuites`, or remove the field.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("4.2.12")],
    },
    applies: is_kubelet_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let weak: Vec<&str> = object
        .root
        .get("tlsCipherSuites")
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(Node::as_str)
        .filter(|suite| !STRONG.contains(suite))
        .collect();
    if weak.is_empty() {
        return Vec::new();
    }
    vec![Violation::at(
        JsonPath::root().key("tlsCipherSuites"),
        format!("the kubelet allows weak cipher suites: {}", weak.join(", ")),
    )]
}
