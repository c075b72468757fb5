use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Object, pod_view};

use super::CATEGORY;
use crate::frameworks::nsa;
use crate::mitre;
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;
use palisade_k8s::mesh::{Mesh, MeshSettings};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "meshInjectionDisabled",
        name: "mesh-injection-disabled",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Workload opts out of the mesh its namespace is in",
        doc: r#"In a meshed namespace every workload should carry the sidecar, or its traffic is plaintext.

**What it finds.** A workload whose pod template opts out of sidecar injection — Istio's
`sidecar.istio.io/inject: "false"` (label, or the older annotation) or Linkerd's
`linkerd.io/inject: disabled` annotation — in a namespace of the input that the same mesh
injects (`istio-injection: enabled` or an `istio.io/rev` label; `linkerd.io/inject: enabled`
annotation). Opting out of a namespace the input does not show as meshed is not reported.

**Why it matters.** The workload talks plaintext to its peers; with mesh-wide STRICT mTLS it
cannot reach them at all, which tempts someone to relax the policy.

**Failing**
```yaml
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy, namespace: shop}
spec:
  template:
    metadata:
      labels: {sidecar.istio.io/inject: "false"}
```

**Passing**: the same Deployment without the opt-out label."#,
        remediation: "Remove the opt-out so the workload gets its sidecar; if it cannot run one, move it out of the meshed namespace and allow its traffic explicitly.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("network-policies"), mitre!("T1040")],
    },
    applies: workloads,
    check,
};

fn check(context: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    let namespace = object.namespace.as_deref().unwrap_or("default");
    let Some(mesh) = context.inventory.meshed_namespaces.get(namespace) else {
        return Vec::new();
    };
    let settings = MeshSettings::of_pod(pod.metadata);
    let opted_out = match mesh {
        Mesh::Istio => settings.istio_injection == Some(false),
        Mesh::Linkerd => settings.linkerd_injection == Some(false),
    };
    if !opted_out {
        return Vec::new();
    }
    // Point at the label or annotation that opts out (Istio's label before its annotation).
    let (key, off, kinds, how): (_, _, &[&str], _) = match mesh {
        Mesh::Istio => (
            "sidecar.istio.io/inject",
            "false",
            &["labels", "annotations"],
            "sidecar.istio.io/inject: \"false\"",
        ),
        Mesh::Linkerd => (
            "linkerd.io/inject",
            "disabled",
            &["annotations"],
            "linkerd.io/inject: disabled",
        ),
    };
    let path = kinds
        .iter()
        .find(|kind| {
            pod.metadata
                .and_then(|m| m.get(kind)?.get(key)?.as_str())
                .is_some_and(|value| value == off)
        })
        .map_or_else(
            || pod.metadata_path.clone(),
            |kind| pod.metadata_path.keys(&[kind, key]),
        );
    vec![Violation::at(
        path,
        format!(
            "{} {namespace}/{} opts out of {} injection ({how}) in a meshed namespace: its traffic is plaintext",
            object.kind,
            object.name,
            mesh.name()
        ),
    )]
}
