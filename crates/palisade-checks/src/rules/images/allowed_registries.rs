use palisade_core::image::ImageRef;
use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, container_images};
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "allowedRegistries",
        name: "allowed-registries",
        severity: Severity::High,
        category: CATEGORY,
        title: "Image from a registry that is not allowed",
        doc: r#"Images should come only from the registries the organisation trusts.

**What it finds.** Only when `palisade.toml` sets `[images] allowed_registries`: a container
(init, regular or ephemeral) whose image, normalised as a runtime reads it (`nginx` is
`docker.io/library/nginx`), matches none of the allowed patterns. An `image` that is not an
image reference (an unrendered template such as `{{ .Values.image }}`) cannot be verified and
is reported too: the check fails closed.

```toml
[images]
allowed_registries = ["registry.corp.example/*", "ghcr.io/corp/*"]
```

**Why it matters.** Public registries serve typosquatted, abandoned and backdoored images;
an image from outside the organisation's registries has skipped its scanning, signing and
provenance checks. Restricting registries is the manifest-side half of an admission policy
that enforces the same list.

**Failing**
```yaml
containers:
- name: cache
  image: bitnami/redis:7.2
```

**Passing**
```yaml
containers:
- name: cache
  image: registry.corp.example/mirror/redis:7.2
```"#,
        remediation: "Mirror the image into an allowed registry (and scan and sign it there), then reference the mirror; or, if the registry is trusted, add it to `[images] allowed_registries`.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.5.1"),
            nsa("pod-secure-images"),
            crate::mitre!("T1204", "003"),
            crate::mitre!("T1525"),
        ],
    },
    applies: workloads,
    check,
};

fn check(ctx: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(allowed) = &ctx.settings.allowed_registries else {
        return Vec::new();
    };
    let allowed_list = allowed.describe();
    container_images(object)
        .into_iter()
        .filter_map(|image| {
            let name = image.container.name;
            let parsed = match image.text.map(ImageRef::parse) {
                Some(Ok(parsed)) => parsed,
                Some(Err(why)) => {
                    return Some(Violation::at(
                        image.path,
                        format!(
                            "container {name:?} image cannot be verified against the allowed registries: {why}"
                        ),
                    ));
                }
                None => {
                    return Some(Violation::at(
                        image.path,
                        format!(
                            "container {name:?} image cannot be verified against the allowed registries: it is {}, not an image reference",
                            image.node.describe()
                        ),
                    ));
                }
            };
            if allowed.allows(&parsed) {
                return None;
            }
            Some(Violation::at(
                image.path,
                format!(
                    "container {name:?} image {:?} is not from an allowed registry ({allowed_list})",
                    parsed.name()
                ),
            ))
        })
        .collect()
}
