//! Importing OSV advisories into the store, atomically.
//!
//! Inputs are OSV JSON files (one advisory, or an array of them), directories (every `*.json`
//! below them, recursively, in name order; symlinked directories are not followed), and zip
//! archives such as osv.dev's per-ecosystem `all.zip` (recognised by their signature, read one
//! member at a time, each member bounded by [`ImportOptions::max_member_bytes`] and the whole
//! archive by [`ImportOptions::max_archive_bytes`], so a zip bomb is refused, not inflated).
//!
//! Content errors are skipped and counted: a malformed document (the error names the file and,
//! in a zip, the member), a member over the size bound. Input errors abort the import: a path
//! that cannot be read, a file that is not a zip archive although it starts like one, a
//! corrupt member (CRC mismatch), an archive over its bound.
//!
//! The import is atomic: the new database is built in `<db>.tmp-<pid>` beside the old one,
//! starting from a copy of it (an import adds to what is there; of two copies of an advisory
//! the one with the newer `modified` wins), in one transaction with prepared statements and
//! with the indexes dropped during the bulk insert and created after it; the file is then
//! synced and renamed over the old one. On any error the temporary file is removed and the old
//! database is untouched; temporary files of imports that were killed are removed by the next
//! import once they are a day old. Two imports of one database at the same time do not lock
//! each other out: each is atomic, and the last to finish wins.

use std::collections::{BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, Statement, params};
use sha2::{Digest, Sha256};

use crate::error::{Error, IoContext, Result, SqlContext};
use crate::osv::Vulnerability;
use crate::store::{self, SCHEMA_VERSION, base_ecosystem, normalize_name};

/// At most this many skip messages are kept in an [`ImportReport`]; the counts are complete.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// Bounds and mode of an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Start from an empty database instead of the existing one.
    pub fresh: bool,
    /// The largest zip member read; larger members are skipped (OSV documents are kilobytes).
    pub max_member_bytes: u64,
    /// The most one archive may expand to; beyond it the import fails.
    pub max_archive_bytes: u64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            fresh: false,
            max_member_bytes: 32 << 20,
            max_archive_bytes: 16 << 30,
        }
    }
}

/// What one input contributed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceReport {
    /// The canonical path, or the URL it was downloaded from.
    pub location: String,
    /// The ecosystem it was downloaded for, else the base ecosystems found in it.
    pub ecosystem: Option<String>,
    /// SHA-256 of a file or archive input.
    pub sha256: Option<String>,
    /// Advisories read (whether new, newer or not).
    pub imported: u64,
    /// Documents skipped as malformed or oversized.
    pub skipped: u64,
}

/// The outcome of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub sources: Vec<SourceReport>,
    /// Advisories not stored before.
    pub added: u64,
    /// Stored advisories replaced by a newer copy.
    pub updated: u64,
    /// Copies no newer than the stored one, left out.
    pub unchanged: u64,
    /// Documents skipped, all inputs together.
    pub skipped: u64,
    /// The first [`MAX_REPORTED_ERRORS`] reasons for skipping.
    pub errors: Vec<String>,
    /// Notes worth showing (an old-schema database rebuilt from scratch, ...).
    pub notes: Vec<String>,
    /// Advisories in the database afterwards.
    pub advisories: u64,
    pub elapsed: Duration,
}

/// One input with what is known about it beforehand.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    pub path: PathBuf,
    /// Overrides the canonical path in `sources` (the URL of a download).
    pub location: Option<String>,
    pub ecosystem: Option<String>,
    pub sha256: Option<String>,
}

/// Imports OSV files, directories and zip archives into the database at `db_path` (created if
/// missing), adding to what it holds; see the module docs.
pub fn import(db_path: &Path, inputs: &[PathBuf]) -> Result<ImportReport> {
    import_with(db_path, inputs, &ImportOptions::default())
}

/// [`import`] with explicit options.
pub fn import_with(
    db_path: &Path,
    inputs: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportReport> {
    let inputs = inputs
        .iter()
        .map(|path| Input {
            path: path.clone(),
            location: None,
            ecosystem: None,
            sha256: None,
        })
        .collect::<Vec<_>>();
    import_inputs(db_path, &inputs, options)
}

/// The temporary file an import of `db_path` builds.
pub(crate) fn temp_path(db_path: &Path) -> PathBuf {
    let mut name = db_path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    db_path.with_file_name(name)
}

/// Removes temporary databases of imports that died (killed, power loss) more than a day ago.
fn remove_stale_temps(db_path: &Path) {
    let (Some(dir), Some(name)) = (db_path.parent(), db_path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut prefix = name.to_os_string();
    prefix.push(".tmp-");
    let prefix = prefix.to_string_lossy().into_owned();
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(pid) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(24 * 3600));
        if old && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes the temporary database unless the import got as far as renaming it.
struct TempGuard(Option<PathBuf>);

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = fs::remove_file(&path);
            let mut journal = path.into_os_string();
            journal.push("-journal");
            let _ = fs::remove_file(journal);
        }
    }
}

