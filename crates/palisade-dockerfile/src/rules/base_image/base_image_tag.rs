use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, external_bases};
use crate::rules::{Context, Rule, Violation, hadolint};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "baseImageTag",
        name: "base-image-tag",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Base image without a version tag, or tagged latest",
        doc: r#"Every `FROM` should name the version of its base image.

**What it finds.** A `FROM` whose image (with the `ARG`s declared before the first `FROM`
substituted, as BuildKit does) has no tag and no digest — the builder pulls `latest` — or the
tag `latest`. `scratch`, references to earlier stages (`FROM build`), digest-pinned images and
bases that stay unresolved (`FROM $BASE` with no default) are not reported.

**Why it matters.** `latest` moves: the same Dockerfile builds a different image tomorrow, with
packages nobody reviewed, and a rebuild to fix one thing can pull in a new major version.

**Failing**
```dockerfile
FROM python
FROM node:latest AS build
```

**Passing**
```dockerfile
FROM python:3.12-slim
FROM node:22.11-bookworm-slim AS build
```"#,
        remediation: "Name the version (`python:3.12-slim`), better also pin the digest (`python:3.12-slim@sha256:…`) and let Renovate or Dependabot move both.",
        aliases: &["DL3006", "DL3007"],
        frameworks: &[],
        references: &[
            hadolint("DL3006", "https://github.com/hadolint/hadolint/wiki/DL3006"),
            hadolint("DL3007", "https://github.com/hadolint/hadolint/wiki/DL3007"),
            nsa("pod-secure-images"),
        ],
    },
    check,
};

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    external_bases(ctx)
        .filter_map(|(stage, image)| {
            let base = &stage.resolved_base;
            let (message, code) = match (&image.tag, &image.digest) {
                (_, Some(_)) => return None,
                (Some(tag), None) if tag == "latest" => (
                    format!("base image {base:?} uses the mutable tag \"latest\""),
                    "DL3007",
                ),
                (Some(_), None) => return None,
                (None, None) => (
                    format!("base image {base:?} has no tag, so the build pulls \"latest\""),
                    "DL3006",
                ),
            };
            Some(Violation::at(ctx.index_of(stage.from), message).with_code(code))
        })
        .collect()
}
