//! Supply chain: piping downloads into a shell, remote `ADD`, `ADD` where `COPY` fits, pipes
//! without `pipefail`.
//!
//! The helpers below (the scripts of a `RUN`, the sources of a `COPY`/`ADD`, the program a
//! command really runs) are shared with the secrets and exposure families.

mod add_instead_of_copy;
mod add_remote_url;
mod curl_pipe_shell;
mod missing_pipefail;

use super::Rule;
use crate::parser::{Arguments, Instruction};
use crate::shell::{self, Command, Connector};

const CATEGORY: &str = "dockerfile-supply-chain";

pub static RULES: &[&Rule] = &[
    &curl_pipe_shell::RULE,
    &add_remote_url::RULE,
    &add_instead_of_copy::RULE,
    &missing_pipefail::RULE,
];

/// The instruction an `ONBUILD` triggers (it runs in every build `FROM` this image), or the
/// instruction itself.
pub(in crate::rules) fn effective(instruction: &Instruction) -> &Instruction {
    instruction.trigger.as_deref().unwrap_or(instruction)
}

/// One shell script of a `RUN`.
pub(in crate::rules) struct Script {
    pub text: String,
    pub commands: Vec<Command>,
    /// Whether the stage's `SHELL` runs it (the shell form, a lone `RUN <<EOF` heredoc without
    /// a shebang), as opposed to an interpreter named in the script (`RUN bash <<EOF`, a
    /// `#!/bin/bash` heredoc) or no shell at all (the exec form).
    pub by_shell: bool,
    /// The exec form: one command of the JSON words, no shell parses it.
    pub exec: bool,
}

/// Shells whose script a heredoc may be.
const SHELLS: &[&str] = &["sh", "bash", "zsh", "dash", "ash", "ksh", "mksh", "busybox"];

/// The scripts of a `RUN`: the shell form text, and each heredoc body that is a shell script —
/// every body of a `RUN <<EOF` whose text is only heredoc markers (unless a shebang names
/// another interpreter: `#!/usr/bin/env python3`), or the bodies fed to a shell
/// (`RUN bash <<EOF`). Bodies fed to other programs (`RUN cat <<EOF > /etc/app.conf`,
/// `RUN python3 <<EOF`) are data, not shell. The exec form is one command of its JSON words.
pub(in crate::rules) fn run_scripts(run: &Instruction) -> Vec<Script> {
    let text = match &run.arguments {
        Arguments::Exec(words) => {
            return vec![Script {
                text: words.join(" "),
                commands: vec![Command {
                    words: words.clone(),
                    assignments: Vec::new(),
                    connector: Connector::Sequence,
                    nested: false,
                }],
                by_shell: false,
                exec: true,
            }];
        }
        Arguments::Shell(text) => text,
    };
    let commands = shell::commands(text);
    let first = commands.first().and_then(invoked);
    let fed_to_shell = first.is_some_and(|p| SHELLS.contains(&p));
    let only_heredocs = commands.is_empty();
    let mut scripts = vec![Script {
        text: text.clone(),
        commands,
        by_shell: true,
        exec: false,
    }];
    for heredoc in &run.heredocs {
        let shebang = heredoc
            .body
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("#!"))
            .map(|l| {
                let words = shell::commands(l).into_iter().next();
                // `#!/usr/bin/env bash` names the interpreter after `env`.
                words.as_ref().and_then(invoked).unwrap_or("").to_string()
            });
        let by_shell = only_heredocs && shebang.is_none();
        let is_shell_script = match &shebang {
            Some(interpreter) => SHELLS.contains(&interpreter.as_str()) && only_heredocs,
            None => only_heredocs || fed_to_shell,
        };
        if is_shell_script {
            scripts.push(Script {
                text: heredoc.body.clone(),
                commands: shell::commands(&heredoc.body),
                by_shell,
                exec: false,
            });
        }
    }
    scripts
}

/// The index of the word naming the program a command runs, after the wrappers that run
/// another command (`sudo -E bash` runs `bash`; `env FOO=1 sh` runs `sh`; also `exec`,
/// `command`, `time`, `nice`, `nohup`).
fn program_index(command: &Command) -> Option<usize> {
    let words = &command.words;
    let mut at = 0;
    loop {
        let word = words.get(at)?.as_str();
        let name = word.rsplit('/').next().unwrap_or(word);
        at += 1;
        let option = |at: usize| words.get(at).is_some_and(|w| w.starts_with('-'));
        match name {
            "sudo" | "doas" => {
                // Options, some with an argument (`-u user`, `-g group`).
                while option(at) {
                    let word = words[at].as_str();
                    at += 1;
                    if matches!(word, "-u" | "-g" | "-C" | "-h" | "-p" | "-U" | "-r" | "-t") {
                        at += 1;
                    }
                    if word == "--" {
                        break;
                    }
                }
            }
            "env" => {
                while words
                    .get(at)
                    .is_some_and(|w| w.starts_with('-') || w.contains('='))
                {
                    at += 1;
                }
            }
            "exec" | "command" | "time" | "nohup" => {
                while option(at) {
                    at += 1;
                }
            }
            "nice" => {
                while option(at) {
                    at += if words[at] == "-n" { 2 } else { 1 };
                }
            }
            _ => return Some(at - 1),
        }
    }
}

