use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::CATEGORY;
use crate::rules::supply_chain::{arguments_of, effective, invoked, run_scripts};
use crate::rules::{Context, Rule, Violation};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sshServerInstalled",
        name: "ssh-server-installed",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "An SSH server is installed in the image",
        doc: r#"Containers are entered through the platform, not through an SSH server in the image.

**What it finds.** A `RUN` (shell form, heredoc scripts, exec form) that installs an SSH
server with a package manager: `openssh-server` or `dropbear` (`dropbear-bin`,
`dropbear-run`) with `apt-get`/`apt`/`aptitude install`, `yum`/`dnf`/`microdnf`/`tdnf
install`, `zypper install`, or `apk add` (where `openssh`, which pulls in the server, and
`openssh-server-pam` count too), also through `sudo` and with versions (`openssh-server=1:9.6*`).
The SSH client (`openssh-client`) is not reported.

**Why it matters.** An SSH daemon is one more network service to patch and attack, with host
keys baked into the image (the same for every container) and passwords or authorized keys to
manage; it bypasses the orchestrator's access control and audit of `kubectl exec`, and it
usually needs root and an init system in the container.

**Failing**
```dockerfile
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y --no-install-recommends openssh-server
```

**Passing**
```dockerfile
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client
```"#,
        remediation: "Remove the SSH server and its `EXPOSE 22`; use `kubectl exec` / `docker exec` or an ephemeral debug container to get a shell, and a proper file transfer or deployment mechanism instead of `scp`.",
        aliases: &[],
        frameworks: &[],
        references: &[
            nsa("network-exposure"),
            palisade_core::mitre!("T1021", "004"),
        ],
    },
    check,
};

/// The install subcommand of a package manager (`None`: not a package manager).
fn install_subcommand(program: &str) -> Option<&'static [&'static str]> {
    match program {
        "apt-get" | "apt" | "aptitude" | "yum" | "dnf" | "microdnf" | "tdnf" => Some(&["install"]),
        "zypper" => Some(&["install", "in"]),
        "apk" => Some(&["add"]),
        _ => None,
    }
}

/// Whether a package (without its version) is an SSH server.
fn is_ssh_server(program: &str, package: &str) -> bool {
    let name = package
        .split(['=', '<', '>', '~'])
        .next()
        .unwrap_or(package)
        .split(':')
        .next()
        .unwrap_or(package);
    matches!(
        name,
        "openssh-server" | "dropbear" | "dropbear-bin" | "dropbear-run"
    ) || (program == "apk" && matches!(name, "openssh" | "openssh-server-pam"))
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, instruction) in ctx.file.instructions.iter().enumerate() {
        let run = effective(instruction);
        if run.keyword != "RUN" {
            continue;
        }
        for script in run_scripts(run) {
            for command in &script.commands {
                let Some(program) = invoked(command) else {
                    continue;
                };
                let Some(subcommands) = install_subcommand(program) else {
                    continue;
                };
                let arguments = arguments_of(command);
                let Some(at) = arguments
                    .iter()
                    .position(|w| subcommands.contains(&w.as_str()))
                else {
                    continue;
                };
                for package in arguments[at + 1..].iter().filter(|w| !w.starts_with('-')) {
                    if is_ssh_server(program, package) {
                        violations.push(Violation::at(
                            index,
                            format!(
                                "{program} installs {package}: the image carries an SSH server"
                            ),
                        ));
                    }
                }
            }
        }
    }
    violations
}
