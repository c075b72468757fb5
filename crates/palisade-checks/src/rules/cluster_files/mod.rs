//! Cluster configuration files: the files a node or the control plane reads at start-up, which
//! are YAML with `apiVersion` and `kind` like API objects and so load as objects, but never go
//! through the API server — the kubelet's `KubeletConfiguration` (kubeadm's
//! `/var/lib/kubelet/config.yaml`), the API server's `EncryptionConfiguration` (the file of
//! `--encryption-provider-config`), and kubeconfig files (`kind: Config`, such as kubeadm's
//! `/etc/kubernetes/admin.conf`). Each is read with the defaults its consumer applies to the
//! file (which are not always the defaults of the matching command-line flag), and checked
//! against the CIS Kubernetes Benchmark sections 1.2 and 4.2 where it has a recommendation.
//!
//! Like the control-plane rules they run in the system namespaces too. Secret material found
//! in these files (encryption keys, tokens, client keys, passwords) is never shown: messages
//! name the key or field and give its length only.

mod encryption;
mod encryption_key_in_file;
mod encryption_secrets_plaintext;
mod encryption_weak_provider;
mod kubeconfig_embedded_credentials;
mod kubeconfig_insecure_tls;
mod kubelet_anonymous_auth;
mod kubelet_authorization_mode;
mod kubelet_cipher_suites;
mod kubelet_client_ca;
mod kubelet_command_line;
mod kubelet_iptables_util_chains;
mod kubelet_pod_pids_limit;
mod kubelet_protect_kernel_defaults;
mod kubelet_read_only_port;
mod kubelet_rotate_certificates;
mod kubelet_server_certificate_rotation;

use palisade_k8s::{Node, Object};

use super::Rule;

const CATEGORY: &str = "cluster-files";

pub static RULES: &[&Rule] = &[
    &kubelet_anonymous_auth::RULE,
    &kubelet_authorization_mode::RULE,
    &kubelet_client_ca::RULE,
    &kubelet_read_only_port::RULE,
    &kubelet_iptables_util_chains::RULE,
    &kubelet_rotate_certificates::RULE,
    &kubelet_server_certificate_rotation::RULE,
    &kubelet_protect_kernel_defaults::RULE,
    &kubelet_pod_pids_limit::RULE,
    &kubelet_cipher_suites::RULE,
    &kubelet_command_line::RULE,
    &encryption_secrets_plaintext::RULE,
    &encryption_weak_provider::RULE,
    &encryption_key_in_file::RULE,
    &kubeconfig_insecure_tls::RULE,
    &kubeconfig_embedded_credentials::RULE,
];

/// Whether an object is one of these files rather than an API object (it has no namespace
/// to live in).
pub(in crate::rules) fn is_configuration_file(object: &Object) -> bool {
    is_kubelet_configuration(object) || is_encryption_configuration(object) || is_kubeconfig(object)
}

/// A `KubeletConfiguration` (`kubelet.config.k8s.io`, served as `v1beta1`).
fn is_kubelet_configuration(object: &Object) -> bool {
    object.group() == "kubelet.config.k8s.io" && object.kind == "KubeletConfiguration"
}

/// An `EncryptionConfiguration` (`apiserver.config.k8s.io/v1`), or the legacy spelling
/// `apiVersion: v1`, `kind: EncryptionConfig` that the API server still decodes into the same
/// type (it registers it "due to a docs bug" of early releases).
fn is_encryption_configuration(object: &Object) -> bool {
    (object.api_version == "apiserver.config.k8s.io/v1" && object.kind == "EncryptionConfiguration")
        || (object.api_version == "v1" && object.kind == "EncryptionConfig")
}

/// A kubeconfig file (`apiVersion: v1`, `kind: Config`).
fn is_kubeconfig(object: &Object) -> bool {
    object.api_version == "v1" && object.kind == "Config"
}

/// A boolean field as the file's reader decodes it: `Some(true)`/`Some(false)` for a plain
/// YAML boolean, `None` when absent (a quoted `"true"` is a string the reader rejects, and is
/// not `true` either).
fn boolean(node: &Node, keys: &[&str]) -> Option<bool> {
    let mut node = node;
    for key in keys {
        node = node.get(key)?;
    }
    node.as_bool().or(Some(false))
}

/// How a secret value is shown: its length only.
fn redacted(value: &str) -> String {
    let length = value.chars().count();
    let unit = if length == 1 { "char" } else { "chars" };
    format!("redacted, {length} {unit}")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_k8s::load_stream;

    use super::*;
    use crate::inventory::Inventory;
    use crate::rules::{Context, Settings};

    /// No message quotes a secret of the file: every scalar of at least 8 characters under a
    /// secret-holding key is absent from every message.
    #[test]
    fn messages_never_quote_secret_values() {
        let fixtures = [
            include_str!("../../../tests/fixtures/encryptionKeyInFile/fail-docs-example.yaml"),
            include_str!("../../../tests/fixtures/encryptionKeyInFile/fail-legacy-kind.yaml"),
            include_str!("../../../tests/fixtures/kubeconfigEmbeddedCredentials/fail-ci.yaml"),
            include_str!(
                "../../../tests/fixtures/kubeconfigEmbeddedCredentials/fail-admin-conf.yaml"
            ),
        ];
        let settings = Settings::default();
        let inventory = Inventory::default();
        let context = Context {
            settings: &settings,
            inventory: &inventory,
            pss_checks: &[],
        };
        let mut reported = 0;
        for text in fixtures {
            let secrets: Vec<&str> = text
                .lines()
                .filter_map(|line| line.split_once(": "))
                .filter(|(key, _)| {
                    let key = key.trim().trim_start_matches("- ");
                    [
                        "secret",
                        "token",
                        "client-key-data",
                        "password",
                        "id-token",
                        "refresh-token",
                        "client-secret",
                    ]
                    .contains(&key)
                })
                .map(|(_, value)| value.trim())
                .filter(|value| value.len() >= 8)
                .collect();
            assert!(!secrets.is_empty());
            let loaded = load_stream(&Arc::from("t.yaml"), text);
            for object in &loaded.objects {
                for rule in RULES.iter().filter(|r| (r.applies)(object)) {
                    for violation in (rule.check)(&context, object) {
                        reported += 1;
                        for secret in &secrets {
                            assert!(
                                !violation.message.contains(secret),
                                "{}: {}",
                                rule.meta.id,
                                violation.message
                            );
                        }
                    }
                }
            }
        }
        assert!(reported >= 14, "{reported}");
    }
}
