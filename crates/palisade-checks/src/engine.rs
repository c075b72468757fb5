//! Runs the rules on objects, applies `palisade.dev/ignore` annotations, and turns violations
//! into findings.

use std::collections::{HashMap, HashSet};

use palisade_core::config::Config;
use palisade_core::{
    Finding, Framework, InputError, RuleMeta, Severity, Suppressed, Suppression, SuppressionKind,
    discriminator,
};
use palisade_k8s::{JsonPath, Object, pod_view};

use crate::inventory::Inventory;
use crate::namespace;
use crate::pss::{self, Level, Policy, Version};
use crate::registry;
use crate::rules::{self, Context, Settings};
use crate::violation::Violation;

/// The annotation that accepts findings on one object: `"<rule>[,<rule>]: <reason>"`.
pub const IGNORE_ANNOTATION: &str = "palisade.dev/ignore";

/// The rules whose severity `[images] digest_pinning` sets: the manifest rule and its
/// Dockerfile twin (palisade-dockerfile's `baseImageDigest`).
const DIGEST_RULES: &[&str] = &["imageDigest", "baseImageDigest"];
/// The rules that only run with `[images] allowed_registries` (manifests, Dockerfiles).
const REGISTRY_RULES: &[&str] = &["allowedRegistries", "baseImageRegistry"];

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
    /// What the rules know about the whole input.
    pub inventory: Inventory,
    pub settings: Settings,
    /// `--checks` / `[rules] enable`: when non-empty, only these rule ids run.
    pub only: HashSet<String>,
    /// `--skip-checks` / `[rules] disable`.
    pub skip: HashSet<String>,
    /// `--framework`: when non-empty, only rules in one of these frameworks run.
    pub frameworks: Vec<Framework>,
    /// `[rules.severity]` (and `[images] digest_pinning`).
    pub severity: HashMap<String, Severity>,
    /// Namespaces whose objects are not checked (the system namespaces, by default).
    pub skip_namespaces: HashSet<String>,
}

/// The outcome of checking one object.
#[derive(Debug, Default)]
pub struct Checked {
    pub findings: Vec<Finding>,
    /// Findings a `palisade.dev/ignore` annotation accepted.
    pub suppressed: Vec<Suppressed>,
    /// Malformed ignore annotations.
    pub errors: Vec<InputError>,
    /// The rules that applied to the object (whether or not they found something).
    pub ran: Vec<&'static str>,
}

impl Engine {
    /// Applies a configuration file's rule selection, severities, image policy and system
    /// namespaces. Command-line selections are added by the caller on top.
    pub fn configure(&mut self, config: &Config) {
        if let Some(enable) = &config.enable {
            self.only.extend(enable.iter().cloned());
        }
        self.skip.extend(config.disable.iter().cloned());
        for rule in DIGEST_RULES {
            match config.digest_pinning {
                None => self.skip.insert(rule.to_string()),
                Some(severity) => self.severity.insert(rule.to_string(), severity).is_some(),
            };
        }
        self.severity
            .extend(config.severity.iter().map(|(id, s)| (id.clone(), *s)));
        self.settings.allowed_registries = config.allowed_registries.clone();
        if config.allowed_registries.is_none() {
            // Without an allow-list there is nothing to check (and no control to pass).
            self.skip
                .extend(REGISTRY_RULES.iter().map(|r| r.to_string()));
        }
        self.skip_namespaces = if config.include_system_namespaces {
            HashSet::new()
        } else {
            config.system_namespaces.iter().cloned().collect()
        };
    }

    pub fn enabled(&self, rule: &RuleMeta) -> bool {
        (self.only.is_empty() || self.only.contains(rule.id))
            && !self.skip.contains(rule.id)
            && (self.frameworks.is_empty() || self.frameworks.iter().any(|f| rule.in_framework(*f)))
    }

