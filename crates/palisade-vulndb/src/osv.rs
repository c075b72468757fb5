//! The parts of the [OSV schema](https://ossf.github.io/osv-schema/) that matching needs.
//!
//! Parsing is lenient where OSV data in the wild varies: unknown fields are ignored, `null`
//! stands for an empty list, and range types other than `SEMVER`, `ECOSYSTEM` and `GIT` are
//! kept by name. What the matcher cannot do without (an `id`, events that say what they are)
//! is required, and a document without it is malformed.
//!
//! Fields not read here (`references`, `credits`, `schema_version`, ...) are dropped when an
//! advisory is stored, and `details` is cut to [`MAX_DETAILS`] bytes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The longest `details` text kept in the store, in bytes; longer texts are cut at a character
/// boundary and end in `…`.
pub const MAX_DETAILS: usize = 16 * 1024;

/// What the store hands the matcher: an OSV advisory, its `affected` list narrowed to the
/// package that was looked up.
pub type Advisory = Vulnerability;

/// One OSV advisory.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Vulnerability {
    pub id: String,
    /// RFC 3339 time of the last change; of two copies of one advisory the newer wins.
    #[serde(default, deserialize_with = "nullable")]
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Set when the advisory was withdrawn: it is stored, but never matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// Other identifiers of the same vulnerability (CVE, GHSA, ...); the matcher merges on them.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aliases: Vec<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub severity: Vec<Severity>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub affected: Vec<Affected>,
    /// Free-form; GitHub advisories put their `severity` (`"HIGH"`) here.
    #[serde(default, skip_serializing_if = "is_null_or_none")]
    pub database_specific: Option<Value>,
}

/// A severity score: `type` is `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, ...
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Severity {
    #[serde(rename = "type")]
    pub kind: String,
    /// A CVSS vector, or a word for the `Ubuntu` type.
    #[serde(default, deserialize_with = "nullable")]
    pub score: String,
}

/// One affected package with its ranges and versions.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Affected {
    /// OSV allows entries without a package (GIT-only ranges); those are never indexed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub severity: Vec<Severity>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ranges: Vec<Range>,
    /// Versions listed one by one, in the ecosystem's own spelling.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "is_null_or_none")]
    pub ecosystem_specific: Option<Value>,
    #[serde(default, skip_serializing_if = "is_null_or_none")]
    pub database_specific: Option<Value>,
}

/// A package in an ecosystem.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Package {
    /// The OSV ecosystem, with a release suffix where the ecosystem has them (`Debian:12`).
    #[serde(default, deserialize_with = "nullable")]
    pub ecosystem: String,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// A range of affected versions, as ordered events.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: RangeKind,
    /// The repository of a `GIT` range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "is_null_or_none")]
    pub database_specific: Option<Value>,
}

/// How a range's versions are ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeKind {
    /// SemVer 2.0 ordering, whatever the ecosystem.
    Semver,
    /// The ecosystem's own ordering.
    Ecosystem,
    /// Commit hashes of `repo`.
    Git,
    /// A type this version of palisade does not know, kept by name.
    Other(String),
}

impl RangeKind {
    pub fn as_str(&self) -> &str {
        match self {
            RangeKind::Semver => "SEMVER",
            RangeKind::Ecosystem => "ECOSYSTEM",
            RangeKind::Git => "GIT",
            RangeKind::Other(s) => s,
        }
    }
}

impl Serialize for RangeKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RangeKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "SEMVER" => RangeKind::Semver,
            "ECOSYSTEM" => RangeKind::Ecosystem,
            "GIT" => RangeKind::Git,
            _ => RangeKind::Other(s),
        })
    }
}

/// One event of a range: an object with exactly one of these keys in OSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            introduced: Option<String>,
            fixed: Option<String>,
            last_affected: Option<String>,
            limit: Option<String>,
        }
        let raw = Raw::deserialize(d)?;
        let mut found = [
            raw.introduced.map(Event::Introduced),
            raw.fixed.map(Event::Fixed),
            raw.last_affected.map(Event::LastAffected),
            raw.limit.map(Event::Limit),
        ]
        .into_iter()
        .flatten();
        match (found.next(), found.next()) {
            (Some(event), None) => Ok(event),
            (None, _) => Err(serde::de::Error::custom(
                "event without introduced, fixed, last_affected or limit",
            )),
            (Some(_), Some(_)) => Err(serde::de::Error::custom("event with more than one key")),
        }
    }
}

impl Vulnerability {
    /// Parses one OSV JSON document.
    pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Vulnerability> {
        serde_json::from_slice(bytes)
    }

