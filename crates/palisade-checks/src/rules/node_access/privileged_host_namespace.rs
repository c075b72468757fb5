use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object, pod_view};

use super::CATEGORY;
use crate::frameworks::{cis, nsa};
use crate::rules::workload::container_subject;
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "privilegedHostNamespace",
        name: "privileged-host-namespace",
        severity: Severity::Critical,
        category: CATEGORY,
        title: "Privileged container in the host's namespaces",
        doc: r#"A privileged container must not also share the node's namespaces.

**What it finds.** A privileged container (`securityContext.privileged: true`; init, regular
or ephemeral) in a pod that sets any of `hostNetwork`, `hostPID` or `hostIPC` to `true`: one
finding per privileged container, at its `securityContext.privileged`, naming the host
namespaces. The Pod Security checks `privileged` and `hostNamespaces` report each setting on its
own; this rule flags the combination, which is a takeover of the node rather than a weakening.

**Why it matters.** A privileged container has every capability and every host device; with
`hostPID` it can `nsenter` into PID 1 of the node and get a root shell there, with
`hostNetwork` it reaches every node-local service (the kubelet, the cloud metadata endpoint)
and can reconfigure the node's network, with `hostIPC` it reads the shared memory of every
process on the node. Anyone who can exec into such a pod owns the node.

**Failing**
```yaml
spec:
  hostPID: true
  containers:
  - name: agent
    image: registry.corp.example/agent:1.0
    securityContext:
      privileged: true
```

**Passing**
```yaml
spec:
  containers:
  - name: agent
    image: registry.corp.example/agent:1.0
    securityContext:
      capabilities:
        add: ["NET_ADMIN"]
```"#,
        remediation: "Drop `privileged: true` and grant the specific capabilities and devices the container needs, or drop the host namespaces; if a node agent truly needs both, run it in a dedicated, locked-down namespace and accept the finding with a `palisade.dev/ignore` annotation.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.2.2"),
            cis("5.2.3"),
            cis("5.2.4"),
            cis("5.2.5"),
            nsa("pod-hardening"),
            crate::mitre!("T1611"),
        ],
    },
    applies: workloads,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    let host: Vec<&str> = ["hostNetwork", "hostPID", "hostIPC"]
        .into_iter()
        .filter(|field| pod.get(field).and_then(Node::as_bool) == Some(true))
        .collect();
    if host.is_empty() {
        return Vec::new();
    }
    let shared = host
        .iter()
        .map(|field| format!("{field}=true"))
        .collect::<Vec<_>>()
        .join(", ");
    pod.containers()
        .filter(|c| c.security_context("privileged").and_then(Node::as_bool) == Some(true))
        .map(|c| {
            Violation::at(
                c.path.keys(&["securityContext", "privileged"]),
                format!(
                    "privileged {} shares the node's namespaces ({shared}): it can take over the node",
                    container_subject(&c)
                ),
            )
        })
        .collect()
}
