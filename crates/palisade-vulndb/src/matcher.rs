//! Matching installed packages against the store, following the OSV schema's evaluation rules:
//! a version is affected when it is listed in an affected entry's `versions`, or falls in one of
//! its `ECOSYSTEM` or `SEMVER` ranges — events walked in version order, `introduced` opening
//! (`"0"` is the start of time), `fixed` and `last_affected` closing (at and after the fixed
//! version, after the last affected one), `limit` bounding the range from above. `GIT` ranges
//! name commits, not versions, and are ignored. Withdrawn advisories never match. Advisories
//! that name the same vulnerability (one's id among the other's aliases, or a shared alias) are
//! merged into one match per package.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use crate::osv::{Advisory, Affected, Event, RangeKind};
use crate::severity::{self, Rated};
use crate::store::Store;
use crate::version::{Scheme, VersionError};

/// An installed package, as the image catalog reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Installed<'a> {
    /// The OSV ecosystem, with its release where it has one (`Debian:12`).
    pub ecosystem: &'a str,
    /// The name advisories are keyed by (the source package for distributions).
    pub name: &'a str,
    pub version: &'a str,
}

/// One vulnerability affecting one package.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The advisory reported (the smallest id of the merged ones).
    pub id: String,
    /// Every other identifier of the vulnerability (merged advisories' ids and aliases).
    pub aliases: Vec<String>,
    pub summary: String,
    /// The lowest version that fixes it above the installed one, when the advisory names one.
    pub fixed: Option<String>,
    pub severity: Rated,
}

