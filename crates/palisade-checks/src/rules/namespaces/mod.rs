//! Namespaces as boundaries: namespaced objects left in `default` (or with no namespace).

use super::Rule;

const CATEGORY: &str = "namespaces";

pub static RULES: &[&Rule] = &[];
