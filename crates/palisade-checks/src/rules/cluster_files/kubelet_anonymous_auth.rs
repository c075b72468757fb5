use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::{CATEGORY, boolean, is_kubelet_configuration};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeletAnonymousAuth",
        name: "kubelet-anonymous-auth",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Kubelet serves anonymous requests",
        doc: r#"The kubelet's API (port 10250: pods, logs, exec, attach, port-forward) should reject
requests that no authenticator accepts.

**What it finds.** A `KubeletConfiguration` with `authentication.anonymous.enabled: true`.
Requests that no other method authenticates are then served as `system:anonymous` in the group
`system:unauthenticated`. **Critical** when `authorization.mode` is `AlwaysAllow` too: anyone
who reaches the node's port 10250 can then run commands in every container on it.

In the configuration file the field defaults to `false` (the kubelet's v1beta1 defaults:
`anonymous: enabled: false`), so only an explicit `true` is reported; the kubelet's
`--anonymous-auth` command-line flag, which overrides the file, defaults to `true` when the
kubelet runs without a configuration file.

**Failing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: true
```

**Passing**
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
```"#,
        remediation: "Set `authentication.anonymous.enabled: false` in the kubelet configuration (/var/lib/kubelet/config.yaml with kubeadm), make sure no `--anonymous-auth=true` flag overrides it, and restart the kubelet.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("4.2.1")],
    },
    applies: is_kubelet_configuration,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    if boolean(&object.root, &["authentication", "anonymous", "enabled"]) != Some(true) {
        return Vec::new();
    }
    let path = JsonPath::root().keys(&["authentication", "anonymous", "enabled"]);
    let always_allow = object
        .root
        .get("authorization")
        .and_then(|a| a.get("mode"))
        .and_then(|m| m.as_str())
        == Some("AlwaysAllow");
    if always_allow {
        vec![
            Violation::at(
                path,
                "the kubelet serves anonymous requests and authorizes every request (authorization.mode: AlwaysAllow): anyone reaching port 10250 can exec into its pods",
            )
            .with_severity(Severity::Critical),
        ]
    } else {
        vec![Violation::at(
            path,
            "the kubelet serves anonymous requests (authentication.anonymous.enabled: true) as system:anonymous",
        )]
    }
}
