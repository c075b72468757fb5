//! Service mesh posture: Istio's mTLS settings (PeerAuthentication, DestinationRule) and
//! AuthorizationPolicies, and workloads that leave the mesh or let ports bypass it (Istio and
//! Linkerd), judged against the namespaces the input meshes.

mod authorization_allow_all;
mod destination_rule_tls;
mod injection_disabled;
mod linkerd_unauthenticated;
mod no_strict_mtls;
mod peer_authentication;
mod skipped_ports;

use palisade_k8s::Object;

use super::Rule;

const CATEGORY: &str = "mesh";

pub static RULES: &[&Rule] = &[
    &peer_authentication::RULE,
    &destination_rule_tls::RULE,
    &injection_disabled::RULE,
    &skipped_ports::RULE,
    &no_strict_mtls::RULE,
    &authorization_allow_all::RULE,
    &linkerd_unauthenticated::RULE,
];

/// The rules that read which namespaces are meshed.
pub static READING_INVENTORY: &[&Rule] = &[&injection_disabled::RULE, &no_strict_mtls::RULE];

/// Whether an object is an Istio resource of `kind` (any API version).
fn is_istio(object: &Object, group: &str, kind: &str) -> bool {
    object.group() == group && object.kind == kind
}
