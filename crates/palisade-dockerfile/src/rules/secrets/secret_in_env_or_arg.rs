use palisade_core::secrets::{find_secret, is_placeholder, redact, secret_by_name, secret_name};
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, declarations};
use crate::rules::supply_chain::effective;
use crate::rules::{Context, Rule, Violation, cis_docker};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "secretInEnvOrArg",
        name: "secret-in-env-or-arg",
        severity: Severity::High,
        category: CATEGORY,
        title: "A secret is set with ENV or passed as a build argument",
        doc: r#"Secrets do not belong in `ENV` or `ARG`: both end up readable in the image.

**What it finds.**
- An `ENV` or `ARG` whose name says it holds a secret (`DB_PASSWORD`, `GITHUB_TOKEN`,
  `STRIPE_API_KEY`; not `PASSWORD_FILE` or `TOKEN_URL`) with a literal value — not a
  placeholder (`changeme` is a real password, `<password>` and `${DB_PASSWORD}` are not), a
  flag, a path or a URL — or whose value is a secret by its content whatever the name (an AWS
  or GitHub token, a private key, a password in a URL, a random-looking string). High.
- An `ENV` whose name says secret set from a variable (`ENV NPM_TOKEN=$NPM_TOKEN`): whatever
  secret the build passes is copied into the image's environment. Medium.
- An `ARG` whose name says secret without a default (or with a placeholder one): its value is
  passed with `--build-arg` and recorded in the image history. Medium.

Every form is read: `ENV a=b c="d e"`, the legacy `ENV a b`, `ARG a b=c`, the `ARG`s before the
first `FROM`, and `ONBUILD` triggers. Messages show values only redacted.

**Why it matters.** `ENV` values are part of the image configuration: anyone who can pull the
image reads them with `docker inspect`, and every container inherits them. Build arguments
used by a `RUN` are recorded in the image history (`docker history --no-trunc`) and in the
build cache and provenance. A secret in either is leaked to every registry and every user of
the image, and cannot be rotated away without rebuilding.

**Failing**
```dockerfile
FROM node:22-slim
ARG NPM_TOKEN
ENV DB_PASSWORD=hunter2
```

**Passing**
```dockerfile
# syntax=docker/dockerfile:1
FROM node:22-slim
ENV DB_PASSWORD_FILE=/run/secrets/db_password
RUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci
```"#,
        remediation: "Pass build-time secrets with `RUN --mount=type=secret,id=<id>` (`docker build --secret id=<id>,src=<file>`) so they never enter a layer or the history, and give run-time secrets to the container when it starts (a Kubernetes Secret mounted as a file, `*_FILE` variables); rotate any secret that was already built into an image.",
        aliases: &[],
        frameworks: &[],
        references: &[cis_docker("4.10"), palisade_core::mitre!("T1552", "001")],
    },
    check,
};

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, instruction) in ctx.file.instructions.iter().enumerate() {
        let declaration = effective(instruction);
        let keyword = declaration.keyword.as_str();
        let stored = match keyword {
            "ENV" => "it is stored in the image configuration (docker inspect)",
            "ARG" => "build arguments are recorded in the image history (docker history)",
            _ => continue,
        };
        for var in declarations(declaration, ctx.file.escape) {
            let name = &var.name;
            let value = var.value.as_deref().map(str::trim).unwrap_or("");
            if !value.is_empty() && secret_by_name(name, value) {
                violations.push(Violation::at(
                    index,
                    format!(
                        "{keyword} {name} holds a secret literal {}: {stored}",
                        redact(value)
                    ),
                ));
            } else if let Some(found) = find_secret(value) {
                violations.push(Violation::at(
                    index,
                    format!(
                        "{keyword} {name} holds a {} {}: {stored}",
                        found.kind,
                        redact(found.secret)
                    ),
                ));
            } else if !secret_name(name) {
                continue;
            } else if keyword == "ENV" && value.contains('$') {
                violations.push(Violation {
                    severity: Some(Severity::Medium),
                    ..Violation::at(
                        index,
                        format!(
                            "ENV {name} is set from a variable: the secret the build passes is stored in the image configuration (docker inspect)"
                        ),
                    )
                });
            } else if keyword == "ARG" && is_placeholder(value) {
                violations.push(Violation {
                    severity: Some(Severity::Medium),
                    ..Violation::at(
                        index,
                        format!(
                            "ARG {name} declares a secret build argument: its value is recorded in the image history (docker history); use a secret mount"
                        ),
                    )
                });
            }
        }
    }
    violations
}
