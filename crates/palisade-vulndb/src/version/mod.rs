//! Version ordering, one comparator per ecosystem, each following that ecosystem's own rules.
//!
//! This module owns the question "is version `a` older than, equal to or newer than version `b`
//! in ecosystem `e`?", which every affected-range check of the matcher reduces to. It maps OSV
//! ecosystem names (and the fallback names palisade's catalog emits for rpm distributions OSV
//! does not cover) to a [`Scheme`], and each scheme is a port of, or a thin wrapper around, the
//! algorithm the ecosystem's own package manager uses: dpkg's `verrevcmp`, apk-tools' tokeniser,
//! rpm's `rpmvercmp`, the `packaging` library's PEP 440 key, the SemVer 2.0.0 precedence rules
//! (as `golang.org/x/mod/semver` implements them), Go's `go/version`, Maven's
//! `ComparableVersion` and RubyGems' `Gem::Version`. Each file says where its rules come from,
//! which edge cases the original has, and why a crate is or is not used for it.
//!
//! Common ground:
//! - A comparison never panics, whatever the input; a string the scheme rejects is a
//!   [`VersionError::Invalid`] naming it (the first of the two when both are bad). The schemes
//!   that accept any string (rpm, Maven) reject only the empty one.
//! - Numbers are compared as digit strings (leading zeros stripped, then length, then bytes), so
//!   arbitrarily long numbers order correctly wherever the scheme allows them.
//! - Each comparison is a total order over the versions the scheme accepts: antisymmetric and
//!   transitive (checked by a property test over sample and random versions). Where the original
//!   is not a total order, the file says what it does instead: rpm's "a missing release matches
//!   any release" is a wildcard match, not an order (a missing release sorts first here), and
//!   Maven 3.9 ranks a qualifier below any nested list, which is not transitive (Maven 4's rule
//!   is used).
//! - OSV's `"0"` ("introduced at the beginning") is not special-cased: it is a valid version in
//!   most schemes but not in SemVer; the range matcher handles that sentinel.

use std::cmp::Ordering;
use std::fmt;

mod apk;
mod dpkg;
mod go;
mod maven;
mod pep440;
mod rpm;
mod rubygems;
mod semver;

#[cfg(test)]
mod properties;

/// A version ordering scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Debian and Ubuntu: dpkg's epoch:upstream-revision ordering.
    Dpkg,
    /// Alpine, Wolfi, Chainguard: apk-tools' ordering.
    Apk,
    /// RPM distributions: rpmvercmp over epoch:version-release.
    Rpm,
    /// PyPI: PEP 440.
    Pep440,
    /// SemVer 2.0.0 precedence (npm, crates.io, Hex, and OSV's `SEMVER` range type).
    SemVer,
    /// Go: module versions (SemVer with `v`) and toolchain versions (`go1.21rc1`).
    Go,
    /// Maven: `ComparableVersion`.
    Maven,
    /// RubyGems: `Gem::Version`.
    RubyGems,
}

/// Why two versions could not be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The ecosystem has no known version scheme.
    #[error("no version ordering is known for ecosystem {0:?}")]
    UnknownEcosystem(String),
    /// A version the scheme does not accept.
    #[error("{scheme} version {version:?} is invalid: {reason}")]
    Invalid {
        scheme: Scheme,
        version: String,
        reason: String,
    },
}

