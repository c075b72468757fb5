//! RPM versions: `[epoch:]version[-release]` (Red Hat, AlmaLinux, Rocky, SUSE, openSUSE,
//! Mageia, Photon OS, openEuler, Azure Linux, and the `fedora`/`centos`/`amzn`/`ol`/`rpm`
//! fallback ecosystems).
//!
//! Rules: rpm's `rpmio/rpmvercmp.c` (`rpmvercmp`) for each of epoch, version and release, and
//! `lib/rpmver.c` (`rpmverParse`, `rpmverCmp`) for splitting and combining them. `rpmvercmp`
//! walks alphanumeric segments, skipping other characters: numeric segments compare as integers
//! (leading zeros dropped, any length) and beat alphabetic ones, alphabetic segments compare as
//! bytes, `~` sorts before everything (even the end: `1.0~rc1` < `1.0`), `^` sorts after the
//! end but before anything else (`1.0` < `1.0^git1` < `1.0.1`), and when one string runs out
//! the longer is newer. A missing epoch is 0.
//!
//! Splitting follows rpm: the epoch is the leading digits before a `:` (`abc:1` has none, its
//! version is `abc:1`), the release what follows the last `-`. One difference: rpm's `rpmverCmp`
//! skips the release when either side lacks one (`1.0` "equals" both `1.0-1` and `1.0-2`, a
//! wildcard match, not an order); here a missing release sorts before any release, which keeps
//! the comparison a total order (installed packages and OSV's fixed versions always carry a
//! release, so matching is unaffected). Every string is accepted except the empty one (rpm
//! orders anything).
//!
//! Crate: `rpm-version` (`Evr`'s `Ord`) does the comparison: its `compare_version_string` was
//! checked line by line against `rpmvercmp` (tilde, caret, segment and end-of-string rules, ASCII
//! classes) and passes rpm's own test list below. Its parser is not used: `Evr::parse` splits
//! the release at the first hyphen and takes anything before a colon as the epoch.

use std::cmp::Ordering;

use rpm_version::Evr;

use super::{Scheme, VersionError, invalid};

/// rpm's split of an EVR string into epoch (`"0"` when missing), version and release (`""`
/// when missing).
fn split(evr: &str) -> (&str, &str, &str) {
    let digits = evr.bytes().take_while(u8::is_ascii_digit).count();
    let (epoch, rest) = match evr[digits..].strip_prefix(':') {
        Some(rest) if digits == 0 => ("0", rest),
        Some(rest) => (&evr[..digits], rest),
        None => ("0", evr),
    };
    let (version, release) = rest.rsplit_once('-').unwrap_or((rest, ""));
    (epoch, version, release)
}

