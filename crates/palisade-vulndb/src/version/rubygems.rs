//! RubyGems versions: `Gem::Version`.
//!
//! Rules: RubyGems' `lib/rubygems/version.rb`, ported: a version matches
//! `\A\s*([0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*\z` (blank means
//! `0`); each `-` reads as `.pre.`; the segments are the runs of digits (numbers) and of
//! letters (strings, which make a pre-release); `canonical_segments` drops trailing zeros from
//! the numbers before the first string and from the rest separately; `<=>` then compares
//! segment by segment, a missing segment being 0, a string before a number (`1.0.a` < `1.0`),
//! numbers as integers (of any size, as Ruby's), strings by bytes.
//!
//! Why no crate: none of the crate's dependencies implements `Gem::Version`, and `<=>` with its
//! pattern is a few dozen lines.

use std::cmp::Ordering;

use super::{Scheme, VersionError, cmp_decimal, parse_both};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment<'a> {
    Number(&'a str),
    Text(&'a str),
}

const ZERO: Segment<'static> = Segment::Number("0");

/// Ruby's `\s` (ASCII whitespace, with vertical tab).
fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\x0c' | '\x0b')
}

/// `Gem::Version.correct?`, then the segments of the stripped version.
fn parse(text: &str) -> Result<Vec<Segment<'_>>, String> {
    let version = text.trim_matches(is_ruby_space);
    if version.is_empty() {
        return Ok(vec![ZERO]);
    }
    check_pattern(version.as_bytes())?;
    let mut segments = Vec::new();
    let bytes = version.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let class = |b: &u8| {
            if b.is_ascii_digit() {
                1
            } else if b.is_ascii_alphabetic() {
                2
            } else {
                0
            }
        };
        match class(&bytes[i]) {
            0 => {
                if bytes[i] == b'-' {
                    segments.push(Segment::Text("pre"));
                }
                i += 1;
            }
            kind => {
                let len = bytes[i..].iter().take_while(|b| class(b) == kind).count();
                let run = &version[i..i + len];
                segments.push(if kind == 1 {
                    Segment::Number(run)
                } else {
                    Segment::Text(run)
                });
                i += len;
            }
        }
    }
    Ok(canonical(segments))
}

/// `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`, anchored.
fn check_pattern(bytes: &[u8]) -> Result<(), String> {
    let run =
        |from: usize, class: fn(&u8) -> bool| bytes[from..].iter().take_while(|b| class(b)).count();
    let alnum = |b: &u8| b.is_ascii_alphanumeric();
    let alnum_or_dash = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-';
    let mut i = run(0, u8::is_ascii_digit);
    if i == 0 {
        return Err("a version starts with a number".into());
    }
    while bytes.get(i) == Some(&b'.') && run(i + 1, alnum) > 0 {
        i += 1 + run(i + 1, alnum);
    }
    if bytes.get(i) == Some(&b'-') && run(i + 1, alnum_or_dash) > 0 {
        i += 1 + run(i + 1, alnum_or_dash);
        while bytes.get(i) == Some(&b'.') && run(i + 1, alnum_or_dash) > 0 {
            i += 1 + run(i + 1, alnum_or_dash);
        }
    }
    if i == bytes.len() {
        Ok(())
    } else {
        Err(format!("malformed version number string (at byte {i})"))
    }
}

fn is_zero(segment: &Segment<'_>) -> bool {
    matches!(segment, Segment::Number(n) if n.bytes().all(|d| d == b'0'))
}

