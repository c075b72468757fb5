use palisade_core::frameworks::nsa;
use palisade_core::image::ImageRef;
use palisade_core::{RuleMeta, Severity};

use super::CATEGORY;
use crate::rules::{Context, Rule, Violation, cis_docker};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "baseImageRegistry",
        name: "base-image-registry",
        severity: Severity::High,
        category: CATEGORY,
        title: "Base image from a registry that is not allowed",
        doc: r#"Base images should come only from the registries the organisation trusts.

**What it finds.** Only when `palisade.toml` sets `[images] allowed_registries` (the list the
manifest rule `allowedRegistries` uses): a `FROM` whose image, with the `ARG`s declared before
the first `FROM` substituted and normalised as the builder reads it (`python` is
`docker.io/library/python`), matches none of the allowed patterns. `scratch` and references to
earlier stages are not images and are not reported. A base that does not resolve to an image
reference (`FROM ${REGISTRY}/app` with no default for `REGISTRY`) cannot be verified and is
reported too: the check fails closed.

```toml
[images]
allowed_registries = ["registry.corp.example/*", "gcr.io/distroless/*"]
```

**Why it matters.** A base image is code that runs in every build and ships in every image.
Public registries serve typosquatted, abandoned and backdoored images; a base from outside the
organisation's registries has skipped its scanning, signing and provenance checks.

**Failing**
```dockerfile
FROM python:3.12-slim
```

**Passing**
```dockerfile
FROM registry.corp.example/mirror/python:3.12-slim
```"#,
        remediation: "Mirror the base image into an allowed registry (and scan and sign it there), then build `FROM` the mirror; or, if the registry is trusted, add it to `[images] allowed_registries`.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis_docker("4.2"),
            nsa("pod-secure-images"),
            palisade_core::mitre!("T1204", "003"),
            palisade_core::mitre!("T1525"),
        ],
    },
    check,
};

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let Some(allowed) = &ctx.settings.allowed_registries else {
        return Vec::new();
    };
    let allowed_list = allowed.describe();
    ctx.stages
        .iter()
        .filter(|stage| stage.base_stage.is_none())
        .filter_map(|stage| {
            let base = stage.resolved_base.as_str();
            if base.eq_ignore_ascii_case("scratch") {
                return None;
            }
            let at = ctx.index_of(stage.from);
            let parsed = match ImageRef::parse(base) {
                Ok(parsed) => parsed,
                Err(why) => {
                    return Some(Violation::at(
                        at,
                        format!(
                            "base image {:?} cannot be verified against the allowed registries: {why}",
                            stage.base
                        ),
                    ));
                }
            };
            if allowed.allows(&parsed) {
                return None;
            }
            Some(Violation::at(
                at,
                format!(
                    "base image {:?} is not from an allowed registry ({allowed_list})",
                    parsed.name()
                ),
            ))
        })
        .collect()
}
