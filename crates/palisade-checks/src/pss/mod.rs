//! The Pod Security Standards, as Pod Security Admission evaluates them: every control of the
//! baseline and restricted levels, each with the revisions it had across policy versions, and
//! restricted revisions that supersede ("override") baseline controls.
//!
//! Each check lives in its own file, with its registry entry and documentation. Checks return
//! one [`Violation`] per offending setter (pod, container, volume, annotation, sysctl), so that
//! every finding points at the exact field; messages use Pod Security Admission's own wording,
//! `reason (detail)`, for a single setter.

mod allow_privilege_escalation;
mod app_armor_profile;
mod capabilities_baseline;
mod capabilities_restricted;
mod host_namespaces;
mod host_path_volumes;
mod host_ports;
mod host_probes_and_host_lifecycle;
mod privileged;
mod proc_mount;
mod proc_mount_restricted;
mod restricted_volumes;
mod run_as_non_root;
mod run_as_user;
mod se_linux_options;
mod seccomp_profile_baseline;
mod seccomp_profile_restricted;
mod sysctls;
pub mod version;
mod windows_host_process;

use palisade_core::{Framework, Reference, RuleMeta};
use palisade_k8s::{ContainerView, JsonPath, PodView};

use crate::frameworks::cis;
pub use crate::violation::Violation;

pub use version::{LATEST_MINOR, Level, Policy, Version};

/// One Pod Security Standards control.
pub struct PssCheck {
    pub meta: RuleMeta,
    pub level: Level,
    /// Ordered by `min_minor`; the revision in force at policy `v1.N` is the last one whose
    /// `min_minor <= N`. A check with no revision at or below `N` does not exist at `v1.N`.
    pub revisions: &'static [Revision],
}

/// What a check does from one policy version on.
pub struct Revision {
    pub min_minor: u32,
    pub check: fn(&PodView<'_>) -> Vec<Violation>,
    /// Baseline checks this (restricted) revision replaces at the restricted level.
    pub overrides: &'static [&'static str],
}

/// Every Pod Security Standards check, baseline first then restricted, each in Pod Security
/// Admission's evaluation order (byte-wise by id).
pub static CHECKS: &[&PssCheck] = &[
    &app_armor_profile::CHECK,
    &capabilities_baseline::CHECK,
    &host_namespaces::CHECK,
    &host_path_volumes::CHECK,
    &host_ports::CHECK,
    &host_probes_and_host_lifecycle::CHECK,
    &privileged::CHECK,
    &proc_mount::CHECK,
    &se_linux_options::CHECK,
    &seccomp_profile_baseline::CHECK,
    &sysctls::CHECK,
    &windows_host_process::CHECK,
    &allow_privilege_escalation::CHECK,
    &capabilities_restricted::CHECK,
    &proc_mount_restricted::CHECK,
    &restricted_volumes::CHECK,
    &run_as_non_root::CHECK,
    &run_as_user::CHECK,
    &seccomp_profile_restricted::CHECK,
];

impl PssCheck {
    /// The revision in force at policy `v1.minor`, if the check exists there.
    pub fn revision_at(&self, minor: u32) -> Option<&'static Revision> {
        self.revisions.iter().rev().find(|r| r.min_minor <= minor)
    }
}

/// The checks that run for `policy`: at baseline, the baseline checks that exist at the
/// version; at restricted, those minus the ones overridden by restricted revisions in force at
/// the version, plus the restricted checks.
pub fn checks_for(policy: Policy) -> Vec<(&'static PssCheck, &'static Revision)> {
    let minor = policy.version.effective_minor();
    let active = |level: Level| {
        CHECKS
            .iter()
            .filter(move |c| c.level == level)
            .filter_map(move |c| c.revision_at(minor).map(|r| (*c, r)))
    };
    match policy.level {
        Level::Privileged => Vec::new(),
        Level::Baseline => active(Level::Baseline).collect(),
        Level::Restricted => {
            let restricted: Vec<_> = active(Level::Restricted).collect();
            let overridden: Vec<&str> = restricted
                .iter()
                .flat_map(|(_, r)| r.overrides.iter().copied())
                .collect();
            active(Level::Baseline)
                .filter(|(c, _)| !overridden.contains(&c.meta.id))
                .chain(restricted)
                .collect()
        }
    }
}

/// Runs the checks of `policy` on one pod.
pub fn evaluate(pod: &PodView<'_>, policy: Policy) -> Vec<(&'static PssCheck, Violation)> {
    checks_for(policy)
        .into_iter()
        .flat_map(|(check, revision)| {
            (revision.check)(pod)
                .into_iter()
                .map(move |violation| (check, violation))
        })
        .collect()
}

const BASELINE: &[Framework] = &[Framework::PssBaseline, Framework::PssRestricted];
const RESTRICTED: &[Framework] = &[Framework::PssRestricted];
const CATEGORY: &str = "pod-security-standards";

/// The reference to a control of the Pod Security Standards page.
const fn pss_reference(id: &'static str, url: &'static str) -> Reference {
    Reference {
        framework: "Pod Security Standards",
        id,
        url,
    }
}

/// `"name"`, as Pod Security Admission quotes names (no escaping).
fn quote(name: &str) -> String {
    format!("\"{name}\"")
}

/// `container "name"`.
fn container_subject(container: &ContainerView<'_>) -> String {
    format!("container {}", quote(container.name))
}

/// The Windows exemption of the Linux-only restricted controls (policy v1.25 and later).
fn is_windows(pod: &PodView<'_>) -> bool {
    pod.os_name() == Some("windows")
}

/// `spec.hostUsers: false`: the pod runs in a user namespace (relaxations from v1.35).
fn in_user_namespace(pod: &PodView<'_>) -> bool {
    pod.get("hostUsers").and_then(|n| n.as_bool()) == Some(false)
}

/// Path of a container's `securityContext` field.
fn sc_path(container: &ContainerView<'_>, fields: &[&str]) -> JsonPath {
    container.path.key("securityContext").keys(fields)
}

/// Path of a pod `securityContext` field.
fn pod_sc_path(pod: &PodView<'_>, fields: &[&str]) -> JsonPath {
    pod.spec_path.key("securityContext").keys(fields)
}

#[cfg(test)]
mod tests;
