use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Manager, instructions_before, package_commands, run_commands, runs};
use crate::parser::Instruction;
use crate::rules::{Context, Rule, Violation, cis_docker, hadolint};
use crate::shell::Command;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "aptNoInstallRecommends",
        name: "apt-no-install-recommends",
        severity: Severity::Low,
        category: CATEGORY,
        title: "apt-get install without --no-install-recommends",
        doc: r#"apt should install only the packages asked for, not everything they recommend.

**What it finds.** An `apt-get install` (or `apt install`) in a `RUN` — in the shell text, in
a heredoc script, or in exec form — with neither `--no-install-recommends` nor
`-o APT::Install-Recommends=false`. Wrappers such as `sudo` and `env` are looked through. An
apt configuration that turns `Install-Recommends` off, written earlier in the `RUN` or by an
earlier instruction of the stage or of the stages it builds on (`echo 'APT::Install-Recommends
"false";' > /etc/apt/apt.conf.d/…`, a heredoc), counts too.

**Why it matters.** Recommended packages are not needed to run the requested ones, yet they
often double the size of the layer and add binaries (compilers, X libraries, mail agents) that
widen the attack surface and fill vulnerability reports.

**Failing**
```dockerfile
FROM debian:12-slim
RUN apt-get update && apt-get install -y curl \
 && rm -rf /var/lib/apt/lists/*
```

**Passing**
```dockerfile
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
```"#,
        remediation: "Add `--no-install-recommends` to every `apt-get install` (or write `APT::Install-Recommends \"false\";` to `/etc/apt/apt.conf.d/` once), then install any recommended package you really need by name.",
        aliases: &["DL3015"],
        frameworks: &[],
        references: &[
            hadolint("DL3015", "https://github.com/hadolint/hadolint/wiki/DL3015"),
            cis_docker("4.3"),
        ],
    },
    check,
};

/// Whether an `-o`/`--option` value turns recommends off.
fn recommends_off(option: &str) -> bool {
    let Some((key, value)) = option.split_once('=') else {
        return false;
    };
    key.trim().eq_ignore_ascii_case("APT::Install-Recommends")
        && matches!(
            value.trim().trim_matches('"').to_ascii_lowercase().as_str(),
            "false" | "0" | "no" | "off"
        )
}

/// Whether a text sets `Install-Recommends` off (`APT::Install-Recommends "false";` in an
/// apt.conf file, `…=0`).
fn sets_off(text: &str) -> bool {
    text.match_indices("Install-Recommends").any(|(at, key)| {
        let value: String = text[at + key.len()..]
            .trim_start_matches([' ', '\t', '"', '\'', '=', ':'])
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        matches!(
            value.to_ascii_lowercase().as_str(),
            "false" | "0" | "no" | "off"
        )
    })
}

/// Whether a command other than apt itself (`echo`, `printf`, `tee`) writes the setting off.
fn writes_setting(command: &Command) -> bool {
    !matches!(command.program(), Some("apt-get" | "apt" | "sudo" | "env"))
        && command.words.iter().any(|w| sets_off(w))
}

/// Whether an earlier instruction turns recommends off for the stage: a heredoc body (an
/// apt.conf file written by `COPY <<EOF` or `RUN cat <<EOF`) or a `RUN` command writing it.
fn configures(instruction: &Instruction) -> bool {
    let instruction = instruction.trigger.as_deref().unwrap_or(instruction);
    instruction.heredocs.iter().any(|h| sets_off(&h.body))
        || (instruction.keyword == "RUN" && run_commands(instruction).iter().any(writes_setting))
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for run in runs(ctx) {
        let mut configured: Option<bool> = None;
        for apt in package_commands(&run.commands) {
            if apt.manager != Manager::Apt || !apt.is_install() {
                continue;
            }
            if apt.has_option("--no-install-recommends")
                || apt.option_values(&["-o", "--option"]).any(recommends_off)
            {
                continue;
            }
            // Another command of the RUN, or an earlier instruction, configuring apt.
            let in_run = run
                .commands
                .iter()
                .enumerate()
                .any(|(i, c)| i < apt.position && writes_setting(c));
            let before = *configured.get_or_insert_with(|| {
                instructions_before(ctx, run.stage, run.index)
                    .into_iter()
                    .any(configures)
                    || run.run.heredocs.iter().any(|h| sets_off(&h.body))
            });
            if in_run || before {
                continue;
            }
            violations.push(Violation::at(
                run.index,
                format!(
                    "{} pulls in recommended packages too: add --no-install-recommends",
                    apt.describe()
                ),
            ));
        }
    }
    violations
}
