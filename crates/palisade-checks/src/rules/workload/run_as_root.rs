use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object, pod_view};

use super::{CATEGORY, container_subject, is_windows};
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "runAsRoot",
        name: "run-as-root",
        severity: Severity::High,
        category: CATEGORY,
        title: "Explicitly running as root user or group",
        doc: r#"Pods and containers should not ask to run as root.

**What it finds.** An explicit `runAsUser: 0` or `runAsGroup: 0`, in the pod's
`spec.securityContext` or a container's `securityContext`. A container's setting overrides the
pod's, so a pod-level 0 is reported only when at least one container inherits it (sets no
value of its own), and each container-level 0 is reported where it is set. Pods with
`spec.os.name: windows` are exempt (the API server rejects these fields for them).

When the Pod Security check `runAsUser` (restricted level) runs on the pod, it already reports
`runAsUser: 0`; this rule then reports only `runAsGroup: 0`, so that nothing is reported
twice. (From policy v1.35 that check accepts UID 0 in pods with `spec.hostUsers: false`, whose
root maps to an unprivileged host user; this rule then defers to it as well.)

**Why it matters.** UID 0 in a container is root: it owns every file of the container image,
can read and write whatever host paths and volumes are mounted into it with root's rights, and
is one kernel or runtime bug away from root on the node. GID 0 gives the process the root
group's access to files — on many images that includes files meant to be private to root.

**Failing**
```yaml
spec:
  securityContext:
    runAsUser: 0
  containers:
  - name: app
    image: registry.corp.example/app:1.4
    securityContext:
      runAsGroup: 0
```

**Passing**
```yaml
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    runAsGroup: 10001
  containers:
  - name: app
    image: registry.corp.example/app:1.4
```"#,
        remediation: "Set `runAsUser` and `runAsGroup` to non-zero IDs (and `runAsNonRoot: true`), or remove them and build the image with a non-root `USER`.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.2.7"), nsa("pod-non-root"), crate::mitre!("T1611")],
    },
    applies: workloads,
    check,
};

/// The two fields, with what a 0 in each means.
const FIELDS: &[(&str, &str)] = &[
    ("runAsUser", "as root (UID 0)"),
    ("runAsGroup", "with the root group (GID 0)"),
];

fn check(context: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    if is_windows(&pod) {
        return Vec::new();
    }
    let fields = FIELDS
        .iter()
        .filter(|(field, _)| !(*field == "runAsUser" && context.pss_runs("runAsUser")));
    let is_root = |node: Option<&Node>| node.and_then(Node::as_i64) == Some(0);
    let mut violations = Vec::new();
    for &(field, meaning) in fields {
        if is_root(pod.security_context(field)) {
            let inheriting: Vec<String> = pod
                .containers()
                .filter(|c| c.security_context(field).and_then(Node::as_i64).is_none())
                .map(|c| format!("\"{}\"", c.name))
                .collect();
            if !inheriting.is_empty() {
                let subject = match inheriting.len() {
                    1 => "container",
                    _ => "containers",
                };
                violations.push(Violation::at(
                    pod.spec_path.keys(&["securityContext", field]),
                    format!(
                        "{field}=0: the pod runs {subject} {} {meaning}",
                        inheriting.join(", ")
                    ),
                ));
            }
        }
        for c in pod.containers() {
            if is_root(c.security_context(field)) {
                violations.push(Violation::at(
                    c.path.keys(&["securityContext", field]),
                    format!("{field}=0: {} runs {meaning}", container_subject(&c)),
                ));
            }
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::super::testing::run;
    use super::RULE;

    const POD: &str = "apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  securityContext: {runAsUser: 0, runAsGroup: 0}
  containers:
  - {name: app, securityContext: {runAsUser: 0, runAsGroup: 0}}
  - {name: proxy}
";

    #[test]
    fn leaves_run_as_user_to_the_pss_check_when_it_runs() {
        assert_eq!(
            run(&RULE, &["runAsUser"], POD),
            vec![
                "spec.securityContext.runAsGroup | runAsGroup=0: the pod runs container \"proxy\" with the root group (GID 0)",
                "spec.containers[0].securityContext.runAsGroup | runAsGroup=0: container \"app\" runs with the root group (GID 0)",
            ]
        );
        assert_eq!(run(&RULE, &["runAsNonRoot"], POD).len(), 4);
    }
}
