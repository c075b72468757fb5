use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, arguments_of, effective, invoked, run_scripts};
use crate::rules::{Context, Rule, Violation};
use crate::shell::{self, Command, Connector};
use palisade_core::secrets::redact_all as redacted;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "curlPipeShell",
        name: "curl-pipe-shell",
        severity: Severity::High,
        category: CATEGORY,
        title: "A downloaded script is piped into a shell",
        doc: r#"A `RUN` should not execute what it downloads without checking it first.

**What it finds.** In a `RUN` (its shell form, and the heredoc scripts of `RUN <<EOF`), the
output of `curl` or `wget` piped into a shell (`sh`, `bash`, `zsh`, `dash`, `ash`, `ksh`) or an
interpreter (`python`, `perl`), also through `sudo` or `env` and further along the pipeline
(`curl … | tee install.sh | sh`); and the same through a substitution:
`sh -c "$(curl …)"`, `bash <(wget -qO- …)`, `eval "$(curl …)"`, `source <(curl …)`. The
script of a `sh -c '…'` is searched too. An exec-form `RUN` is one command, so only its
substitutions are.

**Why it matters.** The build runs whatever the server (or anyone between it and the
builder) sends at that moment: no checksum, no signature, and a different script on every
build. A compromised download site or a hijacked domain becomes code execution in your image,
typically as root. A half-downloaded script may even run truncated.

**Failing**
```dockerfile
FROM debian:12-slim
RUN curl -fsSL https://get.example.com/install.sh | sh
RUN bash -c "$(wget -qO- https://get.example.com/install.sh)"
```

**Passing**
```dockerfile
FROM debian:12-slim
ARG INSTALLER_SHA256=0d4f1f8d3e2c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928
RUN curl -fsSLo /tmp/install.sh https://get.example.com/v1.4.2/install.sh \
 && echo "${INSTALLER_SHA256}  /tmp/install.sh" | sha256sum -c - \
 && sh /tmp/install.sh && rm /tmp/install.sh
```"#,
        remediation: "Download the script (or better, the release artifact) of a pinned version to a file, verify its checksum (`sha256sum -c`) or signature, then run it; prefer the distribution's package or an official image over install scripts.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("pod-secure-images")],
    },
    check,
};

const DOWNLOADERS: &[&str] = &["curl", "wget"];

