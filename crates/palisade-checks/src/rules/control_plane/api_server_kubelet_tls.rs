use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, api_server_violations, missing_flags, runs_api_server};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerKubeletTls",
        name: "api-server-kubelet-tls",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "API server talks to kubelets without client certificates or without verifying them",
        doc: r#"The API server should authenticate to kubelets and verify their serving certificates.

**What it finds.** A `kube-apiserver` static pod missing `--kubelet-client-certificate` or
`--kubelet-client-key` (kubelets then cannot tell the API server from anyone else), or
`--kubelet-certificate-authority` (the API server then accepts any kubelet certificate, so
exec, logs and port-forward traffic can be intercepted).

**Failing**
```yaml
command: [kube-apiserver, --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt]
```

**Passing**
```yaml
command:
- kube-apiserver
- --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt
- --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key
- --kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt
```"#,
        remediation: "Set `--kubelet-client-certificate`, `--kubelet-client-key` and `--kubelet-certificate-authority` (kubelets need serving certificates signed by that CA: `serverTLSBootstrap: true`).",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.4"), cis("1.2.5")],
    },
    applies: runs_api_server,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| {
        missing_flags(
            flags,
            &[
                (
                    "kubelet-client-certificate",
                    "authenticates to kubelets with no client certificate",
                ),
                (
                    "kubelet-client-key",
                    "authenticates to kubelets with no client key",
                ),
                (
                    "kubelet-certificate-authority",
                    "does not verify kubelets' serving certificates",
                ),
            ],
        )
    })
}
