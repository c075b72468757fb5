use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, ImageFacts, Rule, Violation};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "imageSshExposed",
        name: "image-ssh-exposed",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "The image exposes SSH (port 22)",
        doc: r#"Containers are managed through the orchestrator, not logged into.

**What it finds.** An image config whose `ExposedPorts` include `22/tcp` (or `22`).

**Why it matters.** An SSH server in a container is a second way in that bypasses Kubernetes'
authentication, RBAC and audit log, with keys or passwords baked into the image.

**Failing**
```json
{"config": {"ExposedPorts": {"22/tcp": {}}}}
```

**Passing**
```json
{"config": {"ExposedPorts": {"8080/tcp": {}}}}
```"#,
        remediation: "Remove the SSH server and `EXPOSE 22`; use `kubectl exec` or `kubectl debug` for interactive access.",
        aliases: &[],
        frameworks: &[],
        references: &[
            nsa("network-exposure"),
            palisade_core::mitre!("T1021", "004"),
        ],
    },
    check,
};

fn check(facts: &ImageFacts<'_>) -> Vec<Violation> {
    let config = facts.config;
    config["config"]["ExposedPorts"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(port, _)| matches!(port.as_str(), "22" | "22/tcp"))
        .map(|(port, _)| Violation {
            path: format!("config.ExposedPorts[\"{port}\"]"),
            message: format!("the image exposes the SSH port {port}"),
            severity: None,
        })
        .collect()
}
