//! Alpine, Wolfi and Chainguard versions:
//! `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`.
//!
//! Rules: apk-tools' `src/version.c` (the tokeniser of apk-tools 2.14 and 3.x: `token_first`,
//! `token_next`, `token_cmp`, `apk_version_compare_fuzzy` without fuzzy matching,
//! `apk_version_validate`), ported token for token. Versions are compared token by token while
//! both sides have a token of the same kind: the first number, and revisions and suffix numbers,
//! as integers; later dotted numbers as integers unless either has a leading zero, then as
//! strings (Gentoo's rule, so `1.02` < `1.1` and `8.2.0015` < `8.2.002`); a letter by its byte;
//! suffixes by rank `_alpha` < `_beta` < `_pre` < `_rc` < (none) < `_cvs` < `_svn` < `_git` <
//! `_hg` < `_p`; a `~hash` by its bytes. When the kinds differ, a pre-release suffix makes its
//! side older, and otherwise the side whose token kind comes later in that list (`-r`, then the
//! end of the string) is older: `1.0` < `1.0.1`, `1.0` < `1.0-r1`, `1.0_rc1` < `1.0` < `1.0_p1`.
//!
//! Differences from apk-tools: a version `apk_version_validate` rejects is an error here (apk
//! compares such strings anyway, by whatever prefix is well-formed), and integers of any length
//! compare exactly (apk-tools accumulates them in a `uint64_t` that wraps).
//!
//! Why no crate: none of the crate's dependencies implements apk-tools' tokeniser (with its
//! commit hashes and leading-zero string comparison); it is short, and the port allocates
//! nothing.

use std::cmp::Ordering;

use super::{Scheme, VersionError, cmp_decimal, invalid};

/// Token kinds, in apk-tools' order (the order matters: it bounds what may follow what, and
/// decides comparisons between different kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// The suffix words in rank order; no suffix ranks between `rc` and `cvs`.
const SUFFIXES: [&[u8]; 9] = [
    b"alpha", b"beta", b"pre", b"rc", b"cvs", b"svn", b"git", b"hg", b"p",
];
/// The rank of no suffix.
const SUFFIX_NONE: u8 = 4;

/// The rank of a suffix word (alpha 0 … rc 3, cvs 5 … p 9), or None.
fn suffix_rank(word: &[u8]) -> Option<u8> {
    let index = SUFFIXES.iter().position(|&s| s == word)?;
    let index = u8::try_from(index).ok()?;
    Some(if index < SUFFIX_NONE {
        index
    } else {
        index + 1
    })
}

/// The tokeniser's state: the current token and the unread rest.
struct Tokens<'a> {
    kind: Kind,
    value: &'a [u8],
    suffix: u8,
    rest: &'a [u8],
}

impl<'a> Tokens<'a> {
    /// `token_first`: the initial number.
    fn first(version: &'a [u8]) -> Self {
        let mut tokens = Tokens {
            kind: Kind::InitialDigit,
            value: &[],
            suffix: 0,
            rest: version,
        };
        tokens.digits();
        tokens
    }

    /// `token_parse_digits`: the number at the start of the rest (none is invalid).
    fn digits(&mut self) {
        let len = self.rest.iter().take_while(|b| b.is_ascii_digit()).count();
        (self.value, self.rest) = self.rest.split_at(len);
        if len == 0 {
            self.kind = Kind::Invalid;
        }
    }

    /// The longest prefix of the rest whose bytes satisfy `class`, consumed.
    fn span(&mut self, class: impl Fn(&u8) -> bool) {
        let len = self.rest.iter().take_while(|b| class(b)).count();
        (self.value, self.rest) = self.rest.split_at(len);
    }

