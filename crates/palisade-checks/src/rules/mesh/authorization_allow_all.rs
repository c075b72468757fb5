use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::{CATEGORY, is_istio};
use crate::frameworks::nsa;
use crate::mitre;
use crate::rules::{Context, Rule};
use crate::violation::Violation;
use palisade_k8s::mesh::{ISTIO_ROOT_NAMESPACE, istio_selects_workloads};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "meshAuthorizationPolicyAllowAll",
        name: "mesh-authorization-policy-allow-all",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Istio AuthorizationPolicy allows every request",
        doc: r#"An ALLOW policy with an empty rule lets every caller in, plaintext ones included.

**What it finds.** An `AuthorizationPolicy` (`security.istio.io`) whose action is `ALLOW` (the
default) with a rule that has no `from`, `to` or `when` (a rule `{}` matches every request), or
whose sources include `principals: ["*"]` with nothing else narrowing them (every
authenticated identity of the mesh). The message says the scope: mesh-wide (in `istio-system`
without a selector), the namespace, or the selected workloads. `spec: {}` (no rules) allows
nothing and is not reported.

**Failing**
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-all, namespace: shop}
spec:
  rules:
  - {}
```

**Passing**
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: frontend-to-api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules:
  - from:
    - source: {principals: ["cluster.local/ns/shop/sa/frontend"]}
```"#,
        remediation: "Name the callers (`from.source.principals` or `namespaces`) and operations (`to`) each workload accepts; start from a namespace-wide `spec: {}` (allow nothing).",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("network-policies"), mitre!("T1557")],
    },
    applies: |object| is_istio(object, "security.istio.io", "AuthorizationPolicy"),
    check,
};

/// Whether a rule matches every request: no `from`, `to` or `when`.
fn matches_everything(rule: &Node) -> bool {
    ["from", "to", "when"].iter().all(|key| {
        rule.get(key)
            .is_none_or(|v| v.is_null() || v.items().is_empty())
    })
}

/// Whether a rule's only sources are every principal, with no `to` or `when` narrowing it.
fn any_principal(rule: &Node) -> bool {
    let narrowed = ["to", "when"]
        .iter()
        .any(|key| rule.get(key).is_some_and(|v| !v.items().is_empty()));
    let sources = rule.get("from").map_or(&[][..], Node::items);
    !narrowed
        && !sources.is_empty()
        && sources.iter().all(|from| {
            let source = from.get("source");
            let principals: Vec<&str> = source
                .and_then(|s| s.get("principals"))
                .map_or(&[][..], Node::items)
                .iter()
                .filter_map(Node::as_str)
                .collect();
            let only_principals = source.is_some_and(|s| s.entries().len() == 1);
            only_principals && principals.contains(&"*")
        })
}

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(spec) = object.root.get("spec") else {
        return Vec::new();
    };
    let action = spec.get("action").and_then(Node::as_str).unwrap_or("ALLOW");
    if action != "ALLOW" {
        return Vec::new();
    }
    let namespace = object.namespace.as_deref().unwrap_or("default");
    let selected = istio_selects_workloads(Some(spec));
    let scope = if selected {
        format!(
            "AuthorizationPolicy {namespace}/{} for its selected workloads",
            object.name
        )
    } else if namespace == ISTIO_ROOT_NAMESPACE {
        format!("mesh-wide AuthorizationPolicy {}", object.name)
    } else {
        format!(
            "AuthorizationPolicy {namespace}/{} for namespace {namespace}",
            object.name
        )
    };
    let rules_path = JsonPath::root().keys(&["spec", "rules"]);
    spec.get("rules")
        .map_or(&[][..], Node::items)
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| {
            let what = if matches_everything(rule) {
                "allows every request, plaintext callers included (an empty rule)"
            } else if any_principal(rule) {
                "allows every authenticated identity of the mesh (principals: [\"*\"])"
            } else {
                return None;
            };
            Some(Violation::at(
                rules_path.index(i),
                format!("{scope} {what}"),
            ))
        })
        .collect()
}
