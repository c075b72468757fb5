//! An `EncryptionConfiguration` as the API server reads it: `resources` is an ordered list of
//! entries, each naming resources (`secrets`, `resource.group`, or the wildcards `*.<group>`,
//! `*.` for the core group and `*.*` for everything) and an ordered list of providers. The
//! first entry that matches a resource governs it; within an entry, the first provider encrypts
//! everything written, and every provider is tried in order to decrypt what is read.

use palisade_k8s::{JsonPath, Node, Object};

/// The provider types of `apiserver.config.k8s.io/v1`.
const PROVIDERS: &[&str] = &["aesgcm", "aescbc", "secretbox", "identity", "kms"];

/// One provider of an entry: its type, its configuration, and where that is.
pub struct Provider<'a> {
    pub kind: &'a str,
    pub config: &'a Node,
    /// `resources[i].providers[j].<kind>`.
    pub path: JsonPath,
}

/// One entry of `resources`.
pub struct ResourceEntry<'a> {
    /// `resources[i]`.
    pub path: JsonPath,
    pub resources: Vec<&'a str>,
    pub providers: Vec<Provider<'a>>,
}

impl ResourceEntry<'_> {
    /// The item of `resources` through which this entry covers core `secrets`: `secrets`
    /// (also spelt `secrets.`, the core group being empty), `*.` or `*.*`.
    pub fn covers_secrets(&self) -> Option<&str> {
        self.resources
            .iter()
            .copied()
            .find(|r| matches!(*r, "secrets" | "secrets." | "*." | "*.*"))
    }

    /// The resources as written, for messages.
    pub fn describe(&self) -> String {
        self.resources
            .iter()
            .map(|r| format!("{r:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The entries of `resources`, in order.
pub fn entries(object: &Object) -> Vec<ResourceEntry<'_>> {
    let list = JsonPath::root().key("resources");
    object
        .root
        .get("resources")
        .map_or(&[][..], Node::items)
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let path = list.index(i);
            let resources = entry
                .get("resources")
                .map_or(&[][..], Node::items)
                .iter()
                .filter_map(Node::as_str)
                .collect();
            let providers_path = path.key("providers");
            let providers = entry
                .get("providers")
                .map_or(&[][..], Node::items)
                .iter()
                .enumerate()
                .filter_map(|(j, provider)| {
                    let found = provider
                        .entries()
                        .iter()
                        .find(|e| PROVIDERS.contains(&e.key.as_str()) && !e.value.is_null())?;
                    Some(Provider {
                        kind: found.key.as_str(),
                        config: &found.value,
                        path: providers_path.index(j).key(&found.key),
                    })
                })
                .collect();
            ResourceEntry {
                path,
                resources,
                providers,
            }
        })
        .collect()
}

/// The entry that governs core `secrets`: the first that covers them.
pub fn secrets_entry<'e, 'a>(entries: &'e [ResourceEntry<'a>]) -> Option<&'e ResourceEntry<'a>> {
    entries.iter().find(|e| e.covers_secrets().is_some())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_k8s::load_stream;

    use super::*;

    #[test]
    fn the_first_matching_entry_governs_secrets() {
        let loaded = load_stream(
            &Arc::from("enc.yaml"),
            "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [events]\n  providers: [{identity: {}}]\n- resources: ['*.apps']\n  providers: [{aescbc: {keys: []}}]\n- resources: ['*.*']\n  providers:\n  - kms: {apiVersion: v2, name: k, endpoint: unix:///k.sock}\n  - identity: {}\n- resources: [secrets]\n  providers: [{identity: {}}]\n",
        );
        let entries = entries(&loaded.objects[0]);
        assert_eq!(entries.len(), 4);
        let governing = secrets_entry(&entries).unwrap();
        assert_eq!(governing.path.to_string(), "resources[2]");
        assert_eq!(governing.covers_secrets(), Some("*.*"));
        assert_eq!(governing.providers[0].kind, "kms");
        assert_eq!(
            governing.providers[1].path.to_string(),
            "resources[2].providers[1].identity"
        );
    }
}
