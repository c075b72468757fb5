//! The command line of a control-plane static pod (`kube-apiserver`, `kube-controller-manager`,
//! `kube-scheduler`, `etcd`, as kubeadm writes them into `/etc/kubernetes/manifests/`): which
//! component a container runs, and its flags as the components' flag library (pflag) reads
//! them — `--flag=value` or `--flag value`, a bare `--flag` meaning `true` for booleans, the
//! last occurrence winning for a single value, and repeated list flags adding up, each value a
//! comma-separated list. The words are split into flags by palisade-k8s's `split_flags`.

use palisade_k8s::flags::split_flags;
use palisade_k8s::{JsonPath, Node, Object, pod_view};

/// A control-plane component palisade knows the flags of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    ApiServer,
    ControllerManager,
    Scheduler,
    Etcd,
    Kubelet,
}

impl Component {
    /// The program's name.
    pub fn program(self) -> &'static str {
        match self {
            Component::ApiServer => "kube-apiserver",
            Component::ControllerManager => "kube-controller-manager",
            Component::Scheduler => "kube-scheduler",
            Component::Etcd => "etcd",
            Component::Kubelet => "kubelet",
        }
    }

    fn from_program(program: &str) -> Option<Component> {
        match program.rsplit('/').next().unwrap_or(program) {
            "kube-apiserver" => Some(Component::ApiServer),
            "kube-controller-manager" => Some(Component::ControllerManager),
            "kube-scheduler" => Some(Component::Scheduler),
            "etcd" => Some(Component::Etcd),
            _ => None,
        }
    }
}

/// One flag as written: its value (`None` for a bare `--flag`) and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    pub path: JsonPath,
}

/// The flags of one container running a control-plane component.
#[derive(Debug, Clone)]
pub struct ComponentFlags {
    pub component: Component,
    /// The container (`spec.containers[i]`), for findings about a missing flag.
    pub container: JsonPath,
    pub flags: Vec<Flag>,
}

impl ComponentFlags {
    /// The last occurrence of a flag (pflag keeps the last value of a scalar flag).
    pub fn last(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// A flag's value as set, or `None` when absent; a bare boolean flag reads `true`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.last(name)
            .map(|flag| flag.value.as_deref().unwrap_or("true"))
    }

    /// Whether a boolean flag is on, given its default when absent.
    pub fn enabled(&self, name: &str, default: bool) -> bool {
        match self.value(name) {
            None => default,
            Some(value) => parse_bool(value) == Some(true),
        }
    }

    /// Every value of a list flag across its occurrences, split at commas, trimmed.
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|f| f.name == name)
            .filter_map(|f| f.value.as_deref())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Where a finding about `name` points: the flag's last occurrence, else the container.
    pub fn path_of(&self, name: &str) -> JsonPath {
        self.last(name)
            .map_or_else(|| self.container.clone(), |f| f.path.clone())
    }
}

/// A boolean as Go's `strconv.ParseBool` (and so pflag) reads it: `1`, `t`, `T`, `TRUE`,
/// `true`, `True` and their false counterparts; `None` for anything else.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The flags of a kubelet unit or environment file (palisade-k8s's `KubeletFlags` object),
/// each at its entry of `flags`.
pub fn kubelet_flags(object: &Object) -> ComponentFlags {
    let flags_path = JsonPath::root().key("flags");
    let flags = object
        .root
        .get("flags")
        .map_or(&[][..], Node::items)
        .iter()
        .enumerate()
        .filter_map(|(i, flag)| {
            Some(Flag {
                name: flag.get("name")?.as_str()?.to_string(),
                value: flag.get("value").and_then(Node::as_str).map(str::to_string),
                path: flags_path.index(i),
            })
        })
        .collect();
    ComponentFlags {
        component: Component::Kubelet,
        container: flags_path,
        flags,
    }
}

/// The control-plane containers of a Pod (static pods are Pods), with their flags.
pub fn components(object: &Object) -> Vec<ComponentFlags> {
    if object.kind != "Pod" || !object.group().is_empty() {
        return Vec::new();
    }
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    pod.containers()
        .filter_map(|container| {
            // The program first: most Pods run something else, and cost nothing more.
            let first = |field: &str| {
                container
                    .node
                    .get(field)
                    .and_then(|list| list.items().first())
                    .and_then(Node::as_str)
            };
            let component = Component::from_program(first("command").or_else(|| first("args"))?)?;
            let words = |field: &str| -> Vec<(String, JsonPath)> {
                let list_path = container.path.key(field);
                container
                    .node
                    .get(field)
                    .map_or(&[][..], Node::items)
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| Some((item.as_str()?.to_string(), list_path.index(i))))
                    .collect()
            };
            let mut line = words("command");
            line.extend(words("args"));
            Some(ComponentFlags {
                component,
                container: container.path.clone(),
                flags: parse(&line[1..]),
            })
        })
        .collect()
}

/// The flags among the words after the program.
fn parse(words: &[(String, JsonPath)]) -> Vec<Flag> {
    let words: Vec<(&str, &JsonPath)> = words.iter().map(|(w, path)| (w.as_str(), path)).collect();
    split_flags(&words, |_| true)
        .into_iter()
        .map(|flag| Flag {
            name: flag.name.to_string(),
            value: flag.value.map(str::to_string),
            path: flag.at.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_k8s::load_stream;

    use super::*;

    fn flags_of(yaml: &str) -> ComponentFlags {
        let loaded = load_stream(&Arc::from("pod.yaml"), yaml);
        components(&loaded.objects[0]).remove(0)
    }

    #[test]
    fn every_spelling_of_a_flag() {
        let flags = flags_of(
            r#"
apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.31.0
    command:
    - /usr/local/bin/kube-apiserver
    - --profiling
    - --authorization-mode
    - Node,RBAC
    - --enable-admission-plugins=NodeRestriction
    - --enable-admission-plugins=AlwaysPullImages, EventRateLimit
    args: ["--anonymous-auth=false", "--anonymous-auth=true", "-v", "2"]
"#,
        );
        assert_eq!(flags.component, Component::ApiServer);
        assert!(flags.enabled("profiling", false));
        assert_eq!(flags.value("authorization-mode"), Some("Node,RBAC"));
        assert_eq!(
            flags.list("enable-admission-plugins"),
            ["NodeRestriction", "AlwaysPullImages", "EventRateLimit"]
        );
        // The last occurrence wins.
        assert!(flags.enabled("anonymous-auth", false));
        assert_eq!(flags.value("v"), Some("2"));
        assert!(!flags.enabled("missing", false));
        assert_eq!(
            flags.path_of("profiling").to_string(),
            "spec.containers[0].command[1]"
        );
        assert_eq!(flags.path_of("missing").to_string(), "spec.containers[0]");
    }

    #[test]
    fn only_control_plane_programs_of_pods() {
        let loaded = load_stream(
            &Arc::from("pods.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - {name: a, image: a, command: [nginx, --profiling]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: b, image: b, command: [kube-apiserver]}\n",
        );
        assert!(loaded.objects.iter().all(|o| components(o).is_empty()));
    }
}
