//! What rules need to know about the input beyond the object they check: the Pod Security
//! labels of Namespaces, the token settings of ServiceAccounts, and which ServiceAccounts some
//! binding grants a role. Built in a first pass over the documents that can contribute.

use std::collections::{HashMap, HashSet};

use palisade_k8s::mesh::{Mesh, istio_selects_workloads};
use palisade_k8s::{Node, Object};

use crate::namespace::{NamespacePolicies, is_namespace, namespace_labels};

/// `(namespace, name)` of a namespaced object.
pub type NamespacedName = (String, String);

#[derive(Debug, Default)]
pub struct Inventory {
    /// The enforce labels of the Namespaces in the input, by name.
    pub namespaces: NamespacePolicies,
    /// ServiceAccounts in the input and their `automountServiceAccountToken` (when set).
    pub service_accounts: HashMap<NamespacedName, Option<bool>>,
    /// ServiceAccounts named as a subject by a RoleBinding or ClusterRoleBinding in the input.
    pub bound_service_accounts: HashSet<NamespacedName>,
    /// The namespaces of the input a service mesh injects sidecars into.
    pub meshed_namespaces: HashMap<String, Mesh>,
    /// The namespaces with a selector-less Istio PeerAuthentication in STRICT mode
    /// (`istio-system`, the root namespace: mesh-wide).
    pub strict_mtls_namespaces: HashSet<String>,
}

impl Inventory {
    /// Whether a document's text can hold an object the inventory records: a cheap filter
    /// before parsing (every such object spells its kind), which must not send every workload
    /// that says `automountServiceAccountToken` to the parser.
    pub fn may_contribute(text: &str) -> bool {
        text.contains("Namespace")
            || text.contains("RoleBinding")
            || text.contains("PeerAuthentication")
            || text
                .match_indices("ServiceAccount")
                .any(|(at, _)| !text[..at].ends_with("automount"))
    }

    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Inventory {
        let mut inventory = Inventory::default();
        for object in objects {
            inventory.add(object);
        }
        inventory
    }

    pub fn add(&mut self, object: &Object) {
        let namespace = || {
            object
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_string())
        };
        let rbac = object.group() == "rbac.authorization.k8s.io";
        match object.kind.as_str() {
            _ if is_namespace(object) => {
                self.namespaces
                    .insert(object.name.clone(), namespace_labels(object));
                if let Some(mesh) = Mesh::of_namespace(object.metadata()) {
                    self.meshed_namespaces.insert(object.name.clone(), mesh);
                }
            }
            "ServiceAccount" if object.group().is_empty() => {
                let automount = object
                    .root
                    .get("automountServiceAccountToken")
                    .and_then(Node::as_bool);
                self.service_accounts
                    .insert((namespace(), object.name.clone()), automount);
            }
            "PeerAuthentication" if object.group() == "security.istio.io" => {
                let spec = object.root.get("spec");
                let selected = istio_selects_workloads(spec);
                let strict = spec
                    .and_then(|s| s.get("mtls"))
                    .and_then(|m| m.get("mode"))
                    .and_then(Node::as_str)
                    == Some("STRICT");
                if strict && !selected {
                    self.strict_mtls_namespaces.insert(namespace());
                }
            }
            "RoleBinding" | "ClusterRoleBinding" if rbac => {
                let subjects = object.root.get("subjects").map_or(&[][..], Node::items);
                for subject in subjects {
                    if subject.get("kind").and_then(Node::as_str) != Some("ServiceAccount") {
                        continue;
                    }
                    let Some(name) = subject.get("name").and_then(Node::as_str) else {
                        continue;
                    };
                    let subject_namespace = subject
                        .get("namespace")
                        .and_then(Node::as_str)
                        .map_or_else(namespace, str::to_string);
                    self.bound_service_accounts
                        .insert((subject_namespace, name.to_string()));
                }
            }
            _ => {}
        }
    }

    pub fn merge(mut self, other: Inventory) -> Inventory {
        self.namespaces.extend(other.namespaces);
        self.service_accounts.extend(other.service_accounts);
        self.bound_service_accounts
            .extend(other.bound_service_accounts);
        self.meshed_namespaces.extend(other.meshed_namespaces);
        self.strict_mtls_namespaces
            .extend(other.strict_mtls_namespaces);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefilter_keeps_inventory_kinds_and_skips_token_settings() {
        assert!(Inventory::may_contribute("kind: Namespace"));
        assert!(Inventory::may_contribute("{\"kind\": \"ServiceAccount\"}"));
        assert!(Inventory::may_contribute("kind: ClusterRoleBinding"));
        assert!(!Inventory::may_contribute(
            "kind: Deployment\nspec:\n  automountServiceAccountToken: false\n"
        ));
        assert!(Inventory::may_contribute(
            "automountServiceAccountToken: false\nkind: ServiceAccount\n"
        ));
    }
}