pub(crate) fn import_inputs(
    db_path: &Path,
    inputs: &[Input],
    options: &ImportOptions,
) -> Result<ImportReport> {
    let started = Instant::now();
    if db_path.as_os_str().is_empty() || db_path.file_name().is_none() {
        return Err(Error::Invalid(format!(
            "{}: not a database file path",
            db_path.display()
        )));
    }
    if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).at(dir)?;
    }
    remove_stale_temps(db_path);
    let tmp = temp_path(db_path);
    let mut guard = TempGuard(Some(tmp.clone()));
    let _ = fs::remove_file(&tmp);
    let mut report = ImportReport::default();

    let mut existing = !options.fresh && db_path.is_file();
    if existing {
        let found = Connection::open_with_flags(db_path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|c| store::schema_version(&c));
        if !matches!(found, Ok(Some(SCHEMA_VERSION))) {
            let found = match found {
                Ok(Some(v)) => format!("schema version {v}"),
                Ok(None) => "no schema version".to_string(),
                Err(e) => e.to_string(),
            };
            report.notes.push(format!(
                "{}: {found} (this palisade writes {SCHEMA_VERSION}): rebuilt from the imported inputs only",
                db_path.display()
            ));
            existing = false;
        }
    }
    if existing {
        fs::copy(db_path, &tmp).at(&tmp)?;
    }
    let conn = Connection::open(&tmp).db(&tmp)?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -131072;",
    )
    .db(&tmp)?;
    conn.execute_batch(store::CREATE_TABLES).db(&tmp)?;
    conn.execute_batch(store::DROP_INDEXES).db(&tmp)?;

    let mut known: HashMap<String, (i64, Option<i128>)> = HashMap::new();
    {
        let mut stmt = conn
            .prepare("SELECT pk, id, modified FROM advisories")
            .db(&tmp)?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .db(&tmp)?;
        for row in rows {
            let (pk, id, modified) = row.db(&tmp)?;
            known.insert(id, (pk, crate::osv::timestamp_nanos(&modified)));
        }
    }

    conn.execute_batch("BEGIN").db(&tmp)?;
    {
        let mut writer = Writer {
            tmp: &tmp,
            insert: conn
                .prepare(
                    "INSERT INTO advisories (id, modified, withdrawn, data) VALUES (?1, ?2, ?3, ?4)",
                )
                .db(&tmp)?,
            replace: conn
                .prepare(
                    "UPDATE advisories SET modified = ?2, withdrawn = ?3, data = ?4 WHERE pk = ?1",
                )
                .db(&tmp)?,
            delete_affected: conn
                .prepare("DELETE FROM affected WHERE advisory = ?1")
                .db(&tmp)?,
            insert_affected: conn
                .prepare(
                    "INSERT OR IGNORE INTO affected (advisory, base_ecosystem, name_norm, ecosystem)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .db(&tmp)?,
            conn: &conn,
            known,
            report: &mut report,
        };
        let now = store::unix_now();
        let mut upsert_source = conn
            .prepare(
                "INSERT OR REPLACE INTO sources (location, ecosystem, sha256, imported, skipped, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .db(&tmp)?;
        for input in inputs {
            let source = writer.input(input, options)?;
            upsert_source
                .execute(params![
                    source.location,
                    source.ecosystem,
                    source.sha256,
                    source.imported as i64,
                    source.skipped as i64,
                    now,
                ])
                .db(&tmp)?;
            writer.report.sources.push(source);
        }
    }
    conn.execute_batch(store::CREATE_INDEXES).db(&tmp)?;
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1), ('updated_at', ?2)",
        params![SCHEMA_VERSION.to_string(), store::unix_now().to_string()],
    )
    .db(&tmp)?;
    conn.execute_batch("COMMIT").db(&tmp)?;
    report.advisories = conn
        .query_row("SELECT COUNT(*) FROM advisories", [], |row| {
            row.get::<_, i64>(0)
        })
        .db(&tmp)?
        .max(0) as u64;
    conn.close().map_err(|(_, e)| e).db(&tmp)?;

    File::open(&tmp).and_then(|f| f.sync_all()).at(&tmp)?;
    fs::rename(&tmp, db_path).at(db_path)?;
    guard.0 = None;
    if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Make the rename durable; not every platform can open a directory, so best effort.
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// An advisory ready to be written.
struct Prepared {
    vuln: Vulnerability,
    key: Option<i128>,
    data: Vec<u8>,
    /// (ecosystem, base ecosystem, normalised name), each once.
    packages: BTreeSet<(String, String, String)>,
}

