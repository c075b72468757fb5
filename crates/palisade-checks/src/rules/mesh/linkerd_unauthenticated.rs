use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::CATEGORY;
use crate::frameworks::nsa;
use crate::mitre;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "meshLinkerdUnauthenticated",
        name: "mesh-linkerd-unauthenticated",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Linkerd authorization admits clients without a mesh identity",
        doc: r#"Linkerd's policy should authorize clients by their mTLS identity, not let plaintext in.

**What it finds.** In `policy.linkerd.io`:
- a `ServerAuthorization` with `client.unauthenticated: true` (clients without a mesh identity,
  plaintext included, are authorized);
- an `AuthorizationPolicy` whose `requiredAuthenticationRefs` name only a
  `NetworkAuthentication` (authorized by source address alone, not by identity).

**Failing**
```yaml
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: db-clients, namespace: shop}
spec:
  server: {name: db}
  client:
    unauthenticated: true
```

**Passing**
```yaml
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: db-clients, namespace: shop}
spec:
  server: {name: db}
  client:
    meshTLS:
      serviceAccounts: [{name: api}]
```"#,
        remediation: "Authorize clients by mesh identity (`client.meshTLS` or a `MeshTLSAuthentication`); keep network-only authorization for the kubelet's probes.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("network-policies"), mitre!("T1040")],
    },
    applies: |object| {
        object.group() == "policy.linkerd.io"
            && matches!(
                object.kind.as_str(),
                "ServerAuthorization" | "AuthorizationPolicy"
            )
    },
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(spec) = object.root.get("spec") else {
        return Vec::new();
    };
    let namespace = object.namespace.as_deref().unwrap_or("default");
    let name = format!("{} {namespace}/{}", object.kind, object.name);
    if object.kind == "ServerAuthorization" {
        let unauthenticated = spec
            .get("client")
            .and_then(|c| c.get("unauthenticated"))
            .and_then(Node::as_bool)
            == Some(true);
        return unauthenticated
            .then(|| {
                Violation::at(
                    JsonPath::root().keys(&["spec", "client", "unauthenticated"]),
                    format!(
                        "{name} authorizes clients without a mesh identity, plaintext included"
                    ),
                )
            })
            .into_iter()
            .collect();
    }
    let refs = spec
        .get("requiredAuthenticationRefs")
        .map_or(&[][..], Node::items);
    let kinds: Vec<&str> = refs
        .iter()
        .filter_map(|r| r.get("kind").and_then(Node::as_str))
        .collect();
    if !kinds.is_empty() && kinds.iter().all(|k| *k == "NetworkAuthentication") {
        return vec![Violation::at(
            JsonPath::root().keys(&["spec", "requiredAuthenticationRefs"]),
            format!("{name} authorizes clients by network address only, not by mesh identity"),
        )];
    }
    Vec::new()
}
