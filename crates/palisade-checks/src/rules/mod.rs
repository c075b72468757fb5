//! The hardening rules beyond the Pod Security Standards, one per file, grouped by family:
//! workload hardening, node access, service accounts, namespaces, images, secrets, exposure,
//! service mesh posture, the control plane's own configuration and the cluster's configuration
//! files. A rule says which objects it applies to (for compliance summaries and reports
//! that list passing checks) and returns its violations for one object.

mod abac;
mod cluster_files;
pub mod control_plane;
mod exposure;
mod images;
mod mesh;
mod namespaces;
mod node_access;
mod secrets;
mod service_accounts;
mod workload;

use palisade_core::RuleMeta;
use palisade_core::image::RegistryAllowList;
use palisade_k8s::{Object, pod_view};

use crate::inventory::Inventory;
use crate::violation::Violation;

/// The rules whose checks read the inventory (the ServiceAccounts and bindings of the input).
pub(crate) fn reading_inventory() -> impl Iterator<Item = &'static Rule> {
    [&service_accounts::TOKEN_RULE]
        .into_iter()
        .chain(mesh::READING_INVENTORY.iter().copied())
}

/// One hardening rule.
pub struct Rule {
    pub meta: RuleMeta,
    /// Whether the rule looks at this kind of object at all.
    pub applies: fn(&Object) -> bool,
    pub check: fn(&Context<'_>, &Object) -> Vec<Violation>,
}

/// Rule settings from `palisade.toml`.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `[images] allowed_registries`; `None` allows every registry.
    pub allowed_registries: Option<RegistryAllowList>,
}

/// What a rule may consult besides the object itself.
pub struct Context<'a> {
    pub settings: &'a Settings,
    pub inventory: &'a Inventory,
    /// The Pod Security checks that run on this object, so that a rule can leave to them what
    /// they already report (and not report it twice).
    pub pss_checks: &'a [&'static str],
}

impl Context<'_> {
    pub fn pss_runs(&self, id: &str) -> bool {
        self.pss_checks.contains(&id)
    }
}

/// Every hardening rule, family by family.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    [
        workload::RULES,
        node_access::RULES,
        service_accounts::RULES,
        namespaces::RULES,
        images::RULES,
        secrets::RULES,
        exposure::RULES,
        mesh::RULES,
        control_plane::RULES,
        cluster_files::RULES,
        abac::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// The rules about the cluster's own configuration, which run in the system namespaces too
/// (the quiet default there is for workloads).
pub fn configuration() -> impl Iterator<Item = &'static Rule> {
    [control_plane::RULES, cluster_files::RULES, abac::RULES]
        .into_iter()
        .flatten()
        .copied()
}

/// `applies` of rules about pods: every kind that carries a pod template.
pub fn workloads(object: &Object) -> bool {
    pod_view(object).is_some()
}
