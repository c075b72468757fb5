//! Admission plugins of the API server: `AlwaysAdmit` on, `NodeRestriction` off.

use palisade_core::{RuleMeta, Severity};
use palisade_k8s::Object;

use super::flags::ComponentFlags;
use super::{CATEGORY, api_server_violations, runs_api_server};
use crate::frameworks::cis;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static ALWAYS_ADMIT: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerAlwaysAdmit",
        name: "api-server-always-admit",
        severity: Severity::High,
        category: CATEGORY,
        title: "API server enables the AlwaysAdmit admission plugin",
        doc: r#"`AlwaysAdmit` admits every request, whatever the other admission plugins say.

**What it finds.** A `kube-apiserver` static pod listing `AlwaysAdmit` in
`--enable-admission-plugins` (the deprecated `--admission-control` too).

**Failing**
```yaml
command: [kube-apiserver, --enable-admission-plugins=NodeRestriction,AlwaysAdmit]
```

**Passing**
```yaml
command: [kube-apiserver, --enable-admission-plugins=NodeRestriction]
```"#,
        remediation: "Remove `AlwaysAdmit` from `--enable-admission-plugins`.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.10")],
    },
    applies: runs_api_server,
    check: check_always_admit,
};

pub static NODE_RESTRICTION: Rule = Rule {
    meta: RuleMeta {
        id: "apiServerNodeRestriction",
        name: "api-server-node-restriction",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "API server does not enable the NodeRestriction admission plugin",
        doc: r#"`NodeRestriction` keeps a kubelet to its own Node and the pods bound to it.

**What it finds.** A `kube-apiserver` static pod that does not list `NodeRestriction` in
`--enable-admission-plugins` (it is not on by default), or disables it with
`--disable-admission-plugins`.

**Why it matters.** Without it, a compromised node's kubelet credentials can modify other
Nodes (labels that steer workloads to it, taints) and any pod's status.

**Failing**
```yaml
command: [kube-apiserver, --enable-admission-plugins=PodSecurity]
```

**Passing**
```yaml
command: [kube-apiserver, --enable-admission-plugins=NodeRestriction]
```"#,
        remediation: "Add `NodeRestriction` to `--enable-admission-plugins` (with `--authorization-mode` including `Node`).",
        aliases: &[],
        frameworks: &[],
        references: &[cis("1.2.14")],
    },
    applies: runs_api_server,
    check: check_node_restriction,
};

/// The plugins a command line enables.
fn enabled_plugins(flags: &ComponentFlags) -> Vec<&str> {
    let mut plugins = flags.list("enable-admission-plugins");
    plugins.extend(flags.list("admission-control"));
    plugins
}

fn check_always_admit(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| {
        if enabled_plugins(flags).contains(&"AlwaysAdmit") {
            vec![Violation::at(
                flags.path_of("enable-admission-plugins"),
                "kube-apiserver enables AlwaysAdmit: every request is admitted",
            )]
        } else {
            Vec::new()
        }
    })
}

fn check_node_restriction(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    api_server_violations(object, |flags| {
        if flags
            .list("disable-admission-plugins")
            .contains(&"NodeRestriction")
        {
            return vec![Violation::at(
                flags.path_of("disable-admission-plugins"),
                "kube-apiserver disables NodeRestriction",
            )];
        }
        if enabled_plugins(flags).contains(&"NodeRestriction") {
            return Vec::new();
        }
        vec![Violation::at(
            flags.path_of("enable-admission-plugins"),
            "kube-apiserver does not enable NodeRestriction (it is off by default)",
        )]
    })
}
