//! The PodSecurity admission plugin's cluster-wide configuration: the
//! `PodSecurityConfiguration` inside an `AdmissionConfiguration` (the API server's
//! `--admission-control-config-file`).

use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::CATEGORY;
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "podSecurityAdmissionDefaults",
        name: "pod-security-admission-defaults",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Pod Security admission enforces nothing by default, or exempts users and namespaces",
        doc: r#"Pod Security admission should enforce a level on every namespace that does not choose
one, and exempt as little as possible.

**What it finds.** In an `AdmissionConfiguration` (`apiserver.config.k8s.io`), the `PodSecurity`
plugin's `PodSecurityConfiguration`:
- `defaults.enforce` missing or `privileged`: every namespace without an `enforce` label admits
  privileged pods (the built-in default);
- `exemptions.usernames` (pods those users create skip every check — controllers create pods
  as their own accounts, so exempting one exempts everything it creates),
  `exemptions.runtimeClasses`, and `exemptions.namespaces` other than `kube-system` (**low**).

A plugin configured through `path:` is checked in that file: a `PodSecurityConfiguration`
(`pod-security.admission.config.k8s.io`) of its own.

**Failing**
```yaml
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults: {enforce: privileged}
```

**Passing**
```yaml
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults: {enforce: baseline, enforce-version: latest, warn: restricted}
    exemptions: {namespaces: [kube-system]}
```"#,
        remediation: "Set `defaults.enforce: baseline` (or `restricted`) and label the namespaces that need more with `pod-security.kubernetes.io/enforce: privileged`; keep exemptions to `kube-system`.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.2.1"), nsa("pod-security-enforcement")],
    },
    applies: |object| {
        (object.group() == "apiserver.config.k8s.io" && object.kind == "AdmissionConfiguration")
            || (object.group() == "pod-security.admission.config.k8s.io"
                && object.kind == "PodSecurityConfiguration")
    },
    check,
};

fn strings(node: Option<&Node>) -> Vec<&str> {
    node.map_or(&[][..], Node::items)
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    // The plugin's configuration in a file of its own (`path:` in the AdmissionConfiguration).
    if object.kind == "PodSecurityConfiguration" {
        return configuration_violations(&object.root, &JsonPath::root());
    }
    let plugins = object.root.get("plugins").map_or(&[][..], Node::items);
    plugins
        .iter()
        .enumerate()
        .filter(|(_, plugin)| plugin.get("name").and_then(Node::as_str) == Some("PodSecurity"))
        .filter_map(|(i, plugin)| {
            let path = JsonPath::root()
                .key("plugins")
                .index(i)
                .key("configuration");
            Some(configuration_violations(
                plugin.get("configuration")?,
                &path,
            ))
        })
        .flatten()
        .collect()
}

/// The findings of one `PodSecurityConfiguration` at `path`.
fn configuration_violations(configuration: &Node, path: &JsonPath) -> Vec<Violation> {
    let mut found = Vec::new();
    let enforce = configuration
        .get("defaults")
        .and_then(|d| d.get("enforce"))
        .and_then(Node::as_str);
    if matches!(enforce, None | Some("privileged")) {
        found.push(Violation::at(
            path.keys(&["defaults", "enforce"]),
            "Pod Security enforces privileged by default: namespaces without an enforce label admit privileged pods",
        ));
    }
    let exemptions = configuration.get("exemptions");
    for (field, what) in [
        ("usernames", "pods created by these users skip Pod Security"),
        (
            "runtimeClasses",
            "pods of these runtime classes skip Pod Security",
        ),
    ] {
        let listed = strings(exemptions.and_then(|e| e.get(field)));
        if !listed.is_empty() {
            found.push(Violation::at(
                path.keys(&["exemptions", field]),
                format!("{what}: {}", listed.join(", ")),
            ));
        }
    }
    let namespaces: Vec<&str> = strings(exemptions.and_then(|e| e.get("namespaces")))
        .into_iter()
        .filter(|n| *n != "kube-system")
        .collect();
    if !namespaces.is_empty() {
        found.push(
            Violation::at(
                path.keys(&["exemptions", "namespaces"]),
                format!(
                    "pods in these namespaces skip Pod Security: {}",
                    namespaces.join(", ")
                ),
            )
            .with_severity(Severity::Low),
        );
    }
    found
}
