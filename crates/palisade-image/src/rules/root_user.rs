use palisade_core::frameworks::{cis, nsa};
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, ImageFacts, Rule, Violation};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "imageRootUser",
        name: "image-root-user",
        severity: Severity::High,
        category: CATEGORY,
        title: "The image runs as root",
        doc: r#"An image should start its process as an unprivileged user.

**What it finds.** An image whose config `User` is empty (the runtime default, root), `root`,
`0`, or `root`/`0` with any group.

**Why it matters.** Root in the container is root on the node after an escape, and pods of this
image fail `runAsNonRoot` admission unless the manifest overrides the user.

**Failing**
```json
{"config": {"User": ""}}
```

**Passing**
```json
{"config": {"User": "10001:10001"}}
```"#,
        remediation: "Build the image with a dedicated user (`USER 10001` in the final stage), or set `securityContext.runAsUser`/`runAsNonRoot` on the pods that run it.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.2.7"), nsa("pod-non-root")],
    },
    check,
};

fn check(facts: &ImageFacts<'_>) -> Vec<Violation> {
    let config = facts.config;
    let user = config["config"]["User"].as_str().unwrap_or("");
    let name = user.split(':').next().unwrap_or("");
    if !(name.is_empty() || name == "root" || name == "0") {
        return Vec::new();
    }
    let shown = if user.is_empty() {
        "not set, so root"
    } else {
        user
    };
    vec![Violation {
        path: "config.User".to_string(),
        message: format!("the image runs as root (User {shown})"),
        severity: None,
    }]
}
