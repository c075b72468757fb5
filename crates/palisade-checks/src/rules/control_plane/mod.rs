//! Control-plane configuration: the flags of the static pods kubeadm writes for the API server
//! (and, next, the controller manager, scheduler and etcd), checked against the CIS Kubernetes
//! Benchmark section 1. They run in `kube-system` too: the quiet default for system
//! namespaces is for workloads, not for the cluster's own configuration.

mod api_server_admission;
mod api_server_anonymous_auth;
mod api_server_audit_log;
mod api_server_authorization_mode;
mod api_server_encryption;
mod api_server_kubelet_tls;
mod api_server_profiling;
mod api_server_token_auth_file;
pub mod flags;

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
    &api_server_profiling::RULE,
    &api_server_audit_log::RULE,
    &api_server_encryption::RULE,
];

/// `applies` of the API server rules: a Pod running `kube-apiserver`.
fn runs_api_server(object: &Object) -> bool {
    components(object)
        .iter()
        .any(|c| c.component == Component::ApiServer)
}

/// The violations of one check over every API server container of a Pod.
fn api_server_violations(
    object: &Object,
    check: impl Fn(&ComponentFlags) -> Vec<Violation>,
) -> Vec<Violation> {
    components(object)
        .iter()
        .filter(|c| c.component == Component::ApiServer)
        .flat_map(check)
        .collect()
}
