//! systemd units and drop-ins that start the kubelet (kubeadm's
//! `/etc/systemd/system/kubelet.service.d/10-kubeadm.conf`): the flags they pass — in
//! `Environment="KUBELET_…_ARGS=…"` lines and on `ExecStart=` after the kubelet program — as a
//! synthetic `KubeletFlags` object (`palisade.dev/v1`) whose nodes point at each flag's line and
//! column, so that rules judge them like any other object. The environment files such units
//! read (`/var/lib/kubelet/kubeadm-flags.env`, `/etc/default/kubelet`: lines of
//! `KUBELET_…_ARGS=…`) become the same object, marked `source: environment-file`: they add flags
//! to a command line whose other parts (`--config`) they do not show.

use crate::flags::split_flags;
use crate::node::{Entry, Node, Pos, Value};

pub const API_VERSION: &str = "palisade.dev/v1";
pub const KIND: &str = "KubeletFlags";

/// Whether a text is a systemd unit that runs the kubelet: its first line that is not blank or
/// a comment opens a `[Service]`, `[Unit]` or `[Install]` section at the start of the line (a
/// unit embedded in a YAML block scalar is indented, and stays YAML).
pub fn is_kubelet_unit(text: &str) -> bool {
    let first = text
        .lines()
        .map(str::trim_end)
        .find(|line| !line.trim().is_empty() && !line.starts_with(['#', ';']));
    matches!(first, Some("[Service]" | "[Unit]" | "[Install]")) && text.contains("kubelet")
}

/// Whether a text is a kubelet environment file: every line that is not blank or a comment
/// assigns a `KUBELET_…` variable.
pub fn is_kubelet_environment_file(text: &str) -> bool {
    let mut assignments = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .peekable();
    assignments.peek().is_some()
        && assignments.all(|line| {
            line.split_once('=')
                .is_some_and(|(variable, _)| variable.starts_with("KUBELET_"))
        })
}

/// Whether a text is a kubelet unit or one of its environment files.
pub fn is_kubelet_flags(text: &str) -> bool {
    is_kubelet_unit(text) || is_kubelet_environment_file(text)
}

fn scalar(text: &str, pos: Pos) -> Node {
    Node {
        value: Value::Scalar {
            text: text.to_string(),
            quoted: true,
        },
        pos,
    }
}

fn entry(key: &str, value: Node) -> Entry {
    Entry {
        key: key.to_string(),
        key_pos: value.pos,
        value,
    }
}

/// The words of `text` with their 1-based columns, `text` starting at `column`.
fn words(text: &str, column: usize) -> Vec<(&str, usize)> {
    let mut found = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                found.push((&text[s..i], column + s));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    found
}

/// The flags among `words`, at `line`: a `$VARIABLE` after a bare flag expands to more flags,
/// so it is not the flag's value.
fn flags(words: &[(&str, usize)], line: u32) -> Vec<Node> {
    split_flags(words, |next| !next.starts_with('$'))
        .into_iter()
        .map(|flag| {
            let pos = Pos {
                line,
                column: flag.at as u32,
            };
            let mut entries = vec![entry("name", scalar(flag.name, pos))];
            if let Some(value) = flag.value {
                entries.push(entry("value", scalar(value, pos)));
            }
            Node {
                value: Value::Map(entries),
                pos,
            }
        })
        .collect()
}

