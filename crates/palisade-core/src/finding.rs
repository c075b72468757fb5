use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{RuleMeta, Severity};

/// The Kubernetes object a finding is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// Where in the input a finding points: a file, a 1-based line and column, and the JSON path
/// of the offending field (or of its nearest existing parent when the field is missing).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Shared by every finding of a file.
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
    /// Interned ([`crate::intern`]): findings at the same path share it.
    pub path: Arc<str>,
    /// Where in `path` the object's own path starts (after `items[3].` inside a `List`): the
    /// part fingerprints hash, so that an object keeps its fingerprints wherever it sits.
    #[serde(skip)]
    pub object_path_start: usize,
}

impl Location {
    /// The path from the object's root (`path` without a `List` prefix).
    pub fn object_path(&self) -> &str {
        self.path
            .get(self.object_path_start..)
            .unwrap_or(&self.path)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One problem a whole-input analysis (RBAC, NetworkPolicies) found: the object and location
/// it is about, what, and how severe (`None`: the rule's severity).
#[derive(Debug, Clone)]
pub struct Hit {
    pub object: Arc<ObjectRef>,
    pub location: Location,
    pub message: String,
    pub severity: Option<Severity>,
}

impl Hit {
    /// The finding of `rule` this hit is.
    pub fn into_finding(self, rule: &'static RuleMeta) -> Finding {
        Finding {
            rule,
            severity: self.severity.unwrap_or(rule.severity),
            message: self.message.into_boxed_str(),
            object: self.object,
            location: self.location,
            discriminator: 0,
            subject: None,
        }
    }
}

/// One problem a rule found in one object.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    #[serde(serialize_with = "serialize_rule_id")]
    pub rule: &'static RuleMeta,
    /// Usually the rule's severity; a rule may raise or lower it for one finding.
    pub severity: Severity,
    /// Names the offending value, like the API server's Pod Security warnings do. A boxed
    /// string: no spare capacity, for reports of hundreds of thousands of findings.
    pub message: Box<str>,
    /// Shared by every finding of the object.
    pub object: Arc<ObjectRef>,
    pub location: Location,
    /// Tells apart findings of one rule at one path (several secrets inside one ConfigMap
    /// value): a hash of the rule's discriminating text, hashed into the fingerprint, never
    /// shown; 0 for none (it fits in the struct's padding).
    #[serde(skip)]
    pub discriminator: u32,
    /// What a finding about a package is about beyond its object (the vulnerability's
    /// identifiers and the package), for `[[ignore]]` entries that name them; `None` for most.
    #[serde(skip)]
    pub subject: Option<Arc<Subject>>,
}

/// The vulnerability and package a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subject {
    /// The advisory id and its aliases (`GHSA-…`, `CVE-…`).
    pub identifiers: Vec<String>,
    /// The package's name and purl.
    pub package: String,
    pub purl: String,
}

fn serialize_rule_id<S: serde::Serializer>(
    rule: &&'static RuleMeta,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(rule.id)
}

/// The [`Finding::discriminator`] of a text: FNV-1a, never 0.
pub fn discriminator(text: &str) -> u32 {
    let hash = text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    hash.max(1)
}

impl Finding {
    /// A fingerprint that survives reformatting and moving the object around, within its file,
    /// to another file, or in and out of a `List`: it hashes the rule, the object, the JSON
    /// path from the object's root and the rule's discriminator, never the line.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [
            self.rule.id,
            &self.object.api_version,
            &self.object.kind,
            self.object.namespace.as_deref().unwrap_or(""),
            &self.object.name,
            self.location.object_path(),
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        // Only rules that tell findings apart add a part: every other fingerprint stays as it was.
        if self.discriminator != 0 {
            hasher.update(self.discriminator.to_le_bytes());
            hasher.update([0]);
        }
        let digest = hasher.finalize();
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The order every report uses: by file, position, rule.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.location.file,
            self.location.line,
            self.location.column,
            self.rule.id,
            &self.message,
        )
    }
}

/// Input the scan could not read: malformed YAML or JSON, a wrong type, an unreadable file.
/// Reported in every output format and turned into exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InputError {
    pub file: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}
