//! Go: module versions and Go toolchain (`stdlib`) versions, in one order.
//!
//! Module versions follow `golang.org/x/mod/semver`: SemVer 2.0.0 with a `v` prefix
//! (`v1.2.3-pre+build`; `v1` and `v1.2` are shorthands for `v1.0.0` and `v1.2.0`), build
//! metadata ignored (so `v2.0.0+incompatible` equals `v2.0.0`), pseudo-versions
//! (`v0.0.0-20191109021931-daa7c04131f5`) ordered as the pre-releases they are. OSV's Go
//! ecosystem writes the same versions without the `v` (`1.2.3`), as do its `stdlib` entries
//! (`1.21.0-rc.1` for `go1.21rc1`, `1.21.0-0` for "the first 1.21 pre-release").
//!
//! Toolchain versions follow `go/version` and `internal/gover` (`Compare`, `Parse`):
//! `1.21.3`, `1.22rc1`, `1.21`, or with the `go` prefix (`go1.21.3`, where a `-suffix` is
//! dropped as `go/version` does: `go1.21.0-bigcorp` is `go1.21.0`). Their order: `1.21` (the
//! language version) < `1.21rc1` < `1.21.0` < `1.21.1`, pre-release kinds compared as words
//! (`alpha` < `beta` < `rc`); before Go 1.21 a release had no `.0` (`1.20` equals `1.20.0`).
//!
//! One order for both: a toolchain version is placed where Go's vulnerability database puts it
//! in SemVer (`go1.21rc1` is `1.21.0-rc.1`, `go1.21` from 1.21 on is below every 1.21
//! pre-release, that is `1.21.0-0`), which keeps `go/version`'s order among toolchain versions
//! and makes `1.22rc1` (the catalog's spelling) equal `1.22.0-rc.1` (OSV's). So a version
//! without a prefix is SemVer when it has three numbers and a toolchain version otherwise;
//! `v` means a module version, `go` a toolchain version.
//!
//! Why no crate: the SemVer part is shared with `semver.rs` (a port of x/mod/semver, any
//! number size, as Go's); `go/version` is a few lines.

use std::cmp::Ordering;

use super::semver::{self, cmp_identifiers};
use super::{Scheme, VersionError, cmp_decimal, parse_both};

/// A Go version of any spelling, as the SemVer version it sorts as.
struct Version<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    pre: Pre<'a>,
}

/// The pre-release part, in its SemVer reading.
enum Pre<'a> {
    /// None: a release.
    Release,
    /// SemVer's dot-separated identifiers (`rc.1`, `0.20191109021931-daa7c04131f5`).
    Dotted(&'a str),
    /// A toolchain pre-release `kindN`: the identifiers `kind` and `N` (when present).
    Toolchain(&'a str, &'a str),
    /// A toolchain language version (`1.21`): the identifier `0`, below every pre-release.
    Language,
}

impl<'a> Pre<'a> {
    fn identifiers(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let (dotted, listed) = match *self {
            Pre::Release => ("", [None, None]),
            Pre::Dotted(dotted) => (dotted, [None, None]),
            Pre::Toolchain(kind, "") => ("", [Some(kind), None]),
            Pre::Toolchain(kind, number) => ("", [Some(kind), Some(number)]),
            Pre::Language => ("", [Some("0"), None]),
        };
        let dotted = (!dotted.is_empty()).then(|| dotted.split('.'));
        dotted
            .into_iter()
            .flatten()
            .chain(listed.into_iter().flatten())
    }
}

pub(super) fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let (a, b) = parse_both(Scheme::Go, a, b, parse)?;
    let number = |x: &str, y: &str| cmp_decimal(x.as_bytes(), y.as_bytes());
    Ok(number(a.major, b.major)
        .then_with(|| number(a.minor, b.minor))
        .then_with(|| number(a.patch, b.patch))
        .then_with(|| match (&a.pre, &b.pre) {
            (Pre::Release, Pre::Release) => Ordering::Equal,
            (Pre::Release, _) => Ordering::Greater,
            (_, Pre::Release) => Ordering::Less,
            (x, y) => cmp_identifiers(x.identifiers(), y.identifiers()),
        }))
}

fn parse(text: &str) -> Result<Version<'_>, String> {
    if let Some(rest) = text.strip_prefix("go") {
        // go/version's stripGo: drop a `-suffix`, then the toolchain grammar.
        let rest = rest.split_once('-').map_or(rest, |(version, _)| version);
        return toolchain(rest).ok_or_else(|| "not a Go toolchain version (go1.21.3)".into());
    }
    if let Some(rest) = text.strip_prefix('v') {
        return match module_shorthand(rest) {
            Some(version) => Ok(version),
            None => semver_version(rest).map_err(|e| format!("not a Go module version: {e}")),
        };
    }
    semver_version(text).or_else(|semver_error| {
        toolchain(text).ok_or_else(|| {
            format!("neither SemVer ({semver_error}) nor a Go toolchain version (1.21rc1)")
        })
    })
}

