use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, PodView};

use super::{
    BASELINE, CATEGORY, PssCheck, Revision, Violation, container_subject, pss_reference, quote,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "hostProbesAndHostLifecycle",
        name: "host-probes-and-lifecycle-hooks",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Host probes and lifecycle hooks",
        doc: r#"Pod Security Standards, **baseline**, policy **v1.34 and later**: the `host` field of probes and
lifecycle hooks must be unset or empty.

**What it finds.** A non-empty `host` in `httpGet` or `tcpSocket` of `livenessProbe`,
`readinessProbe`, `startupProbe`, `lifecycle.postStart` or `lifecycle.preStop`, on any
container. The check does not exist before v1.34.

**Why it matters.** The kubelet performs probes and hooks from the node. A `host` lets a pod
author make the kubelet send requests to arbitrary addresses, such as node-local services or
cloud metadata endpoints (a server-side request forgery from the node).

**Failing**
```yaml
livenessProbe:
  httpGet:
    host: 169.254.169.254
    path: /latest/meta-data
    port: 80
```

**Passing**
```yaml
livenessProbe:
  httpGet:
    path: /healthz
    port: 8080
```"#,
        remediation: "Remove the `host` field so the probe or hook targets the pod's own IP.",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/host-probes-lifecycle-hooks",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            nsa("pod-security-enforcement"),
        ],
    },
    level: super::Level::Baseline,
    revisions: &[Revision {
        min_minor: 34,
        check: check_1_34,
        overrides: &[],
    }],
};

const HANDLERS: [&[&str]; 5] = [
    &["livenessProbe"],
    &["readinessProbe"],
    &["startupProbe"],
    &["lifecycle", "postStart"],
    &["lifecycle", "preStop"],
];

fn check_1_34(pod: &PodView<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for container in pod.containers() {
        let mut first: Option<JsonPath> = None;
        let mut hosts: Vec<&str> = Vec::new();
        for handler in HANDLERS {
            let mut node = Some(container.node);
            for key in handler {
                node = node.and_then(|n| n.get(key));
            }
            for action in ["httpGet", "tcpSocket"] {
                let host = node
                    .and_then(|n| n.get(action))
                    .and_then(|a| a.get("host"))
                    .and_then(Node::as_str);
                if let Some(host) = host.filter(|h| !h.is_empty()) {
                    first.get_or_insert_with(|| {
                        container.path.keys(handler).keys(&[action, "host"])
                    });
                    hosts.push(host);
                }
            }
        }
        let Some(path) = first else { continue };
        hosts.sort_unstable();
        hosts.dedup();
        let noun = if hosts.len() == 1 {
            "probe or lifecycle host"
        } else {
            "probe or lifecycle hosts"
        };
        let listed: Vec<String> = hosts.iter().map(|h| quote(h)).collect();
        violations.push(Violation::new(
            path,
            "probe or lifecycle host",
            format!(
                "{} uses {noun} {}",
                container_subject(&container),
                listed.join(", ")
            ),
        ));
    }
    violations
}
