use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object, pod_view};

use super::CATEGORY;
use crate::frameworks::nsa;
use crate::mitre;
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;
use palisade_k8s::mesh::Mesh;

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
    let metadata = pod.metadata_path.clone();
    let opt_out = |kind: &str, key: &str, off: &str| -> Option<JsonPath> {
        let value = pod.metadata?.get(kind)?.get(key)?;
        (value.as_str() == Some(off)).then(|| metadata.keys(&[kind, key]))
    };
    let found = match mesh {
        Mesh::Istio => opt_out("labels", "sidecar.istio.io/inject", "false")
            .or_else(|| opt_out("annotations", "sidecar.istio.io/inject", "false"))
            .map(|path| (path, "sidecar.istio.io/inject: \"false\"")),
        Mesh::Linkerd => opt_out("annotations", "linkerd.io/inject", "disabled")
            .map(|path| (path, "linkerd.io/inject: disabled")),
    };
    found
        .map(|(path, how)| {
            Violation::at(
                path,
                format!(
                    "{} {namespace}/{} opts out of {} injection ({how}) in a meshed namespace: its traffic is plaintext",
                    object.kind,
                    object.name,
                    mesh.name()
                ),
            )
        })
        .into_iter()
        .collect()
}
