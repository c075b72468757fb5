use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, invoked, run_scripts};
use crate::parser::{Arguments, Instruction};
use crate::rules::{Context, Rule, Violation, hadolint};
use crate::shell::Connector;
use crate::stages::Stage;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "missingPipefail",
        name: "missing-pipefail",
        severity: Severity::Low,
        category: CATEGORY,
        title: "A RUN pipes commands without pipefail",
        doc: r#"A `RUN` with a pipe should fail when any command of the pipe fails, not only the last.

**What it finds.** A `RUN` whose script has a pipe (`curl … | tar xz`) when neither the
stage's `SHELL` (the default `/bin/sh -c`, or a `SHELL [...]` of the stage or of the stages it
builds on) sets `-o pipefail` (`-o pipefail`, `-eo pipefail`, `-euxo pipefail`), nor the script
runs `set -o pipefail` (`set -eo pipefail`, `set -euxo pipefail`, …) before its first pipe.
Heredoc scripts count (`RUN <<EOF`); one run by its own interpreter (`RUN bash <<EOF`, a
`#!/bin/bash` heredoc) does not get the `SHELL`'s options and must set pipefail itself (or in
its shebang). Stages whose shell is PowerShell or `cmd` (`SHELL ["powershell", …]`, Windows
base images) and exec-form `RUN`s are exempt.

**Why it matters.** A shell pipe's status is that of its last command: in
`RUN wget -qO- https://… | tar xz` a failed download (404, TLS error, full disk) still "succeeds"
when `tar` exits 0, and the build ships an image without what it was meant to contain.

**Failing**
```dockerfile
FROM debian:12-slim
RUN wget -qO- https://example.com/tool-1.2.tar.gz | tar -xz -C /opt
```

**Passing**
```dockerfile
FROM debian:12-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN wget -qO- https://example.com/tool-1.2.tar.gz | tar -xz -C /opt
```"#,
        remediation: "Set the option once per stage with `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` (on Alpine install bash, or use `[\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]`), or start the script with `set -o pipefail &&`.",
        aliases: &["DL4006"],
        frameworks: &[],
        references: &[hadolint(
            "DL4006",
            "https://github.com/hadolint/hadolint/wiki/DL4006",
        )],
    },
    check,
};

/// The default shell of Linux images.
const DEFAULT_SHELL: &[&str] = &["/bin/sh", "-c"];

/// Whether shell options (`SHELL` words, `set` arguments) turn pipefail on: `-o pipefail`, or a
/// short-option cluster ending in `o` (`-eo`, `-euxo`) followed by `pipefail`.
fn sets_pipefail(words: &[String]) -> bool {
    words.windows(2).any(|pair| {
        let option = pair[0].as_str();
        pair[1] == "pipefail"
            && option
                .strip_prefix('-')
                .is_some_and(|o| o.ends_with('o') && o.chars().all(|c| c.is_ascii_alphabetic()))
    })
}

/// PowerShell and cmd have no POSIX pipes.
fn is_windows_shell(words: &[String]) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    let name = first.rsplit(['/', '\\']).next().unwrap_or(first);
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    matches!(name, "powershell" | "pwsh" | "cmd")
}

fn is_windows_base(base: &str) -> bool {
    let base = base.to_ascii_lowercase();
    ["mcr.microsoft.com/windows", "nanoserver", "servercore"]
        .iter()
        .any(|w| base.contains(w))
}

fn shell_words(instruction: &Instruction) -> Option<Vec<String>> {
    match &instruction.arguments {
        Arguments::Exec(words) if instruction.keyword == "SHELL" => Some(words.clone()),
        _ => None,
    }
}

/// The `SHELL` a stage starts with: the last one of the stages it builds on, or the default
/// (`cmd` on Windows bases).
fn initial_shell(stages: &[Stage<'_>], index: usize) -> Vec<String> {
    let mut stage = &stages[index];
    for _ in 0..stages.len() {
        let Some(base) = stage.base_stage.filter(|b| *b < stages.len()) else {
            break;
        };
        stage = &stages[base];
        if let Some(words) = stage.instructions.iter().rev().find_map(shell_words) {
            return words;
        }
    }
    if is_windows_base(&stage.resolved_base) {
        return vec!["cmd".to_string(), "/S".to_string(), "/C".to_string()];
    }
    DEFAULT_SHELL.iter().map(|w| w.to_string()).collect()
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (n, stage) in ctx.stages.iter().enumerate() {
        let mut shell = initial_shell(&ctx.stages, n);
        for run in stage.instructions {
            if let Some(words) = shell_words(run) {
                shell = words;
                continue;
            }
            if run.keyword != "RUN" || is_windows_shell(&shell) {
                continue;
            }
            for script in run_scripts(run) {
                if script.exec || (script.by_shell && sets_pipefail(&shell)) {
                    continue;
                }
                // A script run by its own interpreter: `bash -o pipefail <<EOF`, or a
                // shebang `#!/bin/bash -eo pipefail`.
                let first_line = script.text.lines().next().unwrap_or("");
                if !script.by_shell
                    && ((first_line.starts_with("#!") && first_line.contains("pipefail"))
                        || run.shell().is_some_and(|t| t.contains("pipefail")))
                {
                    continue;
                }
                let commands = &script.commands;
                let Some(pipe) = commands.iter().position(|c| c.connector == Connector::Pipe)
                else {
                    continue;
                };
                let set_before = commands[..pipe]
                    .iter()
                    .any(|c| invoked(c) == Some("set") && sets_pipefail(&c.words));
                if set_before {
                    continue;
                }
                let left = invoked(&commands[pipe]).unwrap_or("a command");
                let right = commands
                    .get(pipe + 1)
                    .and_then(invoked)
                    .unwrap_or("a command");
                violations.push(Violation::at(
                    ctx.index_of(run),
                    format!(
                        "RUN pipes {left} into {right} without pipefail: a failure of {left} does not fail the build"
                    ),
                ));
            }
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn pipefail_options() {
        for yes in [
            "/bin/bash -o pipefail -c",
            "set -eo pipefail",
            "set -euxo pipefail",
        ] {
            assert!(sets_pipefail(&words(yes)), "{yes}");
        }
        for no in ["/bin/sh -c", "set -e", "set -o errexit", "set +o pipefail"] {
            assert!(!sets_pipefail(&words(no)), "{no}");
        }
        assert!(is_windows_shell(&words(
            "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -Command"
        )));
        assert!(!is_windows_shell(&[]));
    }
}
