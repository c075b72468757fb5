use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::CATEGORY;
use crate::frameworks::nsa;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ingressTls",
        name: "ingress-tls",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Ingress without TLS",
        doc: r#"Ingresses should serve every host over TLS.

**What it finds.** An Ingress (`networking.k8s.io/v1`, `networking.k8s.io/v1beta1`,
`extensions/v1beta1`) without `spec.tls`, and each `spec.rules[].host` that no
`spec.tls[].hosts` entry covers. A wildcard covers exactly one DNS label: `*.example.com`
covers `shop.example.com`, not `example.com` nor `a.shop.example.com`; names compare
case-insensitively. A `spec.tls` entry without `hosts` makes the controller serve its
certificate for every host (Kubernetes defaults its hosts to the controller's wildcard), so
it covers every rule; a rule without `host` matches any host name and is covered only by
such an entry.

**Why it matters.** Without TLS, requests and responses — session cookies, credentials,
personal data — cross the network in clear text, readable and modifiable by anyone on the
path. Controllers only redirect HTTP to HTTPS for hosts that have a TLS entry.

**Failing**
```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: shop, port: {number: 80}}}
```

**Passing**
```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  tls:
  - hosts: [shop.example.com]
    secretName: shop-tls
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: shop, port: {number: 80}}}
```"#,
        remediation: "Add a `spec.tls` entry whose `hosts` cover every rule host, with a certificate Secret (cert-manager can issue it from an annotation), and keep the controller's HTTP-to-HTTPS redirect on.",
        aliases: &[],
        frameworks: &[],
        references: &[
            nsa("network-exposure"),
            crate::mitre!("T1557"),
            crate::mitre!("T1040"),
        ],
    },
    applies: |object| {
        matches!(object.group(), "networking.k8s.io" | "extensions") && object.kind == "Ingress"
    },
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(spec) = object.root.get("spec") else {
        return Vec::new();
    };
    let spec_path = JsonPath::root().key("spec");
    let rules = spec.get("rules").map_or(&[][..], Node::items);
    let hosts: Vec<(usize, Option<&str>)> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let host = rule
                .get("host")
                .and_then(Node::as_str)
                .filter(|h| !h.trim().is_empty());
            (i, host)
        })
        .collect();
    let tls = spec.get("tls").map_or(&[][..], Node::items);
    if tls.is_empty() {
        let path = if spec.get("tls").is_some() {
            spec_path.key("tls")
        } else {
            spec_path
        };
        let named: Vec<String> = hosts
            .iter()
            .filter_map(|(_, h)| h.map(|h| format!("{h:?}")))
            .collect();
        let served = if named.is_empty() {
            "it serves plain HTTP only".to_string()
        } else {
            format!("{} served over plain HTTP only", named.join(", "))
        };
        return vec![Violation::at(
            path,
            format!("Ingress has no spec.tls: {served}"),
        )];
    }
    // An entry without hosts covers every host.
    let mut covers_all = false;
    let mut tls_hosts: Vec<&str> = Vec::new();
    for entry in tls {
        let listed: Vec<&str> = entry
            .get("hosts")
            .map_or(&[][..], Node::items)
            .iter()
            .filter_map(Node::as_str)
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        if listed.is_empty() {
            covers_all = true;
        }
        tls_hosts.extend(listed);
    }
    if covers_all {
        return Vec::new();
    }
    let rules_path = spec_path.key("rules");
    hosts
        .into_iter()
        .filter_map(|(index, host)| match host {
            Some(host) if tls_hosts.iter().any(|t| covers(t, host)) => None,
            Some(host) => Some(Violation::at(
                rules_path.index(index).key("host"),
                format!("Ingress host {host:?} is not covered by any spec.tls[].hosts entry: served over plain HTTP"),
            )),
            None => Some(Violation::at(
                rules_path.index(index),
                format!(
                    "Ingress rule {index} has no host (it matches every host name) and no spec.tls entry without hosts covers it"
                ),
            )),
        })
        .collect()
}

/// Whether a TLS host (possibly `*.example.com`) covers a rule host: equal ignoring case and a
/// trailing dot, or a wildcard for exactly one leftmost label.
fn covers(tls_host: &str, host: &str) -> bool {
    let normalise = |h: &str| h.trim().trim_end_matches('.').to_ascii_lowercase();
    let (tls_host, host) = (normalise(tls_host), normalise(host));
    if tls_host == host {
        return true;
    }
    match (tls_host.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((label, rest))) => !label.is_empty() && label != "*" && rest == suffix,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(covers("shop.example.com", "SHOP.example.com."));
        assert!(covers("*.example.com", "a.example.com"));
        assert!(covers("*.example.com", "*.example.com"));
        assert!(!covers("*.example.com", "a.b.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(!covers("*.example.com", "aexample.com"));
        assert!(!covers("example.com", "a.example.com"));
        assert!(!covers("a.example.com", "*.example.com"));
    }
}
