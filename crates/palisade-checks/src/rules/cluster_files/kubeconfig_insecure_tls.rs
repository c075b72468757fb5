use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::{CATEGORY, boolean, is_kubeconfig};
use crate::frameworks::nsa;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeconfigInsecureSkipTlsVerify",
        name: "kubeconfig-insecure-skip-tls-verify",
        severity: Severity::High,
        category: CATEGORY,
        title: "kubeconfig skips TLS verification of the API server",
        doc: r#"A kubeconfig should verify the API server's certificate before sending it credentials.

**What it finds.** A kubeconfig file (`apiVersion: v1`, `kind: Config`) with a cluster whose
`insecure-skip-tls-verify` is `true`. Clients using it (kubectl, controllers, the kubelet) accept
any certificate, so anyone on the network path can impersonate the API server, read the bearer
token or client certificate exchange, and answer with whatever they like.

**Failing**
```yaml
apiVersion: v1
kind: Config
clusters:
- name: kubernetes
  cluster:
    server: https://192.168.49.2:6443
    insecure-skip-tls-verify: true
```

**Passing**
```yaml
apiVersion: v1
kind: Config
clusters:
- name: kubernetes
  cluster:
    server: https://192.168.49.2:6443
    certificate-authority-data: <base64 CA bundle>
```"#,
        remediation: "Remove `insecure-skip-tls-verify` and give the cluster its CA (`certificate-authority-data`, or `certificate-authority` as a path); set `tls-server-name` when the server's address is not in its certificate.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("authentication-authorization"), crate::mitre!("T1557")],
    },
    applies: is_kubeconfig,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let clusters = JsonPath::root().key("clusters");
    object
        .root
        .get("clusters")
        .map_or(&[][..], Node::items)
        .iter()
        .enumerate()
        .filter(|(_, named)| {
            named
                .get("cluster")
                .is_some_and(|c| boolean(c, &["insecure-skip-tls-verify"]) == Some(true))
        })
        .map(|(i, named)| {
            let name = named.get("name").and_then(Node::as_str).unwrap_or("");
            Violation::at(
                clusters.index(i).keys(&["cluster", "insecure-skip-tls-verify"]),
                format!(
                    "cluster {name:?} skips TLS verification of the API server (insecure-skip-tls-verify: true): anyone on the path can impersonate it"
                ),
            )
        })
        .collect()
}
