use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Manager, display, package_commands, runs, unwrapped};
use crate::rules::{Context, Rule, Violation};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "npmInstall",
        name: "npm-install",
        severity: Severity::Low,
        category: CATEGORY,
        title: "npm install where npm ci fits",
        doc: r#"An image build should install exactly the dependency tree of the lockfile.

**What it finds.** `npm install` (or its aliases `npm i`, `npm add`, …) with no package
arguments — installing a project's dependencies from `package.json` — in a `RUN`. Installs of
named packages (`npm install -g pnpm@9`) and global installs are not reported.

**Why it matters.** `npm install` resolves version ranges again: when the lockfile is missing
or out of date it installs whatever matches today (possibly a compromised new release) and
rewrites `package-lock.json` inside the image. `npm ci` installs exactly what the lockfile
records, checks its integrity hashes, fails when the lockfile and `package.json` disagree, and
starts from a clean `node_modules`.

**Failing**
```dockerfile
FROM node:22-slim
COPY package.json package-lock.json ./
RUN npm install --omit=dev
```

**Passing**
```dockerfile
FROM node:22-slim
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
```"#,
        remediation: "Commit `package-lock.json`, copy it into the build context next to `package.json`, and replace `npm install` with `npm ci` (keeping flags such as `--omit=dev`).",
        aliases: &[],
        frameworks: &[],
        references: &[palisade_core::Reference {
            framework: "npm",
            id: "npm ci",
            url: "https://docs.npmjs.com/cli/commands/npm-ci",
        }],
    },
    check,
};

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for run in runs(ctx) {
        for npm in package_commands(&run.commands) {
            if npm.manager != Manager::Npm
                || !npm.is_install()
                || !npm.operands.is_empty()
                || npm.has_option("-g")
                || npm.has_option("--global")
            {
                continue;
            }
            violations.push(Violation::at(
                run.index,
                format!(
                    "\"{}\" installs from package.json and may rewrite package-lock.json: use npm ci",
                    display(unwrapped(&npm.command.words))
                ),
            ));
        }
    }
    violations
}
