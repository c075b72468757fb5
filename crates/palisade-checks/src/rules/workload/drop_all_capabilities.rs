use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object, pod_view};

use super::{CATEGORY, container_subject, is_windows, nearest};
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "dropAllCapabilities",
        name: "drop-all-capabilities",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Capabilities not dropped",
        doc: r#"Containers should drop every Linux capability and add back only what they need.

**What it finds.** Containers (init, regular and ephemeral) whose
`securityContext.capabilities.drop` does not contain `ALL` (compared case-insensitively, as
container runtimes do). Pods with `spec.os.name: windows` are exempt.

When the Pod Security check `capabilities_restricted` (restricted level) runs on the pod, it
reports the same thing, and this rule stays silent so that nothing is reported twice: the rule
matters for pods evaluated at the baseline or privileged level.

**Why it matters.** A container that drops nothing keeps the runtime's default capability set:
`NET_RAW` (raw packets — ARP and DNS spoofing of the other pods on the node), `CHOWN`,
`DAC_OVERRIDE`, `FOWNER`, `SETUID`, `SETGID`, `SYS_CHROOT`, `MKNOD` and more. Few
applications need any of them; each is a tool for an attacker who gets code execution.

**Failing**
```yaml
securityContext:
  capabilities:
    drop: ["NET_RAW"]
```

**Passing**
```yaml
securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]
```"#,
        remediation: "Set `securityContext.capabilities.drop: [\"ALL\"]` and add back only the capabilities the container needs (usually none, or `NET_BIND_SERVICE`).",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.2.8"),
            cis("5.2.10"),
            nsa("pod-hardening"),
            crate::mitre!("T1557"),
        ],
    },
    applies: workloads,
    check,
};

fn check(context: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    if context.pss_runs("capabilities_restricted") || is_windows(&pod) {
        return Vec::new();
    }
    let mut violations = Vec::new();
    for c in pod.containers() {
        let drop = c
            .security_context("capabilities")
            .and_then(|caps| caps.get("drop"));
        let dropped: Vec<&str> = drop
            .map_or(&[][..], Node::items)
            .iter()
            .filter_map(Node::as_str)
            .collect();
        if dropped.iter().any(|d| d.eq_ignore_ascii_case("ALL")) {
            continue;
        }
        let detail = if dropped.is_empty() {
            "drops no capabilities".to_string()
        } else {
            format!("drops only {}, not ALL", dropped.join(", "))
        };
        violations.push(Violation::at(
            nearest(
                c.node,
                &c.path,
                &["securityContext", "capabilities", "drop"],
            ),
            format!(
                "{} {detail}: it keeps the runtime's default capabilities, NET_RAW included",
                container_subject(&c)
            ),
        ));
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::super::testing::run;
    use super::RULE;

    #[test]
    fn leaves_containers_to_capabilities_restricted_when_it_runs() {
        let pod = "apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers: [{name: app}]
";
        assert!(run(&RULE, &["capabilities_restricted"], pod).is_empty());
        assert_eq!(
            run(&RULE, &["capabilities_baseline"], pod),
            vec![
                "spec.containers[0] | container \"app\" drops no capabilities: it keeps the runtime's default capabilities, NET_RAW included"
            ]
        );
    }
}
