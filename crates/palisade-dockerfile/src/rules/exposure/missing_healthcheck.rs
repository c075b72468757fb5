use palisade_core::{RuleMeta, Severity};

use super::CATEGORY;
use crate::parser::Instruction;
use crate::rules::{Context, Rule, Violation, cis_docker};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "missingHealthcheck",
        name: "missing-healthcheck",
        severity: Severity::Info,
        category: CATEGORY,
        title: "The image defines no HEALTHCHECK",
        doc: r#"An image can say how to tell whether its service works.

**What it finds.** The final stage (the image that is shipped) has no `HEALTHCHECK`, neither
itself nor the stages it builds on (`FROM <stage>`), or its last one is `HEALTHCHECK NONE`,
which turns the check off. The finding points at the final `FROM`. A `HEALTHCHECK` of the
base image (outside the Dockerfile) cannot be seen and is not taken into account.

**Why it matters.** Without a health check Docker, Swarm and Compose consider a container
healthy as long as its process runs, even when the service hangs, deadlocks or lost its
database. CIS Docker Benchmark 4.6 asks for one in every image. On Kubernetes, which ignores
`HEALTHCHECK`, liveness and readiness probes play this role — then this finding is
informational only.

**Failing**
```dockerfile
FROM nginx:1.27-alpine
COPY site/ /usr/share/nginx/html/
```

**Passing**
```dockerfile
FROM nginx:1.27-alpine
COPY site/ /usr/share/nginx/html/
HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://127.0.0.1/ || exit 1
```"#,
        remediation: "Add `HEALTHCHECK CMD <command that fails when the service is unhealthy>` to the final stage (with `--interval`, `--timeout`, `--start-period`, `--retries` as needed); for images run only on Kubernetes, define liveness and readiness probes instead and suppress this finding.",
        aliases: &[],
        frameworks: &[],
        references: &[cis_docker("4.6")],
    },
    check,
};

fn is_none(healthcheck: &Instruction) -> bool {
    healthcheck
        .shell()
        .is_some_and(|text| text.trim().eq_ignore_ascii_case("none"))
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let Some(last) = ctx.final_stage() else {
        return Vec::new();
    };
    let mut stage = last;
    let mut healthcheck = None;
    for _ in 0..=ctx.stages.len() {
        healthcheck = stage
            .instructions
            .iter()
            .rev()
            .find(|i| i.keyword == "HEALTHCHECK");
        match (healthcheck, stage.base_stage) {
            (None, Some(base)) if base < ctx.stages.len() => stage = &ctx.stages[base],
            _ => break,
        }
    }
    let message = match healthcheck {
        Some(h) if is_none(h) => "the final stage turns the health check off (HEALTHCHECK NONE)",
        Some(_) => return Vec::new(),
        None => "the final stage defines no HEALTHCHECK",
    };
    vec![Violation::at(ctx.index_of(last.from), message)]
}
