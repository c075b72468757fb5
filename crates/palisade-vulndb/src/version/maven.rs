//! Maven versions: `ComparableVersion` of `maven-artifact`.
//!
//! Rules: Maven 3.9's `org.apache.maven.artifact.versioning.ComparableVersion` (with MNG-5568,
//! MNG-6572, MNG-6964 and MNG-7644), ported item for item, and the POM reference's "Version
//! Order Specification". The lower-cased version is split into items at `.`, at `-` (which
//! opens a nested list) and at digit/letter transitions (which, after a letter, also nest, and
//! a trailing `.X` qualifier is treated as `-X`); empty items are `0`; numbers compare as
//! integers of any length; qualifiers compare as `alpha` (`a` before a digit) < `beta` (`b`) <
//! `milestone` (`m`) < `rc` = `cr` < `snapshot` < `` = `ga` = `final` = `release` < `sp` <
//! anything else (alphabetically, by UTF-16 code unit as Java does); trailing null items (`0`,
//! ``, empty lists) are trimmed, so `1` = `1.0` = `1.0.0` = `1-ga`. Padding compares a missing
//! item as null: a number beats it unless it is 0, a qualifier loses to it unless it ranks
//! after the release. A number beats a list (`1-1` < `1.1`) and a qualifier (`1-sp` < `1-1`).
//!
//! Differences from Maven 3.9:
//! - A qualifier against a nested list: Maven 3.9 ranks every qualifier below every list, which
//!   is not transitive (`1` < `1-sp` < `1-0.alpha`, yet `1-0.alpha` = `[1, [[alpha]]]` < `1`);
//!   here, as in Maven 4, the qualifier is compared with the list's first item and the list's
//!   other items with null, so `1-0.alpha` < `1` < `1-sp`.
//! - Digits are ASCII only (Maven 3.9 also splits at other Unicode digits; Maven 4 does not).
//! - A run of zeros longer than nine digits is zero (Maven 3.9 keeps it as a `LongItem` or
//!   `BigIntegerItem` that outranks every short number).
//! - Not ported: MNG-7714 (Maven 3.9.2: `final`/`ga`/`release` keep their place instead of
//!   being trimmed, so `1.0.final-redhat` < `1.0-sp1-redhat`; here, as in 3.9.0 and 3.9.1,
//!   `1.0.final-redhat` equals `1-redhat`) and Maven 4's other changes (`X-1` read as `X1`).
//!
//! Every string is accepted except the empty one. Comparison walks the nested lists
//! iteratively, so deep nesting (`1-1-1-…`) cannot exhaust the stack.
//!
//! Why no crate: none of the crate's dependencies implements `ComparableVersion`, and the item
//! model is short enough to port with every edge case visible here.

use std::cmp::Ordering;

use super::{Scheme, VersionError, cmp_decimal, invalid};

/// A non-list item.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scalar {
    /// Digits without leading zeros (`0` is the empty string).
    Number(String),
    /// A qualifier, lower-cased and aliased.
    Qualifier(String),
}

/// The parsed items. Every nested list is the last item of its parent, so the tree is a
/// chain: `levels[k]` holds list k's other items, and list k+1 (when `k + 1 < levels.len()`)
/// follows them.
#[derive(Debug)]
struct Items {
    levels: Vec<Vec<Scalar>>,
}

