//! Exposure: SSH in the image, world-writable permissions, no HEALTHCHECK.

use super::Rule;

#[allow(dead_code)] // used by the rules as they are added
const CATEGORY: &str = "dockerfile-exposure";

pub static RULES: &[&Rule] = &[];