/// Why a package could not be matched (reported as a warning, not a failure).
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error("{0}")]
    Store(#[from] crate::Error),
    #[error("{0}")]
    Version(#[from] VersionError),
}

/// The vulnerabilities of `installed` in the store, merged by alias, in id order. Ranges whose
/// own versions do not parse are skipped (an advisory's typo must not hide the others).
pub fn matches(store: &Store, installed: &Installed<'_>) -> Result<Vec<Match>, MatchError> {
    let Some(scheme) = Scheme::for_ecosystem(installed.ecosystem) else {
        return Ok(Vec::new());
    };
    // An installed version that does not parse cannot be placed in any range.
    scheme.compare(installed.version, installed.version)?;
    let advisories = store.lookup(installed.ecosystem, installed.name)?;
    let mut hits: Vec<(&Advisory, Option<String>)> = Vec::new();
    for advisory in advisories.iter().filter(|a| !a.is_withdrawn()) {
        let mut affected_here = false;
        let mut fixes: Vec<String> = Vec::new();
        for entry in &advisory.affected {
            if let Some(fix) = affects(entry, scheme, installed.version) {
                affected_here = true;
                fixes.extend(fix);
            }
        }
        if affected_here {
            // The version every affected entry agrees is fixed: the highest of their fixes.
            let fix = highest(fixes, scheme);
            hits.push((advisory, fix));
        }
    }
    Ok(merge(hits, scheme))
}

/// Whether `version` is affected by one affected entry: `None` if not, else the fixed version
/// of the range it fell in (`Some(None)` when no fix is known).
fn affects(entry: &Affected, scheme: Scheme, version: &str) -> Option<Option<String>> {
    if entry
        .versions
        .iter()
        .any(|v| v == version || scheme.compare(v, version) == Ok(Ordering::Equal))
    {
        return Some(first_fix_above(entry, scheme, version));
    }
    entry
        .ranges
        .iter()
        .filter_map(|range| in_range(&range.events, ordering(&range.kind, scheme)?, version))
        .next()
}

/// The OSV evaluation of one range's events for `version`: `None` when outside, else the fix
/// that closes the interval it is in.
fn in_range(events: &[Event], scheme: Scheme, version: &str) -> Option<Option<String>> {
    let key = |event: &Event| match event {
        Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => {
            v.clone()
        }
    };
    let is_zero = |event: &Event| matches!(event, Event::Introduced(v) if v == "0");
    // A limit with `*` is no limit (OSV: infinity).
    let is_unlimited = |event: &Event| matches!(event, Event::Limit(v) if v.contains('*'));
    // The installed version and every version of the range must parse in the range's
    // ordering, or the range cannot be evaluated.
    if scheme.compare(version, version).is_err()
        || events
            .iter()
            .any(|e| !is_zero(e) && !is_unlimited(e) && scheme.compare(&key(e), &key(e)).is_err())
    {
        return None;
    }
    let compare = |v: &str, with: &str| scheme.compare(v, with).unwrap_or(Ordering::Equal);
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by(|a, b| match (is_zero(a), is_zero(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => compare(&key(a), &key(b)),
    });
    // OSV's BeforeLimits: below any one limit (or no limits at all).
    let limits: Vec<&&Event> = sorted
        .iter()
        .filter(|e| matches!(e, Event::Limit(_)))
        .collect();
    let below_limits = limits.is_empty()
        || limits
            .iter()
            .any(|event| is_unlimited(event) || compare(version, &key(event)) == Ordering::Less);
    if !below_limits {
        return None;
    }
    let mut affected = false;
    for event in &sorted {
        match event {
            Event::Introduced(introduced) => {
                if introduced == "0" || compare(version, introduced) != Ordering::Less {
                    affected = true;
                }
            }
            Event::Fixed(fixed) => {
                if compare(version, fixed) != Ordering::Less {
                    affected = false;
                }
            }
            Event::LastAffected(last) => {
                if compare(version, last) == Ordering::Greater {
                    affected = false;
                }
            }
            Event::Limit(_) => {}
        }
    }
    if !affected {
        return None;
    }
    // The fix of this interval: the first `fixed` above the version.
    Some(sorted.iter().find_map(|event| match event {
        Event::Fixed(fixed) if compare(version, fixed) == Ordering::Less => Some(fixed.clone()),
        _ => None,
    }))
}

/// The highest of some versions by the scheme's ordering.
fn highest(versions: impl IntoIterator<Item = String>, scheme: Scheme) -> Option<String> {
    versions
        .into_iter()
        .max_by(|a, b| scheme.compare(a, b).unwrap_or(Ordering::Equal))
}

/// The first `fixed` above `version` in any of the entry's ranges (for listed versions).
fn first_fix_above(entry: &Affected, scheme: Scheme, version: &str) -> Option<String> {
    entry
        .ranges
        .iter()
        .filter_map(|range| Some((ordering(&range.kind, scheme)?, &range.events)))
        .flat_map(|(ordering, events)| {
            events.iter().filter_map(move |event| match event {
                Event::Fixed(fixed) if ordering.compare(version, fixed) == Ok(Ordering::Less) => {
                    Some(fixed.clone())
                }
                _ => None,
            })
        })
        .min_by(|a, b| scheme.compare(a, b).unwrap_or(Ordering::Equal))
}

/// The ordering a range's versions follow: the ecosystem's for `ECOSYSTEM` ranges, SemVer's
/// for `SEMVER` ones (Go's for Go, which is SemVer's and also reads the toolchain versions the
/// catalog reports, `1.20`, `1.21rc1`); `None` for `GIT` and unknown range types.
fn ordering(kind: &RangeKind, scheme: Scheme) -> Option<Scheme> {
    match kind {
        RangeKind::Ecosystem => Some(scheme),
        RangeKind::Semver if scheme == Scheme::Go => Some(Scheme::Go),
        RangeKind::Semver => Some(Scheme::SemVer),
        RangeKind::Git | RangeKind::Other(_) => None,
    }
}

/// The first line of an advisory's details, at most 160 characters: the summary of advisories
/// without one (PyPA's, GitHub's older ones).
fn first_sentence(advisory: &Advisory) -> Option<String> {
    let line = advisory
        .details
        .as_deref()?
        .lines()
        .find(|l| !l.trim().is_empty())?
        .trim();
    let mut summary: String = line.chars().take(160).collect();
    if summary.len() < line.len() {
        summary.push('…');
    }
    Some(summary)
}

/// Advisories of one vulnerability: every id and alias they carry, and each with its fix.
type Group<'a> = (BTreeSet<String>, Vec<(&'a Advisory, Option<String>)>);

