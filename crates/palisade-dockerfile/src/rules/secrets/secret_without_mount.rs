use std::collections::BTreeMap;

use palisade_core::secrets::secret_name;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, declarations};
use crate::parser::Instruction;
use crate::rules::supply_chain::{effective, run_scripts};
use crate::rules::{Context, Rule, Violation, cis_docker};
use crate::stages::Stage;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "secretWithoutMount",
        name: "secret-without-mount",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "A RUN uses a secret from ARG or ENV instead of a secret mount",
        doc: r#"A `RUN` that needs a secret should get it from a BuildKit secret mount.

**What it finds.** A `RUN` that references (`$NPM_TOKEN`, `${GITHUB_TOKEN}`) a variable whose
name says secret (`*_TOKEN`, `*_PASSWORD`, `*_SECRET`, `API_KEY`, …) and that an `ARG` or `ENV`
of its stage (or of the stages it builds on, `FROM <stage>`) declares, in its shell text, its
heredoc scripts, or a heredoc BuildKit expands (`cat <<EOF > ~/.npmrc`). A `RUN` with a
`--mount=type=secret` is not reported. Variables the script sets itself are not build
arguments and are not reported.

**Why it matters.** The value of a build argument used by a `RUN` is recorded with that
layer (`docker history --no-trunc` shows `|1 NPM_TOKEN=npm_… /bin/sh -c npm ci`), kept in
the build cache and in provenance attestations; an `ENV` is readable by anyone who pulls the
image. A file written from it (`.npmrc`, `.netrc`) stays in the layer even if a later
instruction deletes it. A secret mount exists only while that `RUN` runs.

**Failing**
```dockerfile
FROM node:22-slim
ARG NPM_TOKEN
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
```

**Passing**
```dockerfile
# syntax=docker/dockerfile:1
FROM node:22-slim
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
```"#,
        remediation: "Drop the `ARG`/`ENV` and mount the secret for the one `RUN` that needs it: `RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci` (or `target=/root/.npmrc`), built with `docker build --secret id=npm_token,env=NPM_TOKEN`.",
        aliases: &[],
        frameworks: &[],
        references: &[cis_docker("4.10"), palisade_core::mitre!("T1552", "001")],
    },
    check,
};

/// Where a variable comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Arg,
    Env,
}

/// The names referenced as `$NAME` or `${NAME…}` in a text.
fn references(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let after = &rest[at + 1..];
        let body = after.strip_prefix('{').unwrap_or(after);
        let len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        if len > 0 && !body.starts_with(|c: char| c.is_ascii_digit()) {
            names.push(&body[..len]);
        }
        rest = after;
    }
    names
}

/// Whether the `RUN` mounts a secret (`--mount=type=secret,…`).
fn has_secret_mount(run: &Instruction) -> bool {
    run.flags.iter().any(|f| {
        f.name == "mount"
            && f.value.as_deref().is_some_and(|v| {
                v.split(',')
                    .any(|option| option.trim().eq_ignore_ascii_case("type=secret"))
            })
    })
}

/// Records the secret-named variables an `ARG` or `ENV` declares.
fn declare(instruction: &Instruction, escape: char, secrets: &mut BTreeMap<String, Origin>) {
    let origin = match instruction.keyword.as_str() {
        "ARG" => Origin::Arg,
        "ENV" => Origin::Env,
        _ => return,
    };
    for var in declarations(instruction, escape) {
        if secret_name(&var.name) {
            secrets.insert(var.name, origin);
        }
    }
}

/// The secret-named variables a stage starts with: those of the stages it builds on.
fn inherited(ctx: &Context<'_>, stage: &Stage<'_>) -> BTreeMap<String, Origin> {
    let mut chain = Vec::new();
    let mut current = stage;
    while let Some(base) = current.base_stage.filter(|b| *b < ctx.stages.len()) {
        if chain.len() > ctx.stages.len() {
            break;
        }
        current = &ctx.stages[base];
        chain.push(current);
    }
    let mut secrets = BTreeMap::new();
    for base in chain.into_iter().rev() {
        for instruction in base.instructions {
            declare(instruction, ctx.file.escape, &mut secrets);
        }
    }
    secrets
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for stage in &ctx.stages {
        let mut secrets = inherited(ctx, stage);
        for instruction in stage.instructions {
            declare(instruction, ctx.file.escape, &mut secrets);
            let run = effective(instruction);
            if run.keyword != "RUN" || secrets.is_empty() || has_secret_mount(run) {
                continue;
            }
            let mut texts: Vec<String> = run_scripts(run).into_iter().map(|s| s.text).collect();
            // Heredocs BuildKit expands (`cat <<EOF > .npmrc`) write the value into a file.
            texts.extend(
                run.heredocs
                    .iter()
                    .filter(|h| h.expand)
                    .map(|h| h.body.clone()),
            );
            let mut used: Vec<&str> = texts
                .iter()
                .flat_map(|t| references(t))
                .filter(|name| secrets.contains_key(*name))
                .collect();
            used.sort_unstable();
            used.dedup();
            for name in used {
                let message = match secrets[name] {
                    Origin::Arg => format!(
                        "RUN uses the build argument {name} without a secret mount: its value is recorded in the image history"
                    ),
                    Origin::Env => format!(
                        "RUN uses the environment variable {name} without a secret mount: the secret is stored in the image configuration"
                    ),
                };
                violations.push(Violation::at(ctx.index_of(instruction), message));
            }
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_references() {
        assert_eq!(
            references("a $NPM_TOKEN ${GITHUB_TOKEN:-x} $1 $ ${} $$ ${A}b"),
            ["NPM_TOKEN", "GITHUB_TOKEN", "A"]
        );
    }
}
