//! Kubernetes objects made from parsed documents, with `kind: List` / `*List` flattened.

use std::sync::Arc;

use palisade_core::{InputError, Location, ObjectRef};

use crate::node::{Node, Value};
use crate::path::JsonPath;
use crate::yaml::{DocumentText, parse_document, split_documents};

/// One Kubernetes object and where it came from.
#[derive(Debug, Clone)]
pub struct Object {
    /// The file (or `<stdin>`, or a rendered source) as shown to the user.
    pub file: Arc<str>,
    /// 0-based index of the document in its stream.
    pub document: usize,
    /// Path of this object inside its document: empty, or `items[3]` for a List item.
    pub base: JsonPath,
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub root: Node,
}

impl Object {
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    /// API group of `apiVersion` (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    pub fn metadata(&self) -> Option<&Node> {
        self.root.get("metadata")
    }

    pub fn labels(&self) -> &[crate::Entry] {
        self.metadata()
            .and_then(|m| m.get("labels"))
            .map_or(&[], |l| l.entries())
    }

    /// Where `path` (relative to this object) is in the source, or its nearest existing parent.
    pub fn location(&self, path: &JsonPath) -> Location {
        let (pos, _) = path.locate(&self.root);
        let relative = path.to_string();
        let full = if self.base.segments().is_empty() {
            relative.clone()
        } else {
            let mut full = self.base.clone();
            for segment in path.segments() {
                full = match segment {
                    crate::path::Segment::Key(k) => full.key(k),
                    crate::path::Segment::Index(i) => full.index(*i),
                };
            }
            full.to_string()
        };
        Location {
            file: self.file.clone(),
            line: pos.line,
            column: pos.column,
            object_path_start: full.len() - relative.len(),
            path: palisade_core::intern::intern(&full),
        }
    }
}

/// What one stream (a file, stdin, a rendered Kustomization) held.
#[derive(Debug, Default)]
pub struct Loaded {
    pub documents: usize,
    pub skipped_documents: usize,
    pub objects: Vec<Object>,
    pub errors: Vec<InputError>,
}

impl Loaded {
    pub fn absorb(&mut self, other: Loaded) {
        self.documents += other.documents;
        self.skipped_documents += other.skipped_documents;
        self.objects.extend(other.objects);
        self.errors.extend(other.errors);
    }
}

/// Cuts `text` into documents and loads each one; see [`load_document`].
pub fn load_stream(file: &Arc<str>, text: &str) -> Loaded {
    let mut loaded = Loaded::default();
    for doc in split_documents(text) {
        loaded.absorb(load_document(file, &doc));
    }
    loaded
}

/// Parses one document into objects. A document without `apiVersion` and `kind` is skipped and
/// counted; a broken one becomes an input error.
pub fn load_document(file: &Arc<str>, doc: &DocumentText<'_>) -> Loaded {
    let mut loaded = Loaded::default();
    // A systemd unit that starts the kubelet: its flags, as an object of their own.
    if crate::systemd::is_kubelet_flags(doc.text) {
        let name = file.rsplit('/').next().unwrap_or(file);
        loaded.documents = 1;
        let root = crate::systemd::kubelet_flags_root(name, doc.text);
        into_objects(file, doc.index, root, &mut loaded);
        return loaded;
    }
    match parse_document(doc) {
        Err(error) => {
            loaded.documents = 1;
            loaded.errors.push(InputError {
                file: file.to_string(),
                line: Some(error.pos.line),
                column: Some(error.pos.column),
                message: error.message,
            })
        }
        Ok(None) => {}
        Ok(Some(root)) => {
            loaded.documents = 1;
            into_objects(file, doc.index, root, &mut loaded);
        }
    }
    loaded
}

fn into_objects(file: &Arc<str>, document: usize, mut root: Node, loaded: &mut Loaded) {
    let Some((api_version, kind)) = type_meta(&root) else {
        loaded.skipped_documents += 1;
        return;
    };
    if kind.ends_with("List") && root.get("items").is_some() {
        let items = match &mut root.value {
            Value::Map(entries) => entries
                .iter_mut()
                .find(|e| e.key == "items")
                .map(|e| std::mem::replace(&mut e.value.value, Value::Null)),
            _ => None,
        };
        let Some(Value::Seq(items)) = items else {
            loaded.errors.push(InputError {
                file: file.to_string(),
                line: Some(root.pos.line),
                column: Some(root.pos.column),
                message: format!("{kind}: items must be a list"),
            });
            return;
        };
        let list_path = JsonPath::root().key("items");
        for (index, item) in items.into_iter().enumerate() {
            match type_meta(&item) {
                Some((api_version, kind)) => loaded.objects.push(new_object(
                    file,
                    document,
                    list_path.index(index),
                    api_version,
                    kind,
                    item,
                )),
                None => loaded.skipped_documents += 1,
            }
        }
        return;
    }
    loaded.objects.push(new_object(
        file,
        document,
        JsonPath::root(),
        api_version,
        kind,
        root,
    ));
}

fn type_meta(node: &Node) -> Option<(String, String)> {
    let api_version = node.get("apiVersion")?.as_str()?;
    let kind = node.get("kind")?.as_str()?;
    if api_version.is_empty() || kind.is_empty() {
        return None;
    }
    Some((api_version.to_string(), kind.to_string()))
}

fn new_object(
    file: &Arc<str>,
    document: usize,
    base: JsonPath,
    api_version: String,
    kind: String,
    root: Node,
) -> Object {
    let metadata = root.get("metadata");
    let text = |key: &str| metadata.and_then(|m| m.get(key)).and_then(Node::as_str);
    let name = match (text("name"), text("generateName")) {
        (Some(name), _) => name.to_string(),
        (None, Some(prefix)) => format!("{prefix}*"),
        (None, None) => "<unnamed>".to_string(),
    };
    let namespace = text("namespace").map(str::to_string);
    Object {
        file: file.clone(),
        document,
        base,
        api_version,
        kind,
        namespace,
        name,
        root,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Loaded {
        load_stream(&Arc::from("t.yaml"), text)
    }

    #[test]
    fn lists_are_flattened_with_item_paths() {
        let loaded = load(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- {foo: bar}\n",
        );
        assert_eq!(loaded.objects.len(), 1);
        assert_eq!(loaded.skipped_documents, 1);
        let pod = &loaded.objects[0];
        assert_eq!(pod.name, "a");
        let loc = pod.location(&JsonPath::root().keys(&["metadata", "name"]));
        assert_eq!(&*loc.path, "items[0].metadata.name");
        assert_eq!(loc.line, 6);
    }

    #[test]
    fn documents_without_type_meta_are_skipped_and_errors_do_not_stop_the_rest() {
        let loaded = load(
            "foo: bar\n---\nkind: [\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n",
        );
        assert_eq!(loaded.documents, 3);
        assert_eq!(loaded.skipped_documents, 1);
        assert_eq!(loaded.errors.len(), 1);
        assert_eq!(loaded.objects.len(), 1);
        assert_eq!(loaded.objects[0].object_ref().to_string(), "Namespace/x");
    }
}
