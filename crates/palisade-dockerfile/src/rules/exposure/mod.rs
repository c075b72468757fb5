//! Exposure: SSH in the image, world-writable permissions, no HEALTHCHECK.

mod expose_ssh;
mod missing_healthcheck;
mod ssh_server_installed;
mod world_writable;

use super::Rule;

const CATEGORY: &str = "dockerfile-exposure";

pub static RULES: &[&Rule] = &[
    &expose_ssh::RULE,
    &ssh_server_installed::RULE,
    &world_writable::RULE,
    &missing_healthcheck::RULE,
];
