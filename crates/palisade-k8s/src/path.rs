//! JSON paths into objects (`spec.containers[0].securityContext`) and finding the source
//! position of a path, falling back to the nearest parent that exists.

use std::fmt;

use crate::node::{Node, Pos};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path from an object's root, e.g. `spec.template.spec.containers[1].ports[0].hostPort`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct JsonPath(Vec<Segment>);

impl JsonPath {
    pub fn root() -> Self {
        JsonPath(Vec::new())
    }

    /// This path extended by a key.
    pub fn key(&self, key: &str) -> Self {
        let mut path = self.clone();
        path.0.push(Segment::Key(key.to_string()));
        path
    }

    /// This path extended by several keys.
    pub fn keys(&self, keys: &[&str]) -> Self {
        let mut path = self.clone();
        path.0
            .extend(keys.iter().map(|k| Segment::Key((*k).to_string())));
        path
    }

    /// This path extended by a list index.
    pub fn index(&self, index: usize) -> Self {
        let mut path = self.clone();
        path.0.push(Segment::Index(index));
        path
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// The position of the deepest node on this path that exists in `root` (a mapping entry
    /// points at its key), and whether the whole path exists.
    pub fn locate(&self, root: &Node) -> (Pos, bool) {
        let mut node = root;
        let mut pos = root.pos;
        for segment in &self.0 {
            let next = match segment {
                Segment::Key(key) => node.entries().iter().find(|e| &e.key == key).map(|e| {
                    pos = e.key_pos;
                    &e.value
                }),
                Segment::Index(i) => node.items().get(*i).inspect(|item| pos = item.pos),
            };
            match next {
                Some(next) => node = next,
                None => return (pos, false),
            }
        }
        (pos, true)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if is_simple_key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Segment::Key(key) => write!(f, "[{key:?}]")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

fn is_simple_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_document, split_documents};

    #[test]
    fn display_uses_brackets_for_odd_keys() {
        let path = JsonPath::root()
            .keys(&["metadata", "annotations"])
            .key("container.apparmor.security.beta.kubernetes.io/app");
        assert_eq!(
            path.to_string(),
            "metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/app\"]"
        );
        assert_eq!(
            JsonPath::root()
                .key("spec")
                .key("containers")
                .index(2)
                .to_string(),
            "spec.containers[2]"
        );
    }

    #[test]
    fn locate_falls_back_to_nearest_parent() {
        let text = "spec:\n  containers:\n  - name: a\n    image: x\n";
        let doc = split_documents(text)[0];
        let root = parse_document(&doc).unwrap().unwrap();
        let container = JsonPath::root().key("spec").key("containers").index(0);
        assert_eq!(container.locate(&root), (Pos { line: 3, column: 5 }, true));
        let missing = container.keys(&["securityContext", "privileged"]);
        assert_eq!(missing.locate(&root), (Pos { line: 3, column: 5 }, false));
        let image = container.key("image");
        assert_eq!(image.locate(&root), (Pos { line: 4, column: 5 }, true));
    }
}