/// One item of a list: a scalar or the nested list (by level).
#[derive(Clone, Copy)]
enum Item<'a> {
    Scalar(&'a Scalar),
    List(usize),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// The rank of the empty qualifier, i.e. of a release.
const RELEASE: usize = 5;

/// `StringItem`'s constructor: the `a1`/`b1`/`m1` shorthands, then the aliases.
fn qualifier(value: String, followed_by_digit: bool) -> Scalar {
    let value = match value.as_str() {
        "a" if followed_by_digit => "alpha".to_string(),
        "b" if followed_by_digit => "beta".to_string(),
        "m" if followed_by_digit => "milestone".to_string(),
        "ga" | "final" | "release" => String::new(),
        "cr" => "rc".to_string(),
        _ => value,
    };
    Scalar::Qualifier(value)
}

/// `parseItem`.
fn item(is_digit: bool, text: String) -> Scalar {
    if is_digit {
        Scalar::Number(text.trim_start_matches('0').to_string())
    } else {
        qualifier(text, false)
    }
}

fn is_null(scalar: &Scalar) -> bool {
    match scalar {
        Scalar::Number(digits) | Scalar::Qualifier(digits) => digits.is_empty(),
    }
}

/// `parseVersion`.
fn parse(version: &str) -> Items {
    let chars: Vec<char> = version.to_lowercase().chars().collect();
    let text = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    let mut levels: Vec<Vec<Scalar>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c == '.' || c == '-' {
            let scalar = if i == start {
                Scalar::Number(String::new())
            } else {
                item(is_digit, text(start, i))
            };
            let k = levels.len() - 1;
            levels[k].push(scalar);
            start = i + 1;
            if c == '-' {
                levels.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // 1.0.0.X1 < 1.0.0-X2: a qualifier followed by digits opens a list.
                if !levels[levels.len() - 1].is_empty() {
                    levels.push(Vec::new());
                }
                let k = levels.len() - 1;
                levels[k].push(qualifier(text(start, i), true));
                start = i;
                levels.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                let k = levels.len() - 1;
                levels[k].push(item(true, text(start, i)));
                start = i;
                levels.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if chars.len() > start {
        // Treat a trailing .X as -X.
        if !is_digit && !levels[levels.len() - 1].is_empty() {
            levels.push(Vec::new());
        }
        let k = levels.len() - 1;
        levels[k].push(item(is_digit, text(start, chars.len())));
    }
    // `normalize`, innermost list first: drop a trailing empty list, then trailing nulls.
    for k in (0..levels.len()).rev() {
        if levels.len() == k + 2 && levels[k + 1].is_empty() {
            levels.truncate(k + 1);
        }
        while levels[k].last().is_some_and(is_null) {
            levels[k].pop();
        }
    }
    Items { levels }
}

impl Items {
    /// Item `i` of list `k`, None past its end.
    fn get(&self, k: usize, i: usize) -> Option<Item<'_>> {
        let scalars = &self.levels[k];
        match scalars.get(i) {
            Some(scalar) => Some(Item::Scalar(scalar)),
            None if i == scalars.len() && k + 1 < self.levels.len() => Some(Item::List(k + 1)),
            None => None,
        }
    }

    fn len(&self, k: usize) -> usize {
        self.levels[k].len() + usize::from(k + 1 < self.levels.len())
    }

    /// `ListItem.compareTo(null)` for list k: the first item that differs from null decides.
    fn list_vs_null(&self, mut k: usize) -> Ordering {
        loop {
            for scalar in &self.levels[k] {
                let order = scalar_vs_null(scalar);
                if order.is_ne() {
                    return order;
                }
            }
            if k + 1 >= self.levels.len() {
                return Ordering::Equal;
            }
            k += 1;
        }
    }

    /// Maven 4's `ListItem.compareTo(StringItem)` for list k: its first item against the
    /// qualifier, then its other items against null (the qualifier acts as the list `[q]`).
    fn list_vs_qualifier(&self, mut k: usize, q: &str) -> Ordering {
        loop {
            let first = match self.get(k, 0) {
                None => return cmp_qualifiers(q, QUALIFIERS[RELEASE]).reverse(),
                Some(Item::Scalar(Scalar::Number(_))) => Ordering::Greater,
                Some(Item::Scalar(Scalar::Qualifier(p))) => cmp_qualifiers(p, q),
                // A list's first item is a list only when it has no other items.
                Some(Item::List(inner)) => {
                    k = inner;
                    continue;
                }
            };
            if first.is_ne() {
                return first;
            }
            for scalar in &self.levels[k][1..] {
                let order = scalar_vs_null(scalar);
                if order.is_ne() {
                    return order;
                }
            }
            return if k + 1 < self.levels.len() {
                self.list_vs_null(k + 1)
            } else {
                Ordering::Equal
            };
        }
    }

    fn item_vs_null(&self, item: Item<'_>) -> Ordering {
        match item {
            Item::Scalar(scalar) => scalar_vs_null(scalar),
            Item::List(k) => self.list_vs_null(k),
        }
    }
}

/// A qualifier's rank: known ones by position, unknown ones after them all, alphabetically.
fn cmp_qualifiers(a: &str, b: &str) -> Ordering {
    let rank = |q: &str| QUALIFIERS.iter().position(|&known| known == q);
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        // Java's String.compareTo: UTF-16 code units.
        (None, None) => a.encode_utf16().cmp(b.encode_utf16()),
    }
}

/// `compareTo(null)` of a number or qualifier.
fn scalar_vs_null(scalar: &Scalar) -> Ordering {
    match scalar {
        Scalar::Number(digits) if digits.is_empty() => Ordering::Equal,
        Scalar::Number(_) => Ordering::Greater,
        Scalar::Qualifier(q) => cmp_qualifiers(q, QUALIFIERS[RELEASE]),
    }
}

/// `ListItem.compareTo(ListItem)` of the two top-level lists, nested lists followed in a loop.
fn cmp_items(a: &Items, b: &Items) -> Ordering {
    let (mut ka, mut kb) = (0, 0);
    'lists: loop {
        for i in 0..a.len(ka).max(b.len(kb)) {
            let order = match (a.get(ka, i), b.get(kb, i)) {
                (Some(Item::List(x)), Some(Item::List(y))) => {
                    // Both nested lists are the last items of their parents.
                    (ka, kb) = (x, y);
                    continue 'lists;
                }
                (None, None) => Ordering::Equal,
                (Some(x), None) => a.item_vs_null(x),
                (None, Some(y)) => b.item_vs_null(y).reverse(),
                (Some(Item::Scalar(x)), Some(Item::Scalar(y))) => match (x, y) {
                    (Scalar::Number(m), Scalar::Number(n)) => {
                        cmp_decimal(m.as_bytes(), n.as_bytes())
                    }
                    (Scalar::Number(_), Scalar::Qualifier(_)) => Ordering::Greater,
                    (Scalar::Qualifier(_), Scalar::Number(_)) => Ordering::Less,
                    (Scalar::Qualifier(p), Scalar::Qualifier(q)) => cmp_qualifiers(p, q),
                },
                // A number beats a list; a qualifier against a list as Maven 4 compares them.
                (Some(Item::Scalar(Scalar::Number(_))), Some(Item::List(_))) => Ordering::Greater,
                (Some(Item::List(_)), Some(Item::Scalar(Scalar::Number(_)))) => Ordering::Less,
                (Some(Item::Scalar(Scalar::Qualifier(q))), Some(Item::List(y))) => {
                    b.list_vs_qualifier(y, q).reverse()
                }
                (Some(Item::List(x)), Some(Item::Scalar(Scalar::Qualifier(q)))) => {
                    a.list_vs_qualifier(x, q)
                }
            };
            if order.is_ne() {
                return order;
            }
        }
        return Ordering::Equal;
    }
}

