use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, DISCOURAGED, Spec, is_abac_policy, spec_path};
use crate::frameworks::nsa;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "abacClusterWideWrite",
        name: "abac-cluster-wide-write",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "ABAC policy grants write access in every namespace",
        doc: r#"Write access everywhere should be rare and deliberate.

**What it finds.** An ABAC policy line without `"readonly": true` whose `namespace` is `*`
(every namespace) for some `resource`.

**Failing**
```json
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"user": "ci", "namespace": "*", "resource": "deployments", "apiGroup": "apps"}}
```

**Passing**
```json
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"user": "ci", "namespace": "shop", "resource": "deployments", "apiGroup": "apps"}}
```"#,
        remediation: "Limit the grant to the namespaces that need it (RoleBindings in RBAC).",
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
    if spec.readonly || spec.namespace != "*" || spec.resource.is_empty() {
        return Vec::new();
    }
    vec![Violation::at(
        spec_path(object),
        format!(
            "ABAC lets {} write {} in every namespace; {DISCOURAGED}",
            spec.subject(),
            if spec.resource == "*" {
                "every resource"
            } else {
                spec.resource
            }
        ),
    )]
}
