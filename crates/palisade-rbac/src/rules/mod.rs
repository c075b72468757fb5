//! Risky RBAC grants, one rule per file, judged with the bindings (a risky rule that nothing
//! binds is informational): each finding points at the rule of the role that grants the
//! permission and names who holds it through which binding.

mod admission_write;
mod anonymous_binding;
mod cluster_admin_binding;
mod csr_approval;
mod default_service_account;
pub mod escalation_path;
mod escalation_verbs;
mod missing_service_account;
mod persistent_volume_create;
mod pod_create;

pub(crate) use pod_create::POD_CREATORS;
mod pod_exec;
mod secrets_read;
mod token_create;
mod unused_role;
mod wildcard;

use std::collections::HashMap;

use rayon::prelude::*;

use palisade_core::{Finding, Hit, RuleMeta, Severity};

use crate::authorizer::Policy;
use crate::model::{Binding, Rule, Subject};

const CATEGORY: &str = "rbac";

/// One RBAC rule: its registry entry and the check over the whole policy.
pub struct RbacRule {
    pub meta: RuleMeta,
    pub check: fn(&Policy) -> Vec<Hit>,
}

/// Every RBAC rule.
pub fn all() -> impl Iterator<Item = &'static RbacRule> {
    [
        &wildcard::RULE,
        &secrets_read::RULE,
        &pod_exec::RULE,
        &escalation_verbs::RULE,
        &cluster_admin_binding::RULE,
        &pod_create::RULE,
        &token_create::RULE,
        &anonymous_binding::RULE,
        &default_service_account::RULE,
        &admission_write::RULE,
        &csr_approval::RULE,
        &unused_role::RULE,
        &missing_service_account::RULE,
        &persistent_volume_create::RULE,
        &escalation_path::RULE,
    ]
    .into_iter()
}

/// The findings of the enabled rules on a policy, the rules in parallel (the escalation paths
/// take as long as the others together).
pub fn check(policy: &Policy, enabled: &(dyn Fn(&RuleMeta) -> bool + Sync)) -> Vec<Finding> {
    let rules: Vec<&RbacRule> = all().filter(|rule| enabled(&rule.meta)).collect();
    rules
        .into_par_iter()
        .flat_map_iter(|rule| {
            (rule.check)(policy)
                .into_iter()
                .map(|hit| hit.into_finding(&rule.meta))
        })
        .collect()
}

/// Whether a rule grants `verb` on `group`/`resource` (whatever its resource names).
fn covers(rule: &Rule, verb: &str, group: &str, resource: &str) -> bool {
    crate::authorizer::rule_grants(rule, verb, group, resource)
}

/// Whether a binding's subject is a risk: its severity and who the subject stands for.
type RiskySubject<'a> = dyn Fn(&Binding, &Subject) -> Option<(Severity, &'static str)> + 'a;

/// The findings of a per-subject check: every subject of every binding that `risky` names
/// (with a severity and who that subject is), pointing at the subject.
fn subject_hits(policy: &Policy, risky: &RiskySubject<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for binding in policy.bindings.iter().filter(|b| !b.is_default) {
        for (index, subject) in binding.subjects.iter().enumerate() {
            let Some((severity, who)) = risky(binding, subject) else {
                continue;
            };
            let scope = scope(binding);
            hits.push(Hit {
                object: binding.source.object.clone(),
                location: binding
                    .source
                    .items
                    .get(index)
                    .cloned()
                    .unwrap_or_else(|| binding.source.location.clone()),
                message: format!(
                    "{} grants {} {} {scope} to {} ({who})",
                    binding.name, binding.role_ref.kind, binding.role_ref.name, subject
                ),
                severity: Some(severity),
            });
        }
    }
    hits
}

/// Where a binding grants its role: `in namespace shop`, or `cluster-wide`.
fn scope(binding: &Binding) -> String {
    match &binding.namespace {
        Some(namespace) => format!("in namespace {namespace}"),
        None => "cluster-wide".to_string(),
    }
}

/// The bindings of each role (by namespace and name), built once per check.
fn bindings_by_role(policy: &Policy) -> HashMap<(Option<&str>, &str), Vec<&Binding>> {
    let mut index: HashMap<(Option<&str>, &str), Vec<&Binding>> = HashMap::new();
    for binding in &policy.bindings {
        if let Some(role) = policy.role_of(binding) {
            index
                .entry((role.namespace.as_deref(), role.name.as_str()))
                .or_default()
                .push(binding);
        }
    }
    index
}

/// A phrase naming who holds a role through its bindings.
fn holders(bindings: &[&Binding]) -> String {
    if bindings.is_empty() {
        return "nothing binds it".to_string();
    }
    let phrases: Vec<String> = bindings
        .iter()
        .map(|b| {
            let scope = scope(b);
            let subjects: Vec<String> = b.subjects.iter().map(ToString::to_string).collect();
            format!(
                "{} {scope} via {} {}",
                subjects.join(", "),
                b.kind(),
                b.name
            )
        })
        .collect();
    format!("held by {}", phrases.join("; "))
}

/// The findings of a per-rule check: every rule of every role that `grants` matches, with the
/// severity raised for cluster-wide grants and lowered to info when nothing binds the role.
fn role_rule_hits(
    policy: &Policy,
    grants: &dyn Fn(&Rule) -> Option<String>,
    cluster: Severity,
    namespaced: Severity,
) -> Vec<Hit> {
    let mut hits = Vec::new();
    let by_role = bindings_by_role(policy);
    for role in policy.roles.values().filter(|role| !role.is_default()) {
        let bindings: &[&Binding] = by_role
            .get(&(role.namespace.as_deref(), role.name.as_str()))
            .map_or(&[], Vec::as_slice);
        for (index, rule) in role.rules.iter().enumerate() {
            let Some(what) = grants(rule) else {
                continue;
            };
            let holders = holders(bindings);
            let severity = if bindings.is_empty() {
                Severity::Info
            } else if bindings.iter().any(|b| b.namespace.is_none()) {
                cluster
            } else {
                namespaced
            };
            let kind = if role.namespace.is_some() {
                "Role"
            } else {
                "ClusterRole"
            };
            hits.push(Hit {
                object: role.source.object.clone(),
                location: role
                    .source
                    .items
                    .get(index)
                    .cloned()
                    .unwrap_or_else(|| role.source.location.clone()),
                message: format!("{kind} {} grants {what}; {holders}", role.name),
                severity: Some(severity),
            });
        }
    }
    hits
}
