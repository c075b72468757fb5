use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::CATEGORY;
use crate::rules::dependencies::{display, runs};
use crate::rules::{Context, Rule, Violation, hadolint};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sudoInRun",
        name: "sudo-in-run",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "RUN switches user with sudo or su",
        doc: r#"A Dockerfile switches users with `USER`, not with `sudo` or `su` inside `RUN`.

**What it finds.** A command of a `RUN` (shell text, heredoc script or exec form, also inside
`ONBUILD RUN`) whose program is `sudo`, or `su` with a command to run (`su app -c make`,
`su -lc …`).

**Why it matters.** `sudo` needs to be installed and configured in the image, and a `sudoers`
entry that lets the runtime user become root turns every compromise of the application into
root in the container. Its behaviour in a build (TTY requirements, environment reset,
`secure_path`) also differs from an interactive shell, so builds break or silently run with a
different `PATH`. `RUN` already runs as the stage's `USER`; switching with `USER` is explicit
and leaves no privileged helper behind.

**Failing**
```dockerfile
FROM debian:12-slim
USER app
RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends curl
```

**Passing**
```dockerfile
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
USER app
```"#,
        remediation: "Drop `sudo`/`su -c`: run the privileged steps before `USER app` (or between `USER root` and `USER app`), and do not install `sudo` in the image. For dropping privileges at run time use `gosu` or `su-exec` in the entrypoint.",
        aliases: &["DL3004"],
        frameworks: &[],
        references: &[
            hadolint("DL3004", "https://github.com/hadolint/hadolint/wiki/DL3004"),
            nsa("pod-non-root"),
            palisade_core::mitre!("T1068"),
        ],
    },
    check,
};

/// Whether a `su` word asks it to run a command: `-c`, `--command[=…]`, or a cluster of
/// short options ending in `c` (`-lc`).
fn is_command_option(word: &str) -> bool {
    word == "--command"
        || word.starts_with("--command=")
        || word.strip_prefix('-').is_some_and(|flags| {
            !flags.starts_with('-')
                && flags.ends_with('c')
                && flags.chars().all(|c| c.is_ascii_alphabetic())
        })
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for run in runs(ctx) {
        for command in &run.commands {
            let words = &command.words[..];
            let Some(first) = words.first() else {
                continue;
            };
            let helper = match first.rsplit('/').next() {
                Some("sudo") => "sudo",
                Some("su") if words[1..].iter().any(|w| is_command_option(w)) => "su",
                _ => continue,
            };
            violations.push(Violation::at(
                run.index,
                format!(
                    "\"{}\" runs through {helper}: switch users with USER instead",
                    display(words)
                ),
            ));
        }
    }
    violations
}
