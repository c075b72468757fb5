//! Namespaces as boundaries: namespaced objects left in `default` (or with no namespace).

mod default_namespace;

use super::Rule;

const CATEGORY: &str = "namespaces";

pub static RULES: &[&Rule] = &[&default_namespace::RULE];