pub(super) fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    for version in [a, b] {
        if version.is_empty() {
            return Err(invalid(Scheme::Rpm, version, "empty"));
        }
    }
    let evr = |v| {
        let (epoch, version, release) = split(v);
        Evr::new(epoch, version, release)
    };
    Ok(evr(a).cmp(&evr(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn check(cases: &[(&str, Ordering, &str)]) {
        super::super::assert_cases(compare, cases);
    }

    // rpm tests/rpmvercmp.at: the RPMVERCMP(a, b, result) list, each with no epoch or release.
    #[test]
    fn rpm_rpmvercmp_at() {
        check(&[
            ("1.0", Equal, "1.0"),
            ("1.0", Less, "2.0"),
            ("2.0.1", Equal, "2.0.1"),
            ("2.0", Less, "2.0.1"),
            ("2.0.1a", Equal, "2.0.1a"),
            ("2.0.1a", Greater, "2.0.1"),
            ("5.5p1", Equal, "5.5p1"),
            ("5.5p1", Less, "5.5p2"),
            ("5.5p10", Equal, "5.5p10"),
            ("5.5p1", Less, "5.5p10"),
            ("10xyz", Less, "10.1xyz"),
            ("xyz10", Equal, "xyz10"),
            ("xyz10", Less, "xyz10.1"),
            ("xyz.4", Equal, "xyz.4"),
            ("xyz.4", Less, "8"),
            ("xyz.4", Less, "2"),
            ("5.5p2", Less, "5.6p1"),
            ("5.6p1", Less, "6.5p1"),
            ("6.0.rc1", Greater, "6.0"),
            ("10b2", Greater, "10a1"),
            ("10a2", Less, "10b2"),
            ("1.0aa", Equal, "1.0aa"),
            ("1.0a", Less, "1.0aa"),
            ("10.0001", Equal, "10.0001"),
            ("10.0001", Equal, "10.1"),
            ("10.0001", Less, "10.0039"),
            ("4.999.9", Less, "5.0"),
            ("20101121", Equal, "20101121"),
            ("20101121", Less, "20101122"),
            ("2_0", Equal, "2_0"),
            ("2.0", Equal, "2_0"),
            // RhBug:178798: separators are all alike
            ("a", Equal, "a"),
            ("a+", Equal, "a+"),
            ("a+", Equal, "a_"),
            ("+a", Equal, "+a"),
            ("+a", Equal, "_a"),
            ("+_", Equal, "+_"),
            ("_+", Equal, "+_"),
            ("_+", Equal, "_"),
            ("+", Equal, "_"),
            // tilde
            ("1.0~rc1", Equal, "1.0~rc1"),
            ("1.0~rc1", Less, "1.0"),
            ("1.0~rc1", Less, "1.0~rc2"),
            ("1.0~rc1~git123", Equal, "1.0~rc1~git123"),
            ("1.0~rc1~git123", Less, "1.0~rc1"),
            // caret
            ("1.0^", Equal, "1.0^"),
            ("1.0^", Greater, "1.0"),
            ("1.0^git1", Equal, "1.0^git1"),
            ("1.0^git1", Greater, "1.0"),
            ("1.0^git1", Less, "1.0^git2"),
            ("1.0^git1", Less, "1.01"),
            ("1.0^20160101", Equal, "1.0^20160101"),
            ("1.0^20160101", Less, "1.0.1"),
            ("1.0^20160101^git1", Equal, "1.0^20160101^git1"),
            ("1.0^20160102", Greater, "1.0^20160101^git1"),
            // tilde and caret
            ("1.0~rc1^git1", Equal, "1.0~rc1^git1"),
            ("1.0~rc1^git1", Greater, "1.0~rc1"),
            ("1.0^git1~pre", Equal, "1.0^git1~pre"),
            ("1.0^git1", Greater, "1.0^git1~pre"),
            // documented oddities (RhBug:811992; non-ASCII characters are separators)
            ("1b.fc17", Less, "1.fc17"),
            ("1g.fc17", Greater, "1.fc17"),
            ("1.1.α", Equal, "1.1.β"),
            ("1.1.αα", Equal, "1.1.α"),
        ]);
    }

    // lib/rpmver.c: epoch, then version, then release.
    #[test]
    fn epoch_version_release() {
        check(&[
            ("0:1.2.3-45", Equal, "1.2.3-45"),
            (":1.2.3-45", Equal, "1.2.3-45"),
            ("1.2.3-45", Less, "1:1.2.3-45"),
            ("4.2.3-45", Less, "1:1.2.3-45"),
            ("2:1.0-1", Less, "10:0.1-1"),
            ("10:0.1-1", Greater, "9:9.9-9"),
            ("1.2.3-45", Less, "1.2.3-46"),
            ("1.2.3-45.fc39", Less, "1.2.3-46.fc38"),
            ("1.2.3-3.el9", Less, "1.2.3-10.el9"),
            ("3.0.7-27.el9", Less, "1:3.0.7-24.el9"),
            ("1:3.0.7-27.el9", Greater, "1:3.0.7-24.el9_4.1"),
            ("3.0.7-24.el9", Less, "3.0.7-24.el9_4.1"),
            ("2.17-326.el7_9.3", Greater, "2.17-326.el7_9"),
            ("1.0~rc1-1", Less, "1.0-1"),
            ("1.0-1~pre", Less, "1.0-1"),
            (
                "99999999999999999999999-1",
                Less,
                "100000000000000000000000-1",
            ),
        ]);
    }

    // rpmverParse: the release follows the last hyphen; an epoch is leading digits and a colon.
    #[test]
    fn splitting_follows_rpm_not_the_crate_parser() {
        assert_eq!(split("1:2.3-4"), ("1", "2.3", "4"));
        assert_eq!(split("2.3"), ("0", "2.3", ""));
        assert_eq!(split("1.0-2-3"), ("0", "1.0-2", "3"));
        assert_eq!(split("abc:1.0-1"), ("0", "abc:1.0", "1"));
        assert_eq!(split(":1.0"), ("0", "1.0", ""));
        assert_eq!(split("1-2:3"), ("0", "1", "2:3"));
        // rpm-version's Evr::parse gives release "2-3" (and any text before a colon is its
        // epoch).
        check(&[("1.0-2-3", Greater, "1.0-3")]);
        assert_eq!(Evr::parse("1.0-2-3").values(), ("", "1.0", "2-3"));
        assert_eq!(Evr::parse("abc:1.0-1").values(), ("abc", "1.0", "1"));
    }

    // A missing release sorts before any release (rpm itself would call these equal).
    #[test]
    fn a_missing_release_sorts_first() {
        check(&[
            ("1.0", Less, "1.0-1"),
            ("1.0", Less, "1.0-0"),
            ("1.0", Greater, "1.0~rc1-9"),
            ("1.0", Equal, "1.0-"),
        ]);
    }

    #[test]
    fn only_the_empty_string_is_rejected() {
        assert!(compare("", "1").is_err());
        assert!(compare("1", "").is_err());
        check(&[("garbage!", Greater, "~"), ("-", Equal, "0:-")]);
    }
}
