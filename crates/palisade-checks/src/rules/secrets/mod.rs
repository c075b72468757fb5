//! Secrets management: secret-looking literals in env values and ConfigMaps, Secret manifests
//! committed with data, secrets passed as environment variables.

use super::Rule;

const CATEGORY: &str = "secrets";

pub static RULES: &[&Rule] = &[];
