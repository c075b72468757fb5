use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, mutable_images};
use crate::frameworks::nsa;
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "imageLatestTag",
        name: "image-latest-tag",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Image uses the latest tag",
        doc: r#"Container images should name a specific version.

**What it finds.** A container (init, regular or ephemeral) whose `image` has the tag `latest`,
or no tag and no digest, which runtimes pull as `latest`. Tags are case-sensitive: only
`latest` is the moving default. Images pinned by digest are immutable whatever their tag, and
templated values that are not image references (`{{ .Values.image }}`) cannot be judged; both
are skipped.

**Why it matters.** `latest` moves with every push: two replicas of the same Deployment can
run different code, a rollback does not bring the old version back, an audit cannot tell what
ran, and a compromised or broken upstream image reaches the cluster on the next pod restart
without review.

**Failing**
```yaml
containers:
- name: app
  image: nginx
- name: proxy
  image: registry.corp.example/proxy:latest
```

**Passing**
```yaml
containers:
- name: app
  image: nginx:1.27.2
```"#,
        remediation: "Set an explicit, immutable version tag (or better, a digest: `image: registry.corp.example/app:1.4.2@sha256:…`) and update it deliberately.",
        aliases: &[],
        frameworks: &[],
        references: &[
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
        .filter_map(|m| {
            let (name, text) = (m.image.container.name, m.text);
            let message = match &m.parsed.tag {
                Some(tag) if tag == "latest" => {
                    format!("container {name:?} image {text:?} uses the mutable tag \"latest\"")
                }
                Some(_) => return None,
                None => format!(
                    "container {name:?} image {text:?} has no tag, so the runtime pulls \"latest\""
                ),
            };
            Some(Violation::at(m.image.path, message))
        })
        .collect()
}