    /// Whether the advisory was withdrawn (withdrawn advisories never match).
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.as_deref().is_some_and(|w| !w.is_empty())
    }

    /// The database's own severity word, `database_specific.severity` (GitHub's `"HIGH"`,
    /// ...), if any.
    pub fn database_severity(&self) -> Option<&str> {
        severity_word(self.database_specific.as_ref())
    }

    /// `modified` as a sortable key (nanoseconds since the epoch); `None` when it does not
    /// parse as RFC 3339.
    pub fn modified_key(&self) -> Option<i128> {
        timestamp_nanos(&self.modified)
    }

    /// Cuts `details` to [`MAX_DETAILS`] bytes.
    pub(crate) fn truncate_details(&mut self) {
        if let Some(details) = &mut self.details
            && details.len() > MAX_DETAILS
        {
            let mut end = MAX_DETAILS;
            while !details.is_char_boundary(end) {
                end -= 1;
            }
            details.truncate(end);
            details.push('…');
        }
    }
}

impl Affected {
    /// The severity word of this entry's `ecosystem_specific` or `database_specific`
    /// (`severity` or, for Debian-style data, `urgency`), if any.
    pub fn severity_word(&self) -> Option<&str> {
        severity_word(self.ecosystem_specific.as_ref())
            .or_else(|| severity_word(self.database_specific.as_ref()))
    }
}

fn severity_word(value: Option<&Value>) -> Option<&str> {
    let object = value?.as_object()?;
    ["severity", "urgency"]
        .iter()
        .find_map(|key| object.get(*key)?.as_str())
        .filter(|s| !s.is_empty())
}

fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn is_null_or_none(value: &Option<Value>) -> bool {
    matches!(value, None | Some(Value::Null))
}

/// Parses an RFC 3339 timestamp (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.123456+02:00`)
/// into nanoseconds since the Unix epoch. Plain text comparison would misorder fractional
/// seconds (`…00.5Z` sorts before `…00Z`) and offsets.
pub fn timestamp_nanos(s: &str) -> Option<i128> {
    let b = s.trim().as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let year = num(0..4)?;
    let month = num(5..7)?;
    let day = num(8..10)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = num(11..13)?;
    let minute = num(14..16)?;
    let second = num(17..19)?;
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut i = 19;
    let mut nanos: i64 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos = nanos * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..9 {
            nanos *= 10;
        }
    }
    let offset_seconds = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let minutes = num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?;
            if *sign == b'+' {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(i128::from(seconds) * 1_000_000_000 + i128::from(nanos))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_order_by_instant() {
        let a = timestamp_nanos("2024-01-01T00:00:00Z").unwrap();
        let b = timestamp_nanos("2024-01-01T00:00:00.5Z").unwrap();
        let c = timestamp_nanos("2024-01-01T01:00:00+02:00").unwrap();
        assert!(a < b);
        assert!(c < a);
        assert_eq!(timestamp_nanos("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            timestamp_nanos("2000-03-01T00:00:00Z"),
            Some(951_868_800 * 1_000_000_000)
        );
        assert_eq!(timestamp_nanos("yesterday"), None);
        assert_eq!(timestamp_nanos("2024-01-01"), None);
    }

    #[test]
    fn parses_leniently() {
        let v: Vulnerability = serde_json::from_str(
            r#"{"id":"X-1","modified":"2024-01-01T00:00:00Z","aliases":null,"unknown":1,
                "affected":[{"package":{"ecosystem":"PyPI","name":"Django"},
                  "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2"}]},
                            {"type":"WEIRD","events":[{"last_affected":"3"}]}],
                  "ecosystem_specific":{"severity":"HIGH"}}],
                "database_specific":{"severity":"MODERATE"}}"#,
        )
        .unwrap();
        assert!(v.aliases.is_empty());
        assert_eq!(v.database_severity(), Some("MODERATE"));
        let a = &v.affected[0];
        assert_eq!(a.severity_word(), Some("HIGH"));
        assert_eq!(a.ranges[0].events[1], Event::Fixed("1.2".into()));
        assert_eq!(a.ranges[1].kind, RangeKind::Other("WEIRD".into()));
        let round: Vulnerability =
            serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
        assert_eq!(round, v);
    }

    #[test]
    fn rejects_what_matching_cannot_use() {
        assert!(serde_json::from_str::<Vulnerability>(r#"{"modified":"x"}"#).is_err());
        assert!(serde_json::from_str::<Event>(r#"{"introduced":"0","fixed":"1"}"#).is_err());
        assert!(serde_json::from_str::<Event>(r#"{"other":"0"}"#).is_err());
    }

    #[test]
    fn truncates_details_at_char_boundary() {
        let mut v: Vulnerability = serde_json::from_str(r#"{"id":"X"}"#).unwrap();
        v.details = Some("é".repeat(MAX_DETAILS));
        v.truncate_details();
        let d = v.details.unwrap();
        assert!(d.len() <= MAX_DETAILS + '…'.len_utf8());
        assert!(d.ends_with('…'));
    }
}
