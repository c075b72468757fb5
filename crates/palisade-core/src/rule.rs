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

impl Framework {
    pub const ALL: [Framework; 5] = [
        Framework::PssBaseline,
        Framework::PssRestricted,
        Framework::Cis,
        Framework::Nsa,
        Framework::Mitre,
    ];

    /// The `--framework` spelling.
    pub fn id(self) -> &'static str {
        match self {
            Framework::PssBaseline => "pss-baseline",
            Framework::PssRestricted => "pss-restricted",
            Framework::Cis => "cis",
            Framework::Nsa => "nsa",
            Framework::Mitre => "mitre",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Framework::PssBaseline => "Pod Security Standards (baseline)",
            Framework::PssRestricted => "Pod Security Standards (restricted)",
            Framework::Cis => CIS,
            Framework::Nsa => NSA,
            Framework::Mitre => MITRE,
        }
    }

    /// The name rule [`Reference`]s to this framework's controls carry; `None` for the Pod
    /// Security levels, which rules declare in [`RuleMeta::frameworks`].
    pub fn reference_name(self) -> Option<&'static str> {
        match self {
            Framework::PssBaseline | Framework::PssRestricted => None,
            Framework::Cis => Some(CIS),
            Framework::Nsa => Some(NSA),
            Framework::Mitre => Some(MITRE),
        }
    }
}

impl std::str::FromStr for Framework {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Framework::ALL
            .into_iter()
            .find(|f| f.id().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown framework {s:?} (expected pss-baseline, pss-restricted, cis, nsa or mitre)")
            })
    }
}

/// [`Reference::framework`] of CIS Kubernetes Benchmark controls.
pub const CIS: &str = "CIS Kubernetes Benchmark";
/// [`Reference::framework`] of NSA/CISA Kubernetes Hardening Guide sections.
pub const NSA: &str = "NSA/CISA Kubernetes Hardening Guide";
/// [`Reference::framework`] of MITRE ATT&CK for Containers techniques.
pub const MITRE: &str = "MITRE ATT&CK";

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
    /// Codes of the same check in other tools (hadolint's `DL3002`), so users can migrate:
    /// accepted wherever a rule id is, and listed with every finding.
    pub aliases: &'static [&'static str],
    pub frameworks: &'static [Framework],
    pub references: &'static [Reference],
}

impl RuleMeta {
    /// Whether the rule belongs to `framework`: declared for the Pod Security levels, by a
    /// reference to one of its controls for the others.
    pub fn in_framework(&self, framework: Framework) -> bool {
        self.frameworks.contains(&framework) || !self.controls(framework).is_empty()
    }

    /// The ids of the controls of `framework` this rule checks.
    pub fn controls(&self, framework: Framework) -> Vec<&'static str> {
        framework.reference_name().map_or_else(Vec::new, |name| {
            self.references
                .iter()
                .filter(|r| r.framework == name)
                .map(|r| r.id)
                .collect()
        })
    }
}
