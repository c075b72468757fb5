use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, api_server_violations, missing_flags, runs_api_server};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerTls",
        name: "api-server-tls",
        severity: Severity::High,
        category: CATEGORY,
        title: "API server lacks TLS settings for its clients or for etcd",
        doc: r#"The API server should serve TLS with its own certificate, verify client certificates,
and talk to etcd over TLS with a client certificate.

**What it finds.** A `kube-apiserver` static pod without `--tls-cert-file` and
`--tls-private-key-file` (it then serves a self-signed certificate), without
`--client-ca-file` (client certificates are not accepted), without `--etcd-certfile` and
`--etcd-keyfile` (no client certificate towards etcd), or without `--etcd-cafile` (etcd's
certificate is not verified).

**Failing**
```yaml
command: [kube-apiserver, --etcd-servers=https://127.0.0.1:2379]
```

**Passing**
```yaml
command:
- kube-apiserver
- --tls-cert-file=/etc/kubernetes/pki/apiserver.crt
- --tls-private-key-file=/etc/kubernetes/pki/apiserver.key
- --client-ca-file=/etc/kubernetes/pki/ca.crt
- --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
- --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
- --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
```"#,
        remediation: "Set the serving certificate and key, the client CA, and etcd's CA, client certificate and key (kubeadm sets them all).",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.23"), cis("1.2.24"), cis("1.2.25"), cis("1.2.26")],
    },
    applies: runs_api_server,
    check,
};

/// The flags, and what their absence means.
const REQUIRED: &[(&str, &str)] = &[
    ("tls-cert-file", "serves a self-signed certificate"),
    ("tls-private-key-file", "serves a self-signed certificate"),
    ("client-ca-file", "accepts no client certificates"),
    ("etcd-certfile", "presents no client certificate to etcd"),
    ("etcd-keyfile", "presents no client certificate to etcd"),
    ("etcd-cafile", "does not verify etcd's certificate"),
];

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| missing_flags(flags, REQUIRED))
}
