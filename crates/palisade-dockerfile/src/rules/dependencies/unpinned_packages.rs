use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Manager, PackageCommand, list, package_commands, runs};
use crate::rules::{Context, Rule, Violation, hadolint};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "unpinnedPackages",
        name: "unpinned-packages",
        severity: Severity::Info,
        category: CATEGORY,
        title: "Packages installed without a version",
        doc: r#"Packages installed in an image should name their version.

**What it finds.** One finding per command that installs packages without a version:
- `apt-get install`/`apt install`: a package without `=<version>` (`curl`, `curl/bookworm`);
- `apk add`: a package without `=<version>` (or `~`, `<`, `>` constraints);
- `pip install`: a requirement without a version specifier (`==`, `~=`, `>=`, …) or direct
  reference (`name @ url`, quoted as one argument); requirement files (`-r`), constraints, local paths, archives and
  VCS or URL requirements are not judged;
- `npm install` with package arguments: a package without `@<version>`, or `@latest`; paths,
  tarballs, git and GitHub references are not judged (`npm install` without packages is the
  lockfile's business, see `npmInstall`).

Arguments that are variables (`$PACKAGES`) cannot be judged and are skipped.

**Why it matters.** An unpinned install takes whatever the repository serves on the day of
the build: two builds of the same commit differ, a broken or compromised release flows in
unreviewed, and a rebuild to fix one thing quietly upgrades everything else.

**Failing**
```dockerfile
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir flask gunicorn
```

**Passing**
```dockerfile
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir flask==3.0.3 gunicorn==23.0.0
```"#,
        remediation: "Pin each package (`curl=7.88.1-10+deb12u8`, `curl=8.9.1-r0` on Alpine, `flask==3.0.3`, `left-pad@1.3.0`), or install from a lockfile (`pip install -r requirements.txt` with pinned requirements, `npm ci`), and let Renovate or Dependabot move the pins.",
        aliases: &["DL3008", "DL3013", "DL3016", "DL3018"],
        frameworks: &[],
        references: &[
            hadolint("DL3008", "https://github.com/hadolint/hadolint/wiki/DL3008"),
            hadolint("DL3013", "https://github.com/hadolint/hadolint/wiki/DL3013"),
            hadolint("DL3016", "https://github.com/hadolint/hadolint/wiki/DL3016"),
            hadolint("DL3018", "https://github.com/hadolint/hadolint/wiki/DL3018"),
        ],
    },
    check,
};

/// An operand that names a file, a path, a URL or a variable rather than a package.
fn not_a_package(word: &str, archives: &[&str]) -> bool {
    word.is_empty()
        || word.contains('$')
        || word.contains("://")
        || word.starts_with(['.', '/', '~', '-'])
        || archives.iter().any(|a| word.ends_with(a))
}

/// The unpinned packages among an install's operands.
fn unpinned<'c>(install: &PackageCommand<'c>) -> Vec<&'c str> {
    let operands = &install.operands;
    match install.manager {
        Manager::Apt => operands
            .iter()
            .copied()
            .filter(|w| !not_a_package(w, &[".deb"]) && !w.contains(['*', '?']))
            .filter(|w| !w.contains('='))
            .collect(),
        Manager::Apk => operands
            .iter()
            .copied()
            .filter(|w| !not_a_package(w, &[".apk"]))
            .filter(|w| !w.contains(['=', '~', '<', '>']))
            .collect(),
        Manager::Pip => operands
            .iter()
            .copied()
            .filter(|w| !not_a_package(w, &[".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2"]))
            .filter(|w| !w.contains('/') && !w.contains(['=', '<', '>', '@']))
            .collect(),
        Manager::Npm => operands
            .iter()
            .copied()
            .filter(|w| !not_a_package(w, &[".tgz", ".tar.gz", ".tar"]))
            .filter(|w| {
                ![
                    "git+",
                    "git:",
                    "github:",
                    "gitlab:",
                    "bitbucket:",
                    "gist:",
                    "file:",
                ]
                .iter()
                .any(|p| w.starts_with(p))
            })
            // `user/repo` is a GitHub shorthand; `@scope/name` is a package.
            .filter(|w| w.starts_with('@') || !w.contains('/'))
            .filter(|w| match npm_version(w) {
                None => true,
                Some(version) => version.is_empty() || version == "latest",
            })
            .collect(),
        Manager::Yum | Manager::Dnf => Vec::new(),
    }
}

/// The version (or tag) after `@` in an npm package spec (`@scope/name@1.2` → `1.2`).
fn npm_version(spec: &str) -> Option<&str> {
    let at = spec.get(1..)?.rfind('@')? + 1;
    Some(&spec[at + 1..])
}

/// How to pin the first package, for the message.
fn pin_hint(manager: Manager, package: &str) -> String {
    match manager {
        Manager::Apt => format!("{}=<version>", package.split('/').next().unwrap_or(package)),
        Manager::Apk => format!("{package}=<version>"),
        Manager::Pip => format!("{package}==<version>"),
        Manager::Npm => {
            let name =
                npm_version(package).map_or(package, |v| &package[..package.len() - v.len() - 1]);
            format!("{name}@<version>")
        }
        Manager::Yum | Manager::Dnf => package.to_string(),
    }
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for run in runs(ctx) {
        for install in package_commands(&run.commands) {
            let subject = match install.manager {
                Manager::Apt | Manager::Apk | Manager::Pip | Manager::Npm => install.is_install(),
                Manager::Yum | Manager::Dnf => false,
            };
            if !subject {
                continue;
            }
            let packages = unpinned(&install);
            let Some(first) = packages.first() else {
                continue;
            };
            let code = match install.manager {
                Manager::Apt => "DL3008",
                Manager::Pip => "DL3013",
                Manager::Npm => "DL3016",
                Manager::Apk | Manager::Yum | Manager::Dnf => "DL3018",
            };
            violations.push(
                Violation::at(
                    run.index,
                    format!(
                        "{} {} installs {} without a version: pin as {}",
                        install.program,
                        install.subcommand.unwrap_or(""),
                        list(&packages),
                        pin_hint(install.manager, first)
                    ),
                )
                .with_code(code),
            );
        }
    }
    violations
}