/// The synthetic object of a kubelet unit named `name`: `{apiVersion, kind, metadata: {name},
/// flags: [{name, value}]}`.
pub fn kubelet_flags_root(name: &str, text: &str) -> Node {
    let start = Pos { line: 1, column: 1 };
    let environment_file = !is_kubelet_unit(text);
    let mut all = Vec::new();
    for (line_no, line) in (1u32..).zip(text.lines()) {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        // Environment="KUBELET_KUBECONFIG_ARGS=--kubeconfig=… --bootstrap-kubeconfig=…" in a
        // unit; KUBELET_EXTRA_ARGS="…" in an environment file.
        let assignment = if environment_file {
            Some((trimmed, indent))
        } else {
            trimmed
                .strip_prefix("Environment=")
                .map(|rest| (rest, indent + "Environment=".len()))
        };
        if let Some((rest, offset)) = assignment {
            let (body, body_offset) = match rest.strip_prefix('"') {
                Some(quoted) => (quoted.trim_end().trim_end_matches('"'), offset + 1),
                None => (rest, offset),
            };
            if let Some((variable, value)) = body.split_once('=')
                && variable.starts_with("KUBELET_")
            {
                let mut column = body_offset + variable.len() + 2;
                // An environment file quotes the value: KUBELET_EXTRA_ARGS="--a --b".
                let value = match value.trim_end().strip_prefix('"') {
                    Some(quoted) => {
                        column += 1;
                        quoted.trim_end_matches('"')
                    }
                    None => value,
                };
                all.extend(flags(&words(value, column), line_no));
            }
        } else if let Some(rest) = trimmed.strip_prefix("ExecStart=") {
            let line_words = words(rest, indent + "ExecStart=".len() + 1);
            if let Some(program) = line_words
                .iter()
                .position(|(word, _)| word.rsplit('/').next() == Some("kubelet"))
            {
                all.extend(flags(&line_words[program + 1..], line_no));
            }
        }
    }
    Node {
        value: Value::Map(vec![
            entry("apiVersion", scalar(API_VERSION, start)),
            entry("kind", scalar(KIND, start)),
            entry(
                "metadata",
                Node {
                    value: Value::Map(vec![entry("name", scalar(name, start))]),
                    pos: start,
                },
            ),
            entry(
                "source",
                scalar(
                    if environment_file {
                        "environment-file"
                    } else {
                        "unit"
                    },
                    start,
                ),
            ),
            entry(
                "flags",
                Node {
                    value: Value::Seq(all),
                    pos: start,
                },
            ),
        ]),
        pos: start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// kubeadm's drop-in, with an extra ExecStart flag.
    const KUBEADM: &str = r#"# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS --read-only-port 10255 --anonymous-auth
"#;

    #[test]
    fn environment_files_add_flags() {
        let text = "# /var/lib/kubelet/kubeadm-flags.env\nKUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///run/containerd/containerd.sock --read-only-port=10255\"\n";
        assert!(is_kubelet_environment_file(text));
        assert!(!is_kubelet_environment_file("PATH=/usr/bin\n"));
        assert!(!is_kubelet_environment_file("# only a comment\n"));
        let root = kubelet_flags_root("kubeadm-flags.env", text);
        assert_eq!(
            root.get("source").and_then(Node::as_str),
            Some("environment-file")
        );
        let flags = root.get("flags").unwrap().items();
        let port = &flags[1];
        assert_eq!(port.get("value").and_then(Node::as_str), Some("10255"));
        assert_eq!((port.pos.line, port.pos.column), (2, 91));
    }

    #[test]
    fn flags_of_environment_and_exec_start_with_positions() {
        assert!(is_kubelet_unit(KUBEADM));
        assert!(!is_kubelet_unit("[Service]\nExecStart=/usr/bin/nginx\n"));
        // A drop-in shipped inside a ConfigMap stays YAML.
        assert!(!is_kubelet_unit(
            "kind: ConfigMap\ndata:\n  10-kubeadm.conf: |\n    [Service]\n    ExecStart=/usr/bin/kubelet\n"
        ));
        let root = kubelet_flags_root("10-kubeadm.conf", KUBEADM);
        let flags = root.get("flags").unwrap().items();
        let shown: Vec<(String, Option<String>, u32, u32)> = flags
            .iter()
            .map(|f| {
                (
                    f.get("name").and_then(Node::as_str).unwrap().to_string(),
                    f.get("value").and_then(Node::as_str).map(str::to_string),
                    f.pos.line,
                    f.pos.column,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "bootstrap-kubeconfig".into(),
                    Some("/etc/kubernetes/bootstrap-kubelet.conf".into()),
                    3,
                    38
                ),
                (
                    "kubeconfig".into(),
                    Some("/etc/kubernetes/kubelet.conf".into()),
                    3,
                    100
                ),
                (
                    "config".into(),
                    Some("/var/lib/kubelet/config.yaml".into()),
                    4,
                    34
                ),
                ("read-only-port".into(), Some("10255".into()), 8, 74),
                ("anonymous-auth".into(), None, 8, 97),
            ]
        );
    }
}
