use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::{CATEGORY, boolean, is_kubelet_configuration};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeletAuthorizationMode",
        name: "kubelet-authorization-mode",
        severity: Severity::High,
        category: CATEGORY,
        title: "Kubelet authorizes every request",
        doc: r#"The kubelet should ask the API server (a SubjectAccessReview) whether a caller may use its
API, not serve every authenticated caller.

**What it finds.** A `KubeletConfiguration` whose `authorization.mode` is not `Webhook` — the
only other valid value is `AlwaysAllow`. Any client the kubelet authenticates (any service
account token, through webhook authentication) may then read pods and logs and exec into every
container on the node. **Critical** when anonymous authentication is enabled too.

In the configuration file the mode defaults to `Webhook` (the kubelet's v1beta1 defaults), so a
missing field passes; the `--authorization-mode` flag, which overrides the file, defaults to
`AlwaysAllow` when the kubelet runs without a configuration file.

**Failing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authorization:
  mode: AlwaysAllow
```

**Passing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authorization:
  mode: Webhook
```"#,
        remediation: "Set `authorization.mode: Webhook` in the kubelet configuration (and `authentication.webhook.enabled: true`), make sure no `--authorization-mode=AlwaysAllow` flag overrides it, and restart the kubelet.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("4.2.2")],
    },
    applies: is_kubelet_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(mode) = object.root.get("authorization").and_then(|a| a.get("mode")) else {
        return Vec::new();
    };
    let text = mode.as_str().unwrap_or_default();
    if text == "Webhook" || text.is_empty() {
        return Vec::new();
    }
    let path = JsonPath::root().keys(&["authorization", "mode"]);
    let anonymous =
        boolean(&object.root, &["authentication", "anonymous", "enabled"]) == Some(true);
    let message = format!(
        "the kubelet authorizes every request (authorization.mode: {text}) instead of asking the API server (Webhook)"
    );
    if anonymous {
        vec![
            Violation::at(
                path,
                format!("{message}, and serves anonymous requests: anyone reaching port 10250 can exec into its pods"),
            )
            .with_severity(Severity::Critical),
        ]
    } else {
        vec![Violation::at(path, message)]
    }
}
