//! Label selectors (`matchLabels` and `matchExpressions` with `In`, `NotIn`, `Exists`,
//! `DoesNotExist`), as `metav1.LabelSelectorAsSelector` reads them: every requirement must
//! hold; an empty selector matches everything; an unknown operator matches nothing.

use std::collections::BTreeMap;

use palisade_k8s::Node;

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
    /// An operator Kubernetes rejects: the selector matches nothing.
    Invalid,
}

/// A label selector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// The selector a `LabelSelector` node describes.
    pub fn from_node(node: &Node) -> LabelSelector {
        let mut requirements = Vec::new();
        for entry in node.get("matchLabels").map_or(&[][..], Node::entries) {
            if let Some(value) = entry.value.as_str() {
                requirements.push(Requirement::In(
                    entry.key.as_str().to_string(),
                    vec![value.to_string()],
                ));
            }
        }
        for expression in node.get("matchExpressions").map_or(&[][..], Node::items) {
            let key = expression
                .get("key")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string();
            let values: Vec<String> = expression
                .get("values")
                .map_or(&[][..], Node::items)
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            requirements.push(match expression.get("operator").and_then(Node::as_str) {
                Some("In") if !values.is_empty() => Requirement::In(key, values),
                Some("NotIn") if !values.is_empty() => Requirement::NotIn(key, values),
                Some("Exists") if values.is_empty() => Requirement::Exists(key),
                Some("DoesNotExist") if values.is_empty() => Requirement::DoesNotExist(key),
                _ => Requirement::Invalid,
            });
        }
        LabelSelector { requirements }
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements
            .iter()
            .all(|requirement| match requirement {
                Requirement::In(key, values) => labels.get(key).is_some_and(|v| values.contains(v)),
                Requirement::NotIn(key, values) => {
                    labels.get(key).is_none_or(|v| !values.contains(v))
                }
                Requirement::Exists(key) => labels.contains_key(key),
                Requirement::DoesNotExist(key) => !labels.contains_key(key),
                Requirement::Invalid => false,
            })
    }
}
