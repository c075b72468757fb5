//! Service accounts: pods running as the namespace's `default` service account, API tokens
//! mounted into pods that do not need them.

use super::Rule;

const CATEGORY: &str = "service-accounts";

pub static RULES: &[&Rule] = &[];
