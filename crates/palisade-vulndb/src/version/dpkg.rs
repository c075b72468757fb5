//! Debian and Ubuntu versions: `[epoch:]upstream_version[-debian_revision]`.
//!
//! Rules: Debian Policy §5.6.12 and dpkg's implementation, `lib/dpkg/parsehelp.c`
//! (`parseversion`) and `lib/dpkg/version.c` (`verrevcmp`, `dpkg_version_compare`), ported here.
//! Epochs compare as integers (missing = 0); upstream versions and revisions compare by
//! alternating non-digit runs (character by character: `~` before the end of the string, the
//! end before letters, letters before everything else) and digit runs (as integers, an empty
//! run being 0); the revision is what follows the last hyphen (missing = `0`, so `1.0` equals
//! `1.0-0`).
//!
//! Accepted: what dpkg accepts, including the strings it only warns about (an upstream version
//! not starting with a digit, characters outside the Policy's set): `dpkg --compare-versions`
//! compares those too. Rejected: dpkg's errors (empty, embedded spaces, bad or oversized epoch,
//! nothing after the colon, empty upstream version or revision), and non-ASCII bytes, which dpkg
//! orders by the platform's `char` signedness (differently on x86 and arm64).
//!
//! Why not the `debversion` crate: its comparison treats a missing digit run as less than `0`
//! where dpkg treats it as `0` (`1.0a` < `1.0a0` instead of equal); its parser rejects versions
//! dpkg accepts with a warning (`_`, other punctuation), reads `+1:0` as having no epoch (dpkg:
//! epoch 1), and accepts epochs dpkg rejects (above `INT_MAX`). `verrevcmp` is thirty lines;
//! the port is exact and allocation-free. `debversion` stays a dev-dependency, as a cross-check
//! in the tests.

use std::cmp::Ordering;

use super::{Scheme, parse_both};

/// A parsed version: epoch, upstream version, revision (empty when missing).
struct Version<'a> {
    epoch: u32,
    upstream: &'a [u8],
    revision: &'a [u8],
}

pub(super) fn compare(a: &str, b: &str) -> Result<Ordering, super::VersionError> {
    let (a, b) = parse_both(Scheme::Dpkg, a, b, parse)?;
    Ok(a.epoch
        .cmp(&b.epoch)
        .then_with(|| verrevcmp(a.upstream, b.upstream))
        .then_with(|| verrevcmp(a.revision, b.revision)))
}

/// dpkg's `c_isspace`.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// dpkg's `parseversion`, errors only (its warnings are accepted).
fn parse(text: &str) -> Result<Version<'_>, String> {
    let bytes = text.as_bytes();
    // Leading blanks are trimmed; trailing whitespace is ignored; any other is an error.
    let start = bytes
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let bytes = &bytes[start..];
    if bytes.is_empty() {
        return Err("version string is empty".into());
    }
    let end = bytes
        .iter()
        .position(|&b| is_space(b))
        .unwrap_or(bytes.len());
    if bytes[end..].iter().any(|&b| !is_space(b)) {
        return Err("version string has embedded spaces".into());
    }
    let bytes = &bytes[..end];
    if !bytes.is_ascii() {
        return Err("non-ASCII character (dpkg's order for it depends on the platform)".into());
    }

    let (epoch, rest) = match bytes.iter().position(|&b| b == b':') {
        Some(colon) => {
            // strtol: an optional sign, then digits, which must end exactly at the colon.
            let (negative, digits_start) = match bytes[0] {
                b'-' => (true, 1),
                b'+' => (false, 1),
                _ => (false, 0),
            };
            let digits = bytes[digits_start..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits == 0 {
                return Err("epoch in version is empty".into());
            }
            if digits_start + digits != colon {
                return Err("epoch in version is not number".into());
            }
            let digits = &bytes[digits_start..colon];
            let significant = &digits[digits.iter().take_while(|&&d| d == b'0').count()..];
            if negative && !significant.is_empty() {
                return Err("epoch in version is negative".into());
            }
            let epoch = if significant.len() > 10 {
                None
            } else {
                significant.iter().try_fold(0u32, |n, &d| {
                    n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
                })
            };
            let epoch = epoch
                .filter(|&e| e <= i32::MAX as u32)
                .ok_or("epoch in version is too big")?;
            let rest = &bytes[colon + 1..];
            if rest.is_empty() {
                return Err("nothing after colon in version number".into());
            }
            (epoch, rest)
        }
        None => (0, bytes),
    };

    let (upstream, revision) = match rest.iter().rposition(|&b| b == b'-') {
        Some(hyphen) => {
            let revision = &rest[hyphen + 1..];
            if revision.is_empty() {
                return Err("revision number is empty".into());
            }
            (&rest[..hyphen], revision)
        }
        None => (rest, &rest[rest.len()..]),
    };
    if upstream.is_empty() {
        return Err("version number is empty".into());
    }
    Ok(Version {
        epoch,
        upstream,
        revision,
    })
}

