//! Exposure: Services reachable from outside the cluster, Ingresses without TLS.

mod exposed_service;
mod ingress_tls;

use super::Rule;

const CATEGORY: &str = "exposure";

pub static RULES: &[&Rule] = &[&exposed_service::RULE, &ingress_tls::RULE];
