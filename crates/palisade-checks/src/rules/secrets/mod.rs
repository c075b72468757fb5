//! Secrets management: secret-looking literals in env values and ConfigMaps, Secret manifests
//! committed with data, secrets passed as environment variables.
//!
//! Secret values never appear in messages: they are shown redacted
//! ([`palisade_core::secrets::redact`]), and Secret manifests are reported by key name only.

mod secret_env_var;
mod secret_in_config_map;
mod secret_in_env;
mod secret_manifest;

use palisade_k8s::Object;

use super::Rule;

const CATEGORY: &str = "secrets";

pub static RULES: &[&Rule] = &[
    &secret_in_env::RULE,
    &secret_in_config_map::RULE,
    &secret_manifest::RULE,
    &secret_env_var::RULE,
];

/// Whether `object` is a core/v1 object of `kind`.
fn is_core(object: &Object, kind: &str) -> bool {
    object.group().is_empty() && object.kind == kind
}
