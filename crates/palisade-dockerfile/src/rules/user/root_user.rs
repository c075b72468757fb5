use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::CATEGORY;
use crate::rules::{Context, Rule, Violation, cis_docker, hadolint};
use crate::stages::Stage;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "rootUser",
        name: "root-user",
        severity: Severity::High,
        category: CATEGORY,
        title: "The image runs as root",
        doc: r#"The image a Dockerfile builds should run as a dedicated, unprivileged user.

**What it finds.** The final stage (the image that is shipped) runs as root: its last `USER`
is `root`, `0` or `0:<group>`, or neither it nor the stages it builds on (`FROM <stage>`) set a
`USER` at all, so the base image's user applies — root for almost every base. Bases whose tag
says they run as non-root (distroless `:nonroot`) are trusted. A `USER` whose value is a
variable cannot be judged and is not reported.

**Why it matters.** A process running as root inside the container is root on the host if it
escapes (kernel bug, mounted socket, privileged pod), and it can rewrite the image's own
binaries. Kubernetes' `runAsNonRoot` admission then rejects the pod, or must be weakened.

**Failing**
```dockerfile
FROM node:22-slim
COPY . /app
CMD ["node", "/app/server.js"]
```

**Passing**
```dockerfile
FROM node:22-slim
RUN groupadd -r app && useradd -r -g app app
COPY --chown=app:app . /app
USER app
CMD ["node", "/app/server.js"]
```"#,
        remediation: "Create a dedicated user (`groupadd -r app && useradd -r -g app app`, or `adduser -S app` on Alpine), give it the files it needs (`COPY --chown=app:app`), and end the final stage with `USER app` (or a numeric UID such as `USER 10001`).",
        aliases: &["DL3002"],
        frameworks: &[],
        references: &[
            hadolint("DL3002", "https://github.com/hadolint/hadolint/wiki/DL3002"),
            cis_docker("4.1"),
            nsa("pod-non-root"),
        ],
    },
    check,
};

/// Whether a `USER` value names root (user `root` or UID 0, any group).
fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user);
    name == "root" || name == "0"
}

/// The last `USER` of a stage or of the stages it builds on.
fn effective_user<'a>(stages: &'a [Stage<'a>], mut stage: &'a Stage<'a>) -> Option<&'a str> {
    loop {
        let user = stage
            .instructions
            .iter()
            .rev()
            .find(|i| i.keyword == "USER")
            .and_then(|i| i.shell());
        match (user, stage.base_stage) {
            (Some(user), _) => return Some(user),
            (None, Some(base)) if base < stages.len() => stage = &stages[base],
            (None, _) => return None,
        }
    }
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let Some(last) = ctx.final_stage() else {
        return Vec::new();
    };
    let user = effective_user(&ctx.stages, last);
    match user {
        Some(user) if user.contains('$') => Vec::new(),
        Some(user) if is_root(user.trim()) => {
            let at = last
                .instructions
                .iter()
                .rev()
                .find(|i| i.keyword == "USER")
                .map_or(ctx.index_of(last.from), |i| ctx.index_of(i));
            vec![Violation::at(
                at,
                format!("the final stage runs as root (USER {})", user.trim()),
            )]
        }
        Some(_) => Vec::new(),
        None => {
            let mut base = last;
            while let Some(b) = base.base_stage.filter(|b| *b < ctx.stages.len()) {
                base = &ctx.stages[b];
            }
            if base.resolved_base.contains("nonroot") {
                return Vec::new();
            }
            vec![Violation::at(
                ctx.index_of(last.from),
                format!(
                    "the final stage sets no USER: it runs as the base image's user ({} runs as root unless it says otherwise)",
                    base.resolved_base
                ),
            )]
        }
    }
}
