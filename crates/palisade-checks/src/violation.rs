//! What a rule reports about one object: where, what, and (rarely) a severity of its own.

use palisade_core::Severity;
use palisade_k8s::JsonPath;

/// One offending field: its path (or its nearest parent's when missing), the message naming
/// the offending value, and a severity when the rule grades its findings (per capability, per
/// host path) instead of using its registry severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: JsonPath,
    pub message: String,
    pub severity: Option<Severity>,
    /// Tells apart several violations at one path (see `Finding::discriminator`).
    pub discriminator: Option<String>,
}

impl Violation {
    /// Pod Security Admission's wording: `reason (detail)`.
    pub fn new(path: JsonPath, reason: &str, detail: impl AsRef<str>) -> Self {
        Violation::at(path, format!("{reason} ({})", detail.as_ref()))
    }

    pub fn at(path: JsonPath, message: impl Into<String>) -> Self {
        Violation {
            path,
            message: message.into(),
            severity: None,
            discriminator: None,
        }
    }

    pub fn with_discriminator(mut self, discriminator: String) -> Self {
        self.discriminator = Some(discriminator);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}