/// The program a command runs, without a path, after wrappers such as `sudo` and `env`.
pub(in crate::rules) fn invoked(command: &Command) -> Option<&str> {
    let word = command.words.get(program_index(command)?)?;
    Some(word.rsplit('/').next().unwrap_or(word))
}

/// The words of a command after its program and the wrappers before it (`sudo apt-get install
/// -y x` → `install`, `-y`, `x`).
pub(in crate::rules) fn arguments_of(command: &Command) -> &[String] {
    match program_index(command) {
        Some(at) => command.words.get(at + 1..).unwrap_or(&[]),
        None => &[],
    }
}

/// The sources of a `COPY` or `ADD` (all words but the destination), quotes removed; a heredoc
/// source is `<<EOF` as written.
pub(in crate::rules) fn sources(instruction: &Instruction, escape: char) -> Vec<String> {
    let mut words: Vec<String> = match &instruction.arguments {
        Arguments::Exec(words) => words.clone(),
        Arguments::Shell(text) => split_words(text, escape),
    };
    words.pop();
    words
}

/// Splits at unquoted whitespace as BuildKit splits the words of `COPY`, `ENV`, `ARG`: quotes
/// are removed, the escape character (`\` or a backtick) keeps the next character.
pub(in crate::rules) fn split_words(text: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), c) if c == escape => word.extend(chars.next()),
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c == escape => {
                word.extend(chars.next());
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Whether a `COPY`/`ADD` source is a heredoc (`<<EOF`, `<<-"EOF"`).
pub(in crate::rules) fn is_heredoc_source(source: &str) -> bool {
    source.starts_with("<<")
}

/// Whether a source is fetched over the network: an HTTP(S) URL or a Git repository.
pub(in crate::rules) fn is_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ["http://", "https://", "git://", "git@", "ssh://"]
        .iter()
        .any(|p| lower.starts_with(p))
        || lower.starts_with("github.com/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    fn run(text: &str) -> Vec<(String, bool)> {
        let file = parse(text);
        run_scripts(&file.instructions[0])
            .into_iter()
            .map(|s| (s.text, s.by_shell))
            .collect()
    }

    #[test]
    fn scripts_of_a_run() {
        assert_eq!(run("RUN a | b"), vec![("a | b".to_string(), true)]);
        assert_eq!(
            run("RUN <<EOF\nset -e\necho hi\nEOF\n"),
            vec![
                ("<<EOF".to_string(), true),
                ("set -e\necho hi\n".to_string(), true)
            ]
        );
        assert_eq!(
            run("RUN bash <<EOF\necho hi\nEOF\n")[1],
            ("echo hi\n".to_string(), false)
        );
        assert_eq!(run("RUN cat <<EOF > /etc/x\nkey | value\nEOF\n").len(), 1);
        assert_eq!(run("RUN python3 <<EOF\nprint(1)\nEOF\n").len(), 1);
        assert_eq!(
            run("RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n").len(),
            1
        );
        assert_eq!(
            run("RUN <<EOF\n#!/bin/bash\necho\nEOF\n")[1],
            ("#!/bin/bash\necho\n".to_string(), false)
        );
        assert_eq!(
            run("RUN [\"sh\", \"-c\", \"a | b\"]"),
            vec![("sh -c a | b".to_string(), false)]
        );
    }

    #[test]
    fn wrappers_are_skipped() {
        let program = |s: &str| {
            let commands = shell::commands(s);
            invoked(&commands[0]).map(str::to_string)
        };
        assert_eq!(
            program("sudo -E -u root /bin/bash -").as_deref(),
            Some("bash")
        );
        assert_eq!(program("env FOO=1 sh").as_deref(), Some("sh"));
        assert_eq!(program("sudo").as_deref(), None);
        let commands = shell::commands("sudo apt-get install -y x");
        assert_eq!(arguments_of(&commands[0]), ["install", "-y", "x"]);
    }

    #[test]
    fn copy_sources() {
        let file =
            parse("COPY --chown=a \"a b\" c /d/\nADD [\"x\", \"y\"]\nCOPY <<EOF /x\nhi\nEOF\n");
        assert_eq!(sources(&file.instructions[0], '\\'), ["a b", "c"]);
        assert_eq!(sources(&file.instructions[1], '\\'), ["x"]);
        assert_eq!(sources(&file.instructions[2], '\\'), ["<<EOF"]);
    }
}
