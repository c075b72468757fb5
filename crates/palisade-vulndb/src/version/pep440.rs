//! PyPI versions: PEP 440 (the Version Specifiers specification of the Python Packaging
//! Authority).
//!
//! Rules: the `packaging` library's `packaging/version.py`, the reference implementation pip
//! and PyPI use: its `VERSION_PATTERN` (matched case-insensitively, surrounded by optional
//! whitespace) decides what parses and how it normalises (`v1.0`, `1.0RC1` = `1.0rc1`,
//! `1.0c1`/`1.0pre1`/`1.0preview1` = `1.0rc1`, `1.0alpha` = `1.0a0`, `1.0-1` = `1.0.post1`,
//! `1.0r1` = `1.0.post1`, `1.0-dev` = `1.0.dev0`, `1.0+Local-1` = `1.0+local.1`), and its
//! `_cmpkey` decides the order: epoch, then the release with trailing zeros dropped
//! (`1.0.0` = `1`), then the pre-release (a bare `.devN` sorts before every pre-release of its
//! release, no pre-release after them all), then the post-release (none first), then the
//! development release (none last), then the local version (none first; segments compared
//! numerically when all digits, which beat alphanumeric ones, compared case-insensitively;
//! `1.0` < `1.0+local`). The pattern is matched by hand here; the places where a regular
//! expression could backtrack were checked not to change the result.
//!
//! Why not the `pep440_rs` crate: it stores every number in a `u64`, so a version with a larger
//! number (valid PEP 440: Python's integers have no limit) does not parse, and its sort key uses
//! `u64::MAX` for "no development release", so `1.0a1.dev18446744073709551615` equals `1.0a1`.
//! The port compares numbers as digit strings. `pep440_rs` stays a dev-dependency, as a
//! cross-check in the tests.

use std::cmp::Ordering;

use super::{Scheme, VersionError, cmp_decimal, parse_both};

/// Pre-release kinds, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreKind {
    Alpha,
    Beta,
    Rc,
}

/// A parsed version; numbers are digit strings (empty means an implicit 0).
#[derive(Debug)]
struct Version<'a> {
    epoch: &'a str,
    release: Vec<&'a str>,
    pre: Option<(PreKind, &'a str)>,
    post: Option<&'a str>,
    dev: Option<&'a str>,
    local: Vec<&'a str>,
}

pub(super) fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let (a, b) = parse_both(Scheme::Pep440, a, b, parse)?;
    Ok(cmp(&a, &b))
}

/// Python's `str.isspace`, which `\s` matches in a `str` pattern.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn is_separator(byte: Option<&u8>) -> bool {
    matches!(byte, Some(b'-' | b'_' | b'.'))
}

/// A cursor over the version's bytes.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&u8> {
        self.text.as_bytes().get(self.at)
    }

    /// `[0-9]+` at the cursor, consumed; None (and nothing consumed) when there are no digits.
    fn digits(&mut self) -> Option<&'a str> {
        let len = self.text.as_bytes()[self.at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        (len > 0).then(|| {
            self.at += len;
            &self.text[self.at - len..self.at]
        })
    }

    /// The first of `words` (tried in order) at the cursor, ignoring ASCII case, consumed.
    fn word<T: Copy>(&mut self, words: &[(&str, T)]) -> Option<T> {
        let rest = &self.text.as_bytes()[self.at..];
        words.iter().find_map(|&(word, value)| {
            let found = rest
                .get(..word.len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(word.as_bytes()));
            found.then(|| {
                self.at += word.len();
                value
            })
        })
    }

    /// An optional `[-_.]`, consumed.
    fn separator(&mut self) {
        if is_separator(self.peek()) {
            self.at += 1;
        }
    }

    /// `[-_.]? WORD [-_.]? [0-9]*` with WORD one of `words`: the word's value and the number
    /// (empty when absent). On no match nothing is consumed.
    fn labelled<T: Copy>(&mut self, words: &[(&str, T)]) -> Option<(T, &'a str)> {
        let start = self.at;
        self.separator();
        let Some(value) = self.word(words) else {
            self.at = start;
            return None;
        };
        self.separator();
        Some((value, self.digits().unwrap_or("")))
    }
}