fn prepare(mut vuln: Vulnerability) -> std::result::Result<Prepared, String> {
    if vuln.id.trim().is_empty() {
        return Err("advisory without an id".into());
    }
    vuln.truncate_details();
    let mut packages = BTreeSet::new();
    for affected in &vuln.affected {
        let Some(package) = &affected.package else {
            continue;
        };
        if package.ecosystem.is_empty() || package.name.is_empty() {
            continue;
        }
        let base = base_ecosystem(&package.ecosystem);
        packages.insert((
            package.ecosystem.clone(),
            base.to_string(),
            normalize_name(base, &package.name).into_owned(),
        ));
    }
    Ok(Prepared {
        key: vuln.modified_key(),
        data: store::encode(&vuln),
        vuln,
        packages,
    })
}

struct Writer<'a> {
    tmp: &'a Path,
    conn: &'a Connection,
    insert: Statement<'a>,
    replace: Statement<'a>,
    delete_affected: Statement<'a>,
    insert_affected: Statement<'a>,
    /// id → (pk, modified key) of every stored advisory.
    known: HashMap<String, (i64, Option<i128>)>,
    report: &'a mut ImportReport,
}

/// The counts of one input as it is read.
struct Tally {
    source: SourceReport,
    ecosystems: BTreeSet<String>,
}

