use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, DISCOURAGED, Spec, is_abac_policy, spec_path};
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "abacClusterAdmin",
        name: "abac-cluster-admin",
        severity: Severity::Critical,
        category: CATEGORY,
        title: "ABAC policy is equivalent to cluster-admin",
        doc: r#"Every verb on every resource of every API group in every namespace is cluster-admin.

**What it finds.** An ABAC policy line without `"readonly": true` whose `apiGroup`,
`namespace` and `resource` are all `*`.

**Failing**
```json
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"user": "admin", "namespace": "*", "resource": "*", "apiGroup": "*"}}
```

**Passing**
```json
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"user": "admin", "namespace": "*", "resource": "*", "apiGroup": "*", "readonly": true}}
```"#,
        remediation: "Keep cluster-admin for break-glass access through RBAC (a ClusterRoleBinding to `cluster-admin` for a named group), and remove the ABAC line.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.1.1"), nsa("authentication-authorization")],
    },
    applies: is_abac_policy,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(spec) = Spec::of(object) else {
        return Vec::new();
    };
    let everything = [spec.api_group, spec.namespace, spec.resource]
        .iter()
        .all(|v| *v == "*");
    if spec.readonly || !everything {
        return Vec::new();
    }
    vec![Violation::at(
        spec_path(object),
        format!(
            "ABAC gives {} every verb on every resource in every namespace: cluster-admin; {DISCOURAGED}",
            spec.subject()
        ),
    )]
}
