//! SemVer 2.0.0 precedence: npm, crates.io, Hex, and OSV's `SEMVER` range type.
//!
//! Rules: semver.org 2.0.0 §2, §9–§11 (`MAJOR.MINOR.PATCH[-pre][+build]`, no leading zeros in
//! numbers or numeric pre-release identifiers, build metadata ignored for precedence,
//! pre-release identifiers compared left to right: numeric ones as integers and below
//! alphanumeric ones, which compare as ASCII; more identifiers win a tie), as implemented by
//! `golang.org/x/mod/semver` (`parse`, `comparePrerelease`), ported here and shared with the Go
//! scheme. Numbers of any length compare exactly (the spec sets no limit).
//!
//! Leniency: surrounding whitespace and a leading run of `=` and `v` are dropped, as npm's
//! `semver.clean` does (`=v1.2.3`, ` v1.2.3 `); OSV's `SEMVER` versions never have them.
//!
//! Why not the `semver` crate: it orders build metadata (`1.0.0+a` < `1.0.0+b`, where SemVer and
//! npm say equal; stripping the build first would do), and it keeps major, minor and patch in
//! `u64`, so larger numbers (valid SemVer) do not parse. The port is short, allocation-free and
//! serves Go too; `semver` stays a dev-dependency, as a cross-check in the tests.

use std::cmp::Ordering;

use super::{Scheme, VersionError, cmp_decimal, parse_both};

/// A parsed version; the pre-release is empty when there is none, the build is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Version<'a> {
    pub major: &'a str,
    pub minor: &'a str,
    pub patch: &'a str,
    pub pre: &'a str,
}

pub(super) fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let (a, b) = parse_both(Scheme::SemVer, a, b, |v| parse(clean(v)))?;
    Ok(cmp(&a, &b))
}

/// npm's `semver.clean`: trim, drop leading `=` and `v`, trim.
fn clean(version: &str) -> &str {
    fn trim(s: &str) -> &str {
        s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
    }
    trim(trim(version).trim_start_matches(['=', 'v']))
}

/// A number: ASCII digits, no leading zero unless it is `0`. Returns it and the rest.
fn number<'a>(text: &'a str, what: &str) -> Result<(&'a str, &'a str), String> {
    let len = text.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 {
        return Err(format!("expected the {what} version number"));
    }
    if len > 1 && text.starts_with('0') {
        return Err(format!("the {what} version number has a leading zero"));
    }
    Ok(text.split_at(len))
}

/// `MAJOR.MINOR.PATCH[-pre][+build]`, strictly.
pub(super) fn parse(text: &str) -> Result<Version<'_>, String> {
    let (major, rest) = number(text, "major")?;
    let rest = rest.strip_prefix('.').ok_or("expected MAJOR.MINOR.PATCH")?;
    let (minor, rest) = number(rest, "minor")?;
    let rest = rest.strip_prefix('.').ok_or("expected MAJOR.MINOR.PATCH")?;
    let (patch, rest) = number(rest, "patch")?;
    let (rest, build) = match rest.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (rest, None),
    };
    let pre = match rest {
        "" => "",
        _ => rest
            .strip_prefix('-')
            .ok_or("unexpected text after MAJOR.MINOR.PATCH")?,
    };
    if !rest.is_empty() {
        identifiers(pre, true).map_err(|e| format!("pre-release: {e}"))?;
    }
    if let Some(build) = build {
        identifiers(build, false).map_err(|e| format!("build metadata: {e}"))?;
    }
    Ok(Version {
        major,
        minor,
        patch,
        pre,
    })
}

/// Checks dot-separated identifiers: non-empty, `[0-9A-Za-z-]`, and (for pre-releases) no
/// leading zero in a numeric one.
fn identifiers(text: &str, numeric_leading_zero_is_bad: bool) -> Result<(), &'static str> {
    for ident in text.split('.') {
        if ident.is_empty() {
            return Err("empty identifier");
        }
        if !ident
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err("identifiers are [0-9A-Za-z-]");
        }
        if numeric_leading_zero_is_bad
            && is_numeric(ident)
            && ident.len() > 1
            && ident.starts_with('0')
        {
            return Err("numeric identifier with a leading zero");
        }
    }
    Ok(())
}

fn is_numeric(ident: &str) -> bool {
    ident.bytes().all(|b| b.is_ascii_digit())
}

