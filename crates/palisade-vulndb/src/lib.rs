//! palisade-vulndb owns vulnerability knowledge: OSV advisories imported into one SQLite file
//! (indexed by ecosystem and normalised package name, updated atomically), the version
//! comparators of each ecosystem (dpkg, apk, RPM, PEP 440, SemVer, Go, Maven, RubyGems) that
//! decide whether an installed version falls in an advisory's affected ranges, and the matching
//! of a cataloged package list against the store.

pub mod version;
