//! Images: mutable or missing tags, digest pinning, pull policy, authorized registries.

use super::Rule;

const CATEGORY: &str = "images";

pub static RULES: &[&Rule] = &[];
