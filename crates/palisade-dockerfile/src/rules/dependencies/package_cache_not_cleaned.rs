use palisade_core::{RuleMeta, Severity};

use super::{
    CATEGORY, Manager, PackageCommand, has_cache_mount, package_commands, runs, shipped_stages,
    unwrapped,
};
use crate::rules::{Context, Rule, Violation, hadolint};
use crate::shell::Command;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "packageCacheNotCleaned",
        name: "package-cache-not-cleaned",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Package manager cache left in the image",
        doc: r#"A `RUN` that installs packages should leave no package index or cache behind.

**What it finds.** In the stages whose layers make up the image (the final stage and the
stages it builds on; caches of builder stages that are only copied from never ship), one
finding per command:
- `apt-get install` (or `apt install`) with no `rm -rf /var/lib/apt/lists/*` after it in the
  same `RUN`;
- `apk add` without `--no-cache` and with no `rm` of `/var/cache/apk` after it;
- `yum install` with no `yum clean all` after it;
- `dnf install` (also `dnf5`, `microdnf`) with no `dnf clean all` after it.

Removing the cache directory (`rm -rf /var/cache/yum`, `/var/cache/dnf`) counts as cleaning,
and so does a `--mount=type=cache` on the `RUN` whose target holds the cache
(`/var/lib/apt`, `/var/cache/apk`, `/var/cache/yum`, `/var/cache/dnf`): it never reaches the
layer.

**Why it matters.** Package indexes and caches are tens of megabytes that every pull
downloads and nothing at run time uses. A cleanup in a later `RUN` does not help: the files
stay in the earlier layer.

**Failing**
```dockerfile
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
FROM alpine:3.20
RUN apk add curl
```

**Passing**
```dockerfile
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
FROM alpine:3.20
RUN apk add --no-cache curl
```"#,
        remediation: "Clean up in the same `RUN` as the install: end apt installs with `rm -rf /var/lib/apt/lists/*`, use `apk add --no-cache`, end yum/dnf installs with `yum clean all`/`dnf clean all` — or mount the cache directory with `RUN --mount=type=cache,target=…`.",
        aliases: &["DL3009", "DL3019", "DL3032", "DL3040"],
        frameworks: &[],
        references: &[
            hadolint("DL3009", "https://github.com/hadolint/hadolint/wiki/DL3009"),
            hadolint("DL3019", "https://github.com/hadolint/hadolint/wiki/DL3019"),
            hadolint("DL3032", "https://github.com/hadolint/hadolint/wiki/DL3032"),
            hadolint("DL3040", "https://github.com/hadolint/hadolint/wiki/DL3040"),
        ],
    },
    check,
};

/// Whether an `rm` operand removes `dir` or what is inside it.
fn removes(word: &str, dir: &str) -> bool {
    let removed = word.trim_end_matches('*').trim_end_matches('/');
    !removed.is_empty()
        && (removed == dir
            || dir
                .strip_prefix(removed)
                .is_some_and(|rest| rest.starts_with('/'))
            || removed
                .strip_prefix(dir)
                .is_some_and(|rest| rest.starts_with('/')))
}

/// Whether some command after `position` is an `rm` of one of `dirs`.
fn removed_after(commands: &[Command], position: usize, dirs: &[&str]) -> bool {
    commands.iter().skip(position + 1).any(|command| {
        let words = unwrapped(&command.words);
        words
            .first()
            .is_some_and(|w| w.rsplit('/').next() == Some("rm"))
            && words[1..]
                .iter()
                .any(|w| dirs.iter().any(|dir| removes(w, dir)))
    })
}

/// Whether some package command after `install` is `yum`/`dnf`/`microdnf` `clean all`.
fn cleaned_after(all: &[PackageCommand<'_>], install: &PackageCommand<'_>) -> bool {
    all.iter().any(|c| {
        c.position > install.position
            && matches!(c.manager, Manager::Yum | Manager::Dnf)
            && c.subcommand == Some("clean")
            && c.operands.contains(&"all")
    })
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let shipped = shipped_stages(ctx);
    let mut violations = Vec::new();
    for run in runs(ctx) {
        if !shipped.contains(&run.stage) {
            continue;
        }
        let all = package_commands(&run.commands);
        for install in all.iter().filter(|c| c.is_install()) {
            let problem = match install.manager {
                Manager::Apt => {
                    let dirs = ["/var/lib/apt/lists"];
                    if removed_after(&run.commands, install.position, &dirs)
                        || has_cache_mount(run.run, &["/var/lib/apt", "/var/lib/apt/lists"])
                    {
                        continue;
                    }
                    "leaves the package lists in the layer: end the RUN with rm -rf /var/lib/apt/lists/*".to_string()
                }
                Manager::Apk => {
                    let dirs = ["/var/cache/apk"];
                    if install.has_option("--no-cache")
                        || removed_after(&run.commands, install.position, &dirs)
                        || has_cache_mount(run.run, &["/var/cache/apk", "/etc/apk/cache"])
                    {
                        continue;
                    }
                    "keeps the package index in /var/cache/apk: use apk add --no-cache".to_string()
                }
                Manager::Yum | Manager::Dnf => {
                    let dirs = ["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"];
                    if cleaned_after(&all, install)
                        || removed_after(&run.commands, install.position, &dirs)
                        || has_cache_mount(run.run, &dirs)
                    {
                        continue;
                    }
                    format!(
                        "leaves the {} cache in the layer: end the RUN with {} clean all",
                        install.program, install.program
                    )
                }
                Manager::Pip | Manager::Npm => continue,
            };
            let code = match install.manager {
                Manager::Apt => "DL3009",
                Manager::Apk => "DL3019",
                _ if install.program == "yum" => "DL3032",
                _ => "DL3040",
            };
            violations.push(
                Violation::at(run.index, format!("{} {problem}", install.describe()))
                    .with_code(code),
            );
        }
    }
    violations
}
