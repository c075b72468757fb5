use serde::Serialize;

use crate::Severity;

/// A framework a rule maps to, as used by `--framework` and in references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Framework {
    #[serde(rename = "pss-baseline")]
    PssBaseline,
    #[serde(rename = "pss-restricted")]
    PssRestricted,
    #[serde(rename = "cis")]
    Cis,
    #[serde(rename = "nsa")]
    Nsa,
    #[serde(rename = "mitre")]
    Mitre,
}

/// A pointer from a rule to an external control: framework, control id, documentation URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub framework: &'static str,
    pub id: &'static str,
    pub url: &'static str,
}

/// The registry entry of one rule, declared next to its code. Everything user-facing about a
/// rule (`palisade checks`, `palisade explain`, `docs/checks/`, SARIF rule help) comes from here.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleMeta {
    /// Stable identifier, used in configs, suppressions and output.
    pub id: &'static str,
    /// kebab-case name.
    pub name: &'static str,
    pub severity: Severity,
    pub category: &'static str,
    pub title: &'static str,
    /// Markdown: what it finds, why it matters, how to fix, failing and passing examples.
    pub doc: &'static str,
    /// One paragraph on how to fix a finding.
    pub remediation: &'static str,
    pub frameworks: &'static [Framework],
    pub references: &'static [Reference],
}
