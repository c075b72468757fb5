//! The advisory store: one SQLite file of OSV advisories, indexed by ecosystem and normalised
//! package name.
//!
//! # Schema (version [`SCHEMA_VERSION`])
//!
//! - `advisories (pk INTEGER PRIMARY KEY, id TEXT, modified TEXT, withdrawn INTEGER, data BLOB)`:
//!   each advisory once, `data` being its [`Vulnerability`] as compact JSON (fields the
//!   matcher does not read are dropped, `details` is cut). Unique index on `id`. Not
//!   compressed: decompressing was a third of the matching time (the database is twice the
//!   size); `data` written zlib-compressed by earlier versions is still read.
//! - `affected (advisory, base_ecosystem, name_norm, ecosystem)`, `WITHOUT ROWID`, primary key
//!   in that order (so replacing an advisory's rows is a range delete), and the lookup index
//!   `affected_package (base_ecosystem, name_norm, ecosystem)`: one row per distinct package
//!   of an advisory. `ecosystem` is the full OSV string of the affected entry (`Debian:12`),
//!   `base_ecosystem` the part before the first `:` (`Debian`).
//! - `sources (location PRIMARY KEY, ecosystem, sha256, imported, skipped, imported_at)`: what
//!   was imported from where; importing the same location again replaces its row.
//! - `meta (key, value)`: `schema_version`, `updated_at` (Unix seconds of the last import).
//!
//! # Which ecosystem matches
//!
//! [`Store::lookup`] takes the ecosystem as the package's OSV ecosystem, with the release
//! where OSV has one (`Debian:12`, `Alpine:v3.20`, `Ubuntu:22.04:LTS`). An affected entry
//! matches when its ecosystem string equals that exactly. For the ecosystems in which OSV has
//! no releases ([`RELEASELESS_ECOSYSTEMS`]: `PyPI`, `npm`, `Go`, `crates.io`, `Maven`, ...) the
//! base ecosystems (before any `:`) are compared instead, so a stray suffix on either side does
//! not hide a match. A distro ecosystem without a release (`Debian`) matches only entries that
//! have none either: advisories of one release never match another. Ecosystem names are
//! compared case-sensitively, as OSV spells them.
//!
//! Package names are compared after [`normalize_name`]: PyPI names per PEP 503 (lowercase, runs
//! of `-`, `_` and `.` become one `-`), every other ecosystem's names as they are (Go module
//! paths are case-sensitive, Maven's `group:artifact` is kept whole).

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::error::{Error, Result, SqlContext};
use crate::osv::{Advisory, Vulnerability};

/// The version of the schema described in the module docs; a database of another version is
/// rebuilt by the next import or update.
pub const SCHEMA_VERSION: i64 = 1;

/// How old a database may be before status and scans warn about it.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

/// The file name of the database in the user cache directory.
pub const DB_FILE_NAME: &str = "osv.sqlite";

/// OSV ecosystems whose entries carry no `:release` suffix, compared on their base name.
pub const RELEASELESS_ECOSYSTEMS: &[&str] = &[
    "PyPI",
    "npm",
    "Go",
    "crates.io",
    "Maven",
    "RubyGems",
    "NuGet",
    "Packagist",
    "Hex",
    "Pub",
    "Hackage",
    "CRAN",
    "Bioconductor",
    "SwiftURL",
    "ConanCenter",
    "GitHub Actions",
    "Wolfi",
    "Chainguard",
];

pub(crate) const CREATE_TABLES: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources (
    location TEXT PRIMARY KEY,
    ecosystem TEXT,
    sha256 TEXT,
    imported INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    imported_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS advisories (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    modified TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
    advisory INTEGER NOT NULL,
    base_ecosystem TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    PRIMARY KEY (advisory, base_ecosystem, name_norm, ecosystem)
) WITHOUT ROWID;
";

/// Created after the bulk insert, dropped before it.
pub(crate) const CREATE_INDEXES: &str = "
CREATE UNIQUE INDEX IF NOT EXISTS advisories_id ON advisories (id);
CREATE INDEX IF NOT EXISTS affected_package ON affected (base_ecosystem, name_norm, ecosystem);
";

pub(crate) const DROP_INDEXES: &str = "
DROP INDEX IF EXISTS advisories_id;
DROP INDEX IF EXISTS affected_package;
";

/// The default database path: [`DB_FILE_NAME`] in [`crate::update::user_cache_dir`].
pub fn default_db_path() -> Option<PathBuf> {
    crate::update::user_cache_dir().map(|dir| dir.join(DB_FILE_NAME))
}

/// The ecosystem without its release: the part before the first `:`.
pub fn base_ecosystem(ecosystem: &str) -> &str {
    ecosystem
        .split_once(':')
        .map_or(ecosystem, |(base, _)| base)
}

/// Whether OSV has no releases in this (base) ecosystem; see the module docs.
pub fn is_releaseless(base: &str) -> bool {
    RELEASELESS_ECOSYSTEMS.contains(&base)
}

/// A package name as the index stores it: PEP 503 for PyPI, unchanged elsewhere.
pub fn normalize_name<'a>(ecosystem: &str, name: &'a str) -> Cow<'a, str> {
    if base_ecosystem(ecosystem) != "PyPI" {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
                in_run = true;
            }
        } else {
            in_run = false;
            out.extend(c.to_lowercase());
        }
    }
    if name == out {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(out)
    }
}

