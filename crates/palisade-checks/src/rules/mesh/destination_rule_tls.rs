use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::{CATEGORY, is_istio};
use crate::frameworks::nsa;
use crate::mitre;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "meshDestinationRuleTlsDisabled",
        name: "mesh-destination-rule-tls-disabled",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Istio DestinationRule sends plaintext",
        doc: r#"Clients in the mesh should originate mutual TLS to their destinations.

**What it finds.** A `DestinationRule` (`networking.istio.io`) with `tls.mode: DISABLE` in its
`trafficPolicy`, a `portLevelSettings` entry, or a subset's `trafficPolicy`: sidecars send that
traffic in plaintext, whatever the destination's PeerAuthentication wants (a STRICT
destination then refuses it).

**Failing**
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: payments, namespace: shop}
spec:
  host: payments.shop.svc.cluster.local
  trafficPolicy:
    tls: {mode: DISABLE}
```

**Passing**
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: payments, namespace: shop}
spec:
  host: payments.shop.svc.cluster.local
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
```"#,
        remediation: "Use `tls.mode: ISTIO_MUTUAL` (or remove the `tls` block so auto mTLS applies).",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("network-policies"), mitre!("T1040")],
    },
    applies: |object| is_istio(object, "networking.istio.io", "DestinationRule"),
    check,
};

/// The violations of one `trafficPolicy` and its port-level settings.
fn policy_violations(policy: Option<&Node>, path: &JsonPath, host: &str) -> Vec<Violation> {
    let Some(policy) = policy else {
        return Vec::new();
    };
    let disabled = |settings: Option<&Node>| {
        settings
            .and_then(|s| s.get("tls"))
            .and_then(|t| t.get("mode"))
            .and_then(Node::as_str)
            == Some("DISABLE")
    };
    let mut found = Vec::new();
    if disabled(Some(policy)) {
        found.push(Violation::at(
            path.keys(&["tls", "mode"]),
            format!("traffic to {host} is sent in plaintext (tls.mode: DISABLE)"),
        ));
    }
    for (i, port) in policy
        .get("portLevelSettings")
        .map_or(&[][..], Node::items)
        .iter()
        .enumerate()
    {
        if disabled(Some(port)) {
            let number = port
                .get("port")
                .and_then(|p| p.get("number"))
                .and_then(Node::as_i64)
                .map_or_else(|| "?".to_string(), |n| n.to_string());
            found.push(Violation::at(
                path.key("portLevelSettings")
                    .index(i)
                    .keys(&["tls", "mode"]),
                format!("traffic to {host} port {number} is sent in plaintext (tls.mode: DISABLE)"),
            ));
        }
    }
    found
}

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let spec = object.root.get("spec");
    let host = spec
        .and_then(|s| s.get("host"))
        .and_then(Node::as_str)
        .unwrap_or("its host");
    let spec_path = JsonPath::root().key("spec");
    let mut found = policy_violations(
        spec.and_then(|s| s.get("trafficPolicy")),
        &spec_path.key("trafficPolicy"),
        host,
    );
    for (i, subset) in spec
        .and_then(|s| s.get("subsets"))
        .map_or(&[][..], Node::items)
        .iter()
        .enumerate()
    {
        let name = subset.get("name").and_then(Node::as_str).unwrap_or("?");
        found.extend(policy_violations(
            subset.get("trafficPolicy"),
            &spec_path.key("subsets").index(i).key("trafficPolicy"),
            &format!("{host} (subset {name})"),
        ));
    }
    found
}
