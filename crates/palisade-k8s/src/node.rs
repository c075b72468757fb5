//! A YAML/JSON value tree that remembers where every node came from.
//!
//! Scalars keep their raw text and whether they were quoted, so that each accessor can apply
//! the resolution Kubernetes applies when it reads that field (sigs.k8s.io/yaml, i.e. YAML 1.1:
//! `yes`/`on` are booleans, `0755` is octal) instead of one global schema deciding up front.

use std::fmt;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Scalar { text: String, quoted: bool },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One key of a mapping. Keys are kept as text: Kubernetes objects only have string keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Node {
    /// The value of `key` when this is a mapping and the value is not null: Kubernetes treats
    /// `field: null` exactly like a missing field.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The mapping entry for `key`, skipping null values (see [`Node::get`]).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key && !e.value.is_null()),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// The entries of a mapping; empty for anything else.
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items of a sequence; empty for anything else.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// Scalar text, quoted or not. Kubernetes string fields accept plain scalars of any shape.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A boolean as sigs.k8s.io/yaml reads it: a plain (unquoted) YAML 1.1 boolean. A quoted
    /// `"true"` is a string and the API server rejects it for a boolean field.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar {
                text,
                quoted: false,
            } => yaml11_bool(text),
            _ => None,
        }
    }

    /// An integer as sigs.k8s.io/yaml reads it: a plain YAML 1.1 integer (decimal, `0o`-less
    /// octal such as `0755`, `0x` hex, `0b` binary, `_` separators).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar {
                text,
                quoted: false,
            } => yaml11_int(text),
            _ => None,
        }
    }

    /// A short description of the value for error messages.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Null => "null".to_string(),
            Value::Scalar { text, quoted } => {
                let kind = if *quoted || (yaml11_bool(text).is_none() && yaml11_int(text).is_none())
                {
                    "string"
                } else if yaml11_bool(text).is_some() {
                    "boolean"
                } else {
                    "number"
                };
                let shown: String = text.chars().take(40).collect();
                let ellipsis = if text.chars().count() > 40 { "…" } else { "" };
                format!("{kind} {shown:?}{ellipsis}")
            }
            Value::Seq(_) => "a list".to_string(),
            Value::Map(_) => "a mapping".to_string(),
        }
    }

    /// Number of nodes in this tree (used to bound alias expansion).
    pub fn size(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|e| 1 + e.value.size()).sum(),
            _ => 0,
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// YAML 1.1 booleans as go-yaml v2 (and so sigs.k8s.io/yaml) resolves them.
pub fn yaml11_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// YAML 1.1 integers as go-yaml v2 resolves them.
pub fn yaml11_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || digits.starts_with('_') {
        return None;
    }
    let (radix, body) = if let Some(rest) = digits.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = digits.strip_prefix("0b") {
        (2, rest)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    let cleaned: String = body.chars().filter(|&c| c != '_').collect();
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(&cleaned, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_booleans() {
        for t in ["yes", "Yes", "on", "ON", "true", "y"] {
            assert_eq!(yaml11_bool(t), Some(true), "{t}");
        }
        for f in ["no", "off", "Off", "false", "N"] {
            assert_eq!(yaml11_bool(f), Some(false), "{f}");
        }
        assert_eq!(yaml11_bool("maybe"), None);
        assert_eq!(yaml11_bool("1"), None);
    }

    #[test]
    fn yaml11_integers() {
        assert_eq!(yaml11_int("0755"), Some(493));
        assert_eq!(yaml11_int("0"), Some(0));
        assert_eq!(yaml11_int("-1000"), Some(-1000));
        assert_eq!(yaml11_int("+12"), Some(12));
        assert_eq!(yaml11_int("0x1F"), Some(31));
        assert_eq!(yaml11_int("0b101"), Some(5));
        assert_eq!(yaml11_int("1_000"), Some(1000));
        assert_eq!(yaml11_int("089"), None);
        assert_eq!(yaml11_int("12a"), None);
        assert_eq!(yaml11_int("1.5"), None);
        assert_eq!(yaml11_int(""), None);
        assert_eq!(yaml11_int("-"), None);
        assert_eq!(yaml11_int("99999999999999999999"), None);
    }
}
