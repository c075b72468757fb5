use palisade_core::secrets::{find_secret, redact, secret_by_name};
use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object, pod_view};

use super::CATEGORY;
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "secretInEnv",
        name: "secret-in-env",
        severity: Severity::High,
        category: CATEGORY,
        title: "Secret written into an environment variable",
        doc: r#"Secrets should not be written into manifests as environment variable values.

**What it finds.** A container (init, regular or ephemeral) `env[].value` literal that is a
secret by its content — a cloud or SaaS token format (AWS, GitHub, GitLab, Slack, Google,
Stripe, npm, PyPI, SendGrid), a private key, a JSON Web Token, a password inside a URL or
connection string, or a long random string — or by the variable's name (`DB_PASSWORD`,
`GITHUB_TOKEN`, `CLIENT_SECRET`, `STRIPE_API_KEY`) when the value is a literal rather than a
placeholder (`$(VAR)`, `${VAR}`, `{{ … }}`, `<password>`, `REPLACE_ME`), a flag, a path or a
URL. Names that point at a secret (`PASSWORD_FILE`, `TOKEN_URL`, `AWS_ACCESS_KEY_ID`) are not
secrets themselves. Messages show the value redacted.

**Why it matters.** The value is in the repository, its history and every clone and CI log,
readable by anyone who can read the workload (`get` on Deployments is rarely treated as
sensitive) and shown by `kubectl describe`. It cannot be rotated without a commit, and the
same value usually ends up in several environments.

**Failing**
```yaml
containers:
- name: app
  image: registry.corp.example/app:1.4
  env:
  - name: DB_PASSWORD
    value: hunter2
```

**Passing**
```yaml
containers:
- name: app
  image: registry.corp.example/app:1.4
  volumeMounts:
  - name: db
    mountPath: /var/run/secrets/db
    readOnly: true
  env:
  - name: DB_PASSWORD_FILE
    value: /var/run/secrets/db/password
```"#,
        remediation: "Rotate the exposed secret, remove it from the manifest (and history), store it in a Secret managed outside the repository (External Secrets, Sealed Secrets, a CSI secrets driver) and mount it as a file, or reference it with `valueFrom.secretKeyRef`.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.4.1"),
            nsa("network-secrets"),
            crate::mitre!("T1552", "001"),
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
    let mut violations = Vec::new();
    for container in pod.containers() {
        let env = container.node.get("env").map_or(&[][..], Node::items);
        for (index, var) in env.iter().enumerate() {
            let Some(value) = var.get("value").and_then(Node::as_str) else {
                continue;
            };
            let name = var.get("name").and_then(Node::as_str).unwrap_or("");
            let (how, secret) = match find_secret(value) {
                Some(found) => (found.kind, found.secret),
                None if secret_by_name(name, value) => ("by its name", value),
                None => continue,
            };
            violations.push(Violation::at(
                container.path.key("env").index(index).key("value"),
                format!(
                    "container {:?} env {name:?} holds a literal secret ({how}): {}",
                    container.name,
                    redact(secret)
                ),
            ));
        }
    }
    violations
}
