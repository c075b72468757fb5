use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, DISCOURAGED, Spec, is_abac_policy, spec_path};
use crate::frameworks::nsa;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "abacUnauthenticated",
        name: "abac-unauthenticated",
        severity: Severity::High,
        category: CATEGORY,
        title: "ABAC policy grants to unauthenticated requests",
        doc: r#"Anyone who reaches the API server gets what `system:unauthenticated` (or the user
`system:anonymous`) is granted.

**What it finds.** An ABAC policy line for the group `system:unauthenticated` or the user
`system:anonymous`: **high** when read-only, **critical** when it allows writes.

**Failing**
```json
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"group": "system:unauthenticated", "namespace": "*", "resource": "*", "apiGroup": "*"}}
```

**Passing**
```json
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"group": "system:unauthenticated", "nonResourcePath": "/healthz", "readonly": true}}
```
(health checks only — and better through RBAC's `system:public-info-viewer`.)"#,
        remediation: "Remove grants to unauthenticated requests beyond health and version endpoints; turn off `--anonymous-auth` if none are needed.",
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
    let unauthenticated = spec.group == "system:unauthenticated" || spec.user == "system:anonymous";
    // Health, readiness and version paths are what anonymous access is kept for.
    let health_only = spec.resource.is_empty()
        && matches!(
            spec.non_resource_path,
            "/healthz" | "/livez" | "/readyz" | "/version"
        );
    if !unauthenticated || (spec.readonly && health_only) {
        return Vec::new();
    }
    let severity = if spec.readonly {
        Severity::High
    } else {
        Severity::Critical
    };
    vec![
        Violation::at(
            spec_path(object),
            format!(
                "ABAC grants unauthenticated requests ({}) {} access; {DISCOURAGED}",
                spec.subject(),
                spec.access()
            ),
        )
        .with_severity(severity),
    ]
}
