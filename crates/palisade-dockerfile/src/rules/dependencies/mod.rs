//! Dependencies: apt/apk/dnf/pip/npm installs that pull more than needed, leave caches behind,
//! upgrade the base, or float versions.
//!
//! The rules share the view of a `RUN` as commands: [`runs`] yields every `RUN` (and
//! `ONBUILD RUN`) with the commands of its shell text and of the heredocs that are its script,
//! and [`package_commands`] reads the package-manager invocations among them.

mod apt_no_install_recommends;
mod apt_update_alone;
mod apt_upgrade;
mod npm_install;
mod package_cache_not_cleaned;
mod pip_no_cache_dir;
mod unpinned_packages;

use super::{Context, Rule};
use crate::parser::{Arguments, Instruction};
use crate::shell::{self, Command, Connector};

const CATEGORY: &str = "dockerfile-dependencies";

pub static RULES: &[&Rule] = &[
    &apt_no_install_recommends::RULE,
    &apt_update_alone::RULE,
    &package_cache_not_cleaned::RULE,
    &apt_upgrade::RULE,
    &pip_no_cache_dir::RULE,
    &npm_install::RULE,
    &unpinned_packages::RULE,
];

/// One `RUN` of the file: the instruction findings are reported at, the `RUN` itself (the
/// trigger of an `ONBUILD RUN`), its stage, and its commands in order.
pub(super) struct Run<'a> {
    pub index: usize,
    pub stage: usize,
    pub run: &'a Instruction,
    pub commands: Vec<Command>,
}

/// Every `RUN` and `ONBUILD RUN` of every stage, in file order.
pub(super) fn runs<'a>(ctx: &Context<'a>) -> Vec<Run<'a>> {
    let mut runs = Vec::new();
    for (stage, s) in ctx.stages.iter().enumerate() {
        for instruction in s.instructions {
            let run = match instruction.keyword.as_str() {
                "RUN" => instruction,
                "ONBUILD" => match instruction.trigger.as_deref() {
                    Some(trigger) if trigger.keyword == "RUN" => trigger,
                    _ => continue,
                },
                _ => continue,
            };
            runs.push(Run {
                index: ctx.index_of(instruction),
                stage,
                run,
                commands: run_commands(run),
            });
        }
    }
    runs
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

/// The commands a `RUN` runs: the exec form's words as one command (and the script of an
/// exec-form `sh -c`), the shell form's commands, and the heredocs that are the script: those
/// of a `RUN` that is only heredocs (unless a shebang names another interpreter) or whose
/// program is a shell (`RUN bash <<EOF`). A heredoc fed to another program (`cat <<EOF >
/// file`, `python3 <<EOF`) is data, not shell.
pub(super) fn run_commands(run: &Instruction) -> Vec<Command> {
    match &run.arguments {
        Arguments::Exec(words) => {
            let mut commands = vec![Command {
                words: words.clone(),
                assignments: Vec::new(),
                connector: Connector::Sequence,
                nested: false,
            }];
            let program = words.first().map(|w| w.rsplit('/').next().unwrap_or(w));
            if program.is_some_and(|p| SHELLS.contains(&p))
                && let Some(at) = words.iter().position(|w| w == "-c")
                && let Some(script) = words.get(at + 1)
            {
                commands.extend(shell::commands(script));
            }
            commands
        }
        Arguments::Shell(text) => {
            let mut commands = shell::commands(text);
            let script = match commands.first().and_then(Command::program) {
                None => true,
                Some(program) => SHELLS.contains(&program),
            };
            if script {
                for heredoc in &run.heredocs {
                    let shebang = heredoc
                        .body
                        .lines()
                        .next()
                        .and_then(|l| l.strip_prefix("#!"));
                    let foreign = shebang.is_some_and(|line| {
                        let mut words = line.split_whitespace();
                        let interpreter = words.next().unwrap_or("");
                        let interpreter = interpreter.rsplit('/').next().unwrap_or(interpreter);
                        let interpreter = if interpreter == "env" {
                            words.find(|w| !w.starts_with('-')).unwrap_or("")
                        } else {
                            interpreter
                        };
                        !SHELLS.contains(&interpreter)
                    });
                    if !foreign {
                        commands.extend(shell::commands(&heredoc.body));
                    }
                }
            }
            commands
        }
    }
}

