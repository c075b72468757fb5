//! YAML (and JSON, its subset) into spanned [`Node`] trees, one document at a time.
//!
//! A stream is first cut into documents at `---` / `...` lines. The YAML spec makes those
//! markers at column 0 end any scalar, so cutting there is exact; it lets one broken document be
//! reported while the others are still read, bounds alias expansion per document, and lets
//! documents be parsed in parallel. Each document is then built from `saphyr-parser` events,
//! expanding aliases and `<<` merge keys the way go-yaml v2 (Kubernetes) does.

use std::collections::HashSet;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::node::{Entry, Node, Pos, Value};

/// One document's text and where it starts in its stream.
#[derive(Debug, Clone, Copy)]
pub struct DocumentText<'a> {
    pub text: &'a str,
    /// 1-based line of the document's first line in the stream.
    pub first_line: u32,
    /// 0-based index of the document in the stream.
    pub index: usize,
}

/// A syntax or structure error with its 1-based position in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// Aliases may not blow a document up past this many nodes (billion-laughs protection).
const MAX_NODES_PER_DOCUMENT: usize = 2_000_000;

/// Splits a stream into documents at `---` and `...` marker lines. Documents holding only
/// comments, blank lines and directives are dropped.
pub fn split_documents(stream: &str) -> Vec<DocumentText<'_>> {
    let stream = stream.strip_prefix('\u{feff}').unwrap_or(stream);
    if let Some(lines) = json_lines(stream) {
        return lines;
    }
    let mut documents = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    let mut has_content = false;
    let mut offset = 0usize;
    let mut push = |from: usize, to: usize, line: u32, content: bool| {
        if content {
            let index = documents.len();
            documents.push(DocumentText {
                text: &stream[from..to],
                first_line: line,
                index,
            });
        }
    };
    for (line_no, line) in (1u32..).zip(stream.split_inclusive('\n')) {
        let end = offset + line.len();
        if is_marker(line, "---") {
            push(start, offset, start_line, has_content);
            start = offset;
            start_line = line_no;
            // Content may follow the marker on the same line (`--- !tag` or `--- {a: 1}`).
            has_content = !is_blank_or_comment(&line[3..]);
        } else if is_marker(line, "...") {
            push(start, end, start_line, has_content);
            start = end;
            start_line = line_no + 1;
            has_content = false;
        } else if !has_content && !is_blank_or_comment(line) && !line.starts_with('%') {
            has_content = true;
        }
        offset = end;
    }
    push(start, stream.len(), start_line, has_content);
    documents
}

/// JSON Lines (one JSON object per line, as ABAC policy files are): two or more lines, every
/// one that is not blank or a comment a `{…}` object on its own. Each is a document. (Several
/// root nodes in a row are no valid YAML stream, so nothing that parses today is read
/// differently.)
fn json_lines(stream: &str) -> Option<Vec<DocumentText<'_>>> {
    let mut documents = Vec::new();
    let mut offset = 0usize;
    for (line_no, line) in (1u32..).zip(stream.split_inclusive('\n')) {
        let start = offset;
        offset += line.len();
        if is_blank_or_comment(line) {
            continue;
        }
        let object = line.trim();
        if !(object.starts_with('{') && object.ends_with('}')) {
            return None;
        }
        let index = documents.len();
        documents.push(DocumentText {
            text: &stream[start..offset],
            first_line: line_no,
            index,
        });
    }
    (documents.len() >= 2).then_some(documents)
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r']))
}

fn is_blank_or_comment(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.is_empty() || trimmed.starts_with('#')
}