    /// Whether the checks to run read the inventory: the Pod Security checks take their level
    /// and version from Namespace labels unless both are given, and the token rule reads
    /// ServiceAccounts and bindings. When none does, the scan skips the inventory pass.
    pub fn needs_inventory(&self) -> bool {
        let levels_from_labels = (self.pss.level.is_none() || self.pss.version.is_none())
            && pss::CHECKS.iter().any(|check| self.enabled(&check.meta));
        levels_from_labels || rules::reading_inventory().any(|rule| self.enabled(&rule.meta))
    }

    /// Objects in a skipped (system) namespace are not checked; a Namespace object counts as
    /// being in itself.
    pub fn is_skipped(&self, object: &Object) -> bool {
        let namespace = if namespace::is_namespace(object) {
            Some(object.name.as_str())
        } else {
            object.namespace.as_deref()
        };
        namespace.is_some_and(|ns| self.skip_namespaces.contains(ns))
    }

    /// The policy a pod in `namespace` is evaluated at: the user's explicit choice, else the
    /// namespace's enforce labels, else restricted at the latest version.
    pub fn policy_for(&self, namespace: Option<&str>) -> Policy {
        let labelled = self
            .inventory
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

    /// Runs every enabled rule that applies to `object`.
    pub fn check(&self, object: &Object) -> Checked {
        self.check_rules(object, false)
    }

    /// Only the rules about the cluster's own configuration: for objects of the system
    /// namespaces, where the workload rules stay quiet.
    pub fn check_configuration(&self, object: &Object) -> Checked {
        self.check_rules(object, true)
    }

    fn check_rules(&self, object: &Object, configuration_only: bool) -> Checked {
        let mut checked = Checked::default();
        let mut violations: Vec<(&'static RuleMeta, Violation)> = Vec::new();
        let mut pss_checks = Vec::new();
        let pod = if configuration_only {
            None
        } else {
            pod_view(object)
        };
        if let Some(pod) = pod {
            let policy = self.policy_for(object.namespace.as_deref());
            for (check, revision) in pss::checks_for(policy) {
                if self.enabled(&check.meta) {
                    pss_checks.push(check.meta.id);
                    violations.extend((revision.check)(&pod).into_iter().map(|v| (&check.meta, v)));
                }
            }
        }
        checked.ran.extend(&pss_checks);
        if !configuration_only && namespace::is_namespace(object) && self.enabled(&namespace::RULE)
        {
            checked.ran.push(namespace::RULE.id);
            violations.extend(
                namespace::check(object)
                    .into_iter()
                    .map(|v| (&namespace::RULE, v)),
            );
        }
        let context = Context {
            settings: &self.settings,
            inventory: &self.inventory,
            pss_checks: &pss_checks,
        };
        let rules: Box<dyn Iterator<Item = &'static rules::Rule>> = if configuration_only {
            Box::new(rules::configuration())
        } else {
            Box::new(rules::all())
        };
        for rule in rules {
            if self.enabled(&rule.meta) && (rule.applies)(object) {
                checked.ran.push(rule.meta.id);
                violations.extend(
                    (rule.check)(&context, object)
                        .into_iter()
                        .map(|v| (&rule.meta, v)),
                );
            }
        }
        // Parsed even without violations: a malformed annotation is an error either way.
        let (accepted, errors) = ignore_annotations(object);
        checked.errors = errors;
        if violations.is_empty() {
            return checked;
        }
        let object_ref = std::sync::Arc::new(object.object_ref());
        for (rule, violation) in violations {
            let finding = Finding {
                rule,
                severity: self
                    .severity
                    .get(rule.id)
                    .copied()
                    .or(violation.severity)
                    .unwrap_or(rule.severity),
                message: violation.message.into_boxed_str(),
                object: object_ref.clone(),
                location: object.location(&violation.path),
                discriminator: violation.discriminator.as_deref().map_or(0, discriminator),
                subject: None,
            };
            match accepted.iter().find(|a| a.rules.contains(&rule.id)) {
                Some(annotation) => checked.suppressed.push(Suppressed {
                    finding,
                    suppression: Suppression {
                        kind: SuppressionKind::Annotation,
                        justification: annotation.reason.clone(),
                        source: format!("{}:{}", annotation.file, annotation.line),
                    },
                }),
                None => checked.findings.push(finding),
            }
        }
        checked
    }
}

/// One well-formed `palisade.dev/ignore` annotation.
struct Accepted {
    rules: Vec<&'static str>,
    reason: String,
    file: String,
    line: u32,
}

/// The ignore annotations of an object's metadata and, for workloads, of its pod template:
/// `"<rule>[,<rule>]: <reason>"`, rules by id or kebab-case name.
fn ignore_annotations(object: &Object) -> (Vec<Accepted>, Vec<InputError>) {
    let mut sources = vec![(object.metadata(), JsonPath::root().key("metadata"))];
    if let Some(pod) = pod_view(object).filter(|p| p.metadata_path != sources[0].1) {
        sources.push((pod.metadata, pod.metadata_path));
    }
    let mut accepted = Vec::new();
    let mut errors = Vec::new();
    for (metadata, metadata_path) in sources {
        let Some(value) = metadata
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(IGNORE_ANNOTATION))
        else {
            continue;
        };
        let location = object.location(&metadata_path.keys(&["annotations", IGNORE_ANNOTATION]));
        match parse_ignore_annotation(value.as_str().unwrap_or("")) {
            Ok((rules, reason)) => accepted.push(Accepted {
                rules,
                reason,
                file: location.file.to_string(),
                line: location.line,
            }),
            Err(problem) => errors.push(InputError {
                file: location.file.to_string(),
                line: Some(location.line),
                column: Some(location.column),
                message: format!("{IGNORE_ANNOTATION} annotation: {problem}"),
            }),
        }
    }
    (accepted, errors)
}