/// Whether an affected entry of `stored` ecosystem matches a lookup in `wanted`: the same, or
/// `stored` refining a release with more `:` parts (Red Hat's `Red Hat:enterprise_linux:9::appstream`
/// for `Red Hat:enterprise_linux:9`), or the same base for ecosystems without releases.
pub fn ecosystem_matches(wanted: &str, stored: &str) -> bool {
    if wanted == stored
        || wanted.contains(':')
            && stored
                .strip_prefix(wanted)
                .is_some_and(|rest| rest.starts_with(':'))
    {
        return true;
    }
    let base = base_ecosystem(wanted);
    is_releaseless(base) && base_ecosystem(stored) == base
}

/// Encodes an advisory for the `data` column: compact JSON.
pub(crate) fn encode(vuln: &Vulnerability) -> Vec<u8> {
    serde_json::to_vec(vuln).expect("an advisory always serialises")
}

/// Decodes the `data` column: plain JSON (it starts with `{`) or zlib (it starts with `x`).
pub(crate) fn decode(data: &[u8]) -> std::result::Result<Vulnerability, String> {
    if data.first() == Some(&b'{') {
        return serde_json::from_slice(data).map_err(|e| e.to_string());
    }
    let mut json = Vec::with_capacity(data.len() * 3);
    flate2::read::ZlibDecoder::new(data)
        .read_to_end(&mut json)
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&json).map_err(|e| e.to_string())
}

/// A read-only handle on the advisory database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// One imported source, as `palisade db status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// A path or a URL.
    pub location: String,
    /// The ecosystem it was downloaded for, or the base ecosystems found in it.
    pub ecosystem: Option<String>,
    /// The SHA-256 of the archive or file (none for directories).
    pub sha256: Option<String>,
    pub imported: u64,
    pub skipped: u64,
    pub imported_at: SystemTime,
}

/// Advisory and package counts of one base ecosystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcosystemCount {
    pub ecosystem: String,
    pub advisories: u64,
    pub packages: u64,
}

/// What `palisade db status` shows.
#[derive(Debug, Clone)]
pub struct Status {
    pub path: PathBuf,
    pub schema_version: i64,
    pub sources: Vec<Source>,
    /// All stored advisories, withdrawn included.
    pub advisories: u64,
    pub withdrawn: u64,
    /// Distinct (base ecosystem, normalised name) pairs.
    pub packages: u64,
    /// Per base ecosystem, by name.
    pub ecosystems: Vec<EcosystemCount>,
    /// When the last import or update finished.
    pub updated_at: Option<SystemTime>,
    /// How long ago that was (`None` when never; zero when the clock says it is in the future).
    pub age: Option<Duration>,
}

impl Status {
    /// Whether the database is older than `max_age` (or its age is unknown).
    pub fn is_stale(&self, max_age: Duration) -> bool {
        self.age.is_none_or(|age| age > max_age)
    }

    /// The warning to print when the database is stale, `None` when it is fresh.
    pub fn staleness_warning(&self, max_age: Duration) -> Option<String> {
        staleness_warning(&self.path, self.age, max_age)
    }
}

/// The warning for a database of this age (`None`: unknown), `None` when it is fresh.
fn staleness_warning(path: &Path, age: Option<Duration>, max_age: Duration) -> Option<String> {
    if age.is_some_and(|age| age <= max_age) {
        return None;
    }
    Some(match age {
        Some(age) => format!(
            "the vulnerability database {} was last updated {} ago (more than {}): run `palisade db update`",
            path.display(),
            human_duration(age),
            human_duration(max_age)
        ),
        None => format!(
            "the vulnerability database {} has no known update time: run `palisade db update`",
            path.display()
        ),
    })
}

/// `3d 4h`, `5h 2m`, `40s`: a short, rounded-down duration.
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, minutes) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    if days > 0 {
        if hours > 0 {
            format!("{days}d {hours}h")
        } else {
            format!("{days}d")
        }
    } else if hours > 0 {
        format!("{hours}h {minutes}m")
    } else if minutes > 0 {
        format!("{minutes}m")
    } else {
        format!("{s}s")
    }
}

