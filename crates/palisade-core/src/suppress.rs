//! The one suppression model every analyzer's findings go through: `[[ignore]]` entries of
//! `palisade.toml` (with expiry), `palisade.dev/ignore` annotations (applied by the checks that
//! read objects, see `palisade-checks`), and baseline files of stable fingerprints.

use std::collections::HashSet;
use std::path::Path;

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::{Finding, InputError, Location, ObjectRef, RuleMeta};

/// Where a suppression came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionKind {
    /// An `[[ignore]]` entry of `palisade.toml`.
    Config,
    /// A `palisade.dev/ignore` annotation on the object.
    Annotation,
    /// A fingerprint in the `--baseline` file.
    Baseline,
    /// A `not_affected` or `fixed` statement of an OpenVEX document (`--vex`).
    Vex,
}

/// Why a finding is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub justification: String,
    /// `file:line` of the ignore entry or annotation, the baseline file, or the VEX document.
    pub source: String,
}

/// A finding some suppression accepted.
#[derive(Debug, Clone, Serialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub finding: Finding,
    pub suppression: Suppression,
}

/// A calendar date (`expires = 2027-01-31`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Today in UTC.
    pub fn today() -> Date {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((seconds / 86_400) as i64)
    }

    /// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day number.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A glob over one field of an object's identity (`kind`, `namespace`, `name`).
#[derive(Debug, Clone)]
pub struct Selector {
    pub pattern: String,
    matcher: GlobMatcher,
}

impl Selector {
    pub fn new(pattern: &str) -> Result<Selector, String> {
        Glob::new(pattern)
            .map(|g| Selector {
                pattern: pattern.to_string(),
                matcher: g.compile_matcher(),
            })
            .map_err(|e| format!("invalid glob {pattern:?}: {}", e.kind()))
    }

    fn matches(&self, value: &str) -> bool {
        self.matcher.is_match(value)
    }
}

/// One `[[ignore]]` entry of `palisade.toml`.
#[derive(Debug, Clone)]
pub struct IgnoreEntry {
    pub rule: String,
    pub kind: Option<Selector>,
    /// Matched against the object's namespace, or the empty string for objects without one.
    pub namespace: Option<Selector>,
    pub name: Option<Selector>,
    /// Matched against a vulnerability finding's advisory id and aliases.
    pub advisory: Option<Selector>,
    /// Matched against a vulnerability finding's package name and purl.
    pub package: Option<Selector>,
    pub reason: String,
    pub expires: Option<Date>,
    /// The entry's `[[ignore]]` header in the config file.
    pub location: Location,
}

impl IgnoreEntry {
    pub fn matches(&self, finding: &Finding) -> bool {
        let object = &finding.object;
        finding.rule.id == self.rule
            && self.kind.as_ref().is_none_or(|s| s.matches(&object.kind))
            && self
                .namespace
                .as_ref()
                .is_none_or(|s| s.matches(object.namespace.as_deref().unwrap_or("")))
            && self.name.as_ref().is_none_or(|s| s.matches(&object.name))
            && self.advisory.as_ref().is_none_or(|s| {
                finding
                    .subject
                    .as_ref()
                    .is_some_and(|subject| subject.identifiers.iter().any(|id| s.matches(id)))
            })
            && self.package.as_ref().is_none_or(|s| {
                finding
                    .subject
                    .as_ref()
                    .is_some_and(|subject| s.matches(&subject.package) || s.matches(&subject.purl))
            })
    }

    /// Valid through its `expires` date; expired from the day after.
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|expires| today > expires)
    }

    fn selector(&self) -> String {
        let parts: Vec<String> = [
            ("kind", &self.kind),
            ("namespace", &self.namespace),
            ("name", &self.name),
        ]
        .into_iter()
        .filter_map(|(field, s)| s.as_ref().map(|s| format!("{field}={}", s.pattern)))
        .collect();
        if parts.is_empty() {
            "every object".to_string()
        } else {
            parts.join(" ")
        }
    }
}

/// An ignore entry that matched no finding.
#[derive(Debug, Clone, Serialize)]
pub struct UnusedIgnore {
    pub rule: String,
    pub selector: String,
    pub reason: String,
    pub location: Location,
}