impl Scheme {
    /// The scheme of an OSV ecosystem name; a `:release` suffix (`Debian:12`, `Alpine:v3.20`,
    /// `Red Hat:enterprise_linux:9`) is accepted and ignored. None for unknown ecosystems.
    ///
    /// Names are matched ignoring ASCII case. Besides the OSV names, the fallback ecosystems
    /// palisade's rpm cataloger emits for distributions OSV has none for (`fedora:40`,
    /// `centos:7`, `amzn:2`, `ol:8`, plain `rpm`) are rpm. Ecosystems whose ordering is not one
    /// of these schemes exactly are unknown: NuGet (four-part versions, case-insensitive
    /// pre-release labels), Pub (build metadata orders, unlike SemVer), Packagist and the rest.
    pub fn for_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let name = ecosystem
            .split_once(':')
            .map_or(ecosystem, |(name, _)| name);
        const NAMES: &[(&str, Scheme)] = &[
            ("Debian", Scheme::Dpkg),
            ("Ubuntu", Scheme::Dpkg),
            ("Alpine", Scheme::Apk),
            ("Wolfi", Scheme::Apk),
            ("Chainguard", Scheme::Apk),
            ("Red Hat", Scheme::Rpm),
            ("AlmaLinux", Scheme::Rpm),
            ("Rocky Linux", Scheme::Rpm),
            ("openSUSE", Scheme::Rpm),
            ("SUSE", Scheme::Rpm),
            ("Mageia", Scheme::Rpm),
            ("Photon OS", Scheme::Rpm),
            ("openEuler", Scheme::Rpm),
            ("Azure Linux", Scheme::Rpm),
            ("fedora", Scheme::Rpm),
            ("centos", Scheme::Rpm),
            ("amzn", Scheme::Rpm),
            ("ol", Scheme::Rpm),
            ("rpm", Scheme::Rpm),
            ("PyPI", Scheme::Pep440),
            ("npm", Scheme::SemVer),
            ("crates.io", Scheme::SemVer),
            ("Hex", Scheme::SemVer),
            ("Go", Scheme::Go),
            ("Maven", Scheme::Maven),
            ("RubyGems", Scheme::RubyGems),
        ];
        NAMES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|&(_, scheme)| scheme)
    }

    /// Compares two versions; an error names the version that does not parse.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        match self {
            Scheme::Dpkg => dpkg::compare(a, b),
            Scheme::Apk => apk::compare(a, b),
            Scheme::Rpm => rpm::compare(a, b),
            Scheme::Pep440 => pep440::compare(a, b),
            Scheme::SemVer => semver::compare(a, b),
            Scheme::Go => go::compare(a, b),
            Scheme::Maven => maven::compare(a, b),
            Scheme::RubyGems => rubygems::compare(a, b),
        }
    }

    /// The scheme's name as its ecosystem writes it.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Apk => "apk",
            Scheme::Rpm => "rpm",
            Scheme::Pep440 => "PEP 440",
            Scheme::SemVer => "SemVer",
            Scheme::Go => "Go",
            Scheme::Maven => "Maven",
            Scheme::RubyGems => "RubyGems",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `Scheme::for_ecosystem(e)` then `compare`, with an error for unknown ecosystems.
pub fn compare(ecosystem: &str, a: &str, b: &str) -> Result<Ordering, VersionError> {
    Scheme::for_ecosystem(ecosystem)
        .ok_or_else(|| VersionError::UnknownEcosystem(ecosystem.to_string()))?
        .compare(a, b)
}

/// The error for `version`, which `scheme` rejects because of `reason`.
fn invalid(scheme: Scheme, version: &str, reason: impl Into<String>) -> VersionError {
    VersionError::Invalid {
        scheme,
        version: version.to_string(),
        reason: reason.into(),
    }
}

/// Parses both versions with `parse`, naming the first one that fails.
fn parse_both<'a, T>(
    scheme: Scheme,
    a: &'a str,
    b: &'a str,
    parse: impl Fn(&'a str) -> Result<T, String>,
) -> Result<(T, T), VersionError> {
    let pa = parse(a).map_err(|reason| invalid(scheme, a, reason))?;
    let pb = parse(b).map_err(|reason| invalid(scheme, b, reason))?;
    Ok((pa, pb))
}