/// The words of a command without the wrappers that run another command (`sudo`, `env`,
/// `nice`, `nohup`, `time`, `command`, `exec`) with their options. (Shell reserved words such
/// as `then` or `!` never start a command: the splitter drops them.)
pub(super) fn unwrapped(words: &[String]) -> &[String] {
    let mut rest = words;
    loop {
        let Some(first) = rest.first() else {
            return rest;
        };
        let program = first.rsplit('/').next().unwrap_or(first);
        // Options of the wrapper that take a value as the next word.
        let takes_value: &[&str] = match program {
            "sudo" => &["-u", "-g", "-h", "-p", "-C", "-U", "-D", "-r", "-t", "-T"],
            "env" => &["-u", "-C", "-S"],
            "nice" => &["-n"],
            "nohup" | "time" | "command" | "exec" => &[],
            _ => return rest,
        };
        rest = &rest[1..];
        while let Some(word) = rest.first() {
            if word == "--" {
                rest = &rest[1..];
                break;
            } else if word.starts_with('-') && word.len() > 1 {
                let skip = if takes_value.contains(&word.as_str()) {
                    2
                } else {
                    1
                };
                rest = rest.get(skip..).unwrap_or(&[]);
            } else if program == "env" && word.contains('=') {
                rest = &rest[1..];
            } else {
                break;
            }
        }
    }
}

/// A package manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Manager {
    /// `apt-get` and `apt`.
    Apt,
    Apk,
    Yum,
    /// `dnf`, `dnf5` and `microdnf`.
    Dnf,
    /// `pip`, `pip3`, `pip3.12`, `python3 -m pip`.
    Pip,
    Npm,
}

/// One package-manager invocation: the program as written (`apt-get`, `python3 -m pip`), its
/// subcommand, its options (`--name` with the value attached or taken from the next word) and
/// the operands after the subcommand (packages, files).
pub(super) struct PackageCommand<'c> {
    pub manager: Manager,
    pub program: String,
    pub subcommand: Option<&'c str>,
    pub options: Vec<(&'c str, Option<&'c str>)>,
    pub operands: Vec<&'c str>,
    /// The position of the command in the `RUN`'s commands.
    pub position: usize,
    pub command: &'c Command,
}

impl PackageCommand<'_> {
    /// `apt-get install of curl, git` (or `apt-get install` without operands), for messages.
    pub fn describe(&self) -> String {
        let mut text = self.program.clone();
        if let Some(sub) = self.subcommand {
            text.push(' ');
            text.push_str(sub);
        }
        if !self.operands.is_empty() {
            text.push_str(" of ");
            text.push_str(&list(&self.operands));
        }
        text
    }

    pub fn has_option(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| *n == name)
    }

    /// The value of the first option among `names`.
    pub fn option_values<'s>(&'s self, names: &'s [&str]) -> impl Iterator<Item = &'s str> + 's {
        self.options
            .iter()
            .filter(move |(n, _)| names.contains(n))
            .filter_map(|(_, v)| *v)
    }

    /// `install`-like subcommand of the manager.
    pub fn is_install(&self) -> bool {
        let Some(sub) = self.subcommand else {
            return false;
        };
        match self.manager {
            Manager::Apt | Manager::Pip => sub == "install",
            Manager::Apk => sub == "add",
            Manager::Yum | Manager::Dnf => {
                matches!(
                    sub,
                    "install" | "groupinstall" | "localinstall" | "reinstall"
                )
            }
            Manager::Npm => matches!(
                sub,
                "install"
                    | "i"
                    | "in"
                    | "ins"
                    | "inst"
                    | "insta"
                    | "instal"
                    | "isnt"
                    | "isnta"
                    | "isntal"
                    | "isntall"
                    | "add"
            ),
        }
    }
}