/// The fingerprints of a baseline file.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub file: String,
    pub fingerprints: HashSet<String>,
    /// The file's entries as read, carried into a rewritten baseline.
    entries: Vec<BaselineEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BaselineFile {
    schema_version: String,
    findings: Vec<BaselineEntry>,
}

/// One accepted finding: its fingerprint, plus what it was, for humans reviewing the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineEntry {
    fingerprint: String,
    rule: String,
    object: String,
    path: String,
}

impl Baseline {
    pub fn read(path: &Path) -> Result<Baseline, InputError> {
        let file = path.display().to_string();
        let error = |line, column, message: String| InputError {
            file: file.clone(),
            line,
            column,
            message,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| error(None, None, format!("cannot read the baseline: {e}")))?;
        let parsed: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            error(
                Some(e.line() as u32),
                Some(e.column() as u32),
                format!("not a palisade baseline: {e}"),
            )
        })?;
        if parsed.schema_version != "1.0" {
            return Err(error(
                None,
                None,
                format!(
                    "unsupported baseline schemaVersion {:?}",
                    parsed.schema_version
                ),
            ));
        }
        Ok(Baseline {
            file,
            fingerprints: parsed
                .findings
                .iter()
                .map(|f| f.fingerprint.clone())
                .collect(),
            entries: parsed.findings,
        })
    }

    /// The baseline of `findings` plus every entry of `previous` (what it accepted stays
    /// accepted, whether or not this scan saw it), in JSON, sorted by fingerprint so that
    /// re-writing an unchanged baseline gives the same bytes.
    pub fn render<'a>(
        findings: impl Iterator<Item = &'a Finding>,
        previous: Option<&Baseline>,
    ) -> String {
        let mut entries: Vec<BaselineEntry> = findings
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint(),
                rule: f.rule.id.to_string(),
                object: f.object.to_string(),
                path: f.location.path.to_string(),
            })
            .chain(previous.into_iter().flat_map(|b| b.entries.iter().cloned()))
            .collect();
        entries.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        let file = BaselineFile {
            schema_version: "1.0".to_string(),
            findings: entries,
        };
        let mut text = serde_json::to_string_pretty(&file).expect("baseline serialises");
        text.push('\n');
        text
    }
}

/// What applying the suppressions to a scan's findings gave.
#[derive(Debug, Default)]
pub struct Applied {
    pub kept: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    pub unused: Vec<UnusedIgnore>,
}

