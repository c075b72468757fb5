use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::CATEGORY;
use crate::frameworks::nsa;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "exposedService",
        name: "exposed-service",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Service exposed outside the cluster",
        doc: r#"Services should be reachable from outside the cluster only on purpose.

**What it finds.** A core/v1 Service that is reachable from outside the cluster, graded:

- `spec.type: LoadBalancer` — **medium**; **low** when the load balancer is internal (an
  internal-load-balancer annotation of AWS, GCP, Azure, OCI or IBM Cloud) or restricted by
  `spec.loadBalancerSourceRanges` other than `0.0.0.0/0`;
- `spec.type: NodePort` — **low**: the ports open on every node's addresses;
- `spec.externalIPs` — **medium**: nodes route traffic for those addresses to the Service, and
  whoever may set them can intercept traffic meant for other destinations (CVE-2020-8554).

**Why it matters.** Every exposed port is attack surface outside the NetworkPolicies that
protect in-cluster traffic: internal dashboards, databases and admin endpoints published by a
`type: LoadBalancer` are found by internet-wide scans within hours. Exposure should go
through a reviewed entry point (an Ingress or gateway with TLS and authentication).

**Failing**
```yaml
apiVersion: v1
kind: Service
metadata:
  name: admin
spec:
  type: LoadBalancer
  selector: {app: admin}
  ports:
  - port: 8080
```

**Passing**
```yaml
apiVersion: v1
kind: Service
metadata:
  name: admin
spec:
  selector: {app: admin}
  ports:
  - port: 8080
```"#,
        remediation: "Use `type: ClusterIP` and expose HTTP through an Ingress or Gateway with TLS; if a load balancer is required, make it internal or restrict `loadBalancerSourceRanges`; remove `externalIPs` (and block them cluster-wide with the DenyServiceExternalIPs admission plugin).",
        aliases: &[],
        frameworks: &[],
        references: &[
            nsa("network-exposure"),
            crate::mitre!("T1133"),
            crate::mitre!("T1190"),
            crate::mitre!("T1557"),
        ],
    },
    applies: |object| object.group().is_empty() && object.kind == "Service",
    check,
};

/// Annotations that make a cloud load balancer internal, with the values that do (`None`:
/// any value except `false`).
const INTERNAL_LB: &[(&str, Option<&str>)] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        None,
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        Some("internal"),
    ),
    ("networking.gke.io/load-balancer-type", Some("internal")),
    ("cloud.google.com/load-balancer-type", Some("internal")),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        Some("true"),
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        Some("true"),
    ),
    (
        "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type",
        Some("private"),
    ),
];

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(spec) = object.root.get("spec") else {
        return Vec::new();
    };
    let spec_path = JsonPath::root().key("spec");
    let mut violations = Vec::new();
    let ports = ports(spec);
    match spec.get("type").and_then(Node::as_str) {
        Some("LoadBalancer") => {
            let (severity, limited) = match load_balancer_limit(object, spec) {
                Some(limit) => (Severity::Low, format!(" ({limit})")),
                None => (Severity::Medium, String::new()),
            };
            violations.push(
                Violation::at(
                    spec_path.key("type"),
                    format!(
                        "Service type LoadBalancer exposes {ports} outside the cluster{limited}"
                    ),
                )
                .with_severity(severity),
            );
        }
        Some("NodePort") => violations.push(
            Violation::at(
                spec_path.key("type"),
                format!("Service type NodePort opens {ports} on every node's addresses"),
            )
            .with_severity(Severity::Low),
        ),
        _ => {}
    }
    let external_ips: Vec<&str> = spec
        .get("externalIPs")
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(Node::as_str)
        .filter(|ip| !ip.trim().is_empty())
        .collect();
    if !external_ips.is_empty() {
        violations.push(
            Violation::at(
                spec_path.key("externalIPs"),
                format!(
                    "Service externalIPs {} make nodes route traffic for those addresses to it ({ports})",
                    external_ips.join(", ")
                ),
            )
            .with_severity(Severity::Medium),
        );
    }
    violations
}

/// `ports 80/TCP, 443/TCP`, or `its ports` when none are listed.
fn ports(spec: &Node) -> String {
    let listed: Vec<String> = spec
        .get("ports")
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(|p| {
            let port = p.get("port")?.as_str()?;
            let protocol = p.get("protocol").and_then(Node::as_str).unwrap_or("TCP");
            Some(format!("{port}/{protocol}"))
        })
        .collect();
    match listed.len() {
        0 => "its ports".to_string(),
        1 => format!("port {}", listed[0]),
        _ => format!("ports {}", listed.join(", ")),
    }
}

/// Why a LoadBalancer is not open to everyone: an internal-load-balancer annotation, or
/// source ranges narrower than `0.0.0.0/0`.
fn load_balancer_limit(object: &Object, spec: &Node) -> Option<String> {
    let annotations = object
        .metadata()
        .and_then(|m| m.get("annotations"))
        .map_or(&[][..], Node::entries);
    for (name, wanted) in INTERNAL_LB {
        let Some(value) = annotations
            .iter()
            .find(|a| a.key == *name)
            .and_then(|a| a.value.as_str())
        else {
            continue;
        };
        let internal = match wanted {
            Some(wanted) => value.trim().eq_ignore_ascii_case(wanted),
            None => !value.trim().eq_ignore_ascii_case("false"),
        };
        if internal {
            return Some(format!("internal load balancer: {name}={value}"));
        }
    }
    let ranges: Vec<&str> = spec
        .get("loadBalancerSourceRanges")
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(Node::as_str)
        .map(str::trim)
        .collect();
    let open = |r: &&str| matches!(*r, "0.0.0.0/0" | "::/0");
    if !ranges.is_empty() && !ranges.iter().any(open) {
        return Some(format!("source ranges {}", ranges.join(", ")));
    }
    None
}
