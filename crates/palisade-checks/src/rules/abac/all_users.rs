use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::{CATEGORY, DISCOURAGED, Spec, is_abac_policy};
use crate::frameworks::nsa;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "abacAllUsers",
        name: "abac-all-users",
        severity: Severity::High,
        category: CATEGORY,
        title: "ABAC policy grants to every user",
        doc: r#"`"user": "*"` or `"group": "*"` matches every request, anonymous ones included.

**What it finds.** An ABAC policy line whose `user` or `group` is `*`.

**Failing**
```json
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"user": "*", "namespace": "*", "resource": "pods", "readonly": true}}
```

**Passing**
```json
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"group": "system:authenticated", "nonResourcePath": "/version", "readonly": true}}
```"#,
        remediation: "Name the users or groups that need the access, and move the grant to RBAC.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("authentication-authorization")],
    },
    applies: is_abac_policy,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(spec) = Spec::of(object) else {
        return Vec::new();
    };
    ["user", "group"]
        .into_iter()
        .zip([spec.user, spec.group])
        .filter(|(_, value)| *value == "*")
        .map(|(field, _)| {
            Violation::at(
                JsonPath::root().keys(&["spec", field]),
                format!(
                    "ABAC grants {} access to every user, anonymous included ({field}: \"*\"); {DISCOURAGED}",
                    spec.access()
                ),
            )
        })
        .collect()
}