/// Parses one document. Returns `Ok(None)` for a document without content.
pub fn parse_document(doc: &DocumentText<'_>) -> Result<Option<Node>, YamlError> {
    let mut builder = Builder {
        first_line: doc.first_line,
        stack: Vec::new(),
        anchors: Vec::new(),
        root: None,
        nodes: 0,
    };
    for event in Parser::new_from_str(doc.text) {
        let (event, span) = event.map_err(|e| YamlError {
            pos: builder.pos_of_marker(e.marker().line(), e.marker().col()),
            message: e.info().to_string(),
        })?;
        match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
            Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::Scalar(text, style, anchor, tag) => {
                let pos = builder.pos(&span);
                let forced_string = tag
                    .as_ref()
                    .is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "str");
                let value = if style == ScalarStyle::Plain && !forced_string && is_null(&text) {
                    Value::Null
                } else {
                    Value::Scalar {
                        text: text.into_owned(),
                        quoted: style != ScalarStyle::Plain || forced_string,
                    }
                };
                builder.complete(Node { value, pos }, anchor, style == ScalarStyle::Plain)?;
            }
            Event::Alias(id) => {
                let pos = builder.pos(&span);
                let target = builder
                    .anchors
                    .iter()
                    .rev()
                    .find(|(anchor, _, _)| *anchor == id)
                    .map(|(_, node, size)| (node.clone(), *size))
                    .ok_or_else(|| YamlError {
                        pos,
                        message: "alias refers to an unknown anchor".to_string(),
                    })?;
                builder.count(target.1, pos)?;
                builder.complete(target.0, 0, false)?;
            }
            Event::SequenceStart(anchor, _) => {
                let pos = builder.pos(&span);
                builder.count(1, pos)?;
                builder.stack.push(Frame::Seq {
                    anchor,
                    pos,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                let pos = builder.pos(&span);
                builder.count(1, pos)?;
                builder.stack.push(Frame::Map {
                    anchor,
                    pos,
                    entries: Vec::new(),
                    merges: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceEnd => match builder.stack.pop() {
                Some(Frame::Seq { anchor, pos, items }) => {
                    builder.complete(
                        Node {
                            value: Value::Seq(items),
                            pos,
                        },
                        anchor,
                        false,
                    )?;
                }
                _ => return Err(builder.structure_error(&span)),
            },
            Event::MappingEnd => match builder.stack.pop() {
                Some(Frame::Map {
                    anchor,
                    pos,
                    entries,
                    merges,
                    key: None,
                }) => {
                    let entries = merge_keys(entries, merges)?;
                    builder.complete(
                        Node {
                            value: Value::Map(entries),
                            pos,
                        },
                        anchor,
                        false,
                    )?;
                }
                _ => return Err(builder.structure_error(&span)),
            },
        }
    }
    Ok(builder.root)
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

enum Frame {
    Seq {
        anchor: usize,
        pos: Pos,
        items: Vec<Node>,
    },
    Map {
        anchor: usize,
        pos: Pos,
        entries: Vec<Entry>,
        merges: Vec<Node>,
        /// The key waiting for its value, and whether it is the plain merge key `<<`.
        key: Option<(String, Pos, bool)>,
    },
}

struct Builder {
    first_line: u32,
    stack: Vec<Frame>,
    /// Anchor id, the anchored node, its size.
    anchors: Vec<(usize, Node, usize)>,
    root: Option<Node>,
    nodes: usize,
}

impl Builder {
    fn pos(&self, span: &Span) -> Pos {
        self.pos_of_marker(span.start.line(), span.start.col())
    }

    fn pos_of_marker(&self, line: usize, col: usize) -> Pos {
        Pos {
            line: self.first_line + line.saturating_sub(1) as u32,
            column: col as u32 + 1,
        }
    }

    fn structure_error(&self, span: &Span) -> YamlError {
        YamlError {
            pos: self.pos(span),
            message: "unbalanced YAML structure".to_string(),
        }
    }

    fn count(&mut self, nodes: usize, pos: Pos) -> Result<(), YamlError> {
        self.nodes += nodes;
        if self.nodes > MAX_NODES_PER_DOCUMENT {
            return Err(YamlError {
                pos,
                message: format!(
                    "document expands to more than {MAX_NODES_PER_DOCUMENT} nodes (alias bomb?)"
                ),
            });
        }
        Ok(())
    }

    /// Hands a finished node to its parent (or makes it the root).
    fn complete(&mut self, node: Node, anchor: usize, plain: bool) -> Result<(), YamlError> {
        if matches!(node.value, Value::Null | Value::Scalar { .. }) {
            self.count(1, node.pos)?;
        }
        if anchor != 0 {
            let size = node.size();
            self.anchors.push((anchor, node.clone(), size));
        }
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                merges,
                key,
                ..
            }) => match key.take() {
                None => {
                    let (text, is_merge) = match &node.value {
                        Value::Null => (String::new(), false),
                        Value::Scalar { text, quoted } => {
                            (text.clone(), !quoted && plain && text == "<<")
                        }
                        _ => {
                            return Err(YamlError {
                                pos: node.pos,
                                message: "a mapping key must be a scalar".to_string(),
                            });
                        }
                    };
                    *key = Some((text, node.pos, is_merge));
                }
                Some((_, _, true)) => merges.push(node),
                Some((key, key_pos, false)) => entries.push(Entry {
                    key,
                    key_pos,
                    value: node,
                }),
            },
        }
        Ok(())
    }
}

/// Rejects duplicate keys (kubectl's strict decoding does too) and appends the entries that `<<`
/// merge keys bring in: explicit keys win, then earlier merge sources over later ones.
fn merge_keys(mut entries: Vec<Entry>, merges: Vec<Node>) -> Result<Vec<Entry>, YamlError> {
    let mut seen: HashSet<String> = HashSet::with_capacity(entries.len());
    for entry in &entries {
        if !seen.insert(entry.key.clone()) {
            let first = entries
                .iter()
                .find(|e| e.key == entry.key)
                .map(|e| e.key_pos);
            return Err(YamlError {
                pos: entry.key_pos,
                message: format!(
                    "duplicate key {:?} (first defined at line {})",
                    entry.key,
                    first.map_or(0, |p| p.line)
                ),
            });
        }
    }
    for source in merges {
        let maps: Vec<Node> = match source.value {
            Value::Map(_) => vec![source],
            Value::Seq(items) => items,
            _ => {
                return Err(YamlError {
                    pos: source.pos,
                    message: "a merge key `<<` needs a mapping or a list of mappings".to_string(),
                });
            }
        };
        for map in maps {
            let Value::Map(merged) = map.value else {
                return Err(YamlError {
                    pos: map.pos,
                    message: "a merge key `<<` needs a mapping or a list of mappings".to_string(),
                });
            };
            for entry in merged {
                if seen.insert(entry.key.clone()) {
                    entries.push(entry);
                }
            }
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        let docs = split_documents(text);
        assert_eq!(docs.len(), 1);
        parse_document(&docs[0]).unwrap().unwrap()
    }

    #[test]
    fn splits_at_markers_and_drops_empty_documents() {
        let docs = split_documents("# c\n---\na: 1\n---\n# only a comment\n---\nb: 2\n...\n---\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].first_line, 2);
        assert_eq!(docs[1].first_line, 6);
        assert_eq!(docs[1].index, 1);
    }

    #[test]
    fn json_lines_are_one_document_per_line() {
        let stream = "{\"apiVersion\": \"abac.authorization.kubernetes.io/v1beta1\", \"kind\": \"Policy\", \"spec\": {\"user\": \"alice\"}}\n\n# bob\n{\"kind\": \"Policy\", \"spec\": {\"user\": \"bob\"}}\n";
        let docs = split_documents(stream);
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].first_line, docs[1].first_line), (1, 4));
        let second = parse_document(&docs[1]).unwrap().unwrap();
        assert_eq!(
            second
                .get("spec")
                .and_then(|s| s.get("user"))
                .and_then(Node::as_str),
            Some("bob")
        );
        // A pretty-printed JSON object and a one-line one stay single documents.
        assert_eq!(split_documents("{\n  \"a\": 1\n}\n").len(), 1);
        assert_eq!(split_documents("{\"a\": 1}\n").len(), 1);
    }

    #[test]
    fn marker_inside_block_scalar_text_is_not_split_unless_at_column_zero() {
        let docs = split_documents("a: |\n  ---\n  x\nb: 1\n");
        assert_eq!(docs.len(), 1);
    }

    #[test]
    fn positions_are_absolute_in_the_stream() {
        let docs = split_documents("a: 1\n---\nkind: Pod\nspec:\n  x: true\n");
        let node = parse_document(&docs[1]).unwrap().unwrap();
        let x = node.get("spec").unwrap().entry("x").unwrap();
        assert_eq!(x.key_pos, Pos { line: 5, column: 3 });
        assert_eq!(x.value.pos, Pos { line: 5, column: 6 });
    }

    #[test]
    fn quoting_is_kept_so_fields_resolve_per_type() {
        let node = parse("a: yes\nb: \"yes\"\nc: 0755\nd: ~\ne: !!str true\n");
        assert_eq!(node.get("a").unwrap().as_bool(), Some(true));
        assert_eq!(node.get("b").unwrap().as_bool(), None);
        assert_eq!(node.get("b").unwrap().as_str(), Some("yes"));
        assert_eq!(node.get("c").unwrap().as_i64(), Some(0o755));
        assert!(node.get("d").is_none());
        assert_eq!(node.get("e").unwrap().as_bool(), None);
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let node = parse(
            "base: &b\n  privileged: true\n  runAsUser: 0\nctx:\n  <<: *b\n  runAsUser: 1000\nlist: [*b, *b]\n",
        );
        let ctx = node.get("ctx").unwrap();
        assert_eq!(ctx.get("privileged").unwrap().as_bool(), Some(true));
        assert_eq!(ctx.get("runAsUser").unwrap().as_i64(), Some(1000));
        assert_eq!(node.get("list").unwrap().items().len(), 2);
    }

    #[test]
    fn merge_of_several_maps_prefers_the_earlier() {
        let node = parse("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n");
        let c = node.get("c").unwrap();
        assert_eq!(c.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(c.get("y").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn json_parses_with_positions() {
        let node = parse("{\"kind\": \"Pod\",\n \"spec\": {\"hostPID\": true}}");
        let spec = node.get("spec").unwrap();
        assert_eq!(spec.get("hostPID").unwrap().as_bool(), Some(true));
        assert_eq!(spec.entry("hostPID").unwrap().key_pos.line, 2);
    }

    #[test]
    fn errors_carry_absolute_positions() {
        let docs = split_documents("a: 1\n---\nb: [1, 2\nc: 3\n");
        let err = parse_document(&docs[1]).unwrap_err();
        assert!(err.pos.line >= 3, "{err:?}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let docs = split_documents("a: 1\nb: 2\na: 3\n");
        let err = parse_document(&docs[0]).unwrap_err();
        assert_eq!(err.pos.line, 3);
        assert!(err.message.contains("duplicate key"));
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let docs = split_documents(&text);
        let err = parse_document(&docs[0]).unwrap_err();
        assert!(err.message.contains("alias"), "{err:?}");
    }
}
