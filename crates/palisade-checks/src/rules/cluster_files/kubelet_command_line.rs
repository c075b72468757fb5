use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::CATEGORY;
use crate::frameworks::cis;
use crate::rules::control_plane::flags::{kubelet_flags, parse_bool};
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kubeletCommandLine",
        name: "kubelet-command-line",
        severity: Severity::High,
        category: CATEGORY,
        title: "Kubelet flags in its systemd unit weaken it",
        doc: r#"Flags on the kubelet's command line override its configuration file — and without a
`--config` file the flags' own, weaker defaults apply.

**What it finds.** In a systemd unit or drop-in that starts the kubelet (kubeadm's
`kubelet.service.d/10-kubeadm.conf`; flags of `Environment="KUBELET_…_ARGS=…"` lines and of
`ExecStart=`) or in the environment files it reads (`/var/lib/kubelet/kubeadm-flags.env`,
`/etc/default/kubelet`; only the flags they set, since the unit decides `--config`):
- `--anonymous-auth` on (**high**) — also when absent without `--config` (the flag defaults to
  `true`);
- `--authorization-mode=AlwaysAllow` (**critical**) — also when absent without `--config`;
- `--read-only-port` other than 0 (**medium**) — also when absent without `--config` (10255);
- `--streaming-connection-idle-timeout=0` (**medium**: exec and port-forward streams never time
  out);
- `--make-iptables-util-chains=false` (**low**), `--rotate-certificates=false` (**medium**).

**Failing**
```ini
[Service]
ExecStart=/usr/bin/kubelet --kubeconfig=/etc/kubernetes/kubelet.conf --read-only-port=10255
```

**Passing**
```ini
[Service]
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
ExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS
```"#,
        remediation: "Pass `--config` with a hardened KubeletConfiguration and drop the flags that weaken it (or set them to the safe values).",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("4.2.1"),
            cis("4.2.2"),
            cis("4.2.4"),
            cis("4.2.5"),
            cis("4.2.6"),
            cis("4.2.10"),
        ],
    },
    applies: |object| {
        object.api_version == palisade_k8s::systemd::API_VERSION
            && object.kind == palisade_k8s::systemd::KIND
    },
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let flags = kubelet_flags(object);
    let flags_path = flags.container.clone();
    // The last occurrence of a flag: where it is and its value (a bare flag reads `true`).
    let last = |name: &str| {
        flags.last(name).map(|flag| {
            (
                flag.path.clone(),
                flags.value(name).unwrap_or("true").to_string(),
            )
        })
    };
    // An environment file adds flags to a command line it does not show: only the unit knows
    // whether `--config` is passed, so the flags' defaults are judged there.
    let environment_file =
        object.root.get("source").and_then(Node::as_str) == Some("environment-file");
    let has_config = environment_file || last("config").is_some();
    let mut found = Vec::new();
    let mut report = |path: JsonPath, severity: Severity, message: String| {
        found.push(Violation::at(path, message).with_severity(severity));
    };
    // Flags whose weak defaults apply without a configuration file.
    for (flag, weak, severity, what) in [
        (
            "anonymous-auth",
            "true",
            Severity::High,
            "serves anonymous requests",
        ),
        (
            "authorization-mode",
            "AlwaysAllow",
            Severity::Critical,
            "authorizes every request (AlwaysAllow)",
        ),
        (
            "read-only-port",
            "10255",
            Severity::Medium,
            "opens its unauthenticated read-only port",
        ),
    ] {
        match last(flag) {
            Some((path, value)) => {
                let bad = match flag {
                    "read-only-port" => value != "0",
                    "anonymous-auth" => parse_bool(&value) == Some(true),
                    _ => value.split(',').any(|mode| mode == weak),
                };
                if bad {
                    report(
                        path,
                        severity,
                        format!("the kubelet {what} (--{flag}={value})"),
                    );
                }
            }
            None if !has_config => report(
                flags_path.clone(),
                severity,
                format!("the kubelet {what}: without --config, --{flag} defaults to {weak}"),
            ),
            None => {}
        }
    }
    for (flag, bad, severity, what) in [
        (
            "streaming-connection-idle-timeout",
            (|v: &str| matches!(v, "0" | "0s")) as fn(&str) -> bool,
            Severity::Medium,
            "never times out idle exec and port-forward streams",
        ),
        (
            "make-iptables-util-chains",
            |v: &str| parse_bool(v) == Some(false),
            Severity::Low,
            "does not manage its iptables utility chains",
        ),
        (
            "rotate-certificates",
            |v: &str| parse_bool(v) == Some(false),
            Severity::Medium,
            "does not rotate its client certificate",
        ),
    ] {
        if let Some((path, value)) = last(flag)
            && bad(&value)
        {
            report(
                path,
                severity,
                format!("the kubelet {what} (--{flag}={value})"),
            );
        }
    }
    found
}
