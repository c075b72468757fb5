//! Label selectors as `metav1.LabelSelectorAsSelector` reads them: `matchLabels` and
//! `matchExpressions` (`In`, `NotIn`, `Exists`, `DoesNotExist`) must all hold; an empty
//! selector matches everything; `NotIn` and `DoesNotExist` match objects that lack the key.
//! A selector the API server would reject (unknown operator, values where none belong) is an
//! error here, so that the policy holding it can be left out with a recorded problem.

use std::fmt;
use std::sync::Arc;

use palisade_core::intern::intern;

use crate::Node;

/// Labels of a pod or namespace: sorted by key, each key once, the texts interned. The same keys
/// and values recur across thousands of workloads, and a map's nodes would cost more than the
/// few labels an object carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(Vec<(Arc<str>, Arc<str>)>);

impl Labels {
    pub fn new() -> Labels {
        Labels::default()
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.position(key).ok().map(|i| &*self.0[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets `key` to `value`, replacing what it held.
    pub fn insert(&mut self, key: &str, value: &str) {
        match self.position(key) {
            Ok(i) => self.0[i].1 = intern(value),
            Err(i) => self.0.insert(i, (intern(key), intern(value))),
        }
    }

    /// The labels in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (&**k, &**v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| (**k).cmp(key))
    }
}

/// Later pairs win, as in a map.
impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Labels {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Labels {
        let mut labels = Labels::new();
        for (key, value) in pairs {
            labels.insert(key.as_ref(), value.as_ref());
        }
        labels
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> From<[(K, V); N]> for Labels {
    fn from(pairs: [(K, V); N]) -> Labels {
        pairs.into_iter().collect()
    }
}

/// A JSON object, as the API server writes labels.
impl serde::Serialize for Labels {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// The labels of a `labels:` mapping; values that are not scalars are dropped.
pub fn labels_of(node: Option<&Node>) -> Labels {
    node.map_or(&[][..], Node::entries)
        .iter()
        .filter_map(|e| Some((e.key.as_str(), e.value.as_str()?)))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// The selector that matches exactly the objects carrying all of `labels`.
    pub fn match_labels(labels: &Labels) -> LabelSelector {
        LabelSelector {
            requirements: labels
                .iter()
                .map(|(k, v)| Requirement::In(k.to_string(), vec![v.to_string()]))
                .collect(),
        }
    }

    /// The selector a `LabelSelector` node describes, or why the API server would reject it.
    pub fn from_node(node: &Node) -> Result<LabelSelector, String> {
        if !node.is_map() {
            return Err(format!(
                "a label selector must be a mapping, not {}",
                node.describe()
            ));
        }
        let mut requirements = Vec::new();
        for entry in node.get("matchLabels").map_or(&[][..], Node::entries) {
            let value = entry
                .value
                .as_str()
                .ok_or_else(|| format!("matchLabels.{} must be a string", entry.key))?;
            requirements.push(Requirement::In(entry.key.clone(), vec![value.to_string()]));
        }
        for expression in node.get("matchExpressions").map_or(&[][..], Node::items) {
            let key = expression
                .get("key")
                .and_then(Node::as_str)
                .filter(|k| !k.is_empty())
                .ok_or("a matchExpressions entry needs a key")?
                .to_string();
            let values: Vec<String> = expression
                .get("values")
                .map_or(&[][..], Node::items)
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let operator = expression.get("operator").and_then(Node::as_str);
            requirements.push(match operator {
                Some("In") if !values.is_empty() => Requirement::In(key, values),
                Some("NotIn") if !values.is_empty() => Requirement::NotIn(key, values),
                Some("Exists") if values.is_empty() => Requirement::Exists(key),
                Some("DoesNotExist") if values.is_empty() => Requirement::DoesNotExist(key),
                Some(op @ ("In" | "NotIn")) => {
                    return Err(format!("operator {op} on {key} needs values"));
                }
                Some(op @ ("Exists" | "DoesNotExist")) => {
                    return Err(format!("operator {op} on {key} takes no values"));
                }
                Some(op) => return Err(format!("unknown selector operator {op:?}")),
                None => return Err(format!("the expression on {key} has no operator")),
            });
        }
        Ok(LabelSelector { requirements })
    }

    /// Whether this selector matches every object (`{}`).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::In(key, values) => labels
                .get(key)
                .is_some_and(|v| values.iter().any(|value| value == v)),
            Requirement::NotIn(key, values) => labels
                .get(key)
                .is_none_or(|v| values.iter().all(|value| value != v)),
            Requirement::Exists(key) => labels.contains_key(key),
            Requirement::DoesNotExist(key) => !labels.contains_key(key),
        })
    }
}

/// kubectl's selector syntax: `app=web,tier in (a,b),!legacy`; `{}` for the empty selector.
impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.requirements.is_empty() {
            return f.write_str("{}");
        }
        for (i, requirement) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match requirement {
                Requirement::In(key, values) if values.len() == 1 => {
                    write!(f, "{key}={}", values[0])?
                }
                Requirement::In(key, values) => write!(f, "{key} in ({})", values.join(","))?,
                Requirement::NotIn(key, values) => write!(f, "{key} notin ({})", values.join(","))?,
                Requirement::Exists(key) => f.write_str(key)?,
                Requirement::DoesNotExist(key) => write!(f, "!{key}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load_stream;
    use std::sync::Arc;

    fn selector(yaml: &str) -> Result<LabelSelector, String> {
        let text = format!("apiVersion: v1\nkind: X\nselector: {yaml}\n");
        let loaded = load_stream(&Arc::from("s.yaml"), &text);
        LabelSelector::from_node(loaded.objects[0].root.get("selector").unwrap())
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().copied().collect()
    }

    #[test]
    fn empty_selector_matches_everything() {
        let empty = selector("{}").unwrap();
        assert!(empty.is_empty());
        assert!(empty.matches(&Labels::new()));
        assert!(empty.matches(&labels(&[("app", "web")])));
    }

    #[test]
    fn match_labels_and_expressions_must_all_hold() {
        let s = selector(
            "{matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [a, b]}]}",
        )
        .unwrap();
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "a")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "c")])));
        assert!(!s.matches(&labels(&[("app", "web")])));
        assert_eq!(s.to_string(), "app=web,tier in (a,b)");
    }

    #[test]
    fn not_in_and_does_not_exist_match_objects_without_the_key() {
        let not_in =
            selector("{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}").unwrap();
        assert!(not_in.matches(&Labels::new()));
        assert!(not_in.matches(&labels(&[("env", "dev")])));
        assert!(!not_in.matches(&labels(&[("env", "prod")])));
        let absent = selector("{matchExpressions: [{key: env, operator: DoesNotExist}]}").unwrap();
        assert!(absent.matches(&Labels::new()));
        assert!(!absent.matches(&labels(&[("env", "dev")])));
        let exists = selector("{matchExpressions: [{key: env, operator: Exists}]}").unwrap();
        assert!(!exists.matches(&Labels::new()));
        assert!(exists.matches(&labels(&[("env", "")])));
    }

    #[test]
    fn selectors_the_api_server_rejects_are_errors() {
        for bad in [
            "{matchExpressions: [{key: a, operator: Equals, values: [x]}]}",
            "{matchExpressions: [{key: a, operator: In}]}",
            "{matchExpressions: [{key: a, operator: Exists, values: [x]}]}",
            "{matchExpressions: [{operator: Exists}]}",
            "{matchLabels: {a: [x]}}",
            "[a]",
        ] {
            assert!(selector(bad).is_err(), "{bad}");
        }
    }
}