pub(super) fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    for version in [a, b] {
        if version.is_empty() {
            return Err(invalid(Scheme::Maven, version, "empty"));
        }
    }
    Ok(cmp_items(&parse(a), &parse(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap()
    }

    fn ordered(low: &str, high: &str) {
        assert_eq!(cmp(low, high), Less, "{low} < {high}");
        assert_eq!(cmp(high, low), Greater, "{high} > {low}");
    }

    fn equal(a: &str, b: &str) {
        assert_eq!(cmp(a, b), Equal, "{a} = {b}");
        assert_eq!(cmp(b, a), Equal, "{b} = {a}");
    }

    fn ascending(versions: &[&str]) {
        for (i, low) in versions.iter().enumerate() {
            for high in &versions[i + 1..] {
                ordered(low, high);
            }
        }
    }

    // maven-artifact ComparableVersionTest: VERSIONS_QUALIFIER and VERSIONS_NUMBER (the lists
    // as of MNG-7644), each in ascending order.
    #[test]
    fn comparable_version_test_lists() {
        ascending(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
        ascending(&[
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    // ComparableVersionTest.testVersionsEqual and testVersionsHaveSameOrderButAreNotEqual.
    #[test]
    fn comparable_version_test_equal() {
        for (a, b) in [
            ("1", "1"),
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1.0", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.0-0"),
            ("1.0", "1.0-0"),
            ("1a", "1-a"),
            ("1a", "1.0-a"),
            ("1a", "1.0.0-a"),
            ("1.0a", "1-a"),
            ("1.0.0a", "1-a"),
            ("1x", "1-x"),
            ("1x", "1.0-x"),
            ("1x", "1.0.0-x"),
            ("1.0x", "1-x"),
            ("1.0.0x", "1-x"),
            ("1cr", "1rc"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1X", "1x"),
            ("1A", "1a"),
            ("1B", "1b"),
            ("1M", "1m"),
            ("1Cr", "1Rc"),
            ("1cR", "1rC"),
            ("1m3", "1Milestone3"),
            ("1m3", "1MileStone3"),
            ("1m3", "1MILESTONE3"),
            ("1ga", "1"),
            ("1release", "1"),
            ("1final", "1"),
            ("1Ga", "1"),
            ("1GA", "1"),
            ("1RELEASE", "1"),
            ("1RELeaSE", "1"),
            ("1Final", "1"),
            ("1FinaL", "1"),
            ("1FINAL", "1"),
            ("1.0.0-ALPHA1", "1.0.0-alpha1"),
            ("1.A", "1.a"),
            ("1.É", "1.é"),
            (
                "1-abcdefghijklmnopqrstuvwxyz",
                "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            ),
        ] {
            equal(a, b);
        }
    }

    // ComparableVersionTest.testVersionComparing and testLeadingZeroes.
    #[test]
    fn comparable_version_test_comparing() {
        for (low, high) in [
            ("1", "2"),
            ("1.5", "2"),
            ("1", "2.5"),
            ("1.0", "1.1"),
            ("1.1", "1.2"),
            ("1.0.0", "1.1"),
            ("1.0.1", "1.1"),
            ("1.1", "1.2.0"),
            ("1.0-alpha-1", "1.0"),
            ("1.0-alpha-1", "1.0-alpha-2"),
            ("1.0-alpha-1", "1.0-beta-1"),
            ("1.0-beta-1", "1.0-SNAPSHOT"),
            ("1.0-SNAPSHOT", "1.0"),
            ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
            ("1.0", "1.0-1"),
            ("1.0-1", "1.0-2"),
            ("1.0.0", "1.0-1"),
            ("2.0-1", "2.0.1"),
            ("2.0.1-klm", "2.0.1-lmn"),
            ("2.0.1", "2.0.1-xyz"),
            ("2.0.1", "2.0.1-123"),
            ("2.0.1-xyz", "2.0.1-123"),
            ("0.7", "2"),
            ("0.2", "1.0.7"),
        ] {
            ordered(low, high);
        }
    }

    // ComparableVersionTest: MNG-5568 (transitivity), MNG-6572 (long numbers), leading zeros,
    // MNG-6964 (qualifiers after -0.), MNG-7644 (.X1 < -X2), digits against letters and
    // non-ASCII.
    #[test]
    fn comparable_version_test_issues() {
        // MNG-5568
        ordered("6.1.0rc3", "6.1.0");
        ordered("6.1.0rc3", "6.1H.5-beta");
        ordered("6.1.0", "6.1H.5-beta");
        // MNG-6572
        let (a, b, c, d) = (
            "20190126.230843",
            "1234567890.12345",
            "123456789012345.1H.5-beta",
            "12345678901234567890.1H.5-beta",
        );
        ascending(&[a, b, c, d]);
        // leading zeros
        for i in 0..19 {
            equal(&format!("{}1", "0".repeat(i)), "1");
            equal(&"0".repeat(i + 1), "0");
        }
        // MNG-6964
        ordered("1-0.alpha", "1");
        ordered("1-0.beta", "1");
        ordered("1-0.alpha", "1-0.beta");
        // MNG-7644
        for x in [
            "abc",
            "alpha",
            "a",
            "beta",
            "b",
            "def",
            "milestone",
            "m",
            "RC",
        ] {
            ordered(&format!("1.0.0.{x}1"), &format!("1.0.0-{x}2"));
            equal(&format!("2-{x}"), &format!("2.0.{x}"));
            equal(&format!("2-{x}"), &format!("2.0.0.{x}"));
            equal(&format!("2.0.{x}"), &format!("2.0.0.{x}"));
        }
        // digits beat letters and non-ASCII characters; non-ASCII digits are not digits
        ordered("J", "7");
        ordered("c", "7");
        ordered("é", "1");
        ordered("\u{1D7E4}", "1");
        ordered("\u{0668}", "1");
        ordered("\u{0668}", "9");
        ordered("aardvark", "zebra");
        ordered("zebra", "ζέβρα");
    }

    // POM reference, "Version Order Specification" examples.
    #[test]
    fn pom_reference_examples() {
        ordered("1", "1.1");
        ordered("1-snapshot", "1");
        ordered("1", "1-sp");
        ordered("1-foo2", "1-foo10");
        equal("1.foo", "1-foo");
        ordered("1-foo", "1-1");
        ordered("1-1", "1.1");
        for same in ["1.ga", "1-ga", "1-0", "1.0", "1"] {
            equal(same, "1");
        }
        ordered("1-ga", "1-sp");
        ordered("1-ga.1", "1-sp.1");
        ordered("1-sp-1", "1-ga-1");
        // The reference also says `1-ga-1` = `1-1`; Maven 3.9's code orders `1-ga-1`
        // (`[1, [[1]]]`) below `1-1` (`[1, [1]]`), and so does the port.
        ordered("1-ga-1", "1-1");
        equal("1-a1", "1-alpha-1");
    }

    // Maven 3.9 ranks every qualifier below every list, which is not transitive:
    // 1 < 1-sp < 1-0.alpha ([1, [[alpha]]]) < 1. Maven 4 compares a qualifier with the list's
    // first item instead, as here.
    #[test]
    fn qualifiers_against_lists_as_maven_4() {
        ascending(&["1-0.alpha", "1", "1-sp"]);
        ascending(&["1-0-0-0.alpha", "1-0.beta", "1-beta.1", "1-sp.1", "1-1"]);
        let deep = format!("1{}alpha", "-0".repeat(50_000));
        ordered(&deep, "1-beta");
        ordered("1-alpha", &deep.replace("alpha", "alpha1"));
    }

    #[test]
    fn long_numbers_deep_nesting_and_odd_input() {
        ordered("1.99999999999999999999999", "1.100000000000000000000000");
        equal("1.0000000000000000000000", "1");
        ordered("1.0000000000.5", "1.1.5");
        let deep = "1-".repeat(100_000);
        assert_eq!(cmp(&deep, &deep), Equal);
        ordered(&deep, &format!("{deep}1"));
        assert!(compare("", "1").is_err());
        equal("-", "0");
        equal("...", "0");
        ordered("1 2", "1.2");
    }
}
