//! Runs the rules on objects and turns their violations into findings.

use std::collections::HashSet;

use palisade_core::{Finding, Framework, RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object, pod_view};

use crate::namespace::{self, NamespacePolicies};
use crate::pss::{self, Level, Policy, Version};

/// How pods are evaluated against the Pod Security Standards.
#[derive(Debug, Clone, Copy, Default)]
pub struct PssSettings {
    /// `--framework pss-baseline|pss-restricted`: overrides namespace labels when set.
    pub level: Option<Level>,
    /// `--pss-version`: overrides namespace labels when set.
    pub version: Option<Version>,
}

/// Rule selection and evaluation settings for one scan.
#[derive(Debug, Default)]
pub struct Engine {
    pub pss: PssSettings,
    /// The enforce labels of the namespaces found in the input.
    pub namespaces: NamespacePolicies,
    /// `--checks`: when non-empty, only these rule ids run.
    pub only: HashSet<String>,
    /// `--skip-checks`.
    pub skip: HashSet<String>,
    /// `--framework`: when non-empty, only rules in one of these frameworks run.
    pub frameworks: Vec<Framework>,
}

impl Engine {
    fn enabled(&self, rule: &RuleMeta) -> bool {
        (self.only.is_empty() || self.only.contains(rule.id))
            && !self.skip.contains(rule.id)
            && (self.frameworks.is_empty()
                || rule.frameworks.iter().any(|f| self.frameworks.contains(f)))
    }

    /// The policy a pod in `namespace` is evaluated at: the user's explicit choice, else the
    /// namespace's enforce labels, else restricted at the latest version.
    pub fn policy_for(&self, namespace: Option<&str>) -> Policy {
        let labelled = self
            .namespaces
            .get(namespace.unwrap_or("default"))
            .and_then(|n| n.enforce);
        Policy {
            level: self
                .pss
                .level
                .or(labelled.map(|p| p.level))
                .unwrap_or(Level::Restricted),
            version: self
                .pss
                .version
                .or(labelled.map(|p| p.version))
                .unwrap_or(Version::Latest),
        }
    }

    /// The ids of the rules that run on `object` (for reports that list passing checks).
    pub fn rules_for(&self, object: &Object) -> Vec<&'static str> {
        let mut rules = Vec::new();
        if pod_view(object).is_some() {
            let policy = self.policy_for(object.namespace.as_deref());
            rules.extend(
                pss::checks_for(policy)
                    .into_iter()
                    .map(|(c, _)| &c.meta)
                    .filter(|m| self.enabled(m))
                    .map(|m| m.id),
            );
        }
        if namespace::is_namespace(object) && self.enabled(&namespace::RULE) {
            rules.push(namespace::RULE.id);
        }
        rules
    }

    /// All findings for one object.
    pub fn check(&self, object: &Object) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut emit =
            |rule: &'static RuleMeta, path: &JsonPath, message: String, severity: Severity| {
                findings.push(Finding {
                    rule,
                    severity,
                    message,
                    object: object.object_ref(),
                    location: object.location(path),
                });
            };
        if let Some(pod) = pod_view(object) {
            let policy = self.policy_for(object.namespace.as_deref());
            for (check, violation) in pss::evaluate(&pod, policy) {
                if self.enabled(&check.meta) {
                    emit(
                        &check.meta,
                        &violation.path,
                        violation.message,
                        check.meta.severity,
                    );
                }
            }
        }
        if namespace::is_namespace(object) && self.enabled(&namespace::RULE) {
            for (path, message, severity) in namespace::check(object) {
                emit(&namespace::RULE, &path, message, severity);
            }
        }
        findings
    }
}
