use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, api_server_violations, runs_api_server};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

/// The suites the CIS benchmark accepts (v1.10, 1.2.29).
const STRONG: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerWeakCipherSuites",
        name: "api-server-weak-cipher-suites",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "API server allows weak TLS cipher suites",
        doc: r#"The API server should negotiate only forward-secret, authenticated-encryption cipher suites.

**What it finds.** A `kube-apiserver` static pod whose `--tls-cipher-suites` names a suite
outside the CIS benchmark's list (RSA key exchange, 3DES, RC4, CBC with SHA-256, …). Without the
flag Go's defaults apply, which exclude the insecure suites: no finding.

**Failing**
```yaml
command: [kube-apiserver, --tls-cipher-suites=TLS_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
```

**Passing**
```yaml
command: [kube-apiserver, --tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]
```"#,
        remediation: "List only ECDHE suites with AES-GCM or ChaCha20-Poly1305 in `--tls-cipher-suites` (TLS 1.3 suites are not configurable and always strong), or drop the flag.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.29")],
    },
    applies: runs_api_server,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| {
        let weak: Vec<&str> = flags
            .list("tls-cipher-suites")
            .into_iter()
            .filter(|suite| !STRONG.contains(suite))
            .collect();
        if weak.is_empty() {
            return Vec::new();
        }
        vec![Violation::at(
            flags.path_of("tls-cipher-suites"),
            format!(
                "kube-apiserver allows weak cipher suites: {}",
                weak.join(", ")
            ),
        )]
    })
}