/// dpkg's `order`: the weight of one character of a non-digit run (`None` is the end).
fn order(c: Option<&u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(*c),
        Some(b'~') => -1,
        Some(c) => i32::from(*c) + 256,
    }
}

/// dpkg's `verrevcmp`.
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let digit_at = |s: &[u8], i: usize| s.get(i).is_some_and(u8::is_ascii_digit);
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (ac, bc) = (order(a.get(i)), order(b.get(j)));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit_at(a, i) && digit_at(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if digit_at(a, i) {
            return Ordering::Greater;
        }
        if digit_at(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{a} vs {b}: {e}"))
    }

    fn check(cases: &[(&str, Ordering, &str)]) {
        super::super::assert_cases(compare, cases);
    }

    // Debian Policy §5.6.12: `~` sorts before anything, even the end of a part; letters sort
    // before non-letters; a missing epoch is 0; a missing revision equals `0`.
    #[test]
    fn debian_policy_examples() {
        check(&[
            ("1.0~~", Less, "1.0~~a"),
            ("1.0~~a", Less, "1.0~"),
            ("1.0~", Less, "1.0"),
            ("1.0", Less, "1.0a"),
            ("1.0~rc1", Less, "1.0"),
            ("1.0~beta1~svn1245", Less, "1.0~beta1"),
            ("1.0a", Less, "1.0+"),
            ("1.0+", Less, "1.0."),
            ("1.0", Equal, "1.0-0"),
            ("1.0", Equal, "0:1.0"),
            ("1:1.0", Greater, "2.0"),
            ("1.0-1", Less, "1.0-2"),
            ("1.0-9", Less, "1.0-10"),
        ]);
    }

    // dpkg lib/dpkg/t/t-version.c, test_version_compare (epoch, version, revision objects
    // written as strings).
    #[test]
    fn dpkg_t_version_compare() {
        check(&[
            ("0:0-0", Equal, "0:0-0"),
            ("0:0-00", Equal, "0:00-0"),
            ("1:2-3", Equal, "1:2-3"),
            ("0:0-0", Less, "1:0-0"),
            ("0:a-0", Less, "0:b-0"),
            ("0:0-a", Less, "0:0-b"),
        ]);
    }

    // dpkg scripts/t/Dpkg_Version.t comparison data (each line re-derived from verrevcmp).
    #[test]
    fn dpkg_version_t_data() {
        check(&[
            ("1.0-1", Less, "2.0-2"),
            ("2.2~rc-4", Less, "2.2-1"),
            ("1.0000-1", Equal, "1.0-1"),
            ("1", Equal, "0:1"),
            ("0", Equal, "0:0-0"),
            ("2:2.5", Greater, "1:7.5"),
            ("1:0foo", Greater, "0foo"),
            ("0:0foo", Equal, "0foo"),
            ("0foo-0", Equal, "0foo"),
            ("0foo", Greater, "0fo"),
            ("0foo-0", Less, "0foo+"),
            ("0foo~1", Less, "0foo"),
            ("0foo~foo+Bar", Less, "0foo~foo+bar"),
            ("0foo~~", Less, "0foo~"),
            ("1~", Less, "1"),
            (
                "12345+that-really-is-some-ver-0",
                Less,
                "12345+that-really-is-some-ver-10",
            ),
            ("0foo.bar", Greater, "0foobar"),
            ("0foo.bar", Greater, "0foo1bar"),
            ("0foo.bar", Greater, "0foo0bar"),
            ("0foo1bar-1", Less, "0foobar-1"),
            ("0foo2.0", Greater, "0foo2"),
            ("0foo2.0.0", Less, "0foo2.10.0"),
            ("0foo2.0", Less, "0foo2.0.0"),
            ("0foo2.0", Less, "0foo2.10"),
            ("0foo2.1", Less, "0foo2.10"),
            ("1.09", Equal, "1.9"),
            ("1.0.8+nmu1", Greater, "1.0.8"),
            ("3.11", Greater, "3.10+nmu1"),
            ("0.9j-20080306-4", Greater, "0.9i-20070324-2"),
            ("1.2.0~b7-1", Greater, "1.2.0~b6-1"),
            ("1.011-1", Greater, "1.06-2"),
            ("0.0.9+dfsg1-1", Greater, "0.0.8+dfsg1-3"),
            ("4.6.99+svn6582-1", Greater, "4.6.99+svn6496-1"),
            ("53", Greater, "52"),
            ("0.9.9~pre122-1", Greater, "0.9.9~pre111-1"),
            ("2:2.3.2-2+lenny2", Greater, "2:2.3.2-2"),
            ("1:3.8.1-1", Greater, "3.8.GA-1"),
            ("1.0.1+gtk+2.0", Greater, "1.0.1"),
        ]);
    }

    // Real-world shapes: security backports, binNMUs, Ubuntu revisions.
    #[test]
    fn distribution_versions() {
        check(&[
            ("3.0.11-1~deb12u2", Greater, "3.0.11-1~deb12u1"),
            ("3.0.11-1~deb12u2", Less, "3.0.11-1"),
            ("1.2.13.dfsg-1+b1", Greater, "1.2.13.dfsg-1"),
            ("2.36-9+deb12u4", Less, "2.36-9+deb12u10"),
            ("1:2.38.1-5+deb12u1", Greater, "2.39.2-1"),
            ("3.0.2-0ubuntu1.15", Greater, "3.0.2-0ubuntu1.9"),
            ("1.1.1f-1ubuntu2.20", Less, "1.1.1f-1ubuntu2.22"),
            ("7.81.0-1ubuntu1.16", Greater, "7.81.0-1ubuntu1.15~really"),
        ]);
    }

    // dpkg's verrevcmp reads an empty digit run as 0; the debversion crate orders it below 0.
    #[test]
    fn an_empty_digit_run_is_zero() {
        check(&[
            ("1.0a", Equal, "1.0a0"),
            ("1.0~", Equal, "1.0~0"),
            ("1.0-1a", Equal, "1.0-1a00"),
        ]);
        let theirs = |v: &str| v.parse::<debversion::Version>().unwrap();
        assert_eq!(theirs("1.0a").cmp(&theirs("1.0a0")), Less);
    }

    // What the debversion crate's parser gets wrong against dpkg's.
    #[test]
    fn debversion_parser_differences() {
        for warned_by_dpkg in ["0:0_0", "1.0-1_1"] {
            assert!(compare(warned_by_dpkg, "1").is_ok());
            assert!(warned_by_dpkg.parse::<debversion::Version>().is_err());
        }
        // dpkg reads `+1:0` as epoch 1 (strtol); debversion as upstream `+1:0`, epoch none.
        assert_eq!(compare("+1:0", "1:0"), Ok(Equal));
        assert_eq!("+1:0".parse::<debversion::Version>().unwrap().epoch, None);
        assert!(compare("2147483648:1", "1").is_err());
        assert!("2147483648:1".parse::<debversion::Version>().is_ok());
    }

    #[test]
    fn long_digit_runs_and_big_epochs() {
        check(&[
            (
                "1.99999999999999999999999",
                Less,
                "1.100000000000000000000000",
            ),
            ("1.000000000000000000000000000001", Equal, "1.1"),
            ("2147483647:1", Greater, "2147483646:9"),
        ]);
    }

    // dpkg lib/dpkg/t/t-version.c, test_version_parse: errors are rejected, warnings accepted,
    // blanks before and whitespace after the version are ignored.
    #[test]
    fn parse_errors_and_warnings() {
        for bad in [
            "",
            "  ",
            "0:",
            "a:0-0",
            ":0",
            "1a:0",
            "-1:0-1",
            "2147483648:0",
            "999999999999999999999999:0-1",
            "0:0 0-1",
            "0:0-",
            "0:-0",
            "-1",
            "1.0ä",
        ] {
            assert!(compare(bad, "1").is_err(), "{bad:?} should be rejected");
            assert!(compare("1", bad).is_err(), "{bad:?} should be rejected");
        }
        for warned in [
            "0:a", "0:0_0", "0:0-0_0", "a", " 0:0-1", "0:0-1 ", "0:0-1\n", "+1:0", "-0:1",
            "0:0:0-0", "0:0-0-0",
        ] {
            assert!(
                compare(warned, "1").is_ok(),
                "{warned:?} should be accepted"
            );
        }
        check(&[
            (" 1.0-1", Equal, "1.0-1 "),
            ("+1:0", Equal, "1:0"),
            ("-0:1", Equal, "1"),
            ("0:0-0-0", Greater, "0:0-0"),
        ]);
    }

    // The debversion crate agrees on versions with no empty digit runs.
    #[test]
    fn agrees_with_the_debversion_crate_on_ordinary_versions() {
        let versions = [
            "0",
            "1",
            "1.0",
            "1.0-0",
            "1.0-1",
            "1:0.9",
            "1.0~rc1",
            "1.0~rc1-1",
            "1.0+dfsg-1",
            "1.0+dfsg1-1~bpo12+1",
            "2.36-9+deb12u4",
            "3.0.11-1~deb12u2",
            "1.2.13.dfsg-1+b1",
            "7.81.0-1ubuntu1.16",
            "1.1.1f-1ubuntu2.20",
            "2:8.2.3995-1ubuntu2.15",
            "10.0.0-1",
            "1.09",
            "1.9",
            "20230311",
        ];
        for a in versions {
            for b in versions {
                let theirs = a
                    .parse::<debversion::Version>()
                    .unwrap()
                    .cmp(&b.parse::<debversion::Version>().unwrap());
                assert_eq!(cmp(a, b), theirs, "{a} vs {b}");
            }
        }
    }
}
