//! Secrets: secret-looking `ENV`/`ARG`, sensitive files copied into the image, secrets used in
//! `RUN` without a secret mount.

use super::Rule;

#[allow(dead_code)] // used by the rules as they are added
const CATEGORY: &str = "dockerfile-secrets";

pub static RULES: &[&Rule] = &[];