/// `canonical_segments`: trailing zeros dropped from the numeric part and from the rest.
fn canonical(mut segments: Vec<Segment<'_>>) -> Vec<Segment<'_>> {
    let split = segments
        .iter()
        .position(|s| matches!(s, Segment::Text(_)))
        .unwrap_or(segments.len());
    let mut rest = segments.split_off(split);
    while rest.last().is_some_and(is_zero) {
        rest.pop();
    }
    while segments.last().is_some_and(is_zero) {
        segments.pop();
    }
    segments.extend(rest);
    segments
}

pub(super) fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let (a, b) = parse_both(Scheme::RubyGems, a, b, parse)?;
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).unwrap_or(&ZERO), b.get(i).unwrap_or(&ZERO));
        let order = match (x, y) {
            (Segment::Number(m), Segment::Number(n)) => cmp_decimal(m.as_bytes(), n.as_bytes()),
            (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
            (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
            (Segment::Text(s), Segment::Text(t)) => s.cmp(t),
        };
        if order.is_ne() {
            return Ok(order);
        }
    }
    Ok(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn check(cases: &[(&str, Ordering, &str)]) {
        super::super::assert_cases(compare, cases);
    }

    // rubygems test/rubygems/test_gem_version.rb: test_spaceship, test_semver,
    // test_initialize, test_empty_version.
    #[test]
    fn test_gem_version() {
        check(&[
            ("1.0", Equal, "1.0.0"),
            ("1.0", Greater, "1.0.a"),
            ("1.8.2", Greater, "0.0.0"),
            ("1.8.2", Greater, "1.8.2.a"),
            ("1.8.2.b", Greater, "1.8.2.a"),
            ("1.8.2.a", Less, "1.8.2"),
            ("1.8.2.a10", Greater, "1.8.2.a9"),
            ("", Equal, "0"),
            ("0.beta.1", Equal, "0.0.beta.1"),
            ("0.0.beta", Less, "0.0.beta.1"),
            ("0.0.beta", Less, "0.beta.1"),
            ("5.a", Less, "5.0.0.rc2"),
            ("5.x", Greater, "5.0.0.rc2"),
            ("1.9.3", Equal, "1.9.3"),
            ("1.9.3", Greater, "1.9.2.99"),
            ("1.9.3", Less, "1.9.3.1"),
            ("1.0.0-alpha", Less, "1.0.0-alpha.1"),
            ("1.0.0-alpha.1", Less, "1.0.0-beta.2"),
            ("1.0.0-beta.2", Less, "1.0.0-beta.11"),
            ("1.0.0-beta.11", Less, "1.0.0-rc.1"),
            ("1.0.0-rc1", Less, "1.0.0"),
            ("1.0.0-1", Less, "1"),
        ]);
        for good in ["1.0 ", " 1.0 ", "1.0\n", "\n1.0\n"] {
            check(&[(good, Equal, "1.0")]);
        }
        for empty in ["", "   ", " "] {
            check(&[(empty, Equal, "0")]);
        }
    }

    // test_initialize_invalid (including the CVE-2013-4287 string) and other shapes the
    // pattern rejects.
    #[test]
    fn invalid_versions() {
        for bad in [
            "junk",
            "1.0\n2.0",
            "1..2",
            "1.2 3.4",
            "2.3422222.222.222222222.22222.ads0as.dasd0.ddd2222.2.qd3e.",
            "1a",
            "1.",
            ".1",
            "-1",
            "1.0-",
            "1.0-a.",
            "v1.0",
            "1.0_1",
            "1.0\u{a0}",
        ] {
            assert!(compare(bad, "1").is_err(), "{bad:?}");
        }
        check(&[("1.0--", Less, "1.0"), ("1-1", Less, "1.0.0")]);
    }

    #[test]
    fn segments_and_trailing_zeros() {
        check(&[
            ("1.0.a.0", Equal, "1.0.a"),
            ("1.0.a", Equal, "1.a"),
            ("1.0a", Equal, "1.0.a"),
            ("1.0-a", Equal, "1.0.pre.a"),
            ("1.A", Less, "1.a"),
            ("1.a.1", Less, "1.a.2"),
            ("1.a", Less, "1.a.1"),
            ("1.a", Less, "1.b"),
            ("1.alpha", Less, "1.b"),
            ("1.0.rc1", Greater, "1.0.beta3"),
            ("2.0.0.pre", Less, "2.0.0"),
            ("0001.0", Equal, "1"),
            (
                "1.99999999999999999999999",
                Less,
                "1.100000000000000000000000",
            ),
        ]);
    }
}
