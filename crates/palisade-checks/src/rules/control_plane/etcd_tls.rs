//! etcd's TLS: to clients (the API server) and between members.

use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::flags::{Component, ComponentFlags};
use super::{CATEGORY, component_violations, runs};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

const ETCD: &[Component] = &[Component::Etcd];

pub static CLIENT: Rule = Rule {
    meta: RuleMeta {
        id: "etcdClientTls",
        name: "etcd-client-tls",
        severity: Severity::High,
        category: CATEGORY,
        title: "etcd serves clients without TLS or without client certificates",
        doc: r#"etcd holds every object of the cluster, Secrets included: only the API server should
reach it, over TLS, with a client certificate.

**What it finds.** An `etcd` static pod without `--cert-file` and `--key-file`, without
`--client-cert-auth=true` (default `false`: any client that reaches the port may read and
write everything), or with `--auto-tls=true` (self-signed certificates nobody verifies). An etcd
started with `--config-file` ignores its other flags: scan that file instead.

**Failing**
```yaml
command: [etcd, --listen-client-urls=https://0.0.0.0:2379, --auto-tls=true]
```

**Passing**
```yaml
command:
- etcd
- --cert-file=/etc/kubernetes/pki/etcd/server.crt
- --key-file=/etc/kubernetes/pki/etcd/server.key
- --client-cert-auth=true
- --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
```"#,
        remediation: "Set `--cert-file`, `--key-file`, `--client-cert-auth=true` and `--trusted-ca-file` to an etcd-only CA; remove `--auto-tls`.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("2.1"), cis("2.2"), cis("2.3")],
    },
    applies: |object| runs(object, ETCD),
    check: check_client,
};

pub static PEER: Rule = Rule {
    meta: RuleMeta {
        id: "etcdPeerTls",
        name: "etcd-peer-tls",
        severity: Severity::High,
        category: CATEGORY,
        title: "etcd members talk without TLS or without peer certificates",
        doc: r#"etcd members replicate every object between them: over TLS, each proving who it is.

**What it finds.** An `etcd` static pod without `--peer-cert-file` and `--peer-key-file`,
without `--peer-client-cert-auth=true` (default `false`), or with `--peer-auto-tls=true`.

**Failing**
```yaml
command: [etcd, --peer-auto-tls=true]
```

**Passing**
```yaml
command:
- etcd
- --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
- --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
- --peer-client-cert-auth=true
- --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
```"#,
        remediation: "Set `--peer-cert-file`, `--peer-key-file`, `--peer-client-cert-auth=true` and `--peer-trusted-ca-file`; remove `--peer-auto-tls`.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("2.4"), cis("2.5"), cis("2.6")],
    },
    applies: |object| runs(object, ETCD),
    check: check_peer,
};

/// The TLS findings of one side: certificate flags, client-certificate authentication, auto TLS.
fn tls(flags: &ComponentFlags, prefix: &str, side: &str) -> Vec<Violation> {
    // etcd ignores every other flag when it reads a configuration file.
    if flags.value("config-file").is_some() {
        return Vec::new();
    }
    let flag = |name: &str| format!("{prefix}{name}");
    let mut found: Vec<Violation> = ["cert-file", "key-file"]
        .into_iter()
        .map(flag)
        .filter(|name| flags.value(name).is_none_or(str::is_empty))
        .map(|name| {
            Violation::at(
                flags.path_of(&name),
                format!("etcd has no --{name}: {side} traffic is not encrypted"),
            )
        })
        .collect();
    let client_auth = flag("client-cert-auth");
    if !flags.enabled(&client_auth, false) {
        found.push(Violation::at(
            flags.path_of(&client_auth),
            format!("etcd does not require {side} certificates (--{client_auth} is not true)"),
        ));
    }
    let auto_tls = flag("auto-tls");
    if flags.enabled(&auto_tls, false) {
        found.push(Violation::at(
            flags.path_of(&auto_tls),
            format!("etcd uses self-signed {side} certificates (--{auto_tls}=true)"),
        ));
    }
    found
}

fn check_client(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    component_violations(object, ETCD, |flags| tls(flags, "", "client"))
}

fn check_peer(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    component_violations(object, ETCD, |flags| tls(flags, "peer-", "peer"))
}
