//! Image hardening rules, one per file: they judge the image config (user, exposed ports,
//! environment, build history) the way the Dockerfile rules judge the file it was built from —
//! for images whose Dockerfile is not at hand.

mod not_minimal;
mod root_user;
mod secret_in_config;
mod secret_in_layer;
mod ssh_exposed;

use std::sync::Arc;

use palisade_core::{Finding, Location, ObjectRef, RuleMeta, Severity};

const CATEGORY: &str = "image";

use crate::layer_secrets::LayerSecret;
use crate::minimality::Minimality;

/// What the image rules judge: the config JSON, the layer digests, the secrets found in the
/// layers, and how minimal the flattened image is.
pub struct ImageFacts<'a> {
    pub config: &'a serde_json::Value,
    pub layers: &'a [String],
    pub layer_secrets: &'a [LayerSecret],
    pub minimality: &'a Minimality,
}

/// One image rule.
pub struct Rule {
    pub meta: RuleMeta,
    pub check: fn(&ImageFacts<'_>) -> Vec<Violation>,
}

/// One problem, at a JSON path of the image config (`config.User`, `history[3].created_by`).
pub struct Violation {
    pub path: String,
    pub message: String,
    pub severity: Option<Severity>,
}

/// Every image rule.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    [
        &root_user::RULE,
        &ssh_exposed::RULE,
        &secret_in_config::RULE,
        &secret_in_layer::RULE,
        &not_minimal::RULE,
    ]
    .into_iter()
}

/// The image as the object its findings are about: kind `Image`, named by its reference.
pub fn object(reference: &str) -> ObjectRef {
    ObjectRef {
        api_version: String::new(),
        kind: "Image".to_string(),
        namespace: None,
        name: reference.to_string(),
    }
}

/// The findings of the enabled rules on an image's config JSON. The object is the image (its
/// reference); the location is the config path (no line: the config is not a source file).
pub fn check(
    reference: &str,
    facts: &ImageFacts<'_>,
    enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Vec<Finding> {
    let object = Arc::new(object(reference));
    let file: Arc<str> = Arc::from(reference);
    all()
        .filter(|rule| enabled(&rule.meta))
        .flat_map(|rule| {
            (rule.check)(facts).into_iter().map(|v| Finding {
                rule: &rule.meta,
                severity: v.severity.unwrap_or(rule.meta.severity),
                message: palisade_core::secrets::redact_all(&v.message).into_boxed_str(),
                object: object.clone(),
                location: Location {
                    file: file.clone(),
                    line: 0,
                    column: 0,
                    path: v.path.into(),
                    object_path_start: 0,
                },
                discriminator: 0,
                subject: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON block after `marker` in a rule's doc.
    fn example(doc: &str, marker: &str) -> serde_json::Value {
        let after = &doc[doc.find(marker).expect(marker)..];
        let start = after.find("```json\n").expect("a json block") + 8;
        let end = start + after[start..].find("```").expect("a closed block");
        serde_json::from_str(&after[start..end]).expect("valid JSON")
    }

    /// Every config rule's documented examples hold: the failing config fails, the passing one
    /// passes.
    #[test]
    fn documented_examples_hold() {
        fn violations(rule: &Rule, config: &serde_json::Value) -> usize {
            let facts = ImageFacts {
                config,
                layers: &[],
                layer_secrets: &[],
                minimality: &Minimality::default(),
            };
            (rule.check)(&facts).len()
        }
        for rule in all().filter(|r| r.meta.doc.contains("```json")) {
            let failing = example(rule.meta.doc, "**Failing**");
            let passing = example(rule.meta.doc, "**Passing**");
            let id = rule.meta.id;
            assert!(
                violations(rule, &failing) > 0,
                "{id}: failing example passes"
            );
            assert_eq!(violations(rule, &passing), 0, "{id}: passing example fails");
        }
    }
}
