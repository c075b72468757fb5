//! How severe an advisory is: a CVSS vector scored with the `cvss` crate (v4.0 preferred over
//! v3.x, the advisory's own over an affected entry's), else the word a database gives (GitHub's
//! `database_specific.severity`, Ubuntu's and Debian's severity entries), mapped to palisade's
//! severities by the CVSS qualitative scale. An advisory with neither is `medium`: unknown is
//! not harmless, and a CI gate at `high` should not fail on a guess either.

use std::str::FromStr;

use palisade_core::Severity;
use serde::Serialize;

use crate::osv::Advisory;

/// An advisory's severity and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rated {
    pub severity: Severity,
    /// The CVSS base score, when a vector was scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The CVSS vector scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// `CVSS_V4`, `CVSS_V3`, `database` or `unknown`.
    pub source: &'static str,
}

impl Default for Rated {
    fn default() -> Self {
        Rated {
            severity: Severity::Medium,
            score: None,
            vector: None,
            source: "unknown",
        }
    }
}

impl Rated {
    /// Which of two ratings of one vulnerability to report: the more severe, then the scored.
    pub fn precedence(&self) -> (Severity, u32) {
        (
            self.severity,
            self.score.map_or(0, |score| (score * 10.0) as u32),
        )
    }
}

fn from_cvss(severity: cvss::Severity) -> Severity {
    match severity {
        cvss::Severity::None => Severity::Info,
        cvss::Severity::Low => Severity::Low,
        cvss::Severity::Medium => Severity::Medium,
        cvss::Severity::High => Severity::High,
        cvss::Severity::Critical => Severity::Critical,
    }
}

/// Scores a `CVSS_V4` or `CVSS_V3` vector; `None` for other types or vectors that do not parse.
fn scored(kind: &str, vector: &str) -> Option<Rated> {
    let (score, severity, source) = match kind {
        "CVSS_V4" => {
            let score = cvss::v4::Vector::from_str(vector).ok()?.score();
            (score.clone().value(), score.severity(), "CVSS_V4")
        }
        "CVSS_V3" => {
            let score = cvss::v3::Vector::from_str(vector).ok()?.score();
            (score.value(), score.severity(), "CVSS_V3")
        }
        _ => return None,
    };
    Some(Rated {
        severity: from_cvss(severity),
        score: Some(score),
        vector: Some(vector.to_string()),
        source,
    })
}

/// A database's word: GitHub's `LOW`/`MODERATE`/`HIGH`/`CRITICAL`, Ubuntu's and Debian's
/// `negligible`/`unimportant`/`low`/`medium`/`high`/`critical`.
fn from_word(word: &str) -> Option<Severity> {
    Some(match word.to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" | "important" => Severity::High,
        "moderate" | "medium" => Severity::Medium,
        "low" => Severity::Low,
        "negligible" | "unimportant" => Severity::Info,
        _ => return None,
    })
}

/// The severity of an advisory.
pub fn rate(advisory: &Advisory) -> Rated {
    let vectors = advisory
        .severity
        .iter()
        .chain(advisory.affected.iter().flat_map(|a| &a.severity));
    let best_scored = ["CVSS_V4", "CVSS_V3"].iter().find_map(|wanted| {
        vectors
            .clone()
            .filter(|s| s.kind == *wanted)
            .find_map(|s| scored(&s.kind, &s.score))
    });
    if let Some(rated) = best_scored {
        return rated;
    }
    let word = advisory
        .database_severity()
        .and_then(from_word)
        .or_else(|| {
            vectors
                .clone()
                .filter(|s| !s.kind.starts_with("CVSS"))
                .find_map(|s| from_word(&s.score))
        })
        .or_else(|| {
            advisory
                .affected
                .iter()
                .find_map(|a| a.severity_word().and_then(from_word))
        });
    match word {
        Some(severity) => Rated {
            severity,
            score: None,
            vector: None,
            source: "database",
        },
        None => Rated::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(json: &str) -> Advisory {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn cvss_vectors_are_scored() {
        // CVE-2021-44228 (Log4Shell): 10.0 critical in CVSS 3.1.
        let log4shell = advisory(
            r#"{"id": "GHSA-jfh8-c2jp-5v3q", "modified": "2024-01-01T00:00:00Z",
                "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}]}"#,
        );
        let rated = rate(&log4shell);
        assert_eq!(rated.severity, Severity::Critical);
        assert_eq!(rated.score, Some(10.0));
        // CVSS 4.0 takes precedence over 3.x: AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N is 9.3.
        let both = advisory(
            r#"{"id": "X", "modified": "2024-01-01T00:00:00Z", "severity": [
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"},
                {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]}"#,
        );
        let rated = rate(&both);
        assert_eq!(rated.source, "CVSS_V4");
        assert_eq!(rated.score, Some(9.3));
    }

    #[test]
    fn database_words_and_unknown() {
        let github = advisory(
            r#"{"id": "GHSA-x", "modified": "2024-01-01T00:00:00Z", "database_specific": {"severity": "MODERATE"}}"#,
        );
        assert_eq!(rate(&github).severity, Severity::Medium);
        let broken_vector = advisory(
            r#"{"id": "Y", "modified": "2024-01-01T00:00:00Z", "severity": [{"type": "CVSS_V3", "score": "garbage"}]}"#,
        );
        assert_eq!(rate(&broken_vector), Rated::default());
    }
}
