use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object, pod_view};

use super::CATEGORY;
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "secretEnvVar",
        name: "secret-env-var",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Secret passed as environment variables",
        doc: r#"Secrets should be mounted as files rather than passed as environment variables.

**What it finds.** A container (init, regular or ephemeral) that takes a Secret as
environment variables: each `env[].valueFrom.secretKeyRef`, and each `envFrom[].secretRef`
(which turns every key of the Secret into a variable).

**Why it matters.** Environment variables leak: they are inherited by every child process,
dumped in crash reports and debug endpoints, logged by frameworks at start-up, readable by
any process of the same user through `/proc/<pid>/environ`, and shown by `docker inspect` on
the node. They are also fixed for the container's lifetime, so a rotated Secret needs a
restart, whereas mounted Secret files are updated in place.

**Failing**
```yaml
containers:
- name: app
  image: registry.corp.example/app:1.4
  env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef: {name: db, key: password}
```

**Passing**
```yaml
containers:
- name: app
  image: registry.corp.example/app:1.4
  volumeMounts:
  - {name: db, mountPath: /var/run/secrets/db, readOnly: true}
volumes:
- name: db
  secret: {secretName: db}
```"#,
        remediation: "Mount the Secret as a volume (`volumes[].secret`, `readOnly: true`) and have the application read the file (many images accept `*_FILE` variables such as `POSTGRES_PASSWORD_FILE`).",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.4.1"),
            nsa("network-secrets"),
            crate::mitre!("T1552", "007"),
        ],
    },
    applies: workloads,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    let text = |node: &Node, key: &str| -> String {
        node.get(key)
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut violations = Vec::new();
    for container in pod.containers() {
        let env = container.node.get("env").map_or(&[][..], Node::items);
        for (index, var) in env.iter().enumerate() {
            let Some(reference) = var.get("valueFrom").and_then(|v| v.get("secretKeyRef")) else {
                continue;
            };
            violations.push(Violation::at(
                container
                    .path
                    .key("env")
                    .index(index)
                    .keys(&["valueFrom", "secretKeyRef"]),
                format!(
                    "container {:?} env {:?} takes key {:?} of Secret {:?} as an environment variable",
                    container.name,
                    text(var, "name"),
                    text(reference, "key"),
                    text(reference, "name"),
                ),
            ));
        }
        let env_from = container.node.get("envFrom").map_or(&[][..], Node::items);
        for (index, source) in env_from.iter().enumerate() {
            let Some(reference) = source.get("secretRef") else {
                continue;
            };
            let prefix = text(source, "prefix");
            let prefixed = if prefix.is_empty() {
                String::new()
            } else {
                format!(" (prefixed {prefix:?})")
            };
            violations.push(Violation::at(
                container.path.key("envFrom").index(index).key("secretRef"),
                format!(
                    "container {:?} takes every key of Secret {:?} as environment variables{prefixed}",
                    container.name,
                    text(reference, "name"),
                ),
            ));
        }
    }
    violations
}
