//! Exposure: Services reachable from outside the cluster, Ingresses without TLS.

use super::Rule;

const CATEGORY: &str = "exposure";

pub static RULES: &[&Rule] = &[];
