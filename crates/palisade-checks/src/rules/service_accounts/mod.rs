//! Service accounts: pods running as the namespace's `default` service account, API tokens
//! mounted into pods that do not need them.

mod automount_service_account_token;
mod default_service_account;

pub(crate) use automount_service_account_token::RULE as TOKEN_RULE;

use palisade_k8s::{Node, PodView};

use super::Rule;

const CATEGORY: &str = "service-accounts";

pub static RULES: &[&Rule] = &[
    &default_service_account::RULE,
    &automount_service_account_token::RULE,
];

/// The service account a pod runs as — `serviceAccountName`, else the deprecated
/// `serviceAccount` (which the API server copies into an empty `serviceAccountName`), else the
/// namespace's `default` — and the field that names it, `None` when neither does.
fn service_account<'a>(pod: &PodView<'a>) -> (&'a str, Option<&'static str>) {
    ["serviceAccountName", "serviceAccount"]
        .into_iter()
        .find_map(|field| {
            let name = pod.get(field).and_then(Node::as_str)?;
            (!name.is_empty()).then_some((name, Some(field)))
        })
        .unwrap_or(("default", None))
}