/// `MAJOR.MINOR.PATCH[-pre][+build]`.
fn semver_version(text: &str) -> Result<Version<'_>, String> {
    let version = semver::parse(text)?;
    Ok(Version {
        major: version.major,
        minor: version.minor,
        patch: version.patch,
        pre: if version.pre.is_empty() {
            Pre::Release
        } else {
            Pre::Dotted(version.pre)
        },
    })
}

/// x/mod/semver's `vMAJOR` and `vMAJOR.MINOR` shorthands (no pre-release or build).
fn module_shorthand(text: &str) -> Option<Version<'_>> {
    let (major, rest) = go_int(text)?;
    if rest.is_empty() {
        return Some(release(major, "0", "0"));
    }
    let (minor, rest) = go_int(rest.strip_prefix('.')?)?;
    rest.is_empty().then(|| release(major, minor, "0"))
}

fn release<'a>(major: &'a str, minor: &'a str, patch: &'a str) -> Version<'a> {
    Version {
        major,
        minor,
        patch,
        pre: Pre::Release,
    }
}

/// gover's `cutInt`: a decimal number without a superfluous leading zero, and the rest.
fn go_int(text: &str) -> Option<(&str, &str)> {
    let len = text.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || (len > 1 && text.starts_with('0')) {
        return None;
    }
    Some(text.split_at(len))
}

