//! Namespaces as Pod Security boundaries: the `pod-security.kubernetes.io/enforce` labels that
//! decide the level and version pods in a namespace are evaluated at, and the rule that flags
//! namespaces without (or with an invalid) enforce label.

use std::collections::HashMap;

use palisade_core::{Framework, Reference, RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use crate::frameworks::{cis, nsa};
use crate::pss::{Level, Policy, Version};
use crate::violation::Violation;

pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";

pub static RULE: RuleMeta = RuleMeta {
    id: "namespacePodSecurityLabel",
    name: "namespace-pod-security-label",
    severity: Severity::Low,
    category: "namespaces",
    title: "Namespace without a Pod Security enforce label",
    doc: r#"A namespace should say which Pod Security Standards level the API server enforces on it.

**What it finds.** A `Namespace` without the `pod-security.kubernetes.io/enforce` label, or with
an invalid `enforce` or `enforce-version` value. Without the label, Pod Security Admission
admits every pod in the namespace at the `privileged` level (unless the cluster-wide admission
configuration says otherwise); an invalid level is treated as `restricted`, an invalid version
as `latest`.

palisade evaluates the pods of a namespace found in the input at the level and version of its
`enforce` labels, unless `--framework pss-*` or `--pss-version` override them.

**Failing**
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
```

**Passing**
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.33
```"#,
    remediation: "Label the namespace with `pod-security.kubernetes.io/enforce: restricted` (or `baseline`) and pin `pod-security.kubernetes.io/enforce-version`.",
    aliases: &[],
    frameworks: &[Framework::PssBaseline, Framework::PssRestricted],
    references: &[
        Reference {
            framework: "Pod Security Admission",
            id: "namespace-labels",
            url: "https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces",
        },
        cis("5.2.1"),
        nsa("pod-security-enforcement"),
    ],
};

/// What a Namespace's labels say about Pod Security enforcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceLabels {
    /// The enforced policy; `None` when the namespace has no `enforce` label.
    pub enforce: Option<Policy>,
    /// Label values Pod Security Admission would reject, as `(label, value, problem)`.
    pub invalid: Vec<(&'static str, String, String)>,
}

/// Reads the enforce labels of a Namespace object as Pod Security Admission does: an invalid
/// level fails closed to `restricted`, an invalid version falls back to `latest`.
pub fn namespace_labels(namespace: &Object) -> NamespaceLabels {
    let label = |key: &str| {
        namespace
            .labels()
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.value.as_str().unwrap_or("").to_string())
    };
    let mut invalid = Vec::new();
    let enforce = label(ENFORCE_LABEL).map(|level| {
        let level = level.parse::<Level>().unwrap_or_else(|problem| {
            invalid.push((ENFORCE_LABEL, level.clone(), problem));
            Level::Restricted
        });
        let version = match label(ENFORCE_VERSION_LABEL) {
            None => Version::Latest,
            Some(version) => version.parse().unwrap_or_else(|problem| {
                invalid.push((ENFORCE_VERSION_LABEL, version.clone(), problem));
                Version::Latest
            }),
        };
        Policy { level, version }
    });
    NamespaceLabels { enforce, invalid }
}

/// The enforce policies of the namespaces in the input, by namespace name.
pub type NamespacePolicies = HashMap<String, NamespaceLabels>;

pub fn is_namespace(object: &Object) -> bool {
    object.kind == "Namespace" && object.group().is_empty()
}

/// The namespace rule's violations for one Namespace object.
pub fn check(namespace: &Object) -> Vec<Violation> {
    let labels = namespace_labels(namespace);
    let labels_path = JsonPath::root().keys(&["metadata", "labels"]);
    if labels.enforce.is_none() {
        return vec![Violation::at(
            labels_path,
            format!(
                "namespace {:?} has no {ENFORCE_LABEL} label: Pod Security Admission admits any pod in it",
                namespace.name
            ),
        )];
    }
    labels
        .invalid
        .into_iter()
        .map(|(label, value, problem)| {
            Violation::at(
                labels_path.key(label),
                format!(
                    "namespace {:?} has an invalid {label} label {value:?}: {problem}",
                    namespace.name
                ),
            )
            .with_severity(Severity::Medium)
        })
        .collect()
}
