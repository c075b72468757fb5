use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, PodView};

use super::{
    BASELINE, CATEGORY, PssCheck, Revision, Violation, cis, container_subject, pss_reference,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "hostPorts",
        name: "host-ports",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Host ports",
        doc: r#"Pod Security Standards, **baseline**: host ports should be disallowed entirely (all policy
versions).

**What it finds.** A `ports[].hostPort` other than 0 on any container.

**Why it matters.** A host port binds the node's network interface: it bypasses
NetworkPolicies and Services, exposes the pod on every address of the node and ties it to
that node.

**Failing**
```yaml
ports:
- containerPort: 8080
  hostPort: 8080
```

**Passing**
```yaml
ports:
- containerPort: 8080
```"#,
        remediation: "Remove `hostPort`; expose the container through a Service (ClusterIP, or an Ingress/LoadBalancer in front of it).",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/host-ports",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            cis("5.2.13"),
            nsa("pod-security-enforcement"),
        ],
    },
    level: super::Level::Baseline,
    revisions: &[Revision {
        min_minor: 0,
        check: check_1_0,
        overrides: &[],
    }],
};

fn check_1_0(pod: &PodView<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for container in pod.containers() {
        let ports = container.node.get("ports").map_or(&[][..], Node::items);
        let bad: Vec<(usize, i64)> = ports
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                p.get("hostPort")
                    .and_then(Node::as_i64)
                    .map(|port| (i, port))
            })
            .filter(|(_, port)| *port != 0)
            .collect();
        let Some((first, _)) = bad.first() else {
            continue;
        };
        // Pod Security Admission lists the ports as a sorted set of strings.
        let mut listed: Vec<String> = bad.iter().map(|(_, port)| port.to_string()).collect();
        listed.sort();
        listed.dedup();
        let noun = if listed.len() == 1 {
            "hostPort"
        } else {
            "hostPorts"
        };
        violations.push(Violation::new(
            container.path.key("ports").index(*first).key("hostPort"),
            "hostPort",
            format!(
                "{} uses {noun} {}",
                container_subject(&container),
                listed.join(", ")
            ),
        ));
    }
    violations
}
