use palisade_core::frameworks::nsa;
use palisade_core::secrets::{find_secret, redact, secret_by_name};
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, ImageFacts, Rule, Violation};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "imageSecretInConfig",
        name: "image-secret-in-config",
        severity: Severity::High,
        category: CATEGORY,
        title: "Secrets in the image environment or build history",
        doc: r#"Whoever can pull an image can read its config: no secret belongs there.

**What it finds.** Environment variables of the image config (`config.Env`) whose name says
secret and whose value is a literal, or whose value is a secret by content (tokens, keys,
passwords in URLs); and build history entries (`history[].created_by`, which records every
`RUN` with its build arguments) that hold a secret. Values are always redacted.

**Why it matters.** `docker inspect` and `docker history` print both to anyone with pull access;
registries and caches keep them forever, whatever later layers do.

**Failing**
```json
{"config": {"Env": ["DB_PASSWORD=hunter2hunter2"]}}
```

**Passing**
```json
{"config": {"Env": ["DB_PASSWORD_FILE=/run/secrets/db"]}}
```"#,
        remediation: "Rotate the secret; pass it at run time (a Kubernetes Secret mounted as a file) and at build time with `RUN --mount=type=secret`, never as `ENV` or `ARG`.",
        aliases: &[],
        frameworks: &[],
        references: &[
            nsa("network-secrets"),
            palisade_core::mitre!("T1552", "001"),
        ],
    },
    check,
};

fn check(facts: &ImageFacts<'_>) -> Vec<Violation> {
    let config = facts.config;
    let mut violations = Vec::new();
    let env = config["config"]["Env"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for (i, entry) in env.iter().enumerate() {
        let Some((name, value)) = entry.as_str().and_then(|e| e.split_once('=')) else {
            continue;
        };
        let how = if secret_by_name(name, value) {
            Some(("by its name".to_string(), value))
        } else {
            find_secret(value).map(|found| (found.kind.to_string(), found.secret))
        };
        if let Some((how, secret)) = how {
            violations.push(Violation {
                path: format!("config.Env[{i}]"),
                message: format!(
                    "Env {name} holds a literal secret ({how}): {}",
                    redact(secret)
                ),
                severity: None,
            });
        }
    }
    let history = config["history"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for (i, step) in history.iter().enumerate() {
        let Some(created_by) = step["created_by"].as_str() else {
            continue;
        };
        // Build arguments are recorded as `|N NAME=value …` before the command.
        let by_name = created_by
            .split_whitespace()
            .filter_map(|w| w.split_once('='))
            .find(|(name, value)| secret_by_name(name, value))
            .map(|(name, value)| (format!("build argument {name}"), value));
        let found =
            by_name.or_else(|| find_secret(created_by).map(|f| (f.kind.to_string(), f.secret)));
        if let Some((how, secret)) = found {
            violations.push(Violation {
                path: format!("history[{i}].created_by"),
                message: format!(
                    "build step {i} records a secret ({how}): {}",
                    redact(secret)
                ),
                severity: None,
            });
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_and_history() {
        let config = serde_json::json!({
            "config": {"Env": ["PATH=/usr/bin", "DB_PASSWORD=hunter2hunter2", "DB_PASSWORD_FILE=/run/secrets/db"]},
            "history": [
                {"created_by": "/bin/sh -c apt-get update"},
                {"created_by": "|1 NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789 /bin/sh -c npm ci"}
            ]
        });
        let found = check(&ImageFacts {
            config: &config,
            layers: &[],
            layer_secrets: &[],
            minimality: &crate::minimality::Minimality::default(),
        });
        let paths: Vec<&str> = found.iter().map(|v| v.path.as_str()).collect();
        assert_eq!(paths, vec!["config.Env[1]", "history[1].created_by"]);
        assert!(
            found
                .iter()
                .all(|v| !v.message.contains("hunter2hunter2")
                    && !v.message.contains("abcdefghijkl"))
        );
    }
}
