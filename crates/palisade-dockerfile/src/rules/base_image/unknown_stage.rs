use palisade_core::{RuleMeta, Severity};

use super::CATEGORY;
use crate::parser::Instruction;
use crate::rules::{Context, Rule, Violation, hadolint};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "unknownStage",
        name: "unknown-stage",
        severity: Severity::High,
        category: CATEGORY,
        title: "Reference to a stage that is not defined before it",
        doc: r#"`COPY --from`, `RUN --mount=…,from=` and `FROM` should name stages defined above them.

**What it finds.**
- `COPY --from=<name>` and `RUN --mount=…,from=<name>` where `<name>` is neither an earlier
  stage (`FROM … AS <name>`, case-insensitive, or the number of an earlier stage) nor an image
  reference with a `/`, `:` or `@` (`nginx:1.27`, `ghcr.io/org/tool`). A number that is not
  smaller than the current stage's is reported too.
- `FROM <name>` where `<name>` is the name of a stage defined later in the file.

Names containing variables are not judged.

**Why it matters.** BuildKit reads a name that matches no stage as an image on Docker Hub: a
typo (`--from=biuld`), or a stage renamed or reordered, silently copies files out of whatever
image of that name someone published — typosquatted images exist for exactly this — or fails
the build far from the cause. A bare image name is also unpinned. Stages can only build on
stages above them, so a `FROM` naming a later stage pulls an image of that name instead.

**Failing**
```dockerfile
FROM golang:1.22 AS build
RUN go build -o /out/app .
FROM gcr.io/distroless/static-debian12
COPY --from=biuld /out/app /app
```

**Passing**
```dockerfile
FROM golang:1.22 AS build
RUN go build -o /out/app .
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
COPY --from=busybox:1.36 /bin/busybox /busybox
```"#,
        remediation: "Name a stage defined above (check the spelling of its `AS` name), move the stage before its first use, or, to copy from an image, write it as an image reference with its tag (`--from=nginx:1.27`).",
        aliases: &["DL3022"],
        frameworks: &[],
        references: &[
            hadolint("DL3022", "https://github.com/hadolint/hadolint/wiki/DL3022"),
            palisade_core::mitre!("T1204", "003"),
        ],
    },
    check,
};

/// The `from=` of each `--mount` of a `RUN`.
fn mount_sources(run: &Instruction) -> Vec<&str> {
    run.flags
        .iter()
        .filter(|f| f.name == "mount")
        .filter_map(|f| f.value.as_deref())
        .flat_map(|mount| mount.split(','))
        .filter_map(|field| field.split_once('='))
        .filter(|(key, _)| key.trim() == "from")
        .map(|(_, value)| value.trim().trim_matches('"'))
        .collect()
}

/// What is wrong with a `--from` value in stage `current`, if anything.
fn problem(ctx: &Context<'_>, current: usize, what: &str, from: &str) -> Option<String> {
    if from.is_empty() || from.contains('$') || from.contains(['/', ':', '@']) {
        return None;
    }
    if from.bytes().all(|b| b.is_ascii_digit()) {
        let index: usize = from.parse().ok().unwrap_or(usize::MAX);
        if index < current {
            return None;
        }
        return Some(format!(
            "{what}={from} names stage {from}, which is not an earlier stage (this is stage {current})"
        ));
    }
    let name = from.to_ascii_lowercase();
    if ctx.stages[..current]
        .iter()
        .any(|s| s.name.as_deref() == Some(name.as_str()))
    {
        return None;
    }
    if let Some(later) = ctx.stages[current..]
        .iter()
        .find(|s| s.name.as_deref() == Some(name.as_str()))
    {
        return Some(format!(
            "{what}={from} names the stage {name:?} defined later (line {}): stages must be defined before they are used",
            later.from.line
        ));
    }
    let known: Vec<&str> = ctx.stages[..current]
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    let known = if known.is_empty() {
        "no earlier stage has a name".to_string()
    } else {
        format!("earlier stages: {}", known.join(", "))
    };
    Some(format!(
        "{what}={from} names no earlier stage ({known}), so BuildKit pulls the image {from:?}: fix the name, or write the image with its tag"
    ))
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (current, stage) in ctx.stages.iter().enumerate() {
        // `FROM <name>` where <name> is a later stage.
        if stage.base_stage.is_none() {
            let base = stage.resolved_base.to_ascii_lowercase();
            if let Some(later) = ctx.stages[current + 1..]
                .iter()
                .find(|s| s.name.as_deref() == Some(base.as_str()))
            {
                violations.push(Violation::at(
                    ctx.index_of(stage.from),
                    format!(
                        "FROM {} names the stage {base:?} defined later (line {}): a stage can only build on earlier ones",
                        stage.base, later.from.line
                    ),
                ));
            }
        }
        for instruction in stage.instructions {
            let sources: Vec<(&str, &str)> = match instruction.keyword.as_str() {
                "COPY" => instruction
                    .flags
                    .iter()
                    .filter(|f| f.name == "from")
                    .filter_map(|f| f.value.as_deref())
                    .map(|v| ("COPY --from", v))
                    .collect(),
                "RUN" => mount_sources(instruction)
                    .into_iter()
                    .map(|v| ("RUN --mount from", v))
                    .collect(),
                _ => Vec::new(),
            };
            for (what, from) in sources {
                if let Some(message) = problem(ctx, current, what, from) {
                    violations.push(Violation::at(ctx.index_of(instruction), message));
                }
            }
        }
    }
    violations
}
