use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object, pod_view};

use super::resource_limits::{has_resource, resourced_containers};
use super::{CATEGORY, container_subject, nearest};
use crate::frameworks::nsa;
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "resourceRequests",
        name: "resource-requests",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Container without memory or CPU request",
        doc: r#"Containers should request the CPU and memory they need.

**What it finds.** Init and regular containers without a CPU and/or memory request, one
finding per container naming what is missing. Ephemeral containers are not checked: the API
server does not allow them resources.

It follows Kubernetes defaulting exactly: a container that sets a limit but no request for a
resource gets the limit as its request, so the request is not missing. A pod-level request
(`spec.resources.requests`, Kubernetes 1.32 and later) — or a pod-level limit, which a missing
pod-level request defaults to — covers every container of the pod. Defaults a `LimitRange` of
the namespace would inject at admission are not taken into account.

**Why it matters.** The scheduler places pods by their requests. A container that requests
nothing is `BestEffort` (or the pod is `Burstable` with nothing reserved for it): it can be
packed onto an already-full node, is the first to be evicted under pressure, and its real usage
is taken from the other pods of the node.

**Failing**
```yaml
spec:
  containers:
  - name: app
    image: registry.corp.example/app:1.4
```

**Passing**
```yaml
spec:
  containers:
  - name: app
    image: registry.corp.example/app:1.4
    resources:
      requests:
        cpu: 100m
      limits:
        memory: 256Mi   # the memory request defaults to it
```"#,
        remediation: "Set `resources.requests.cpu` and `resources.requests.memory` on every container from observed usage (or a pod-level `spec.resources.requests`); a namespace `LimitRange` can supply defaults.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("network-resource-policies"), crate::mitre!("T1499")],
    },
    applies: workloads,
    check,
};

/// A request is set, or defaulted from the limit of the same resource.
fn requested(node: &Node, resource: &str) -> bool {
    has_resource(node, "requests", resource) || has_resource(node, "limits", resource)
}

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    let pod_cpu = requested(pod.spec, "cpu");
    let pod_memory = requested(pod.spec, "memory");
    let mut violations = Vec::new();
    for c in resourced_containers(&pod) {
        let cpu = pod_cpu || requested(c.node, "cpu");
        let memory = pod_memory || requested(c.node, "memory");
        let missing = match (cpu, memory) {
            (true, true) => continue,
            (false, false) => "no CPU or memory request",
            (false, true) => "no CPU request",
            (true, false) => "no memory request",
        };
        violations.push(Violation::at(
            nearest(c.node, &c.path, &["resources", "requests"]),
            format!("{} has {missing}", container_subject(&c)),
        ));
    }
    violations
}
