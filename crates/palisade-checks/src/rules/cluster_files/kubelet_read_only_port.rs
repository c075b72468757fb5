use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::{CATEGORY, is_kubelet_configuration};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeletReadOnlyPort",
        name: "kubelet-read-only-port",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Kubelet read-only port open",
        doc: r#"The kubelet's read-only port serves without authentication or authorization.

**What it finds.** A `KubeletConfiguration` with a non-zero `readOnlyPort` (conventionally
10255). Anyone who reaches it can list the node's pods with their full specs — images,
commands, environment variable values — and read node metrics, with no credentials at all.

In the configuration file the field defaults to `0` (disabled), so a missing field passes; the
`--read-only-port` flag, which overrides the file, defaults to 10255 when the kubelet runs
without a configuration file.

**Failing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 10255
```

**Passing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 0
```"#,
        remediation: "Set `readOnlyPort: 0` (or remove the field) in the kubelet configuration, make sure no `--read-only-port` flag overrides it, move metrics collection to the authenticated port 10250, and restart the kubelet.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("4.2.4")],
    },
    applies: is_kubelet_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    match object.root.get("readOnlyPort").and_then(|p| p.as_i64()) {
        Some(port) if port != 0 => vec![Violation::at(
            JsonPath::root().key("readOnlyPort"),
            format!(
                "the kubelet serves its read-only API on port {port} without authentication or authorization (readOnlyPort: {port})"
            ),
        )],
        _ => Vec::new(),
    }
}