/// Applies ignore entries (the first matching unexpired entry gives the justification) then
/// the baseline. An entry counts as used when it matches any finding, including ones an
/// annotation already accepted (`already_suppressed`). Each expired entry becomes a finding of
/// `expired_rule`, located at the entry, and suppresses nothing.
pub fn apply(
    findings: Vec<Finding>,
    already_suppressed: &[Suppressed],
    ignores: &[IgnoreEntry],
    baseline: Option<&Baseline>,
    today: Date,
    expired_rule: &'static RuleMeta,
) -> Applied {
    let mut used = vec![false; ignores.len()];
    let mut mark_used = |finding: &Finding| {
        for (index, entry) in ignores.iter().enumerate() {
            if !entry.is_expired(today) && entry.matches(finding) {
                used[index] = true;
            }
        }
    };
    for suppressed in already_suppressed {
        mark_used(&suppressed.finding);
    }
    let mut applied = Applied::default();
    for finding in findings {
        mark_used(&finding);
        let entry = ignores
            .iter()
            .find(|e| !e.is_expired(today) && e.matches(&finding));
        let suppression = if let Some(entry) = entry {
            Some(Suppression {
                kind: SuppressionKind::Config,
                justification: entry.reason.clone(),
                source: format!("{}:{}", entry.location.file, entry.location.line),
            })
        } else {
            baseline
                .filter(|b| b.fingerprints.contains(&finding.fingerprint()))
                .map(|b| Suppression {
                    kind: SuppressionKind::Baseline,
                    justification: "accepted in the baseline".to_string(),
                    source: b.file.clone(),
                })
        };
        match suppression {
            Some(suppression) => applied.suppressed.push(Suppressed {
                finding,
                suppression,
            }),
            None => applied.kept.push(finding),
        }
    }
    for (entry, used) in ignores.iter().zip(used) {
        if entry.is_expired(today) {
            applied.kept.push(Finding {
                rule: expired_rule,
                severity: expired_rule.severity,
                message: format!(
                    "ignore entry for rule {:?} ({}) expired on {}: {:?}; it no longer suppresses the findings it matched",
                    entry.rule,
                    entry.selector(),
                    entry.expires.expect("expired entries have a date"),
                    entry.reason
                )
                .into(),
                object: std::sync::Arc::new(ObjectRef {
                    api_version: "palisade.dev/v1".to_string(),
                    kind: "Ignore".to_string(),
                    namespace: None,
                    name: entry.rule.clone(),
                }),
                location: entry.location.clone(),
                discriminator: 0,
                subject: None,
            });
        } else if !used {
            applied.unused.push(UnusedIgnore {
                rule: entry.rule.clone(),
                selector: entry.selector(),
                reason: entry.reason.clone(),
                location: entry.location.clone(),
            });
        }
    }
    applied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(11_016).to_string(),
            "2000-02-29"
        );
        assert_eq!(
            Date::from_days_since_epoch(20_779).to_string(),
            "2026-11-22"
        );
        assert_eq!(Date::from_days_since_epoch(-1).to_string(), "1969-12-31");
    }

    /// `advisory` and `package` match the vulnerability a finding is about (any of its
    /// identifiers, the package's name or purl), and never a finding about no package.
    #[test]
    fn advisory_and_package_selectors() {
        let entry = |advisory: Option<&str>, package: Option<&str>| IgnoreEntry {
            rule: "vulnerability".into(),
            kind: None,
            namespace: None,
            name: None,
            advisory: advisory.map(|a| Selector::new(a).unwrap()),
            package: package.map(|p| Selector::new(p).unwrap()),
            reason: "r".into(),
            expires: None,
            location: Location::default(),
        };
        static RULE: RuleMeta = RuleMeta {
            id: "vulnerability",
            name: "vulnerability",
            severity: crate::Severity::High,
            category: "vulnerabilities",
            title: "",
            doc: "",
            remediation: "",
            aliases: &[],
            frameworks: &[],
            references: &[],
        };
        let finding = |subject: Option<crate::Subject>| Finding {
            rule: &RULE,
            severity: crate::Severity::High,
            message: "m".into(),
            object: std::sync::Arc::new(ObjectRef::default()),
            location: Location::default(),
            discriminator: 0,
            subject: subject.map(std::sync::Arc::new),
        };
        let requests = finding(Some(crate::Subject {
            identifiers: vec!["PYSEC-2018-28".into(), "CVE-2018-18074".into()],
            package: "requests".into(),
            purl: "pkg:pypi/requests@2.19.1".into(),
        }));
        assert!(entry(Some("CVE-2018-18074"), None).matches(&requests));
        assert!(entry(Some("CVE-2018-*"), Some("requests")).matches(&requests));
        assert!(entry(None, Some("pkg:pypi/requests@*")).matches(&requests));
        assert!(!entry(Some("CVE-2019-*"), None).matches(&requests));
        assert!(!entry(None, Some("urllib3")).matches(&requests));
        assert!(!entry(Some("CVE-2018-18074"), None).matches(&finding(None)));
    }

    #[test]
    fn expiry_is_inclusive_of_the_date() {
        let entry = IgnoreEntry {
            rule: "privileged".into(),
            kind: None,
            namespace: None,
            name: None,
            advisory: None,
            package: None,
            reason: "r".into(),
            expires: Some(Date {
                year: 2027,
                month: 1,
                day: 31,
            }),
            location: Location::default(),
        };
        assert!(!entry.is_expired(Date {
            year: 2027,
            month: 1,
            day: 31
        }));
        assert!(entry.is_expired(Date {
            year: 2027,
            month: 2,
            day: 1
        }));
    }
}