/// Compares two runs of ASCII digits as the non-negative integers they spell, of any length.
fn cmp_decimal(a: &[u8], b: &[u8]) -> Ordering {
    fn strip(digits: &[u8]) -> &[u8] {
        let zeros = digits.iter().take_while(|&&d| d == b'0').count();
        &digits[zeros..]
    }
    let (a, b) = (strip(a), strip(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Asserts each `(a, ordering, b)` case of a scheme's comparator, both ways round.
#[cfg(test)]
fn assert_cases(
    compare: fn(&str, &str) -> Result<Ordering, VersionError>,
    cases: &[(&str, Ordering, &str)],
) {
    let ordered = |x: &str, y: &str| compare(x, y).unwrap_or_else(|e| panic!("{x} vs {y}: {e}"));
    for &(a, expected, b) in cases {
        assert_eq!(ordered(a, b), expected, "{a} vs {b}");
        assert_eq!(ordered(b, a), expected.reverse(), "{b} vs {a}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_map_to_schemes_with_and_without_release_suffixes() {
        let cases = [
            ("Debian", Scheme::Dpkg),
            ("Debian:12", Scheme::Dpkg),
            ("Ubuntu:22.04:LTS", Scheme::Dpkg),
            ("Ubuntu:Pro:18.04:LTS", Scheme::Dpkg),
            ("Alpine:v3.20", Scheme::Apk),
            ("Wolfi", Scheme::Apk),
            ("Chainguard", Scheme::Apk),
            ("Red Hat:enterprise_linux:9", Scheme::Rpm),
            ("Red Hat:enterprise_linux:9::appstream", Scheme::Rpm),
            ("AlmaLinux:9", Scheme::Rpm),
            ("Rocky Linux:8", Scheme::Rpm),
            ("openSUSE:Leap 15.6", Scheme::Rpm),
            ("SUSE:Linux Enterprise Server 15 SP5", Scheme::Rpm),
            ("Mageia:9", Scheme::Rpm),
            ("Photon OS:5.0", Scheme::Rpm),
            ("openEuler:24.03-LTS", Scheme::Rpm),
            ("Azure Linux:3", Scheme::Rpm),
            ("fedora:40", Scheme::Rpm),
            ("centos:7", Scheme::Rpm),
            ("centos", Scheme::Rpm),
            ("amzn:2", Scheme::Rpm),
            ("ol:8", Scheme::Rpm),
            ("rpm", Scheme::Rpm),
            ("PyPI", Scheme::Pep440),
            ("npm", Scheme::SemVer),
            ("crates.io", Scheme::SemVer),
            ("Hex", Scheme::SemVer),
            ("Go", Scheme::Go),
            ("Maven", Scheme::Maven),
            ("RubyGems", Scheme::RubyGems),
            ("pypi", Scheme::Pep440),
        ];
        for (ecosystem, scheme) in cases {
            assert_eq!(
                Scheme::for_ecosystem(ecosystem),
                Some(scheme),
                "{ecosystem}"
            );
        }
        for unknown in [
            "NuGet",
            "Pub",
            "Packagist",
            "Hackage",
            "Linux",
            "",
            ":12",
            "Debianx",
            "Red",
        ] {
            assert_eq!(Scheme::for_ecosystem(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn compare_dispatches_and_reports_unknown_ecosystems_and_invalid_versions() {
        assert_eq!(compare("Debian:12", "1.0~rc1", "1.0"), Ok(Ordering::Less));
        assert_eq!(compare("PyPI", "1.0.0", "1.0"), Ok(Ordering::Equal));
        assert_eq!(
            compare("NuGet", "1.0", "2.0"),
            Err(VersionError::UnknownEcosystem("NuGet".to_string()))
        );
        let err = compare("npm", "1.0.0", "1.0").unwrap_err();
        match &err {
            VersionError::Invalid {
                scheme, version, ..
            } => {
                assert_eq!(*scheme, Scheme::SemVer);
                assert_eq!(version, "1.0");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string()
                .contains("SemVer version \"1.0\" is invalid")
        );
        // Both invalid: the first is named.
        match Scheme::SemVer.compare("x", "y") {
            Err(VersionError::Invalid { version, .. }) => assert_eq!(version, "x"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decimal_runs_of_any_length_compare_as_numbers() {
        assert_eq!(cmp_decimal(b"0010", b"10"), Ordering::Equal);
        assert_eq!(cmp_decimal(b"", b"0"), Ordering::Equal);
        assert_eq!(cmp_decimal(b"9", b"10"), Ordering::Less);
        let huge = "9".repeat(400);
        let huger = format!("1{}", "0".repeat(400));
        assert_eq!(
            cmp_decimal(huge.as_bytes(), huger.as_bytes()),
            Ordering::Less
        );
    }
}