/// The options of each manager that take their value from the next word.
fn value_options(manager: Manager) -> &'static [&'static str] {
    match manager {
        Manager::Apt => &[
            "-o",
            "-c",
            "-t",
            "--option",
            "--config-file",
            "--target-release",
            "--default-release",
        ],
        Manager::Apk => &[
            "-X",
            "--repository",
            "-t",
            "--virtual",
            "-p",
            "--root",
            "--arch",
            "--keys-dir",
            "--repositories-file",
            "--cache-dir",
            "--cache-max-age",
        ],
        Manager::Yum | Manager::Dnf => &[
            "-c",
            "--config",
            "-x",
            "--exclude",
            "--installroot",
            "--releasever",
            "--enablerepo",
            "--disablerepo",
            "--repo",
            "--repoid",
            "--setopt",
            "-d",
            "--debuglevel",
            "-e",
            "--errorlevel",
        ],
        Manager::Pip => &[
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "-e",
            "--editable",
            "-i",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
            "-t",
            "--target",
            "--prefix",
            "--root",
            "--src",
            "--trusted-host",
            "--platform",
            "--python-version",
            "--implementation",
            "--abi",
            "--only-binary",
            "--no-binary",
            "--upgrade-strategy",
            "--progress-bar",
            "--global-option",
            "-C",
            "--config-settings",
            "--cache-dir",
            "--log",
            "--proxy",
            "--retries",
            "--timeout",
            "--exists-action",
            "--cert",
            "--client-cert",
            "--report",
            "--python",
        ],
        Manager::Npm => &[
            "--prefix",
            "--omit",
            "--include",
            "--only",
            "--registry",
            "--cache",
            "--loglevel",
            "-w",
            "--workspace",
            "--userconfig",
            "--tag",
            "--install-strategy",
        ],
    }
}

/// The manager a program name belongs to.
fn manager_of(program: &str) -> Option<Manager> {
    let is_versioned = |name: &str, stem: &str| {
        name.strip_prefix(stem)
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    match program {
        "apt-get" | "apt" => Some(Manager::Apt),
        "apk" => Some(Manager::Apk),
        "yum" => Some(Manager::Yum),
        "dnf" | "dnf5" | "microdnf" => Some(Manager::Dnf),
        "npm" => Some(Manager::Npm),
        p if is_versioned(p, "pip") => Some(Manager::Pip),
        _ => None,
    }
}

/// Reads one command as a package-manager invocation, if it is one.
pub(super) fn package_command(position: usize, command: &Command) -> Option<PackageCommand<'_>> {
    let words = unwrapped(&command.words);
    let first = words.first()?;
    let name = first.rsplit('/').next().unwrap_or(first);
    let (manager, program, args) = match manager_of(name) {
        Some(manager) => (manager, name.to_string(), &words[1..]),
        None => {
            // `python3 -m pip …`
            let python = name
                .strip_prefix("python")
                .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
            let at = words.iter().position(|w| w == "-m")?;
            let module = words.get(at + 1)?;
            if !python || !module.starts_with("pip") || manager_of(module) != Some(Manager::Pip) {
                return None;
            }
            (
                Manager::Pip,
                format!("{name} -m {module}"),
                &words[at + 2..],
            )
        }
    };
    let takes_value = value_options(manager);
    let mut subcommand = None;
    let mut options = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    let mut end_of_options = false;
    while i < args.len() {
        let word = args[i].as_str();
        i += 1;
        if !end_of_options && word == "--" {
            end_of_options = true;
        } else if !end_of_options && word.starts_with("--") {
            match word.split_once('=') {
                Some((name, value)) => options.push((name, Some(value))),
                None if takes_value.contains(&word) => {
                    options.push((word, args.get(i).map(String::as_str)));
                    i += 1;
                }
                None => options.push((word, None)),
            }
        } else if !end_of_options && word.starts_with('-') && word.len() > 1 {
            let short = word.get(..2).unwrap_or(word);
            if takes_value.contains(&short) {
                if word.len() > 2 {
                    let value = &word[2..];
                    options.push((short, Some(value.strip_prefix('=').unwrap_or(value))));
                } else {
                    options.push((short, args.get(i).map(String::as_str)));
                    i += 1;
                }
            } else {
                options.push((word, None));
            }
        } else if subcommand.is_none() {
            subcommand = Some(word);
        } else {
            operands.push(word);
        }
    }
    Some(PackageCommand {
        manager,
        program,
        subcommand,
        options,
        operands,
        position,
        command,
    })
}