    /// `token_next`: the next token, given the kind of the current one.
    fn advance(&mut self) {
        let Some(&first) = self.rest.first() else {
            self.kind = Kind::End;
            return;
        };
        let previous = self.kind;
        self.kind = Kind::Invalid;
        // Each arm checks that the previous token allows this one, as `token_next` does.
        match first {
            b'a'..=b'z' if previous <= Kind::Digit => {
                (self.value, self.rest) = self.rest.split_at(1);
                self.kind = Kind::Letter;
            }
            b'.' | b'0'..=b'9' if first != b'.' || previous <= Kind::Digit => {
                if first == b'.' {
                    self.rest = &self.rest[1..];
                }
                self.kind = match previous {
                    Kind::InitialDigit | Kind::Digit => Kind::Digit,
                    Kind::Suffix => Kind::SuffixNo,
                    _ => return,
                };
                self.digits();
            }
            b'_' if previous <= Kind::SuffixNo => {
                self.rest = &self.rest[1..];
                self.span(u8::is_ascii_lowercase);
                if let Some(rank) = suffix_rank(self.value) {
                    self.suffix = rank;
                    self.kind = Kind::Suffix;
                }
            }
            b'~' if previous < Kind::CommitHash => {
                self.rest = &self.rest[1..];
                self.span(u8::is_ascii_hexdigit);
                if !self.value.is_empty() {
                    self.kind = Kind::CommitHash;
                }
            }
            b'-' if previous < Kind::RevisionNo && self.rest.starts_with(b"-r") => {
                self.rest = &self.rest[2..];
                self.kind = Kind::RevisionNo;
                self.digits();
            }
            _ => {}
        }
    }
}

/// `apk_version_validate`.
fn validate(version: &str) -> Result<(), VersionError> {
    let mut tokens = Tokens::first(version.as_bytes());
    while tokens.kind < Kind::End {
        tokens.advance();
    }
    if tokens.kind == Kind::End {
        Ok(())
    } else {
        let at = version.len() - tokens.rest.len();
        Err(invalid(
            Scheme::Apk,
            version,
            format!(
                "not digit{{.digit}}...{{letter}}{{_suf{{#}}}}...{{~hash}}{{-r#}} (at byte {at})"
            ),
        ))
    }
}

/// `token_cmp`, for two tokens of the same kind.
fn token_cmp(a: &Tokens<'_>, b: &Tokens<'_>) -> Ordering {
    match a.kind {
        Kind::Digit if a.value.first() == Some(&b'0') || b.value.first() == Some(&b'0') => {
            a.value.cmp(b.value)
        }
        Kind::InitialDigit | Kind::Digit | Kind::SuffixNo | Kind::RevisionNo => {
            cmp_decimal(a.value, b.value)
        }
        Kind::Letter => a.value.cmp(b.value),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        _ => a.value.cmp(b.value),
    }
}

