//! Interned strings for what findings repeat: the JSON path of a finding is the same in every
//! object of a kind (`spec.template.spec.containers[0].securityContext`), so on a large input
//! hundreds of thousands of findings share a few thousand paths. Written here rather than taken
//! from an interner crate because those hand out their own handle types, where an `Arc<str>`
//! serializes and derefs like the `String` it replaces; the table lives as long as the process
//! and holds each distinct text once.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Independent locks, so that the scan's threads rarely wait for each other.
const SHARDS: usize = 16;

struct Table {
    hasher: RandomState,
    shards: [Mutex<HashSet<Arc<str>>>; SHARDS],
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table {
        hasher: RandomState::new(),
        shards: std::array::from_fn(|_| Mutex::new(HashSet::new())),
    })
}

/// The one shared copy of `text`.
pub fn intern(text: &str) -> Arc<str> {
    let table = table();
    let shard = table.hasher.hash_one(text) as usize % SHARDS;
    let mut set = table.shards[shard]
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(found) = set.get(text) {
        return found.clone();
    }
    let shared: Arc<str> = Arc::from(text);
    set.insert(shared.clone());
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_one_copy() {
        let a = intern("spec.containers[0]");
        let b = intern(&format!("spec.containers[{}]", 0));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &intern("spec.containers[1]")));
        assert_eq!(&*a, "spec.containers[0]");
    }
}