/// One match per vulnerability: advisories are grouped when one's id is another's alias or
/// they share an alias.
fn merge(hits: Vec<(&Advisory, Option<String>)>, scheme: Scheme) -> Vec<Match> {
    // An advisory that bundles several CVEs links to others by its id and its non-CVE
    // aliases only: merging on each of its CVEs would fold distinct vulnerabilities together.
    let names = |advisory: &Advisory| -> BTreeSet<String> {
        let cves = advisory
            .aliases
            .iter()
            .filter(|a| a.starts_with("CVE-"))
            .count();
        std::iter::once(advisory.id.clone())
            .chain(
                advisory
                    .aliases
                    .iter()
                    .filter(|a| cves <= 1 || !a.starts_with("CVE-"))
                    .cloned(),
            )
            .collect()
    };
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (advisory, fix) in hits {
        let own = names(advisory);
        let mut merged = (own.clone(), vec![(advisory, fix)]);
        // Absorb every group that shares a name (transitively, as groups grow).
        let mut index = 0;
        while index < groups.len() {
            if !groups[index].0.is_disjoint(&merged.0) {
                let (group_names, members) = groups.swap_remove(index);
                merged.0.extend(group_names);
                merged.1.extend(members);
                index = 0;
            } else {
                index += 1;
            }
        }
        groups.push(merged);
    }
    let mut matches: Vec<Match> = groups
        .into_iter()
        .map(|(_, members)| {
            let primary = members
                .iter()
                .map(|(a, _)| a)
                .min_by(|a, b| a.id.cmp(&b.id))
                .expect("a group has a member");
            // The reported id: the vulnerability's one CVE when it has exactly one (stable when
            // databases add GHSA or PYSEC records later), else the smallest advisory id.
            let all_aliases: BTreeSet<&String> = members
                .iter()
                .flat_map(|(a, _)| std::iter::once(&a.id).chain(&a.aliases))
                .collect();
            let cves: Vec<&&String> = all_aliases
                .iter()
                .filter(|n| n.starts_with("CVE-"))
                .collect();
            let reported = match cves.as_slice() {
                [cve] => (**cve).clone(),
                _ => primary.id.clone(),
            };
            // Merged advisories may disagree on the fix: the highest satisfies them all.
            let fixed = highest(members.iter().filter_map(|(_, fix)| fix.clone()), scheme);
            let severity = members
                .iter()
                .map(|(a, _)| severity::rate(a))
                .max_by(|a, b| a.precedence().cmp(&b.precedence()))
                .unwrap_or_default();
            Match {
                aliases: all_aliases
                    .into_iter()
                    .filter(|n| **n != reported)
                    .cloned()
                    .collect(),
                id: reported,
                summary: members
                    .iter()
                    .find_map(|(a, _)| a.summary.clone().filter(|s| !s.trim().is_empty()))
                    .or_else(|| members.iter().find_map(|(a, _)| first_sentence(a)))
                    .unwrap_or_default(),
                fixed,
                severity,
            }
        })
        .collect();
    matches.sort_by(|a, b| a.id.cmp(&b.id));
    matches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(json: &str) -> Vec<Event> {
        serde_json::from_str(json).unwrap()
    }

    /// The OSV schema's own examples of range evaluation.
    #[test]
    fn ranges_follow_the_osv_evaluation() {
        let range = events(
            r#"[{"introduced": "0"}, {"fixed": "1.2.0"}, {"introduced": "2.0.0"}, {"last_affected": "2.3.0"}]"#,
        );
        let at = |v: &str| in_range(&range, Scheme::SemVer, v);
        assert_eq!(at("1.0.0"), Some(Some("1.2.0".to_string())));
        assert_eq!(at("1.2.0"), None, "fixed is not affected");
        assert_eq!(at("1.9.9"), None);
        assert_eq!(
            at("2.0.0"),
            Some(None),
            "introduced is affected; no fix above"
        );
        assert_eq!(at("2.3.0"), Some(None), "last_affected is affected");
        assert_eq!(at("2.3.1"), None);
        let limited = events(r#"[{"introduced": "1.0.0"}, {"limit": "1.5.0"}]"#);
        assert_eq!(in_range(&limited, Scheme::SemVer, "1.4.0"), Some(None));
        assert_eq!(in_range(&limited, Scheme::SemVer, "1.5.0"), None);
        // Below any one limit is enough; `*` is no limit at all.
        let two_limits =
            events(r#"[{"introduced": "1.0.0"}, {"limit": "1.5.0"}, {"limit": "2.0.0"}]"#);
        assert_eq!(in_range(&two_limits, Scheme::SemVer, "1.7.0"), Some(None));
        assert_eq!(in_range(&two_limits, Scheme::SemVer, "2.0.0"), None);
        let unlimited = events(r#"[{"introduced": "0"}, {"limit": "*"}]"#);
        assert_eq!(in_range(&unlimited, Scheme::SemVer, "9.9.9"), Some(None));
        // An installed version the range's ordering cannot read is outside it.
        assert_eq!(in_range(&unlimited, Scheme::SemVer, "not a version"), None);
        // Event order in the file does not matter.
        let shuffled = events(r#"[{"fixed": "1.2.0"}, {"introduced": "0"}]"#);
        assert_eq!(
            in_range(&shuffled, Scheme::SemVer, "1.1.0"),
            Some(Some("1.2.0".into()))
        );
        // A range with a version that does not parse is not evaluated.
        let broken = events(r#"[{"introduced": "0"}, {"fixed": "not a version"}]"#);
        assert_eq!(in_range(&broken, Scheme::SemVer, "1.0.0"), None);
    }

    #[test]
    fn dpkg_ranges_order_by_debian_rules() {
        let range = events(r#"[{"introduced": "0"}, {"fixed": "2.38.1-5+deb12u1"}]"#);
        assert!(in_range(&range, Scheme::Dpkg, "2.38.1-5").is_some());
        assert!(in_range(&range, Scheme::Dpkg, "2.38.1-5+deb12u1").is_none());
        assert!(
            in_range(&range, Scheme::Dpkg, "1:2.0").is_none(),
            "an epoch outranks"
        );
    }
}
