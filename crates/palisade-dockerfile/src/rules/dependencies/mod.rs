//! Dependencies: apt/apk/dnf/pip/npm installs that pull more than needed, leave caches behind,
//! upgrade the base, or float versions.

use super::Rule;

#[allow(dead_code)] // used by the rules as they are added
const CATEGORY: &str = "dockerfile-dependencies";

pub static RULES: &[&Rule] = &[];