/// Parses `"<rule>[,<rule>]: <reason>"` into canonical rule ids and the reason.
pub fn parse_ignore_annotation(value: &str) -> Result<(Vec<&'static str>, String), String> {
    let Some((rules, reason)) = value.split_once(':') else {
        return Err(format!("{value:?} must read \"<rule>[,<rule>]: <reason>\""));
    };
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(format!("{value:?} gives no reason after the colon"));
    }
    let rules = rules
        .split(',')
        .map(|id| {
            registry::find(id.trim()).map(|r| r.id).ok_or_else(|| {
                format!("unknown rule {:?}; `palisade checks` lists them", id.trim())
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rules, reason.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inventory_is_read_only_when_a_check_needs_it() {
        assert!(Engine::default().needs_inventory());
        let secrets_only = Engine {
            only: ["secretInEnv", "secretManifest"]
                .map(String::from)
                .into_iter()
                .collect(),
            ..Default::default()
        };
        assert!(!secrets_only.needs_inventory());
        let tokens = Engine {
            only: ["automountServiceAccountToken".to_string()].into(),
            ..Default::default()
        };
        assert!(tokens.needs_inventory());
        // Pod Security checks at an explicit level and version ignore Namespace labels.
        let explicit = Engine {
            only: ["privileged".to_string()].into(),
            pss: PssSettings {
                level: Some(Level::Baseline),
                version: Some(Version::Latest),
            },
            ..Default::default()
        };
        assert!(!explicit.needs_inventory());
        let labelled = Engine {
            pss: PssSettings {
                level: Some(Level::Baseline),
                version: None,
            },
            ..explicit
        };
        assert!(labelled.needs_inventory());
    }

    #[test]
    fn ignore_annotation_syntax() {
        let (rules, reason) =
            parse_ignore_annotation("privileged, host-namespaces: the CNI needs it").unwrap();
        assert_eq!(rules, vec!["privileged", "hostNamespaces"]);
        assert_eq!(reason, "the CNI needs it");
        assert!(
            parse_ignore_annotation("privileged")
                .unwrap_err()
                .contains("must read")
        );
        assert!(
            parse_ignore_annotation("privileged:  ")
                .unwrap_err()
                .contains("no reason")
        );
        assert!(
            parse_ignore_annotation("nope: x")
                .unwrap_err()
                .contains("unknown rule")
        );
    }
}
