//! Supply chain: piping downloads into a shell, remote `ADD`, `ADD` where `COPY` fits, pipes
//! without `pipefail`.

use super::Rule;

#[allow(dead_code)] // used by the rules as they are added
const CATEGORY: &str = "dockerfile-supply-chain";

pub static RULES: &[&Rule] = &[];