impl Store {
    /// Opens the database read-only; an error names the path when it is missing, is not an
    /// advisory database, or has another schema version.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if !path.is_file() {
            return Err(Error::Missing(path));
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .db(&path)?;
        let found = schema_version(&conn).db(&path)?;
        match found {
            Some(SCHEMA_VERSION) => Ok(Store { conn, path }),
            Some(found) => Err(Error::Schema {
                path,
                found,
                expected: SCHEMA_VERSION,
            }),
            None => Err(Error::Invalid(format!(
                "{}: not a palisade advisory database",
                path.display()
            ))),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The advisories that affect `name` in `ecosystem` (see the module docs for the matching
    /// rule), by id, each with `affected` narrowed to that package's entries. Withdrawn
    /// advisories are included (see [`Vulnerability::is_withdrawn`]): the matcher skips them.
    pub fn lookup(&self, ecosystem: &str, name: &str) -> Result<Vec<Advisory>> {
        let base = base_ecosystem(ecosystem);
        let norm = normalize_name(base, name);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.id, a.data FROM advisories a WHERE a.pk IN (
                     SELECT f.advisory FROM affected f
                     WHERE f.base_ecosystem = ?1 AND f.name_norm = ?2
                       AND (f.ecosystem = ?3 OR ?4
                            OR (instr(?3, ':') > 0 AND substr(f.ecosystem, 1, length(?3) + 1) = ?3 || ':')))
                 ORDER BY a.id",
            )
            .db(&self.path)?;
        let rows = stmt
            .query_map(
                params![base, norm.as_ref(), ecosystem, is_releaseless(base)],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?)),
            )
            .db(&self.path)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, data) = row.db(&self.path)?;
            let mut vuln = self.decode(&id, &data)?;
            vuln.affected.retain(|a| {
                a.package.as_ref().is_some_and(|p| {
                    ecosystem_matches(ecosystem, &p.ecosystem)
                        && normalize_name(&p.ecosystem, &p.name) == norm
                })
            });
            out.push(vuln);
        }
        Ok(out)
    }

    /// One advisory by its id, with all its affected entries.
    pub fn get(&self, id: &str) -> Result<Option<Advisory>> {
        let data: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT data FROM advisories WHERE id = ?1")
            .db(&self.path)?
            .query_row([id], |row| row.get(0))
            .optional()
            .db(&self.path)?;
        data.map(|data| self.decode(id, &data)).transpose()
    }

    fn decode(&self, id: &str, data: &[u8]) -> Result<Vulnerability> {
        decode(data).map_err(|e| {
            Error::Invalid(format!(
                "{}: advisory {id} is unreadable ({e}); run `palisade db update` to rebuild",
                self.path.display()
            ))
        })
    }

    /// When the last import or update finished, and how long ago (zero when the clock says it
    /// is in the future).
    fn updated(&self) -> Result<(Option<SystemTime>, Option<Duration>)> {
        let updated_at = meta(&self.conn, "updated_at")
            .db(&self.path)?
            .and_then(|v| v.parse::<i64>().ok())
            .map(from_unix);
        let age = updated_at.map(|t| SystemTime::now().duration_since(t).unwrap_or_default());
        Ok((updated_at, age))
    }

    /// The warning to print when the database is older than `max_age` (reads only its update
    /// time, unlike [`Store::status`]).
    pub fn staleness_warning(&self, max_age: Duration) -> Result<Option<String>> {
        Ok(staleness_warning(&self.path, self.updated()?.1, max_age))
    }

    /// Sources, counts and age.
    pub fn status(&self) -> Result<Status> {
        let conn = &self.conn;
        let p = &self.path;
        let count = |sql: &str| -> Result<u64> {
            conn.query_row(sql, [], |row| row.get::<_, i64>(0))
                .db(p)
                .map(|n| n.max(0) as u64)
        };
        let advisories = count("SELECT COUNT(*) FROM advisories")?;
        let withdrawn = count("SELECT COUNT(*) FROM advisories WHERE withdrawn != 0")?;
        let packages = count(
            "SELECT COUNT(*) FROM (SELECT DISTINCT base_ecosystem, name_norm FROM affected)",
        )?;
        let mut stmt = conn
            .prepare(
                "SELECT base_ecosystem, COUNT(DISTINCT advisory), COUNT(DISTINCT name_norm)
                 FROM affected GROUP BY base_ecosystem ORDER BY base_ecosystem",
            )
            .db(p)?;
        let ecosystems = stmt
            .query_map([], |row| {
                Ok(EcosystemCount {
                    ecosystem: row.get(0)?,
                    advisories: row.get::<_, i64>(1)?.max(0) as u64,
                    packages: row.get::<_, i64>(2)?.max(0) as u64,
                })
            })
            .db(p)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db(p)?;
        let mut stmt = conn
            .prepare(
                "SELECT location, ecosystem, sha256, imported, skipped, imported_at
                 FROM sources ORDER BY imported_at, location",
            )
            .db(p)?;
        let sources = stmt
            .query_map([], |row| {
                Ok(Source {
                    location: row.get(0)?,
                    ecosystem: row.get(1)?,
                    sha256: row.get(2)?,
                    imported: row.get::<_, i64>(3)?.max(0) as u64,
                    skipped: row.get::<_, i64>(4)?.max(0) as u64,
                    imported_at: from_unix(row.get(5)?),
                })
            })
            .db(p)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db(p)?;
        let (updated_at, age) = self.updated()?;
        Ok(Status {
            path: self.path.clone(),
            schema_version: SCHEMA_VERSION,
            sources,
            advisories,
            withdrawn,
            packages,
            ecosystems,
            updated_at,
            age,
        })
    }
}

