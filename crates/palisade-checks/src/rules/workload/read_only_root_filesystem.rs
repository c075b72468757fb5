use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Object, pod_view};

use super::{CATEGORY, container_subject, is_windows, nearest};
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "readOnlyRootFilesystem",
        name: "read-only-root-filesystem",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Writable root filesystem",
        doc: r#"Containers should run with an immutable root filesystem.

**What it finds.** Every container — init, regular and ephemeral — whose
`securityContext.readOnlyRootFilesystem` is not `true` (unset, `false`, or not a boolean).
Pods with `spec.os.name: windows` are exempt: the API server rejects the field for them.

**Why it matters.** A writable root filesystem lets an attacker who gets code execution in the
container drop tools and binaries, overwrite the application or its configuration, and persist
until the container is recreated. With a read-only root, the places the application may write
are the volumes you mount for it (an `emptyDir` for `/tmp`, a cache directory), and nothing
else.

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
    securityContext:
      readOnlyRootFilesystem: true
    volumeMounts:
    - name: tmp
      mountPath: /tmp
  volumes:
  - name: tmp
    emptyDir: {}
```"#,
        remediation: "Set `securityContext.readOnlyRootFilesystem: true` on the container and mount an `emptyDir` volume wherever the application needs to write (`/tmp`, caches).",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.7.3"), nsa("pod-immutable-filesystem")],
    },
    applies: workloads,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    if is_windows(&pod) {
        return Vec::new();
    }
    let mut violations = Vec::new();
    for c in pod.containers() {
        let field = c.security_context("readOnlyRootFilesystem");
        let detail = match field {
            Some(node) => match node.as_bool() {
                Some(true) => continue,
                Some(false) => "securityContext.readOnlyRootFilesystem=false".to_string(),
                None => format!(
                    "securityContext.readOnlyRootFilesystem is {}, not a boolean",
                    node.describe()
                ),
            },
            None => "securityContext.readOnlyRootFilesystem is not set".to_string(),
        };
        violations.push(Violation::at(
            nearest(
                c.node,
                &c.path,
                &["securityContext", "readOnlyRootFilesystem"],
            ),
            format!(
                "{} has a writable root filesystem ({detail})",
                container_subject(&c)
            ),
        ));
    }
    violations
}
