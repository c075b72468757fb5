use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{ContainerKind, Node, Object, PodView, pod_view};

use super::{CATEGORY, container_subject, nearest};
use crate::frameworks::nsa;
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "resourceLimits",
        name: "resource-limits",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Container without memory or CPU limit",
        doc: r#"Containers should have memory and CPU limits.

**What it finds.** Init and regular containers without `resources.limits.memory` and/or
`resources.limits.cpu`, one finding per container naming what is missing. A missing memory
limit is **medium**; a missing CPU limit alone is **low**. Ephemeral containers are not
checked: the API server does not allow them resources.

A pod-level limit (`spec.resources.limits`, Kubernetes 1.32 and later) bounds every container of
the pod, so it satisfies that resource for all of them. Defaults a `LimitRange` of the
namespace would inject at admission are not taken into account.

**Why it matters.** A container without a memory limit can use all the memory of its node: a
leak or an attacker (a decompression bomb, a crypto miner) starves the other pods and gets them
— or the kubelet — OOM-killed. Without a CPU limit a container can take every idle core of the
node, the classic sign of resource hijacking; this is less harmful, since CPU is shared by
weight and requests still guarantee the other pods their share.

**Failing**
```yaml
spec:
  containers:
  - name: app
    image: registry.corp.example/app:1.4
    resources:
      limits:
        cpu: 500m
```

**Passing**
```yaml
spec:
  containers:
  - name: app
    image: registry.corp.example/app:1.4
    resources:
      limits:
        cpu: 500m
        memory: 256Mi
```"#,
        remediation: "Set `resources.limits.memory` (and `resources.limits.cpu`) on every container, sized from observed usage, or a pod-level `spec.resources.limits`; a namespace `LimitRange` can supply defaults.",
        aliases: &[],
        frameworks: &[],
        references: &[
            nsa("network-resource-policies"),
            crate::mitre!("T1496"),
            crate::mitre!("T1499"),
        ],
    },
    applies: workloads,
    check,
};

/// Whether `resources.<field>.<resource>` is set on `node` (a container or the pod spec).
pub(super) fn has_resource(node: &Node, field: &str, resource: &str) -> bool {
    node.get("resources")
        .and_then(|r| r.get(field))
        .and_then(|f| f.get(resource))
        .is_some_and(|v| v.as_str().is_some())
}

/// The init and regular containers: the API server does not allow ephemeral containers
/// resources.
pub(super) fn resourced_containers<'a>(
    pod: &'a PodView<'a>,
) -> impl Iterator<Item = palisade_k8s::ContainerView<'a>> + 'a {
    pod.containers()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
}

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    let pod_memory = has_resource(pod.spec, "limits", "memory");
    let pod_cpu = has_resource(pod.spec, "limits", "cpu");
    let mut violations = Vec::new();
    for c in resourced_containers(&pod) {
        let memory = pod_memory || has_resource(c.node, "limits", "memory");
        let cpu = pod_cpu || has_resource(c.node, "limits", "cpu");
        let (missing, severity) = match (memory, cpu) {
            (true, true) => continue,
            (false, false) => ("no memory or CPU limit", None),
            (false, true) => ("no memory limit", None),
            (true, false) => ("no CPU limit", Some(Severity::Low)),
        };
        let violation = Violation::at(
            nearest(c.node, &c.path, &["resources", "limits"]),
            format!("{} has {missing}", container_subject(&c)),
        );
        violations.push(match severity {
            Some(severity) => violation.with_severity(severity),
            None => violation,
        });
    }
    violations
}
