//! User: the final stage runs as root, privileged helpers in RUN.

mod root_user;
mod sudo_in_run;

use super::Rule;

const CATEGORY: &str = "dockerfile-user";

pub static RULES: &[&Rule] = &[&root_user::RULE, &sudo_in_run::RULE];
