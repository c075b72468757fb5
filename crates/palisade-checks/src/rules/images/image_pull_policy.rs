use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::{CATEGORY, mutable_images};
use crate::frameworks::nsa;
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "imagePullPolicy",
        name: "image-pull-policy",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Image pull policy is not Always",
        doc: r#"Images pinned only by tag should be pulled on every container start.

**What it finds.** A container (init, regular or ephemeral) whose image is not pinned by
digest and whose pull policy is not `Always`: `imagePullPolicy: IfNotPresent` or `Never`, or
no `imagePullPolicy` with an explicit tag other than `latest` (Kubernetes then defaults to
`IfNotPresent`; without a tag, or with `latest`, it defaults to `Always`). Images pinned by
digest are immutable, so their pull policy does not matter; templated values that are not
image references (`{{ .Values.image }}`) cannot be judged. Both are skipped.

**Why it matters.** With `IfNotPresent` a node runs whatever it has cached under the tag: a
tag moved to a fixed image is not picked up, nodes disagree on what `app:1.4` is, and a pod
can start an image that another tenant pulled with credentials it does not have itself, since
the registry is never asked.

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
  image: registry.corp.example/app:1.4.2
  imagePullPolicy: Always
```"#,
        remediation: "Pin the image by digest (preferred), or set `imagePullPolicy: Always` (and enable the AlwaysPullImages admission plugin on multi-tenant clusters).",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("pod-secure-images"), crate::mitre!("T1525")],
    },
    applies: workloads,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    mutable_images(object)
        .into_iter()
        .filter_map(|m| {
            let (name, text, parsed) = (m.image.container.name, m.text, &m.parsed);
            let path = m.image.container.path.key("imagePullPolicy");
            let message = match m.image.container.node.get("imagePullPolicy") {
                Some(policy) if policy.as_str() == Some("Always") => return None,
                Some(policy) => {
                    let shown = policy
                        .as_str()
                        .map_or_else(|| policy.describe(), |p| format!("{p:?}"));
                    format!(
                        "container {name:?} image {text:?} is not pinned by digest and imagePullPolicy is {shown}"
                    )
                }
                // Kubernetes defaults to Always for `latest` (explicit or implied) only.
                None if parsed.effective_tag() == Some("latest") => return None,
                None => format!(
                    "container {name:?} image {text:?} is not pinned by digest and imagePullPolicy defaults to \"IfNotPresent\" (tag {:?} is not latest)",
                    parsed.tag.as_deref().unwrap_or_default()
                ),
            };
            Some(Violation::at(path, message))
        })
        .collect()
}