/// `packaging`'s `VERSION_PATTERN`, anchored, with surrounding whitespace.
fn parse(text: &str) -> Result<Version<'_>, String> {
    let text = text.trim_matches(is_python_space);
    let mut c = Cursor { text, at: 0 };
    if matches!(c.peek(), Some(b'v' | b'V')) {
        c.at += 1;
    }
    let first = c.digits().ok_or("expected a release number")?;
    let epoch = if c.peek() == Some(&b'!') {
        c.at += 1;
        first
    } else {
        c.at -= first.len();
        ""
    };
    let mut release = vec![c.digits().ok_or("expected a release number")?];
    while c.peek() == Some(&b'.') {
        c.at += 1;
        match c.digits() {
            Some(n) => release.push(n),
            None => {
                c.at -= 1;
                break;
            }
        }
    }
    let pre = c.labelled(&[
        ("alpha", PreKind::Alpha),
        ("a", PreKind::Alpha),
        ("beta", PreKind::Beta),
        ("b", PreKind::Beta),
        ("preview", PreKind::Rc),
        ("pre", PreKind::Rc),
        ("c", PreKind::Rc),
        ("rc", PreKind::Rc),
    ]);
    let implicit_post = {
        let start = c.at;
        if c.peek() == Some(&b'-') {
            c.at += 1;
            let number = c.digits();
            if number.is_none() {
                c.at = start;
            }
            number
        } else {
            None
        }
    };
    let post = implicit_post.or_else(|| {
        c.labelled(&[("post", ()), ("rev", ()), ("r", ())])
            .map(|((), n)| n)
    });
    let dev = c.labelled(&[("dev", ())]).map(|((), n)| n);
    let mut local = Vec::new();
    if c.peek() == Some(&b'+') {
        c.at += 1;
        loop {
            let len = text.as_bytes()[c.at..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            if len == 0 {
                return Err("empty local version segment".into());
            }
            local.push(&text[c.at..c.at + len]);
            c.at += len;
            if !is_separator(c.peek()) {
                break;
            }
            c.at += 1;
        }
    }
    if c.at != text.len() {
        return Err(format!("unexpected text at byte {}", c.at));
    }
    Ok(Version {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// The release with trailing zeros dropped.
fn significant<'v>(release: &'v [&'v str]) -> &'v [&'v str] {
    let len = release
        .iter()
        .rposition(|n| n.bytes().any(|d| d != b'0'))
        .map_or(0, |last| last + 1);
    &release[..len]
}

/// `_cmpkey`'s order.
fn cmp(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    let number = |x: &str, y: &str| cmp_decimal(x.as_bytes(), y.as_bytes());
    // -inf (0) < (kind, n) (1) < +inf (2); a bare dev release sorts before every pre-release.
    let pre_rank = |v: &Version<'_>| match (v.pre, v.post, v.dev) {
        (None, None, Some(_)) => 0,
        (Some(_), _, _) => 1,
        (None, _, _) => 2,
    };
    let cmp_pre = |x: &Version<'_>, y: &Version<'_>| {
        pre_rank(x)
            .cmp(&pre_rank(y))
            .then_with(|| match (x.pre, y.pre) {
                (Some((xk, xn)), Some((yk, yn))) => xk.cmp(&yk).then_with(|| number(xn, yn)),
                _ => Ordering::Equal,
            })
    };
    // None sorts first (-inf).
    let cmp_post = |x: Option<&str>, y: Option<&str>| match (x, y) {
        (Some(x), Some(y)) => number(x, y),
        _ => x.is_some().cmp(&y.is_some()),
    };
    // None sorts last (+inf).
    let cmp_dev = |x: Option<&str>, y: Option<&str>| match (x, y) {
        (Some(x), Some(y)) => number(x, y),
        _ => y.is_some().cmp(&x.is_some()),
    };
    number(a.epoch, b.epoch)
        .then_with(|| {
            let (x, y) = (significant(&a.release), significant(&b.release));
            x.iter()
                .zip(y)
                .map(|(m, n)| number(m, n))
                .find(|o| o.is_ne())
                .unwrap_or_else(|| x.len().cmp(&y.len()))
        })
        .then_with(|| cmp_pre(a, b))
        .then_with(|| cmp_post(a.post, b.post))
        .then_with(|| cmp_dev(a.dev, b.dev))
        .then_with(|| cmp_local(&a.local, &b.local))
}

/// Local versions: none first; segment by segment, numbers (all digits) numerically and above
/// words, words case-insensitively; a longer list wins a tie.
fn cmp_local(a: &[&str], b: &[&str]) -> Ordering {
    let is_number = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    for (x, y) in a.iter().zip(b) {
        let order = match (is_number(x), is_number(y)) {
            (true, true) => cmp_decimal(x.as_bytes(), y.as_bytes()),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => x
                .bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(y.bytes().map(|c| c.to_ascii_lowercase())),
        };
        if order.is_ne() {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn ascending(versions: &[&str]) {
        for (i, low) in versions.iter().enumerate() {
            assert_eq!(compare(low, low), Ok(Equal), "{low}");
            for high in &versions[i + 1..] {
                assert_eq!(compare(low, high), Ok(Less), "{low} < {high}");
                assert_eq!(compare(high, low), Ok(Greater), "{high} > {low}");
            }
        }
    }

    // packaging tests/test_version.py: VERSIONS, "the following versions are sorted".
    const PACKAGING_VERSIONS: &[&str] = &[
        "1.0.dev456",
        "1.0a1",
        "1.0a2.dev456",
        "1.0a12.dev456",
        "1.0a12",
        "1.0b1.dev456",
        "1.0b2",
        "1.0b2.post345.dev456",
        "1.0b2.post345",
        "1.0b2-346",
        "1.0c1.dev456",
        "1.0c1",
        "1.0rc2",
        "1.0c3",
        "1.0",
        "1.0.post456.dev34",
        "1.0.post456",
        "1.1.dev1",
        "1.2+123abc",
        "1.2+123abc456",
        "1.2+abc",
        "1.2+abc123",
        "1.2+abc123def",
        "1.2+1234.abc",
        "1.2+123456",
        "1.2.r32+123456",
        "1.2.rev33+123456",
        "1!1.0.dev456",
        "1!1.0a1",
        "1!1.0a2.dev456",
        "1!1.0a12.dev456",
        "1!1.0a12",
        "1!1.0b1.dev456",
        "1!1.0b2",
        "1!1.0b2.post345.dev456",
        "1!1.0b2.post345",
        "1!1.0b2-346",
        "1!1.0c1.dev456",
        "1!1.0c1",
        "1!1.0rc2",
        "1!1.0c3",
        "1!1.0",
        "1!1.0.post456.dev34",
        "1!1.0.post456",
        "1!1.1.dev1",
        "1!1.2+123abc",
        "1!1.2+123abc456",
        "1!1.2+abc",
        "1!1.2+abc123",
        "1!1.2+abc123def",
        "1!1.2+1234.abc",
        "1!1.2+123456",
        "1!1.2.r32+123456",
        "1!1.2.rev33+123456",
    ];

    #[test]
    fn packaging_versions_are_sorted() {
        ascending(PACKAGING_VERSIONS);
    }

    // PEP 440 "Summary of permitted suffixes and relative ordering" and "Local version
    // identifiers".
    #[test]
    fn pep_440_summary_ordering() {
        ascending(&[
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ]);
    }

    // PEP 440 "Normalization" and packaging's test_normalized_versions: spellings that are the
    // same version.
    #[test]
    fn normalisation() {
        for (a, b) in [
            ("1.0", "1.0.0"),
            ("1", "1.0.0.0"),
            ("01.00", "1.0"),
            ("0!1.0", "1.0"),
            ("v1.0", "1.0"),
            ("V1.0", "1.0"),
            (" 1.0\n", "1.0"),
            ("\t1.0\x1f", "1.0"),
            ("1.0RC1", "1.0rc1"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre1", "1.0rc1"),
            ("1.0preview1", "1.0rc1"),
            ("1.0-preview-1", "1.0rc1"),
            ("1.0alpha1", "1.0a1"),
            ("1.0ALPHA1", "1.0a1"),
            ("1.0beta1", "1.0b1"),
            ("1.0-a1", "1.0a1"),
            ("1.0.a.1", "1.0a1"),
            ("1.0_a_1", "1.0a1"),
            ("1.0a01", "1.0a1"),
            ("1.0a", "1.0a0"),
            ("1.0a-", "1.0a0"),
            ("1.0.post", "1.0.post0"),
            ("1.0-1", "1.0.post1"),
            ("1.0r1", "1.0.post1"),
            ("1.0rev1", "1.0.post1"),
            ("1.0-post-1", "1.0.post1"),
            ("1.0.POST1", "1.0.post1"),
            ("1.0dev", "1.0.dev0"),
            ("1.0-dev1", "1.0.dev1"),
            ("1.0_dev_1", "1.0.dev1"),
            ("1.0+Ubuntu-1", "1.0+ubuntu.1"),
            ("1.0+ubuntu_1", "1.0+ubuntu.1"),
            ("1.0+01", "1.0+1"),
            ("1.0a1.post2.dev3", "1.0a1-2-dev3"),
        ] {
            assert_eq!(compare(a, b), Ok(Equal), "{a:?} = {b:?}");
        }
    }

    #[test]
    fn local_versions_sort_after_their_public_version() {
        ascending(&["1.0", "1.0+0", "1.0+1", "1.0.post0"]);
        ascending(&["1.0+a", "1.0+a.b", "1.0+a.0", "1.0+a.1", "1.0+b", "1.0+0"]);
    }

    // packaging tests/test_version.py INVALID_VERSIONS, and more shapes the pattern rejects.
    #[test]
    fn invalid_versions() {
        for bad in [
            "french toast",
            "1.0+a+",
            "1.0++",
            "1.0+_foobar",
            "1.0+foo&asd",
            "1.0+1+1",
            "",
            " ",
            "1.0.",
            "1..0",
            "1.0-",
            "1.0+",
            "1.0+a..b",
            "1.0+a-",
            "!1.0",
            "1!",
            "1.0 a",
            "1.0a1a",
            "1.0.dev1.post1",
            "1.0.post1a1",
            "vv1.0",
            "1.0.x",
            "1.0ä",
        ] {
            assert!(compare(bad, "1.0").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn numbers_of_any_length() {
        ascending(&[
            "1.0.18446744073709551615",
            "1.0.18446744073709551616",
            "1.0.99999999999999999999999",
            "1.0.100000000000000000000000",
            "1.0.100000000000000000000000.post1",
            "99999999999999999999999!0",
        ]);
        // pep440_rs's u64::MAX "no dev release" sentinel is not one here.
        ascending(&["1.0a1.dev18446744073709551615", "1.0a1"]);
        assert!(
            "1.0.18446744073709551616"
                .parse::<pep440_rs::Version>()
                .is_err()
        );
    }

    // pep440_rs agrees on the versions it can represent.
    #[test]
    fn agrees_with_pep440_rs() {
        let mut versions = PACKAGING_VERSIONS.to_vec();
        versions.extend([
            "0",
            "1.0.0",
            "2.0.0rc1",
            "2.0.0.post1",
            "2.0.0+local.7",
            "2020.10.1",
            "3.11.4",
            "1.0-1",
            "1.0RC1",
        ]);
        for a in &versions {
            for b in &versions {
                let theirs = |v: &str| v.parse::<pep440_rs::Version>().unwrap();
                assert_eq!(compare(a, b), Ok(theirs(a).cmp(&theirs(b))), "{a} vs {b}");
            }
        }
    }
}