pub(crate) fn meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
        row.get(0)
    })
    .optional()
}

/// The schema version stored in the database, `None` when it has no `meta` table or key.
pub(crate) fn schema_version(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let has_meta: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta')",
        [],
        |row| row.get(0),
    )?;
    if !has_meta {
        return Ok(None);
    }
    Ok(meta(conn, "schema_version")?.and_then(|v| v.parse().ok()))
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn from_unix(seconds: i64) -> SystemTime {
    if seconds >= 0 {
        UNIX_EPOCH + Duration::from_secs(seconds as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(seconds.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503() {
        assert_eq!(normalize_name("PyPI", "Django"), "django");
        assert_eq!(
            normalize_name("PyPI", "zope.Interface__x-y"),
            "zope-interface-x-y"
        );
        assert_eq!(normalize_name("PyPI", "requests"), "requests");
        assert!(matches!(
            normalize_name("PyPI", "requests"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            normalize_name("Go", "github.com/BurntSushi/toml"),
            "github.com/BurntSushi/toml"
        );
        assert_eq!(normalize_name("Maven", "org.Apache:x"), "org.Apache:x");
    }

    #[test]
    fn ecosystem_rule() {
        assert!(ecosystem_matches("Debian:12", "Debian:12"));
        assert!(!ecosystem_matches("Debian:12", "Debian:11"));
        assert!(!ecosystem_matches("Debian", "Debian:12"));
        assert!(ecosystem_matches(
            "Red Hat:enterprise_linux:9",
            "Red Hat:enterprise_linux:9::appstream"
        ));
        assert!(!ecosystem_matches("Debian:1", "Debian:12"));
        assert!(!ecosystem_matches("Debian:12", "Debian"));
        assert!(ecosystem_matches("PyPI", "PyPI"));
        assert!(ecosystem_matches("PyPI", "PyPI:extra"));
        assert!(!ecosystem_matches("PyPI", "npm"));
        assert_eq!(base_ecosystem("Ubuntu:Pro:22.04:LTS"), "Ubuntu");
    }

    #[test]
    fn durations_and_staleness() {
        assert_eq!(
            human_duration(Duration::from_secs(3 * 86_400 + 7200)),
            "3d 2h"
        );
        assert_eq!(human_duration(Duration::from_secs(42)), "42s");
        let mut status = Status {
            path: "db".into(),
            schema_version: SCHEMA_VERSION,
            sources: vec![],
            advisories: 0,
            withdrawn: 0,
            packages: 0,
            ecosystems: vec![],
            updated_at: None,
            age: None,
        };
        assert!(status.is_stale(DEFAULT_MAX_AGE));
        assert!(status.staleness_warning(DEFAULT_MAX_AGE).is_some());
        status.age = Some(Duration::from_secs(3600));
        assert!(!status.is_stale(DEFAULT_MAX_AGE));
        assert!(status.staleness_warning(DEFAULT_MAX_AGE).is_none());
        status.age = Some(DEFAULT_MAX_AGE + Duration::from_secs(1));
        assert!(
            status
                .staleness_warning(DEFAULT_MAX_AGE)
                .unwrap()
                .contains("7d")
        );
    }

    #[test]
    fn codec_round_trip() {
        let v: Vulnerability = serde_json::from_str(r#"{"id":"X-1","summary":"s"}"#).unwrap();
        assert_eq!(decode(&encode(&v)).unwrap(), v);
        assert_eq!(decode(br#"{"id":"X-1","summary":"s"}"#).unwrap(), v);
    }
}
