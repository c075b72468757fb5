//! Node access: host paths that hand over the node, host namespaces combined with privileged
//! containers, SSH ports.

use super::Rule;

const CATEGORY: &str = "node-access";

pub static RULES: &[&Rule] = &[];
