//! Control-plane configuration: the flags of the static pods kubeadm writes for the API server,
//! the controller manager, the scheduler and etcd, checked against the CIS Kubernetes Benchmark
//! sections 1 and 2. They run in `kube-system` too: the quiet default for system
//! namespaces is for workloads, not for the cluster's own configuration.

mod api_server_admission;
mod api_server_anonymous_auth;
mod api_server_audit_log;
mod api_server_authorization_mode;
mod api_server_cipher_suites;
mod api_server_encryption;
mod api_server_kubelet_tls;
mod api_server_service_accounts;
mod api_server_tls;
mod api_server_token_auth_file;
mod audit_policy;
mod bind_address;
mod controller_manager_credentials;
mod etcd_tls;
pub mod flags;
mod pod_security_admission;
mod profiling;

use palisade_k8s::Object;

use self::flags::{Component, ComponentFlags, components};
use super::Rule;
use crate::violation::Violation;

const CATEGORY: &str = "control-plane";

pub static RULES: &[&Rule] = &[
    &api_server_anonymous_auth::RULE,
    &api_server_token_auth_file::RULE,
    &api_server_kubelet_tls::RULE,
    &api_server_authorization_mode::RULE,
    &api_server_admission::ALWAYS_ADMIT,
    &api_server_admission::NODE_RESTRICTION,
    &profiling::RULE,
    &api_server_audit_log::RULE,
    &api_server_encryption::RULE,
    &api_server_tls::RULE,
    &api_server_service_accounts::RULE,
    &api_server_cipher_suites::RULE,
    &audit_policy::RULE,
    &pod_security_admission::RULE,
    &bind_address::RULE,
    &controller_manager_credentials::RULE,
    &etcd_tls::CLIENT,
    &etcd_tls::PEER,
];

/// Whether a Pod runs one of `wanted`.
fn runs(object: &Object, wanted: &[Component]) -> bool {
    components(object)
        .iter()
        .any(|c| wanted.contains(&c.component))
}

/// `applies` of the API server rules: a Pod running `kube-apiserver`.
fn runs_api_server(object: &Object) -> bool {
    runs(object, &[Component::ApiServer])
}

/// The violations of one check over every container of a Pod running one of `wanted`.
fn component_violations(
    object: &Object,
    wanted: &[Component],
    check: impl Fn(&ComponentFlags) -> Vec<Violation>,
) -> Vec<Violation> {
    components(object)
        .iter()
        .filter(|c| wanted.contains(&c.component))
        .flat_map(check)
        .collect()
}

/// A violation for each flag of `required` that is missing or empty, saying what its absence
/// means: `<program> <what> (--<flag> is not set)`.
fn missing_flags(flags: &ComponentFlags, required: &[(&str, &str)]) -> Vec<Violation> {
    required
        .iter()
        .filter(|(flag, _)| flags.value(flag).is_none_or(str::is_empty))
        .map(|(flag, what)| {
            Violation::at(
                flags.path_of(flag),
                format!("{} {what} (--{flag} is not set)", flags.component.program()),
            )
        })
        .collect()
}

/// [`component_violations`] of the API server.
fn api_server_violations(
    object: &Object,
    check: impl Fn(&ComponentFlags) -> Vec<Violation>,
) -> Vec<Violation> {
    component_violations(object, &[Component::ApiServer], check)
}
