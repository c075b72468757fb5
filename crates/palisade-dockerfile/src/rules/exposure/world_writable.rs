use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::CATEGORY;
use crate::rules::supply_chain::{arguments_of, effective, invoked, run_scripts, sources};
use crate::rules::{Context, Rule, Violation};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "worldWritable",
        name: "world-writable",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Files or folders are made world-writable",
        doc: r#"Files in an image should be writable only by the user that must write them.

**What it finds.** Modes that let every user write:
- `chmod` in a `RUN` (shell form, heredoc scripts, exec form; also through `sudo`) with an
  octal mode whose "others" digit has the write bit (`777`, `0777`, `-R 666`, `757`) or a
  symbolic mode giving write to others or all (`a+rwx`, `o+w`, `ugo=rwx`, `go+w`); a mode
  without a *who* (`+w`, `=rwx`) is limited by the umask and is not reported;
- `mkdir -m` / `install -m` with such a mode;
- `COPY --chmod=…` / `ADD --chmod=…` with such a mode.

Modes with the sticky bit (`1777`, `a+rwxt`) on temporary folders (a path with a `tmp` or
`temp` component, `/dev/shm`) are the standard for `/tmp` — users may create files there but
not remove or rename others' — and are not reported; on any other path they are.

**Why it matters.** A world-writable file or folder can be rewritten by any process in the
container whatever its user: an exploited service running as an unprivileged user then
replaces binaries, scripts or configuration that root or other services run, turning a small
compromise into a full one, and the intent of running as non-root is lost.

**Failing**
```dockerfile
FROM debian:12-slim
RUN chmod -R 777 /app
COPY --chmod=777 entrypoint.sh /usr/local/bin/
```

**Passing**
```dockerfile
FROM debian:12-slim
RUN chown -R app:app /app && chmod -R u=rwX,go=rX /app \
 && mkdir -p /app/tmp && chmod 1777 /app/tmp
COPY --chmod=755 entrypoint.sh /usr/local/bin/
```"#,
        remediation: "Give the files to the user that needs to write them (`chown app:app`, `COPY --chown=app:app`) and use modes without write for others (`755` for folders and programs, `644` for files, `u=rwX,go=rX`); keep `1777` for temporary folders only.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("pod-secure-images")],
    },
    check,
};

/// What a mode grants: write for others, and the sticky bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Grant {
    world_writable: bool,
    sticky: bool,
}

/// An octal (`0777`) or symbolic (`u+x,o+w`) mode; `None` when it is neither (a variable).
fn grant(mode: &str) -> Option<Grant> {
    if !mode.is_empty() && mode.len() <= 4 && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let bits = u32::from_str_radix(mode, 8).ok()?;
        return Some(Grant {
            world_writable: bits & 0o002 != 0,
            sticky: bits & 0o1000 != 0,
        });
    }
    let mut result = Grant {
        world_writable: false,
        sticky: false,
    };
    for clause in mode.split(',') {
        let who: String = clause
            .chars()
            .take_while(|c| matches!(c, 'u' | 'g' | 'o' | 'a'))
            .collect();
        let actions = &clause[who.len()..];
        if actions.is_empty() || !actions.starts_with(['+', '-', '=']) {
            return None;
        }
        let mut op = '+';
        for c in actions.chars() {
            match c {
                '+' | '-' | '=' => op = c,
                'w' if op != '-' && (who.contains('o') || who.contains('a')) => {
                    result.world_writable = true;
                }
                't' if op != '-' => result.sticky = true,
                'r' | 'w' | 'x' | 'X' | 's' | 't' | 'u' | 'g' | 'o' => {}
                _ => return None,
            }
        }
    }
    Some(result)
}

/// A temporary folder, where the sticky world-writable mode is the norm.
fn is_temporary(path: &str) -> bool {
    let path = path.to_ascii_lowercase();
    path.trim_end_matches('/') == "/dev/shm"
        || path
            .split('/')
            .any(|c| c == "tmp" || c == "temp" || c.starts_with(".x11-unix"))
}

/// Whether the mode given to `targets` is reported.
fn reported(mode: &str, targets: &[String]) -> bool {
    match grant(mode) {
        Some(Grant {
            world_writable: true,
            sticky,
        }) => !(sticky && !targets.is_empty() && targets.iter().all(|t| is_temporary(t))),
        _ => false,
    }
}

