use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Manager, package_commands, runs};
use crate::rules::{Context, Rule, Violation, hadolint};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "aptUpgrade",
        name: "apt-upgrade",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "apt-get upgrade or dist-upgrade in a RUN",
        doc: r#"Security fixes of the base image should come from a newer base, not from upgrading it in place.

**What it finds.** `apt-get upgrade`, `apt-get dist-upgrade`, `apt-get full-upgrade` (and the
same with `apt`) in a `RUN`, also behind `sudo` or `env`, in heredoc scripts and exec form.

**Why it matters.** Upgrading every package of the base makes the build depend on the day it
runs: the same Dockerfile gives different images, with versions nobody picked or tested, and
a `dist-upgrade` can pull in a new major release of core libraries. The upgraded packages are
a second copy on top of the base layer, and vulnerability scanners report against a base the
image no longer matches. A base image that is rebuilt upstream (and a pinned, regularly bumped
tag or digest) brings the same fixes reproducibly.

**Failing**
```dockerfile
FROM debian:12-slim
RUN apt-get update && apt-get -y dist-upgrade
```

**Passing**
```dockerfile
FROM debian:12.7-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl=3.0.14-1~deb12u2 \
 && rm -rf /var/lib/apt/lists/*
```"#,
        remediation: "Remove the upgrade; move to a newer base image tag or digest (let Renovate or Dependabot bump it), and upgrade the single packages a fix needs by installing their pinned version.",
        aliases: &["DL3005"],
        frameworks: &[],
        references: &[hadolint(
            "DL3005",
            "https://github.com/hadolint/hadolint/wiki/DL3005",
        )],
    },
    check,
};

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for run in runs(ctx) {
        for apt in package_commands(&run.commands) {
            let Some(sub @ ("upgrade" | "dist-upgrade" | "full-upgrade")) = apt.subcommand else {
                continue;
            };
            if apt.manager != Manager::Apt {
                continue;
            }
            violations.push(Violation::at(
                run.index,
                format!(
                    "{} {sub} upgrades the base image's packages in place: use a newer base image instead",
                    apt.program
                ),
            ));
        }
    }
    violations
}
