//! One pod-spec view for every kind that carries pods, so that a pod rule is written once.

use crate::node::Node;
use crate::object::Object;
use crate::path::JsonPath;

/// The pod template inside a workload: its spec and metadata, with their JSON paths.
#[derive(Debug, Clone)]
pub struct PodView<'a> {
    pub spec: &'a Node,
    pub spec_path: JsonPath,
    /// The pod's (or template's) metadata, where annotations such as the AppArmor and seccomp
    /// ones live. `None` when absent.
    pub metadata: Option<&'a Node>,
    pub metadata_path: JsonPath,
}

/// Which list of the pod spec a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// A container of any of the three lists.
#[derive(Debug, Clone)]
pub struct ContainerView<'a> {
    pub node: &'a Node,
    pub kind: ContainerKind,
    pub name: &'a str,
    pub path: JsonPath,
}

impl<'a> ContainerView<'a> {
    /// A field under `securityContext`.
    pub fn security_context(&self, field: &str) -> Option<&'a Node> {
        self.node.get("securityContext")?.get(field)
    }
}

/// The kinds whose objects carry a pod template, by the path to the template (the object that
/// holds `metadata` and `spec`). Only the built-in API groups: a CRD that happens to be called
/// `Deployment` is not one.
fn template_path(object: &Object) -> Option<&'static [&'static str]> {
    let group = object.group();
    let path: &'static [&'static str] = match (group, object.kind.as_str()) {
        ("", "Pod") => &[],
        ("", "PodTemplate") => &["template"],
        ("", "ReplicationController") => &["spec", "template"],
        ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") => {
            &["spec", "template"]
        }
        ("batch", "Job") => &["spec", "template"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template"],
        _ => return None,
    };
    Some(path)
}

/// Whether `object` is one of the kinds that carry a pod template.
pub fn is_workload(object: &Object) -> bool {
    template_path(object).is_some()
}

/// The pod view of a workload, or `None` for other kinds and for workloads without a spec.
pub fn pod_view(object: &Object) -> Option<PodView<'_>> {
    let template_keys = template_path(object)?;
    let mut template = &object.root;
    for key in template_keys {
        template = template.get(key)?;
    }
    let template_path = JsonPath::root().keys(template_keys);
    Some(PodView {
        spec: template.get("spec")?,
        spec_path: template_path.key("spec"),
        metadata: template.get("metadata"),
        metadata_path: template_path.key("metadata"),
    })
}

impl<'a> PodView<'a> {
    /// Init containers, containers, then ephemeral containers: the order Pod Security
    /// Admission visits them in.
    pub fn containers(&self) -> impl Iterator<Item = ContainerView<'a>> + '_ {
        [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .flat_map(move |kind| {
            let list_path = self.spec_path.key(kind.field());
            self.spec
                .get(kind.field())
                .map_or(&[][..], Node::items)
                .iter()
                .enumerate()
                .map(move |(index, node)| ContainerView {
                    node,
                    kind,
                    name: node.get("name").and_then(Node::as_str).unwrap_or(""),
                    path: list_path.index(index),
                })
        })
    }

    /// A field of the pod spec.
    pub fn get(&self, field: &str) -> Option<&'a Node> {
        self.spec.get(field)
    }

    /// A field under the pod's `securityContext`.
    pub fn security_context(&self, field: &str) -> Option<&'a Node> {
        self.spec.get("securityContext")?.get(field)
    }

    /// An annotation of the pod (template).
    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.metadata?.get("annotations")?.get(key)
    }

    /// All annotations of the pod (template).
    pub fn annotations(&self) -> &'a [crate::Entry] {
        self.metadata
            .and_then(|m| m.get("annotations"))
            .map_or(&[], Node::entries)
    }

    /// `spec.os.name`, which since Kubernetes 1.25 decides whether Linux-only controls apply.
    pub fn os_name(&self) -> Option<&'a str> {
        self.spec.get("os")?.get("name")?.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::load_stream;
    use std::sync::Arc;

    const CONTAINERS: &str = "containers: [{name: app}]\n      initContainers: [{name: init}]\n      ephemeralContainers: [{name: debug}]";

    fn view_paths(kind_header: &str, nesting: &str) -> Vec<String> {
        let text = format!("{kind_header}\n{nesting}\n");
        let loaded = load_stream(&Arc::from("w.yaml"), &text);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let object = &loaded.objects[0];
        let view = pod_view(object).expect("a workload");
        view.containers()
            .map(|c| format!("{}={}", c.name, c.path))
            .collect()
    }

    #[test]
    fn every_workload_kind_exposes_its_pod_spec() {
        let cases = [
            ("apiVersion: v1\nkind: Pod", "spec:\n  x: 1", ""),
            (
                "apiVersion: v1\nkind: PodTemplate",
                "template:\n  spec:\n    x: 1",
                "template.",
            ),
            (
                "apiVersion: v1\nkind: ReplicationController",
                "spec:\n  template:\n    spec:\n      x: 1",
                "spec.template.",
            ),
            (
                "apiVersion: apps/v1\nkind: Deployment",
                "spec:\n  template:\n    spec:\n      x: 1",
                "spec.template.",
            ),
            (
                "apiVersion: apps/v1\nkind: StatefulSet",
                "spec:\n  template:\n    spec:\n      x: 1",
                "spec.template.",
            ),
            (
                "apiVersion: apps/v1\nkind: DaemonSet",
                "spec:\n  template:\n    spec:\n      x: 1",
                "spec.template.",
            ),
            (
                "apiVersion: apps/v1\nkind: ReplicaSet",
                "spec:\n  template:\n    spec:\n      x: 1",
                "spec.template.",
            ),
            (
                "apiVersion: batch/v1\nkind: Job",
                "spec:\n  template:\n    spec:\n      x: 1",
                "spec.template.",
            ),
            (
                "apiVersion: batch/v1\nkind: CronJob",
                "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          x: 1",
                "spec.jobTemplate.spec.template.",
            ),
        ];
        for (header, body, prefix) in cases {
            // Put the three container lists where `x: 1` is, at the same indentation.
            let indent = body.lines().last().unwrap().len() - "x: 1".len();
            let containers = CONTAINERS.replace("\n      ", &format!("\n{}", " ".repeat(indent)));
            let body = body.replace("x: 1", &containers);
            let paths = view_paths(header, &body);
            assert_eq!(
                paths,
                vec![
                    format!("init={prefix}spec.initContainers[0]"),
                    format!("app={prefix}spec.containers[0]"),
                    format!("debug={prefix}spec.ephemeralContainers[0]"),
                ],
                "{header}"
            );
        }
    }

    #[test]
    fn custom_resources_named_like_workloads_are_not_workloads() {
        let loaded = load_stream(
            &Arc::from("w.yaml"),
            "apiVersion: example.com/v1\nkind: Deployment\nspec:\n  template:\n    spec: {}\n",
        );
        assert!(pod_view(&loaded.objects[0]).is_none());
    }
}
