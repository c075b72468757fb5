use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Manager, package_commands, runs};
use crate::rules::{Context, Rule, Violation, cis_docker};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "aptUpdateAlone",
        name: "apt-update-alone",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "apt-get update in a RUN of its own",
        doc: r#"`apt-get update` belongs in the same `RUN` as the `apt-get install` that needs it.

**What it finds.** A `RUN` whose only apt commands (`apt-get`, `apt`) are `update`: no
`install`, `upgrade`, `dist-upgrade`, `full-upgrade`, `build-dep`, `source`, `reinstall` or
`download` follows it in the same `RUN`.

**Why it matters.** The builder caches every `RUN` as a layer. An `update` on its own is cached
once and never run again, so a later `apt-get install` — even one added months later — installs
from the stale package index: old, vulnerable versions, or "Unable to locate package" as soon
as the mirror drops them. The index also stays in the image for nothing.

**Failing**
```dockerfile
FROM debian:12-slim
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl
```

**Passing**
```dockerfile
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
```"#,
        remediation: "Chain `apt-get update` and the `apt-get install` that needs it in one `RUN` (`apt-get update && apt-get install -y …`), and remove `/var/lib/apt/lists/*` at its end.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis_docker("4.7"),
            palisade_core::Reference {
                framework: "Docker",
                id: "Dockerfile best practices: apt-get",
                url: "https://docs.docker.com/build/building/best-practices/#apt-get",
            },
        ],
    },
    check,
};

/// The apt subcommands that use the package index `update` fetched.
const USES_INDEX: &[&str] = &[
    "install",
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "build-dep",
    "source",
    "reinstall",
    "download",
];

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    runs(ctx)
        .into_iter()
        .filter_map(|run| {
            let apt: Vec<_> = package_commands(&run.commands)
                .into_iter()
                .filter(|c| c.manager == Manager::Apt)
                .collect();
            let update = apt.iter().find(|c| c.subcommand == Some("update"))?;
            if apt
                .iter()
                .any(|c| c.subcommand.is_some_and(|s| USES_INDEX.contains(&s)))
            {
                return None;
            }
            Some(Violation::at(
                run.index,
                format!(
                    "{} update without an install in the same RUN: the package index is cached in a layer of its own and goes stale",
                    update.program
                ),
            ))
        })
        .collect()
}
