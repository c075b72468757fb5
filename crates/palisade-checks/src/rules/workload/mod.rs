//! Workload hardening: read-only root filesystems, resource requests and limits, explicit root
//! users and groups, Linux capabilities, a shared process namespace.

mod share_process_namespace;

use super::Rule;

const CATEGORY: &str = "workload-hardening";

pub static RULES: &[&Rule] = &[&share_process_namespace::RULE];
