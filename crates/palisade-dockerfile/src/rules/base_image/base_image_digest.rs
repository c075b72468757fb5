use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, external_bases};
use crate::rules::{Context, Rule, Violation, cis_docker};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "baseImageDigest",
        name: "base-image-digest",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Base image not pinned by digest",
        doc: r#"A `FROM` should pin the exact image it builds on by its digest.

**What it finds.** A `FROM` whose image (with the `ARG`s declared before the first `FROM`
substituted) has no `@sha256:…` digest, tag or not. `scratch`, references to earlier stages
(`FROM build`) and bases that stay unresolved (`FROM $BASE` with no default) are not
reported; neither are bases that are not image references at all (see `baseImageRegistry`).

**Why it matters.** Tags move: `python:3.12-slim` is rebuilt every few weeks, and a registry
(or whoever controls it) can point a tag at any image. Without a digest the build cannot say
which image it used, two builds of one commit differ, and a tampered tag flows straight into
the image. A digest is content-addressed: the builder verifies that it got exactly those bytes.

**Failing**
```dockerfile
FROM python:3.12-slim
```

**Passing**
```dockerfile
FROM python:3.12-slim@sha256:2fba8e70a87bcc9f6edd20dda0a1d4adb32046d2f8dbd4c1a0cad3ddeb5c3d02
```"#,
        remediation: "Append the digest to the tag (`docker buildx imagetools inspect python:3.12-slim` prints it): `FROM python:3.12-slim@sha256:…`, and let Renovate or Dependabot update tag and digest together.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis_docker("4.2"),
            nsa("pod-secure-images"),
            palisade_core::mitre!("T1204", "003"),
        ],
    },
    check,
};

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    external_bases(ctx)
        .filter(|(_, image)| image.digest.is_none())
        .map(|(stage, _)| {
            Violation::at(
                ctx.index_of(stage.from),
                format!(
                    "base image {:?} is not pinned by digest",
                    stage.resolved_base
                ),
            )
        })
        .collect()
}
