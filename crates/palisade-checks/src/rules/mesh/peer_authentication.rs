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
        id: "meshPeerAuthenticationPlaintext",
        name: "mesh-peer-authentication-plaintext",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Istio PeerAuthentication accepts plaintext traffic",
        doc: r#"Inside a mesh, workloads should accept only mutual TLS.

**What it finds.** A `PeerAuthentication` (`security.istio.io`) whose `spec.mtls.mode` or a
`spec.portLevelMtls` entry is `PERMISSIVE` (plaintext accepted beside mTLS: **medium**) or
`DISABLE` (plaintext only: **high**). The message says the scope: mesh-wide (in the root
namespace `istio-system`, without a selector), the namespace, or the selected workloads. `UNSET`
inherits from the parent and is not reported here.

**Why it matters.** A permissive workload accepts connections from anything that reaches it
without a mesh identity: AuthorizationPolicies that match on principals do not see them, and the
traffic can be read or altered on the wire.

**Failing**
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: PERMISSIVE}
```

**Passing**
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
```"#,
        remediation: "Set `mtls.mode: STRICT` mesh-wide (PeerAuthentication `default` in istio-system) once every client has a sidecar, and remove PERMISSIVE/DISABLE overrides.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("network-policies"), mitre!("T1040"), mitre!("T1557")],
    },
    applies: |object| is_istio(object, "security.istio.io", "PeerAuthentication"),
    check,
};

/// The violation of one `mtls` setting, if plaintext is allowed.
fn plaintext(mode: Option<&Node>, path: JsonPath, scope: &str) -> Option<Violation> {
    let (severity, what) = match mode?.as_str()? {
        "PERMISSIVE" => (
            Severity::Medium,
            "accepts plaintext beside mTLS (PERMISSIVE)",
        ),
        "DISABLE" => (Severity::High, "disables mTLS (DISABLE)"),
        _ => return None,
    };
    Some(Violation::at(path, format!("{scope} {what}")).with_severity(severity))
}

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let spec = object.root.get("spec");
    let selected = istio_selects_workloads(spec);
    let namespace = object.namespace.as_deref().unwrap_or("default");
    let scope = if selected {
        format!(
            "PeerAuthentication {namespace}/{} for its selected workloads",
            object.name
        )
    } else if namespace == ISTIO_ROOT_NAMESPACE {
        format!("mesh-wide PeerAuthentication {}", object.name)
    } else {
        format!(
            "PeerAuthentication {namespace}/{} for namespace {namespace}",
            object.name
        )
    };
    let spec_path = JsonPath::root().key("spec");
    let mut found: Vec<Violation> = plaintext(
        spec.and_then(|s| s.get("mtls")).and_then(|m| m.get("mode")),
        spec_path.keys(&["mtls", "mode"]),
        &scope,
    )
    .into_iter()
    .collect();
    for entry in spec
        .and_then(|s| s.get("portLevelMtls"))
        .map_or(&[][..], Node::entries)
    {
        let port = entry.key.as_str();
        found.extend(plaintext(
            entry.value.get("mode"),
            spec_path.keys(&["portLevelMtls", port, "mode"]),
            &format!("{scope}, port {port},"),
        ));
    }
    found
}