/// gover's `Parse` (`major[.minor[.patch]][kind[pre]]`), placed in SemVer.
fn toolchain(text: &str) -> Option<Version<'_>> {
    let (major, rest) = go_int(text)?;
    if rest.is_empty() {
        return Some(release(major, "0", "0"));
    }
    let (minor, rest) = go_int(rest.strip_prefix('.')?)?;
    if rest.is_empty() {
        // Before Go 1.21 `1.N` is the release `1.N.0`; from 1.21 on it is the language
        // version, older than the release's first pre-release.
        let before_1_21 = cmp_decimal(minor.as_bytes(), b"21") == Ordering::Less;
        return Some(Version {
            major,
            minor,
            patch: "0",
            pre: if before_1_21 {
                Pre::Release
            } else {
                Pre::Language
            },
        });
    }
    if let Some(rest) = rest.strip_prefix('.') {
        // A patch release; gover allows no pre-release after a patch number.
        let (patch, rest) = go_int(rest)?;
        return rest.is_empty().then(|| release(major, minor, patch));
    }
    // A pre-release: a lowercase kind, then optionally a number: `1.21rc1` is `1.21.0-rc.1`.
    let kind_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    if kind_len == 0 {
        return None;
    }
    let (kind, number) = rest.split_at(kind_len);
    if !number.is_empty() {
        let (_, after) = go_int(number)?;
        if !after.is_empty() {
            return None;
        }
    }
    Some(Version {
        major,
        minor,
        patch: "0",
        pre: Pre::Toolchain(kind, number),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn check(cases: &[(&str, Ordering, &str)]) {
        super::super::assert_cases(compare, cases);
    }

    // golang.org/x/mod/semver semver_test.go: the `tests` table is in ascending order, with
    // entries of equal canonical form equal; the invalid ones are rejected.
    #[test]
    fn x_mod_semver_tests() {
        let ascending: &[&[&str]] = &[
            &["v1.0.0-alpha"],
            &["v1.0.0-alpha.1"],
            &["v1.0.0-alpha.beta"],
            &["v1.0.0-beta"],
            &["v1.0.0-beta.2"],
            &["v1.0.0-beta.11"],
            &["v1.0.0-rc.1"],
            &["v1", "v1.0", "v1.0.0"],
            &["v1.2", "v1.2.0"],
            &["v1.2.3-456"],
            &["v1.2.3-456.789"],
            &["v1.2.3-456-789"],
            &["v1.2.3-456a"],
            &["v1.2.3-pre", "v1.2.3-pre+meta"],
            &["v1.2.3-pre.1"],
            &["v1.2.3-zzz"],
            &[
                "v1.2.3",
                "v1.2.3+meta",
                "v1.2.3+meta-pre",
                "v1.2.3+meta-pre.sha.256a",
            ],
        ];
        for (i, group) in ascending.iter().enumerate() {
            for a in *group {
                for b in *group {
                    check(&[(a, Equal, b)]);
                }
                for later in &ascending[i + 1..] {
                    for b in *later {
                        check(&[(a, Less, b)]);
                    }
                }
            }
        }
        for bad in [
            "bad",
            "v1-alpha.beta.gamma",
            "v1-pre",
            "v1+meta",
            "v1-pre+meta",
            "v1.2-pre",
            "v1.2+meta",
            "v1.2-pre+meta",
            "v01.2.3",
            "v1.2.3-01",
        ] {
            assert!(compare(bad, "v1.0.0").is_err(), "{bad}");
        }
    }

    // go/version version_test.go compareTests (with the go prefix) and internal/gover
    // gover_test.go compareTests (without it).
    #[test]
    fn go_version_compare_tests() {
        let rows = [
            ("1", Less, "1.1"),
            ("1.5", Less, "1.6"),
            ("1.5", Less, "1.10"),
            ("1.6", Less, "1.6.1"),
            ("1.19", Equal, "1.19.0"),
            ("1.19rc1", Less, "1.19"),
            ("1.20", Equal, "1.20.0"),
            ("1.20rc1", Less, "1.20"),
            ("1.21", Less, "1.21.0"),
            ("1.21", Less, "1.21rc1"),
            ("1.21rc1", Less, "1.21.0"),
            ("1.6", Less, "1.19"),
            ("1.19", Less, "1.19.1"),
            ("1.19rc1", Less, "1.19.1"),
            ("1.19rc1", Less, "1.19rc2"),
            ("1.19.0", Less, "1.19.1"),
            ("1.19rc1", Less, "1.19.0"),
            ("1.19alpha3", Less, "1.19beta2"),
            ("1.19beta2", Less, "1.19rc1"),
            ("1.1", Less, "1.99999999999999998"),
            ("1.99999999999999998", Less, "1.99999999999999999"),
        ];
        for (a, expected, b) in rows {
            check(&[(a, expected, b)]);
            check(&[(&format!("go{a}"), expected, &format!("go{b}"))]);
        }
        check(&[
            ("go1.20", Equal, "go1.20.0-bigcorp"),
            ("go1.21", Less, "go1.21.0-bigcorp"),
        ]);
        for bad in [
            "",
            "x",
            "go",
            "go1.21.3rc1",
            "1.21.3rc1",
            "1.2.3.4",
            "go01.2",
            "1.21RC1",
            "1.21rc01",
        ] {
            assert!(compare(bad, "1.0.0").is_err(), "{bad:?}");
        }
    }

    // The catalog's toolchain spellings against Go vulndb's SemVer spellings of the same
    // releases (vulndb's semver.go: go1.21rc1 is v1.21.0-rc.1; introduced 1.21.0-0).
    #[test]
    fn toolchain_and_vulndb_spellings_agree() {
        check(&[
            ("1.21rc1", Equal, "1.21.0-rc.1"),
            ("go1.22rc2", Equal, "1.22.0-rc.2"),
            ("1.22beta1", Equal, "v1.22.0-beta.1"),
            ("go1.21.3", Equal, "1.21.3"),
            ("1.21.3", Equal, "v1.21.3"),
            ("1.21.0-0", Equal, "1.21"),
            ("1.21.0-0", Less, "1.21rc1"),
            ("1.20.12", Less, "1.21.0-0"),
            ("1.21.4", Less, "1.21.5"),
            ("1.21.5", Greater, "1.21.0-rc.4"),
            ("1.22rc1", Greater, "1.21.99"),
        ]);
    }

    // Pseudo-versions (go.dev/ref/mod#pseudo-versions) and +incompatible.
    #[test]
    fn pseudo_versions_and_incompatible() {
        check(&[
            ("v0.0.0-20191109021931-daa7c04131f5", Less, "v0.0.1"),
            (
                "0.0.0-20191109021931-daa7c04131f5",
                Less,
                "0.0.0-20191109021932-aaaaaaaaaaaa",
            ),
            ("v1.2.3", Less, "v1.2.4-0.20191109021931-daa7c04131f5"),
            ("v1.2.4-0.20191109021931-daa7c04131f5", Less, "v1.2.4"),
            (
                "v1.2.3-pre",
                Less,
                "v1.2.3-pre.0.20191109021931-daa7c04131f5",
            ),
            ("v1.2.3-pre.0.20191109021931-daa7c04131f5", Less, "v1.2.3"),
            ("v2.0.0+incompatible", Equal, "v2.0.0"),
            ("2.0.0+incompatible", Less, "2.0.1+incompatible"),
            (
                "v2.0.0-20180818164646-925e76d1f3bb+incompatible",
                Less,
                "v2.0.0+incompatible",
            ),
        ]);
    }
}