/// SemVer precedence.
pub(super) fn cmp(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    cmp_decimal(a.major.as_bytes(), b.major.as_bytes())
        .then_with(|| cmp_decimal(a.minor.as_bytes(), b.minor.as_bytes()))
        .then_with(|| cmp_decimal(a.patch.as_bytes(), b.patch.as_bytes()))
        .then_with(|| cmp_prerelease(a.pre, b.pre))
}

/// x/mod/semver's `comparePrerelease` (identifiers without the leading `-`).
pub(super) fn cmp_prerelease(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => cmp_identifiers(a.split('.'), b.split('.')),
    }
}

/// Two non-empty pre-release identifier lists, compared left to right: numeric identifiers as
/// integers and below alphanumeric ones (ASCII order); a longer list wins a tie.
pub(super) fn cmp_identifiers<'x, 'y>(
    mut xs: impl Iterator<Item = &'x str>,
    mut ys: impl Iterator<Item = &'y str>,
) -> Ordering {
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (is_numeric(x), is_numeric(y)) {
                    (true, true) => cmp_decimal(x.as_bytes(), y.as_bytes()),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn ascending(versions: &[&str]) {
        for (i, low) in versions.iter().enumerate() {
            for high in &versions[i + 1..] {
                assert_eq!(compare(low, high), Ok(Less), "{low} < {high}");
                assert_eq!(compare(high, low), Ok(Greater), "{high} > {low}");
            }
        }
    }

    // semver.org §11: precedence examples.
    #[test]
    fn semver_org_precedence() {
        ascending(&["1.0.0", "2.0.0", "2.1.0", "2.1.1"]);
        ascending(&[
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ]);
    }

    // semver.org §10: build metadata is ignored for precedence.
    #[test]
    fn build_metadata_is_ignored() {
        for (a, b) in [
            ("1.0.0-alpha+001", "1.0.0-alpha"),
            ("1.0.0+20130313144700", "1.0.0"),
            ("1.0.0-beta+exp.sha.5114f85", "1.0.0-beta+other"),
            ("1.0.0+21AF26D3----117B344092BD", "1.0.0+0"),
        ] {
            assert_eq!(compare(a, b), Ok(Equal), "{a} = {b}");
        }
    }

    // npm node-semver test/fixtures/comparisons.js (first greater than second) and
    // equality.js (cleaned forms), the non-loose rows.
    #[test]
    fn node_semver_fixtures() {
        for (greater, lesser) in [
            ("0.0.0", "0.0.0-foo"),
            ("0.0.1", "0.0.0"),
            ("1.0.0", "0.9.9"),
            ("0.10.0", "0.9.0"),
            ("0.99.0", "0.10.0"),
            ("2.0.0", "1.2.3"),
            ("v0.0.0", "0.0.0-foo"),
            ("v2.0.0", "1.2.3"),
            ("0.0.1", "v0.0.0"),
            ("1.2.3", "1.2.3-asdf"),
            ("1.2.3", "1.2.3-4"),
            ("1.2.3", "1.2.3-4-foo"),
            ("1.2.3-5-foo", "1.2.3-5"),
            ("1.2.3-5", "1.2.3-4"),
            ("1.2.3-5-foo", "1.2.3-5-Foo"),
            ("3.0.0", "2.7.2+asdf"),
            ("1.2.3-a.10", "1.2.3-a.5"),
            ("1.2.3-a.b", "1.2.3-a.5"),
            ("1.2.3-a.b", "1.2.3-a"),
            ("1.2.3-a.b.c.10.d.5", "1.2.3-a.b.c.5.d.100"),
            ("1.2.3-r2", "1.2.3-r100"),
            ("1.2.3-r100", "1.2.3-R2"),
        ] {
            assert_eq!(
                compare(greater, lesser),
                Ok(Greater),
                "{greater} > {lesser}"
            );
            assert_eq!(compare(lesser, greater), Ok(Less), "{lesser} < {greater}");
        }
        for (a, b) in [
            ("1.2.3", "v1.2.3"),
            ("1.2.3", "=1.2.3"),
            ("1.2.3", " v1.2.3"),
            ("1.2.3", " =1.2.3"),
            ("1.2.3", "=v1.2.3 "),
            ("1.2.3", "v 1.2.3"),
            ("1.2.3-beta", "v1.2.3-beta"),
            ("1.2.3+build", " = 1.2.3+otherbuild"),
            ("1.2.3-beta+build", "1.2.3-beta+otherbuild"),
            ("1.2.3+build", "1.2.3+otherbuild"),
            ("  v1.2.3+build", "1.2.3+otherbuild"),
        ] {
            assert_eq!(compare(a, b), Ok(Equal), "{a} = {b}");
        }
    }

    // semver.org FAQ: the test strings of the suggested regular expression.
    #[test]
    fn semver_org_validity_examples() {
        for valid in [
            "0.0.4",
            "1.2.3",
            "10.20.30",
            "1.1.2-prerelease+meta",
            "1.1.2+meta",
            "1.1.2+meta-valid",
            "1.0.0-alpha",
            "1.0.0-alpha.beta.1",
            "1.0.0-alpha0.valid",
            "1.0.0-alpha.0valid",
            "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
            "1.0.0-rc.1+build.1",
            "10.2.3-DEV-SNAPSHOT",
            "1.2.3-SNAPSHOT-123",
            "2.0.0+build.1848",
            "2.0.1-alpha.1227",
            "1.0.0-alpha+beta",
            "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
            "1.2.3----R-S.12.9.1--.12+meta",
            "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
            "99999999999999999999999.999999999999999999.99999999999999999",
            "1.0.0-0A.is.legal",
        ] {
            assert_eq!(compare(valid, valid), Ok(Equal), "{valid}");
        }
        for invalid in [
            "1",
            "1.2",
            "1.2.3-0123",
            "1.2.3-0123.0123",
            "1.1.2+.123",
            "+invalid",
            "-invalid",
            "-invalid+invalid",
            "-invalid.01",
            "alpha",
            "alpha.beta.1",
            "alpha+beta",
            "1.0.0-alpha_beta",
            "-alpha.",
            "1.0.0-alpha..",
            "1.0.0-alpha..1",
            "01.1.1",
            "1.01.1",
            "1.1.01",
            "1.2.3.DEV",
            "1.2-SNAPSHOT",
            "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788",
            "1.2-RC-SNAPSHOT",
            "-1.0.3-gamma+b7718",
            "+justmeta",
            "9.8.7+meta+meta",
            "9.8.7-whatever+meta+meta",
            "99999999999999999999999.999999999999999999.99999999999999999----RC-SNAPSHOT.12.09.1--------------------------------..12",
            "",
            "1.2.3-",
            "1.2.3+",
            "1.2.3 4",
            "V1.2.3",
        ] {
            assert!(compare(invalid, "1.0.0").is_err(), "{invalid:?}");
        }
    }

    #[test]
    fn numbers_of_any_length() {
        ascending(&[
            "18446744073709551615.0.0",
            "18446744073709551616.0.0-1",
            "18446744073709551616.0.0",
            "99999999999999999999999.0.0",
            "100000000000000000000000.0.0-rc.99999999999999999999",
            "100000000000000000000000.0.0-rc.100000000000000000000",
        ]);
    }

    // The semver crate agrees once build metadata is left out of its comparison.
    #[test]
    fn agrees_with_the_semver_crate() {
        let versions = [
            "0.0.0",
            "0.0.1-alpha",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta.11",
            "1.0.0-beta.2",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0+build.7",
            "1.2.3-5-foo",
            "1.2.3-5",
            "1.2.3-a.b.c.10.d.5",
            "1.2.3-R2",
            "1.2.3-r100",
            "2.0.0",
            "10.20.30",
        ];
        for a in versions {
            for b in versions {
                let theirs = |v: &str| {
                    let mut v = ::semver::Version::parse(v).unwrap();
                    v.build = ::semver::BuildMetadata::EMPTY;
                    v
                };
                assert_eq!(compare(a, b), Ok(theirs(a).cmp(&theirs(b))), "{a} vs {b}");
            }
        }
        // Where it differs: build metadata orders there.
        assert!(
            ::semver::Version::parse("1.0.0+a").unwrap()
                < ::semver::Version::parse("1.0.0+b").unwrap()
        );
        assert_eq!(compare("1.0.0+a", "1.0.0+b"), Ok(Equal));
        assert!(::semver::Version::parse("18446744073709551616.0.0").is_err());
    }
}