/// Shells and interpreters that run the script on their standard input or from a file.
fn is_interpreter(program: &str) -> bool {
    matches!(
        program,
        "sh" | "bash" | "zsh" | "dash" | "ash" | "ksh" | "perl"
    ) || program
        .strip_prefix("python")
        .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Whether a program runs a script whose text or file name is its argument.
fn runs_argument(program: &str) -> bool {
    is_interpreter(program) || matches!(program, "eval" | "source" | ".")
}

fn is_shell(program: &str) -> bool {
    matches!(program, "sh" | "bash" | "zsh" | "dash" | "ash" | "ksh")
}

/// The texts of the command substitutions in a word: `$( … )` and `` ` … ` ``.
fn substitutions(word: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let bytes = word.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'(') {
            let mut depth = 0usize;
            let mut end = bytes.len();
            for (j, b) in bytes.iter().enumerate().skip(i + 1) {
                match b {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            found.push(&word[i + 2..end]);
            i = end + 1;
        } else if bytes[i] == b'`' {
            let end = word[i + 1..].find('`').map_or(word.len(), |p| i + 1 + p);
            found.push(&word[i + 1..end]);
            i = end + 1;
        } else {
            i += 1;
        }
    }
    found
}

/// Where a downloader fetches from, for the message: its first URL argument.
fn source(download: &Command) -> String {
    arguments_of(download)
        .iter()
        .find(|w| w.contains("://"))
        .map_or_else(
            || "the downloaded script".to_string(),
            |url| format!("the script from {}", redacted(url)),
        )
}

/// Parses `script` with process substitutions (`<( … )`) read as command substitutions (both
/// hand a command's output to the one around them).
fn parse(script: &str) -> Vec<Command> {
    shell::commands(&script.replace("<(", "$("))
}

/// The findings in `commands`, recursing into substitutions and `sh -c` scripts.
fn scan(commands: &[Command], depth: usize, messages: &mut Vec<String>) {
    if depth > 8 {
        return;
    }
    for (i, command) in commands.iter().enumerate() {
        let program = invoked(command).unwrap_or("");
        // `curl … | [tee …  |] sh`
        if DOWNLOADERS.contains(&program) && command.connector == Connector::Pipe {
            for next in &commands[i + 1..] {
                let interpreter = invoked(next).unwrap_or("");
                if is_interpreter(interpreter) {
                    messages.push(format!(
                        "{program} output is piped into {interpreter}: {} runs unverified",
                        source(command)
                    ));
                    break;
                }
                if next.connector != Connector::Pipe {
                    break;
                }
            }
        }
        let arguments = arguments_of(command);
        for word in arguments.iter().chain(&command.assignments) {
            for inner in substitutions(word) {
                let inner = parse(inner);
                // `sh -c "$(curl …)"`, `bash <(curl …)`, `eval "$(curl …)"`
                if runs_argument(program) && arguments.contains(word) {
                    let download = inner
                        .iter()
                        .find(|c| invoked(c).is_some_and(|p| DOWNLOADERS.contains(&p)));
                    if let Some(download) = download {
                        messages.push(format!(
                            "{program} runs the output of {}: {} runs unverified",
                            invoked(download).unwrap_or("curl"),
                            source(download)
                        ));
                        continue;
                    }
                }
                scan(&inner, depth + 1, messages);
            }
        }
        // `sh -c 'curl … | sh'`
        if is_shell(program)
            && let Some(at) = arguments.iter().position(|w| w == "-c")
            && let Some(script) = arguments.get(at + 1)
            && !script.starts_with("$(")
        {
            scan(&parse(script), depth + 1, messages);
        }
    }
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, instruction) in ctx.file.instructions.iter().enumerate() {
        let run = effective(instruction);
        if run.keyword != "RUN" {
            continue;
        }
        for script in run_scripts(run) {
            let commands = if script.exec {
                script.commands
            } else {
                parse(&script.text)
            };
            let mut messages = Vec::new();
            scan(&commands, 0, &mut messages);
            violations.extend(messages.into_iter().map(|m| Violation::at(index, m)));
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(script: &str) -> Vec<String> {
        let mut messages = Vec::new();
        scan(&parse(script), 0, &mut messages);
        messages
    }

    #[test]
    fn pipes_and_substitutions() {
        assert_eq!(
            found("curl -fsSL https://x.example/i.sh | sudo -E bash -"),
            [
                "curl output is piped into bash: the script from https://x.example/i.sh runs unverified"
            ]
        );
        assert_eq!(found("wget -qO- $URL | tee /tmp/i | python3").len(), 1);
        assert_eq!(
            found("sh -c \"$(curl -fsSL https://x.example/i.sh)\""),
            ["sh runs the output of curl: the script from https://x.example/i.sh runs unverified"]
        );
        assert_eq!(found("bash <(curl -s https://x.example/i.sh)").len(), 1);
        assert_eq!(found("sh -c 'wget -O- https://x | sh'").len(), 1);
        assert_eq!(found("X=$(curl -s https://x | sh)").len(), 1);
        assert!(found("curl -fsSL https://x.example/a.tgz | tar xz").is_empty());
        assert!(found("curl -o i.sh https://x && sh i.sh").is_empty());
        assert!(found("echo $(curl -s https://x/version)").is_empty());
        assert!(found("curl https://x || sh fallback.sh").is_empty());
        assert!(found("$(").is_empty() && found("`").is_empty() && found("sh -c").is_empty());
    }
}