pub(super) fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    validate(a)?;
    validate(b)?;
    let (mut ta, mut tb) = (Tokens::first(a.as_bytes()), Tokens::first(b.as_bytes()));
    while ta.kind == tb.kind && ta.kind < Kind::End {
        let order = token_cmp(&ta, &tb);
        if order != Ordering::Equal {
            return Ok(order);
        }
        ta.advance();
        tb.advance();
    }
    Ok(if ta.kind == tb.kind {
        Ordering::Equal
    } else if ta.kind == Kind::Suffix && ta.suffix < SUFFIX_NONE {
        Ordering::Less
    } else if tb.kind == Kind::Suffix && tb.suffix < SUFFIX_NONE {
        Ordering::Greater
    } else {
        // The later kind (ultimately the end of the string) is the older version.
        tb.kind.cmp(&ta.kind)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn check(cases: &[(&str, Ordering, &str)]) {
        super::super::assert_cases(compare, cases);
    }

    // apk-tools test/version.data (`apk version -t` semantics), a selection covering every
    // token kind; rows re-derived against the current tokeniser.
    #[test]
    fn apk_tools_version_data() {
        check(&[
            ("2.34", Greater, "0.1.0_alpha"),
            ("0.1.0_alpha", Equal, "0.1.0_alpha"),
            ("0.1.0_alpha", Less, "0.1.3_alpha"),
            ("0.1.0_alpha2", Greater, "0.1.0_alpha"),
            ("0.1.0_alpha", Less, "2.2.39-r1"),
            ("1.0.4-r3", Less, "1.0.4-r4"),
            ("1.0.4-r4", Less, "1.6"),
            ("1.1", Greater, "1.1_alpha1"),
            ("1.2.1", Greater, "1.2"),
            ("1.2", Less, "1.3_alpha"),
            ("1.3_alpha", Less, "1.3_alpha2"),
            ("0.7.0", Less, "0.8_beta1"),
            ("0.8_beta1", Less, "0.8_beta2"),
            ("3.10.18-r1", Greater, "2.3.0b-r1"),
            ("2.3.0b-r1", Less, "2.3.0b-r2"),
            ("0.12.3", Greater, "0.12"),
            ("0.12", Less, "0.13_beta1"),
            ("1.2.11", Less, "1.2.12.1"),
            ("0.2.0-r1", Less, "3.1_p16"),
            ("3.1_p16", Less, "3.1_p17"),
            ("1.06-r6", Less, "006"),
            ("006", Greater, "1.0.0"),
            ("1.2.2-r1", Greater, "1.2.2"),
            ("2.59", Less, "20050718-r1"),
            ("20050718-r1", Less, "20050718-r2"),
            ("3.9.8-r5", Greater, "2.01.01_alpha10"),
            ("2.01.01_alpha10", Greater, "0.94"),
            ("1.0", Greater, "0.99.3.20040818"),
            ("1.39", Greater, "1.00_beta2"),
            ("1.00_beta2", Greater, "0.9.2"),
            ("1.02", Less, "1.03-r1"),
            ("4.2.52_p2-r1", Less, "4.2.52_p4-r2"),
            ("4.2.52_p4-r2", Greater, "1.02.07"),
            ("1.02.07", Less, "1.02.10-r1"),
            ("2.18.3-r10", Greater, "1.05-r18"),
            ("1.05-r18", Less, "1.05-r19"),
            ("20060720", Greater, "3.0.20060720"),
            ("1.4.4-r1", Less, "2.1.9.200602141850"),
            ("2.5.1-r8", Less, "2.5.1a-r1"),
            ("1.3.5-r10", Greater, "1.3.5-r8"),
            ("20040401", Greater, "2.0.0_rc3-r1"),
            ("3.0.0-r2", Less, "021109-r3"),
            ("021109-r3", Less, "20060512"),
            ("0.9.16-r1", Less, "3.9_pre20060124"),
            ("3.9_pre20060124", Greater, "0.01"),
            ("0.01", Less, "0.06"),
            ("1.1.7", Less, "6b-r7"),
            ("0.10.0-r1", Greater, "0.10.0"),
            ("0.10.0", Less, "0.10.1_rc1"),
            ("1.1a", Less, "1.3a"),
            ("0.15.1b-r2", Greater, "0.15.1b"),
            ("22.7-r1", Less, "22.7.3-r1"),
            ("22.7.3-r1", Greater, "22.7"),
            ("2.1_pre20", Less, "2.1_pre26"),
            ("2.10.1", Greater, "02.08.01b"),
            ("02.08.01b", Less, "4.77"),
            ("3.81", Greater, "1.6d"),
            ("1.6d", Greater, "1.2.07.8"),
            ("1.2.07.8", Less, "1.2.12.04"),
            ("1.2.12.04", Less, "1.2.12.05"),
            ("0.1_pre20060810", Less, "0.1_pre20060817"),
            ("3.3.17", Greater, "0.59s-r11"),
            ("0.59s-r11", Less, "0.65"),
            ("4.01", Less, "4.20"),
            ("4.20", Greater, "0.20070118"),
            ("0.20070118", Less, "0.20070207_rc1"),
            ("0.20070207_rc1", Less, "1.0"),
            ("4.5_p1-r1", Greater, "4.5_p1"),
            ("0.9.8c-r1", Less, "0.9.8d"),
            ("2.2.3-r2", Less, "013"),
            ("013", Less, "014-r1"),
            ("1.7", Less, "1.7b"),
            ("1.8.5", Less, "1.8.5_p2"),
            ("2.9.11_pre20051101-r3", Greater, "2.9.11_pre20051101"),
            ("1.6.8_p12-r1", Greater, "1.6.8_p9-r2"),
            ("0.9.28.1", Less, "087-r1"),
            ("087-r1", Less, "103"),
            ("104-r11", Greater, "104-r9"),
            ("20040406-r1", Greater, "2.12r-r4"),
            ("2.12r-r4", Less, "2.12r-r5"),
            ("7.0.17", Less, "7.0.174"),
            ("1.3-r0", Less, "1.3.1-r0"),
            ("1.3_pre1-r1", Less, "1.3.2"),
            ("1.0_p10-r0", Greater, "1.0_p9-r0"),
            ("0.1.0_alpha_pre2", Less, "0.1.0_alpha"),
            (
                "1.0.0_pre20191002222144-r0",
                Less,
                "1.0.0_pre20210530193627-r0",
            ),
            // test/unit/version.data of apk-tools 3: suffixes around the bare version and the
            // leading-zero string rule.
            ("6.0_pre1", Less, "6.0"),
            ("6.1_pre1", Less, "6.1"),
            ("6.0_p1", Greater, "6.0"),
            ("6.1_p1", Greater, "6.1"),
            ("8.2.0", Less, "8.2.001"),
            ("8.2.0015", Less, "8.2.002"),
        ]);
    }

    // The suffix table of version.c, walked in order, and the `~hash` and `-r` tokens.
    #[test]
    fn suffix_ranks_hashes_and_revisions() {
        let ladder = [
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_beta",
            "1.0_beta2",
            "1.0_pre1",
            "1.0_rc1",
            "1.0_rc2",
            "1.0",
            "1.0-r0",
            "1.0-r1",
            "1.0~0123abc",
            "1.0~0123abd",
            "1.0~0123abd-r1",
            "1.0_cvs1",
            "1.0_svn1",
            "1.0_git20240101",
            "1.0_hg1",
            "1.0_p1",
            "1.0_p2",
            "1.0a",
            "1.0b",
            "1.0.0",
            "1.0.1_rc1",
            "1.0.1",
            "1.1",
        ];
        for (i, low) in ladder.iter().enumerate() {
            for high in &ladder[i + 1..] {
                check(&[(low, Less, high)]);
            }
        }
        check(&[
            ("1.0~ABC", Less, "1.0~abc"),
            ("1.0_alpha_beta", Less, "1.0_alpha"),
            ("1.0_alpha_beta", Less, "1.0_beta"),
            ("1.0a_p1-r2", Greater, "1.0a_p1-r1"),
            ("1.0-r10", Greater, "1.0-r9"),
            ("1.0-r00", Equal, "1.0-r0"),
            ("00001", Equal, "1"),
        ]);
    }

    #[test]
    fn numbers_of_any_length() {
        check(&[
            ("99999999999999999999999", Less, "100000000000000000000000"),
            (
                "1.99999999999999999999999",
                Less,
                "1.100000000000000000000000",
            ),
            (
                "1.0-r18446744073709551616",
                Greater,
                "1.0-r18446744073709551615",
            ),
        ]);
    }

    // apk_version_validate, including apk-tools 3's `!version` validity rows.
    #[test]
    fn validity() {
        for good in [
            "0",
            "1.0",
            "1.0a",
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_alpha_beta2",
            "1.0-r0",
            "1.0_p1-r2",
            "0.1_pre2~1234abcd",
            "1.0~ABCdef-r1",
            "1.0a_rc1-r3",
        ] {
            assert!(validate(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a",
            ".1",
            "1.",
            "1..2",
            "1.0bc",
            "1.0a1",
            "1.0a.1",
            "1.0_foo",
            "1.0_foo1",
            "23_foo",
            "1.0_",
            "1.0-1",
            "1.0-r",
            "1.0-r1-r2",
            "1.0-r1_p1",
            "1.0-r2_p3_pre1",
            "1.0~",
            "1.0~xyz",
            "1.0~abcg",
            "1.0~abc~def",
            "1.0~abc_p1",
            "1.0_ALPHA",
            "1.0A",
            "1.0 ",
            " 1.0",
            "v1.0",
            "1.0-pre1.1",
        ] {
            let err = compare(bad, "1.0").unwrap_err();
            assert!(
                matches!(&err, VersionError::Invalid { version, .. } if version == bad),
                "{bad}: {err}"
            );
        }
    }
}