/// Every package-manager invocation among a `RUN`'s commands.
pub(super) fn package_commands(commands: &[Command]) -> Vec<PackageCommand<'_>> {
    commands
        .iter()
        .enumerate()
        .filter_map(|(position, command)| package_command(position, command))
        .collect()
}

/// The stages whose layers end up in the built image: the final stage and the stages it
/// builds on (`FROM <stage>`). Caches left in a builder stage that the final stage only
/// copies files from never ship.
pub(super) fn shipped_stages(ctx: &Context<'_>) -> Vec<usize> {
    let mut shipped = Vec::new();
    let mut next = ctx.stages.len().checked_sub(1);
    while let Some(stage) = next {
        if shipped.contains(&stage) {
            break;
        }
        shipped.push(stage);
        next = ctx.stages[stage]
            .base_stage
            .filter(|base| *base < ctx.stages.len());
    }
    shipped
}

/// The stage and the stages it builds on, nearest first.
pub(super) fn stage_chain(ctx: &Context<'_>, stage: usize) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut next = Some(stage).filter(|s| *s < ctx.stages.len());
    while let Some(s) = next {
        if chain.contains(&s) {
            break;
        }
        chain.push(s);
        next = ctx.stages[s].base_stage.filter(|b| *b < ctx.stages.len());
    }
    chain
}

/// The instructions that come before the one at `index` in its stage and in the stages that
/// stage builds on.
pub(super) fn instructions_before<'a>(
    ctx: &Context<'a>,
    stage: usize,
    index: usize,
) -> Vec<&'a Instruction> {
    stage_chain(ctx, stage)
        .into_iter()
        .flat_map(|s| ctx.stages[s].instructions.iter())
        .filter(|i| ctx.index_of(i) < index)
        .collect()
}

/// Whether the `RUN` has a `--mount=type=cache` whose target is (inside) one of `dirs`; with
/// no `dirs`, whether it has any cache mount.
pub(super) fn has_cache_mount(run: &Instruction, dirs: &[&str]) -> bool {
    run.flags
        .iter()
        .filter(|f| f.name == "mount")
        .filter_map(|f| f.value.as_deref())
        .any(|mount| {
            let fields: Vec<(&str, &str)> = mount
                .split(',')
                .filter_map(|field| field.split_once('='))
                .map(|(k, v)| (k.trim(), v.trim().trim_matches('"')))
                .collect();
            let cache = fields.iter().any(|(k, v)| *k == "type" && *v == "cache");
            let target = fields
                .iter()
                .find(|(k, _)| matches!(*k, "target" | "dst" | "destination"))
                .map(|(_, v)| v.trim_end_matches('/'));
            cache
                && (dirs.is_empty()
                    || target.is_some_and(|t| {
                        dirs.iter().any(|d| {
                            t == *d || t.strip_prefix(d).is_some_and(|r| r.starts_with('/'))
                        })
                    }))
        })
}

/// A command as it could be typed, shortened for a message.
pub(super) fn display(words: &[String]) -> String {
    let text = words
        .iter()
        .map(|w| {
            if w.is_empty() || w.contains(char::is_whitespace) {
                format!("'{w}'")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() > 80 {
        let short: String = text.chars().take(77).collect();
        format!("{short}…")
    } else {
        text
    }
}

/// A list of names for a message: `a, b, c`, at most ten, then how many more.
pub(super) fn list(names: &[&str]) -> String {
    let mut text = names
        .iter()
        .take(10)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 10 {
        text.push_str(&format!(" and {} more", names.len() - 10));
    }
    text
}
