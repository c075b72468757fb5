use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::CATEGORY;
use crate::expand::expand;
use crate::rules::supply_chain::{effective, split_words};
use crate::rules::{Context, Rule, Violation};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "exposeSsh",
        name: "expose-ssh",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "The image exposes the SSH port",
        doc: r#"A container image should not be built to be reached over SSH.

**What it finds.** An `EXPOSE` of port 22 over TCP: `EXPOSE 22`, `22/tcp`, in a list of
ports (`EXPOSE 80 22`), in a range (`EXPOSE 20-25`), or as the default of a variable
(`EXPOSE ${SSH_PORT:-22}`). `22/udp` is not SSH and is not reported.

**Why it matters.** Port 22 means the image runs an SSH server: one more network service with
credentials or keys to manage and attack, a way into the container that bypasses the
orchestrator's access control and audit (`kubectl exec`, `docker exec`), and usually a sign
that the container is run like a virtual machine.

**Failing**
```dockerfile
FROM ubuntu:24.04
EXPOSE 22 8080
```

**Passing**
```dockerfile
FROM ubuntu:24.04
EXPOSE 8080
```"#,
        remediation: "Remove the SSH port and the SSH server; reach a running container with `kubectl exec` / `docker exec` (or an ephemeral debug container), which the platform authenticates and audits.",
        aliases: &[],
        frameworks: &[],
        references: &[
            nsa("network-exposure"),
            palisade_core::mitre!("T1021", "004"),
        ],
    },
    check,
};

/// Whether an `EXPOSE` word (`22`, `22/tcp`, `20-25`) covers TCP port 22.
fn exposes_ssh(word: &str) -> bool {
    let (ports, protocol) = word.split_once('/').unwrap_or((word, "tcp"));
    if !protocol.eq_ignore_ascii_case("tcp") {
        return false;
    }
    let (low, high) = ports.split_once('-').unwrap_or((ports, ports));
    match (low.trim().parse::<u32>(), high.trim().parse::<u32>()) {
        (Ok(low), Ok(high)) => (low..=high).contains(&22),
        _ => false,
    }
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, instruction) in ctx.file.instructions.iter().enumerate() {
        let expose = effective(instruction);
        if expose.keyword != "EXPOSE" {
            continue;
        }
        let Some(text) = expose.shell() else {
            continue;
        };
        for word in split_words(text, ctx.file.escape) {
            let port = if word.contains('$') {
                expand(&word, ctx.file.escape, &|_| None)
            } else {
                word.clone()
            };
            if exposes_ssh(&port) {
                violations.push(Violation::at(
                    index,
                    format!("EXPOSE {word} publishes the SSH port (22/tcp)"),
                ));
            }
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        for yes in ["22", "22/tcp", "22/TCP", "20-25", "20-25/tcp"] {
            assert!(exposes_ssh(yes), "{yes}");
        }
        for no in ["2222", "22/udp", "80", "", "x", "-", "23-30", "/tcp"] {
            assert!(!exposes_ssh(no), "{no}");
        }
    }
}