/// The mode and targets of a `chmod`, `mkdir -m` or `install -m` command.
fn mode_and_targets<'a>(program: &str, arguments: &'a [String]) -> Option<(&'a str, Vec<String>)> {
    let mut mode: Option<&str> = None;
    let mut targets = Vec::new();
    let mut words = arguments.iter();
    while let Some(word) = words.next() {
        let word = word.as_str();
        if program == "chmod" {
            if word.starts_with("--") {
                continue;
            }
            let is_option = word.len() > 1
                && word.starts_with('-')
                && word[1..]
                    .chars()
                    .all(|c| matches!(c, 'R' | 'f' | 'v' | 'c' | 'H' | 'L' | 'P'));
            if is_option {
                continue;
            }
            if mode.is_none() {
                mode = Some(word);
            } else {
                targets.push(word.to_string());
            }
        } else if word == "-m" {
            mode = words.next().map(String::as_str);
        } else if let Some(value) = word.strip_prefix("--mode=") {
            mode = Some(value);
        } else if let Some(value) = word.strip_prefix("-m") {
            mode = Some(value);
        } else if !word.starts_with('-') {
            targets.push(word.to_string());
        }
    }
    Some((mode?, targets))
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, instruction) in ctx.file.instructions.iter().enumerate() {
        let instruction = effective(instruction);
        match instruction.keyword.as_str() {
            "RUN" => {
                for script in run_scripts(instruction) {
                    for command in &script.commands {
                        let Some(program) = invoked(command) else {
                            continue;
                        };
                        if !matches!(program, "chmod" | "mkdir" | "install") {
                            continue;
                        }
                        let Some((mode, targets)) =
                            mode_and_targets(program, arguments_of(command))
                        else {
                            continue;
                        };
                        if reported(mode, &targets) {
                            let what = if targets.is_empty() {
                                "files".to_string()
                            } else {
                                targets.join(" ")
                            };
                            violations.push(Violation::at(
                                index,
                                format!("{} makes {what} world-writable", command.words.join(" ")),
                            ));
                        }
                    }
                }
            }
            keyword @ ("COPY" | "ADD") => {
                let Some(mode) = instruction.flag("chmod").and_then(|f| f.value.as_deref()) else {
                    continue;
                };
                let destination = match &instruction.arguments {
                    crate::parser::Arguments::Exec(words) => words.last().cloned(),
                    crate::parser::Arguments::Shell(text) => {
                        text.split_whitespace().last().map(str::to_string)
                    }
                }
                .unwrap_or_default();
                if reported(mode, std::slice::from_ref(&destination)) {
                    let copied = sources(instruction, ctx.file.escape).join(" ");
                    violations.push(Violation::at(
                        index,
                        format!("{keyword} --chmod={mode} makes {copied} in {destination} world-writable"),
                    ));
                }
            }
            _ => {}
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writable(mode: &str) -> Option<bool> {
        grant(mode).map(|g| g.world_writable)
    }

    #[test]
    fn modes() {
        for yes in [
            "777", "0777", "666", "1777", "2777", "757", "a+rwx", "o+w", "ugo=rwx", "go+w",
            "u+x,o+w", "a=rwxt",
        ] {
            assert_eq!(writable(yes), Some(true), "{yes}");
        }
        for no in [
            "755",
            "0644",
            "1775",
            "+w",
            "=rwx",
            "u+w",
            "g+w",
            "o-w",
            "a-w",
            "u=rwX,go=rX",
        ] {
            assert_eq!(writable(no), Some(false), "{no}");
        }
        for unknown in ["$MODE", "", "88", "07777", "o", "z+w", "o+q"] {
            assert_eq!(grant(unknown), None, "{unknown}");
        }
        assert!(grant("1777").unwrap().sticky && grant("a+rwxt").unwrap().sticky);
    }

    #[test]
    fn sticky_on_temporary_folders() {
        let t = |s: &str| vec![s.to_string()];
        assert!(!reported("1777", &t("/tmp")));
        assert!(!reported("1777", &t("/var/tmp/")));
        assert!(!reported("a+rwxt", &t("/app/tmp")));
        assert!(reported("777", &t("/tmp")));
        assert!(reported("1777", &t("/app")));
        assert!(reported("1777", &[]));
    }
}
