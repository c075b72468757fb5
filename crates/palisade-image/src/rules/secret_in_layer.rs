use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, ImageFacts, Rule, Violation};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "imageSecretInLayer",
        name: "image-secret-in-layer",
        severity: Severity::High,
        category: CATEGORY,
        title: "Secrets in image layers",
        doc: r#"An image must not carry credentials in its files — not even deleted ones.

**What it finds.** Files in any layer that hold a secret: credential files (private keys,
`.env`, `.docker/config.json` auths, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, cloud
credentials) and token patterns (AWS, GitHub, GitLab, Slack, Stripe, Google, JWT, private keys,
high-entropy strings) or secret-named `KEY=value` lines in the text files outside the trees of
installed software (`/usr`, `/lib`, package directories). A file a later layer deletes is still
in the image and is reported with the layer that added it. One finding per file, the secret
redacted.

**Why it matters.** Anyone who can pull the image can extract every layer (`docker save`,
`crane export`); deleting a file in a later `RUN` hides it from the running container only.

**Failing**
```dockerfile
COPY .env /app/.env          # DB_PASSWORD=…
RUN rm /app/.env             # still in the COPY layer
```

**Passing**
```dockerfile
RUN --mount=type=secret,id=db,target=/run/secrets/db ./migrate
```"#,
        remediation: "Rotate the secret, rebuild without it (a `.dockerignore`, `RUN --mount=type=secret` for build-time secrets, Kubernetes Secrets at run time), and delete the old image tags from every registry.",
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
    facts
        .layer_secrets
        .iter()
        .map(|secret| {
            let layer = facts.layers.get(secret.layer).map_or("", String::as_str);
            Violation {
                path: format!("layers[{}]/{}", secret.layer, secret.path),
                message: format!(
                    "/{} in layer {} ({layer}) holds a secret ({}): {}",
                    secret.path, secret.layer, secret.kind, secret.shown
                ),
                severity: None,
            }
        })
        .collect()
}
