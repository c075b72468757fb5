use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, mutable_images};
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "imageDigest",
        name: "image-digest",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Image not pinned by digest",
        doc: r#"Container images should be pinned by content digest.

**What it finds.** A container (init, regular or ephemeral) whose `image` has no digest
(`@sha256:…`). Templated values that are not image references (`{{ .Values.image }}`)
cannot be judged and are skipped. `[images] digest_pinning` in `palisade.toml` sets this
rule's severity (`low` by default), or turns it off with `"off"`.

**Why it matters.** A tag is a mutable pointer: whoever can push to the repository (or
compromise the registry) can change what `app:1.4` means, and the next pod start runs it. A
digest names exactly one image; the runtime verifies the content it pulls against it.

**Failing**
```yaml
containers:
- name: app
  image: registry.corp.example/app:1.4.2
```

**Passing**
```yaml
containers:
- name: app
  image: registry.corp.example/app:1.4.2@sha256:4c3a8e5f0b6d1e2a9c7b3f5d8e1a2c4b6d8f0e2a4c6b8d0f2e4a6c8b0d2f4e6a
```"#,
        remediation: "Pin the image by digest (`image: <name>:<tag>@sha256:<digest>`, e.g. from `crane digest` or `docker buildx imagetools inspect`), and let a bot such as Renovate update the digest.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.5.1"),
            nsa("pod-secure-images"),
            crate::mitre!("T1525"),
            crate::mitre!("T1204", "003"),
        ],
    },
    applies: workloads,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    mutable_images(object)
        .into_iter()
        .map(|m| {
            let name = m.image.container.name;
            Violation::at(
                m.image.path,
                format!(
                    "container {name:?} image {:?} is not pinned by digest",
                    m.text
                ),
            )
        })
        .collect()
}
