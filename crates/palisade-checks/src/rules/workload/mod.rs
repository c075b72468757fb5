//! Workload hardening: read-only root filesystems, resource requests and limits, explicit root
//! users and groups, Linux capabilities, a shared process namespace.

mod dangerous_capabilities;
mod drop_all_capabilities;
mod read_only_root_filesystem;
mod resource_limits;
mod resource_requests;
mod run_as_root;
mod share_process_namespace;

use palisade_k8s::{ContainerView, JsonPath, Node, PodView};

use super::Rule;

const CATEGORY: &str = "workload-hardening";

pub static RULES: &[&Rule] = &[
    &read_only_root_filesystem::RULE,
    &resource_limits::RULE,
    &resource_requests::RULE,
    &run_as_root::RULE,
    &dangerous_capabilities::RULE,
    &drop_all_capabilities::RULE,
    &share_process_namespace::RULE,
];

/// `container "name"`, as findings name containers.
pub(in crate::rules) fn container_subject(container: &ContainerView<'_>) -> String {
    format!("container \"{}\"", container.name)
}

/// `base` extended by as many of `keys` as are set under `node`: the path of the field when it
/// is set, else of its nearest parent that is.
pub(in crate::rules) fn nearest(node: &Node, base: &JsonPath, keys: &[&str]) -> JsonPath {
    let mut path = base.clone();
    let mut node = node;
    for key in keys {
        match node.get(key) {
            Some(next) => {
                path = path.key(key);
                node = next;
            }
            None => break,
        }
    }
    path
}

/// `spec.os.name: windows`: the Linux-only settings do not apply (the API rejects most of them).
pub(in crate::rules) fn is_windows(pod: &PodView<'_>) -> bool {
    pod.os_name() == Some("windows")
}

/// Shared helpers for the rules' unit tests.
#[cfg(test)]
pub(in crate::rules) mod testing {
    use std::sync::Arc;

    use palisade_k8s::{Object, load_stream};

    use crate::inventory::Inventory;
    use crate::rules::{Context, Rule, Settings};

    /// The `path | message` lines a rule reports on the single object in `yaml`, with the given
    /// Pod Security checks running alongside.
    pub fn run(rule: &Rule, pss_checks: &[&'static str], yaml: &str) -> Vec<String> {
        let loaded = load_stream(&Arc::from("test.yaml"), yaml);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let objects: Vec<Object> = loaded.objects;
        let inventory = Inventory::from_objects(&objects);
        let settings = Settings::default();
        let context = Context {
            settings: &settings,
            inventory: &inventory,
            pss_checks,
        };
        objects
            .iter()
            .filter(|o| (rule.applies)(o))
            .flat_map(|o| (rule.check)(&context, o))
            .map(|v| format!("{} | {}", v.path, v.message))
            .collect()
    }
}
