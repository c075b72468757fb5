//! palisade-vulndb owns vulnerability knowledge: OSV advisories imported into one SQLite file
//! (indexed by ecosystem and normalised package name, updated atomically), the version
//! comparators of each ecosystem (dpkg, apk, RPM, PEP 440, SemVer, Go, Maven, RubyGems) that
//! decide whether an installed version falls in an advisory's affected ranges, and the matching
//! of a cataloged package list against the store.
//!
//! - [`osv`]: the OSV schema, as far as matching reads it.
//! - [`store`]: the SQLite advisory store: schema, lookup by ecosystem and package, status.
//! - [`import`](mod@import): atomic import of OSV files, directories and `all.zip` archives.
//! - [`update`](mod@update): resumable, checksummed downloads of osv.dev's archives from mirrors.
//! - [`version`]: version ordering per ecosystem.
//! - [`matcher`]: which advisories affect an installed version, merged by alias.
//! - [`severity`]: CVSS v4.0/v3.x scores and database severity words.
//! - [`rule`]: the `vulnerability` rule of the registry.
//! - [`vex`]: OpenVEX statements that accept vulnerability findings.

pub mod error;
pub mod import;
pub mod matcher;
pub mod osv;
pub mod rule;
pub mod severity;
pub mod store;
pub mod update;
pub mod version;
pub mod vex;

pub use error::{Error, Result};
pub use import::{ImportOptions, ImportReport, import};
pub use osv::{Advisory, Vulnerability};
pub use store::{Status, Store};
pub use update::{UpdateOptions, UpdateReport, update};
