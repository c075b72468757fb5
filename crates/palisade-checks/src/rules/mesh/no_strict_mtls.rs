use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::CATEGORY;
use crate::frameworks::nsa;
use crate::mitre;
use crate::namespace::is_namespace;
use crate::rules::{Context, Rule};
use crate::violation::Violation;
use palisade_k8s::mesh::{ISTIO_ROOT_NAMESPACE as ROOT_NAMESPACE, Mesh};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "meshNoStrictMtls",
        name: "mesh-no-strict-mtls",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Istio-meshed namespace without STRICT mutual TLS",
        doc: r#"Istio accepts plaintext by default: mTLS is only enforced where a PeerAuthentication
says STRICT.

**What it finds.** A Namespace of the input that Istio injects (`istio-injection: enabled`, or
an `istio.io/rev` label without an `istio-injection` label) while no PeerAuthentication of the
input without a workload selector (an empty `selector` counts as none) sets
`mtls.mode: STRICT` in `istio-system` (mesh-wide) or in that namespace. Istio's default mode is
`PERMISSIVE`. (A PeerAuthentication that sets PERMISSIVE or DISABLE is reported by
`meshPeerAuthenticationPlaintext`.)

**Failing**
```yaml
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
```

**Passing**
```yaml
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
```"#,
        remediation: "Add a PeerAuthentication `default` in istio-system with `mtls.mode: STRICT` (or one per namespace while migrating).",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("network-policies"), mitre!("T1040")],
    },
    applies: is_namespace,
    check,
};

fn check(context: &Context<'_>, object: &Object) -> Vec<Violation> {
    let inventory = context.inventory;
    let istio = inventory.meshed_namespaces.get(&object.name) == Some(&Mesh::Istio);
    let strict = [ROOT_NAMESPACE, object.name.as_str()]
        .iter()
        .any(|n| inventory.strict_mtls_namespaces.contains(*n));
    if !istio || strict {
        return Vec::new();
    }
    vec![Violation::at(
        JsonPath::root().keys(&["metadata", "labels"]),
        format!(
            "namespace {} is in the Istio mesh but no PeerAuthentication makes mTLS STRICT for it (mesh-wide or in the namespace): Istio's default is PERMISSIVE",
            object.name
        ),
    )]
}