impl Writer<'_> {
    fn input(&mut self, input: &Input, options: &ImportOptions) -> Result<SourceReport> {
        let path = &input.path;
        let meta = fs::metadata(path).at(path)?;
        let location = match &input.location {
            Some(location) => location.clone(),
            None => fs::canonicalize(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
        };
        let mut tally = Tally {
            source: SourceReport {
                location,
                ..SourceReport::default()
            },
            ecosystems: BTreeSet::new(),
        };
        if meta.is_dir() {
            let mut files = Vec::new();
            collect_json(path, &mut files)?;
            files.sort();
            for file in files {
                let bytes = fs::read(&file).at(&file)?;
                self.document(&bytes, &file, None, &mut tally)?;
            }
        } else {
            let mut head = [0u8; 4];
            let n = File::open(path)
                .and_then(|mut f| read_up_to(&mut f, &mut head))
                .at(path)?;
            let is_zip = n == 4 && (head == *b"PK\x03\x04" || head == *b"PK\x05\x06");
            tally.source.sha256 = match &input.sha256 {
                Some(sha) => Some(sha.clone()),
                None => Some(sha256_file(path)?),
            };
            if is_zip {
                self.archive(path, options, &mut tally)?;
            } else {
                let bytes = fs::read(path).at(path)?;
                self.document(&bytes, path, None, &mut tally)?;
            }
        }
        let mut source = tally.source;
        source.ecosystem = input.ecosystem.clone().or_else(|| {
            (!tally.ecosystems.is_empty())
                .then(|| tally.ecosystems.into_iter().collect::<Vec<_>>().join(","))
        });
        Ok(source)
    }

    fn archive(&mut self, path: &Path, options: &ImportOptions, tally: &mut Tally) -> Result<()> {
        let file = File::open(path).at(path)?;
        let mut archive =
            zip::ZipArchive::new(BufReader::with_capacity(1 << 16, file)).map_err(|source| {
                Error::Zip {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        let mut total: u64 = 0;
        let mut buf = Vec::with_capacity(64 << 10);
        for index in 0..archive.len() {
            let mut member = match archive.by_index(index) {
                Ok(member) => member,
                Err(zip::result::ZipError::Io(source)) => {
                    return Err(Error::Io {
                        path: path.to_path_buf(),
                        source,
                    });
                }
                Err(e) => {
                    self.skip(
                        Error::Member {
                            file: path.to_path_buf(),
                            member: Some(format!("member #{index}")),
                            message: e.to_string(),
                        },
                        tally,
                    );
                    continue;
                }
            };
            let name = member
                .name()
                .map(|n| n.into_owned())
                .unwrap_or_else(|_| format!("member #{index}"));
            if member.is_dir() || !name.to_ascii_lowercase().ends_with(".json") {
                continue;
            }
            buf.clear();
            let read = (&mut member)
                .take(options.max_member_bytes + 1)
                .read_to_end(&mut buf)
                .map_err(|e| Error::Member {
                    file: path.to_path_buf(),
                    member: Some(name.clone()),
                    message: format!("corrupt archive member: {e}"),
                })?;
            total += read as u64;
            if total > options.max_archive_bytes {
                return Err(Error::Member {
                    file: path.to_path_buf(),
                    member: Some(name),
                    message: format!(
                        "the archive expands to more than {} bytes; refusing it",
                        options.max_archive_bytes
                    ),
                });
            }
            if read as u64 > options.max_member_bytes {
                self.skip(
                    Error::Member {
                        file: path.to_path_buf(),
                        member: Some(name),
                        message: format!("larger than {} bytes; skipped", options.max_member_bytes),
                    },
                    tally,
                );
                continue;
            }
            let doc = std::mem::take(&mut buf);
            self.document(&doc, path, Some(&name), tally)?;
            buf = doc;
        }
        Ok(())
    }

    /// Parses and stores one document (an advisory or an array of them).
    fn document(
        &mut self,
        bytes: &[u8],
        file: &Path,
        member: Option<&str>,
        tally: &mut Tally,
    ) -> Result<()> {
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        let parsed = if first == Some(&b'[') {
            serde_json::from_slice::<Vec<Vulnerability>>(bytes)
        } else {
            serde_json::from_slice::<Vulnerability>(bytes).map(|v| vec![v])
        };
        let vulns = match parsed {
            Ok(vulns) => vulns,
            Err(source) => {
                self.skip(
                    Error::Json {
                        file: file.to_path_buf(),
                        member: member.map(str::to_string),
                        source,
                    },
                    tally,
                );
                return Ok(());
            }
        };
        for vuln in vulns {
            match prepare(vuln) {
                Ok(prepared) => {
                    for (_, base, _) in &prepared.packages {
                        if !tally.ecosystems.contains(base) {
                            tally.ecosystems.insert(base.clone());
                        }
                    }
                    self.store(prepared)?;
                    tally.source.imported += 1;
                }
                Err(message) => self.skip(
                    Error::Member {
                        file: file.to_path_buf(),
                        member: member.map(str::to_string),
                        message,
                    },
                    tally,
                ),
            }
        }
        Ok(())
    }

    fn skip(&mut self, error: Error, tally: &mut Tally) {
        tally.source.skipped += 1;
        self.report.skipped += 1;
        if self.report.errors.len() < MAX_REPORTED_ERRORS {
            self.report.errors.push(error.to_string());
        }
    }

    fn store(&mut self, p: Prepared) -> Result<()> {
        let tmp = self.tmp;
        let withdrawn = p.vuln.is_withdrawn();
        let pk = match self.known.get_mut(&p.vuln.id) {
            None => {
                self.insert
                    .execute(params![p.vuln.id, p.vuln.modified, withdrawn, p.data])
                    .db(tmp)?;
                let pk = self.conn.last_insert_rowid();
                self.known.insert(p.vuln.id.clone(), (pk, p.key));
                self.report.added += 1;
                pk
            }
            Some((pk, stored)) => {
                let newer = match (p.key, *stored) {
                    (Some(new), Some(old)) => new > old,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                if !newer {
                    self.report.unchanged += 1;
                    return Ok(());
                }
                *stored = p.key;
                let pk = *pk;
                self.replace
                    .execute(params![pk, p.vuln.modified, withdrawn, p.data])
                    .db(tmp)?;
                self.delete_affected.execute([pk]).db(tmp)?;
                self.report.updated += 1;
                pk
            }
        };
        for (ecosystem, base, name) in &p.packages {
            self.insert_affected
                .execute(params![pk, base, name, ecosystem])
                .db(tmp)?;
        }
        Ok(())
    }
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Every `*.json` file below `dir`; symlinks to files are followed, to directories not.
fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).at(dir)? {
        let entry = entry.at(dir)?;
        let path = entry.path();
        let file_type = entry.file_type().at(&path)?;
        if file_type.is_dir() {
            collect_json(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            && (file_type.is_file() || (file_type.is_symlink() && path.is_file()))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// The lowercase hex SHA-256 of a file.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).at(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).at(path)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
