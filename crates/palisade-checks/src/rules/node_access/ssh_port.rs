use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object, pod_view};

use super::CATEGORY;
use crate::frameworks::nsa;
use crate::rules::workload::container_subject;
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sshPort",
        name: "ssh-port",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "SSH port exposed",
        doc: r#"Containers should not run an SSH server, and Services should not expose one.

**What it finds.**
- In workloads, each container port entry with `hostPort: 22` (SSH opened on the node),
  `containerPort: 22`, or the name `ssh`;
- in core `Service`s, each `spec.ports[]` entry with `port: 22`, or `targetPort: 22` or
  `targetPort: ssh` (the pods' port named `ssh`).

One finding per port entry, at the field that makes it SSH (`hostPort` first, then `port` /
`containerPort`, then the target or name).

**Why it matters.** An SSH daemon in a container is a second way in that bypasses the
Kubernetes API — its authentication, RBAC and audit log — with long-lived keys or passwords
that are rarely rotated, and it is a favourite target of brute force once a Service exposes it.
`kubectl exec` and ephemeral debug containers cover the legitimate needs.

**Failing**
```yaml
apiVersion: v1
kind: Service
spec:
  type: LoadBalancer
  ports:
  - name: ssh
    port: 22
```

**Passing**
```yaml
apiVersion: v1
kind: Service
spec:
  ports:
  - name: https
    port: 443
    targetPort: 8443
```"#,
        remediation: "Remove the SSH server from the image and the port from the pod and Service; use `kubectl exec` or `kubectl debug` for interactive access.",
        aliases: &[],
        frameworks: &[],
        references: &[
            nsa("network-exposure"),
            crate::mitre!("T1021", "004"),
            crate::mitre!("T1133"),
        ],
    },
    applies,
    check,
};

fn is_service(object: &Object) -> bool {
    object.group().is_empty() && object.kind == "Service"
}

fn applies(object: &Object) -> bool {
    workloads(object) || is_service(object)
}

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    if is_service(object) {
        return check_service(object);
    }
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    let is_22 = |node: Option<&Node>| node.and_then(Node::as_i64) == Some(22);
    let mut violations = Vec::new();
    for c in pod.containers() {
        let ports = c.node.get("ports").map_or(&[][..], Node::items);
        for (index, port) in ports.iter().enumerate() {
            let path = c.path.key("ports").index(index);
            let subject = container_subject(&c);
            let violation = if is_22(port.get("hostPort")) {
                Violation::at(
                    path.key("hostPort"),
                    format!("{subject} opens SSH port 22 on the node (hostPort=22)"),
                )
            } else if is_22(port.get("containerPort")) {
                Violation::at(
                    path.key("containerPort"),
                    format!("{subject} exposes SSH port 22 (containerPort=22)"),
                )
            } else if port.get("name").and_then(Node::as_str) == Some("ssh") {
                Violation::at(
                    path.key("name"),
                    format!("{subject} exposes a port named \"ssh\""),
                )
            } else {
                continue;
            };
            violations.push(violation);
        }
    }
    violations
}

fn check_service(object: &Object) -> Vec<Violation> {
    let ports = object
        .root
        .get("spec")
        .and_then(|spec| spec.get("ports"))
        .map_or(&[][..], Node::items);
    let mut violations = Vec::new();
    for (index, entry) in ports.iter().enumerate() {
        let path = JsonPath::root().keys(&["spec", "ports"]).index(index);
        let port = entry.get("port").and_then(Node::as_i64);
        let target = entry.get("targetPort");
        let subject = match port {
            Some(port) => format!("service port {port}"),
            None => "a service port".to_string(),
        };
        let violation = if port == Some(22) {
            Violation::at(path.key("port"), "service port 22 exposes SSH")
        } else if target.and_then(Node::as_i64) == Some(22) {
            Violation::at(
                path.key("targetPort"),
                format!("{subject} forwards to SSH port 22 of the pods (targetPort=22)"),
            )
        } else if target.and_then(Node::as_str) == Some("ssh") {
            Violation::at(
                path.key("targetPort"),
                format!("{subject} forwards to the pods' port named \"ssh\" (targetPort=ssh)"),
            )
        } else {
            continue;
        };
        violations.push(violation);
    }
    violations
}
