//! Node access: host paths that hand over the node, host namespaces combined with privileged
//! containers, SSH ports.

mod privileged_host_namespace;
mod sensitive_host_path;
mod ssh_port;

use super::Rule;

const CATEGORY: &str = "node-access";

pub static RULES: &[&Rule] = &[
    &sensitive_host_path::RULE,
    &privileged_host_namespace::RULE,
    &ssh_port::RULE,
];
