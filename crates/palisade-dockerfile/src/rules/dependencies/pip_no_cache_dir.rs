use palisade_core::{RuleMeta, Severity};

use super::{
    CATEGORY, Manager, display, has_cache_mount, instructions_before, package_commands, runs,
    shipped_stages, unwrapped,
};
use crate::parser::Instruction;
use crate::rules::{Context, Rule, Violation, hadolint};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "pipNoCacheDir",
        name: "pip-no-cache-dir",
        severity: Severity::Low,
        category: CATEGORY,
        title: "pip install without --no-cache-dir",
        doc: r#"`pip install` in an image should not keep pip's download cache.

**What it finds.** In the stages whose layers make up the image (the final stage and the
stages it builds on), `pip install`, `pip3 install`, `pip3.12 install` or
`python3 -m pip install` without `--no-cache-dir` (or its abbreviation `--no-cache`). The
cache is off — and nothing is reported — when `PIP_NO_CACHE_DIR` is set by an earlier `ENV`
or `ARG` of the stage (or of the stages it builds on), by an assignment on the command or an
`export` earlier in the `RUN`, or when the `RUN` has a `--mount=type=cache` (the cache then
lives outside the layer).

**Why it matters.** pip keeps every wheel it downloads or builds under `~/.cache/pip`:
often as large as the installed packages themselves, shipped in the layer and never used at
run time.

**Failing**
```dockerfile
FROM python:3.12-slim
RUN pip install -r requirements.txt
```

**Passing**
```dockerfile
FROM python:3.12-slim
RUN pip install --no-cache-dir -r requirements.txt
```"#,
        remediation: "Add `--no-cache-dir` to `pip install`, set `ENV PIP_NO_CACHE_DIR=1` once in the stage, or keep the cache out of the layer with `RUN --mount=type=cache,target=/root/.cache/pip pip install …`.",
        aliases: &["DL3042"],
        frameworks: &[],
        references: &[hadolint(
            "DL3042",
            "https://github.com/hadolint/hadolint/wiki/DL3042",
        )],
    },
    check,
};

const VARIABLE: &str = "PIP_NO_CACHE_DIR";

fn sets_variable(assignment: &str) -> bool {
    assignment
        .split_once('=')
        .is_some_and(|(name, _)| name == VARIABLE)
}

/// Whether an `ENV` or `ARG` sets `PIP_NO_CACHE_DIR` (`ENV PIP_NO_CACHE_DIR=1`, the legacy
/// `ENV PIP_NO_CACHE_DIR 1`, `ARG PIP_NO_CACHE_DIR=1`).
fn declares_variable(instruction: &Instruction) -> bool {
    if !matches!(instruction.keyword.as_str(), "ENV" | "ARG") {
        return false;
    }
    let Some(text) = instruction.shell() else {
        return false;
    };
    let mut words = text.split_whitespace();
    let first = words.next().unwrap_or("");
    (instruction.keyword == "ENV" && first == VARIABLE)
        || std::iter::once(first)
            .chain(words)
            .any(|w| sets_variable(w.trim_matches('"')))
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let shipped = shipped_stages(ctx);
    let mut violations = Vec::new();
    for run in runs(ctx) {
        if !shipped.contains(&run.stage) || has_cache_mount(run.run, &[]) {
            continue;
        }
        let mut declared: Option<bool> = None;
        for pip in package_commands(&run.commands) {
            // pip takes unambiguous prefixes of long options: `--no-cache` is `--no-cache-dir`.
            let no_cache = pip.options.iter().any(|(name, _)| {
                name.starts_with("--no-cache") && "--no-cache-dir".starts_with(name)
            });
            if pip.manager != Manager::Pip || !pip.is_install() || no_cache {
                continue;
            }
            // `PIP_NO_CACHE_DIR=1 pip install …`, `env PIP_NO_CACHE_DIR=1 pip …`, or an
            // `export PIP_NO_CACHE_DIR=1` earlier in the RUN.
            let on_command = pip.command.assignments.iter().any(|a| sets_variable(a))
                || pip.command.words.iter().any(|w| sets_variable(w));
            let exported = run.commands[..pip.position].iter().any(|c| {
                matches!(c.program(), Some("export" | "declare" | "typeset"))
                    && c.words.iter().any(|w| sets_variable(w))
            });
            let before = *declared.get_or_insert_with(|| {
                instructions_before(ctx, run.stage, run.index)
                    .into_iter()
                    .any(declares_variable)
            });
            if on_command || exported || before {
                continue;
            }
            violations.push(Violation::at(
                run.index,
                format!(
                    "\"{}\" keeps pip's download cache in the layer: add --no-cache-dir",
                    display(unwrapped(&pip.command.words))
                ),
            ));
        }
    }
    violations
}
