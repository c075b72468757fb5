//! RPM packages from rpm's database: `rpmdb.sqlite` (rpm 4.16+: Fedora 33+, RHEL 9+) and the
//! Berkeley DB `Packages` of older releases (RHEL and CentOS 7–8, Amazon Linux 2), told apart by
//! their magic. Both keep one RPM header per installed package ([`header`]); the Berkeley DB
//! file is read by [`bdb`], the SQLite one by SQLite itself, from memory. openSUSE's and SLE's
//! `Packages.db` (rpm's own ndb format) is not read yet.
//!
//! Each package reports `[epoch:]version-release` (the epoch only when the header has one), and
//! its source package from `SOURCERPM` (`openssl-3.0.7-27.el9.src.rpm`: `openssl`, with the
//! binary's epoch, as every package built from one spec shares it), because advisories are
//! keyed by source. The `gpg-pubkey` entries `rpm --import` adds are keys, not packages.

pub mod bdb;
pub mod header;

use std::io::Read;

use rusqlite::config::DbConfig;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB};

use super::os_release::OsRelease;
use super::{Package, purl_encode};

/// Where distributions keep the database (`var/lib/rpm` is a symlink to
/// `usr/lib/sysimage/rpm` on Fedora 36+ and openSUSE).
pub const PATHS: &[&str] = &[
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages",
    // rpm's own "ndb" format (openSUSE, SLE): not read yet, but named in a warning.
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages.db",
];

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// Bytes 18 and 19 of SQLite's file header: its read and write format versions, 2 in WAL mode.
const SQLITE_FORMAT_VERSIONS: std::ops::Range<usize> = 18..20;

#[derive(Debug, thiserror::Error)]
pub enum RpmError {
    #[error(transparent)]
    BerkeleyDb(#[from] bdb::BdbError),
    #[error("rpmdb.sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("rpmdb.sqlite has no Packages table")]
    NoPackagesTable,
    #[error("rpmdb.sqlite is too large to open from memory")]
    TooLarge,
    #[error("rpmdb.sqlite's rows hold more bytes than the file: refusing a generated database")]
    OversizedRows,
    #[error("rpmdb.sqlite is shorter than an SQLite header")]
    TruncatedSqlite,
    #[error("rpm's ndb format (openSUSE, SLE) is not read yet")]
    Ndb,
}

/// Whether a path is one of rpm's databases.
pub fn selects(path: &str) -> bool {
    PATHS.contains(&path)
}

/// The packages of one database file. A file that is no database palisade reads is an error;
/// a damaged record inside one is skipped.
pub fn parse(
    content: &[u8],
    path: &str,
    layer: usize,
    os: &OsRelease,
) -> Result<Vec<Package>, RpmError> {
    if path.ends_with("Packages.db") {
        return Err(RpmError::Ndb);
    }
    let headers = if content.starts_with(SQLITE_MAGIC) {
        sqlite_headers(content)?
    } else {
        bdb::values(content)?
            .into_iter()
            .filter_map(Result::ok)
            .map(|value| value.into_owned())
            .collect()
    };
    let ecosystem = os.ecosystem().unwrap_or_else(|| fallback_ecosystem(os));
    Ok(headers
        .iter()
        .filter_map(|blob| header::parse(blob).ok())
        .filter_map(|header| package(&header, &ecosystem, path, layer, os))
        .collect())
}

/// The largest header blob read from SQLite: rpm's own limits on a header's index and data
/// (`hdrchkTags`, `hdrchkData`), rounded up.
const MAX_HEADER_BYTES: i32 = 0x1000_0000 + 0x10_0000 * 16;

/// The header blobs of an `rpmdb.sqlite`: the `blob` column of its `Packages` table.
fn sqlite_headers(content: &[u8]) -> Result<Vec<Vec<u8>>, RpmError> {
    // deserialize_read_exact takes sizes SQLite can count (a C int).
    if i32::try_from(content.len()).is_err() {
        return Err(RpmError::TooLarge);
    }
    // rpm leaves its database in WAL mode, which SQLite cannot open from memory: read it as a
    // rollback-journal database. rpm checkpoints the WAL when it closes, so an image's main file
    // holds every package.
    let (Some(before), Some(after)) = (
        content.get(..SQLITE_FORMAT_VERSIONS.start),
        content.get(SQLITE_FORMAT_VERSIONS.end..),
    ) else {
        return Err(RpmError::TruncatedSqlite);
    };
    let rollback_journal = before.chain(&[1, 1][..]).chain(after);
    let mut connection = Connection::open_in_memory()?;
    // The file is untrusted: SQLite's hardening for such databases.
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    connection.pragma_update(None, "cell_size_check", true)?;
    connection.deserialize_read_exact(MAIN_DB, rollback_journal, content.len(), true)?;
    // A generated column can make each row's blob any size (`zeroblob(1e9)`): no value may be
    // larger than rpm's own header limit, and all of them together not larger than the file.
    connection.set_limit(
        rusqlite::limits::Limit::SQLITE_LIMIT_LENGTH,
        MAX_HEADER_BYTES,
    )?;
    // A table, not a view: a view could be an endless recursive query.
    let tables: i64 = connection.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'Packages'",
        [],
        |row| row.get(0),
    )?;
    if tables == 0 {
        return Err(RpmError::NoPackagesTable);
    }
    let mut statement = connection.prepare("SELECT blob FROM Packages")?;
    let mut rows = statement.query([])?;
    let mut blobs = Vec::new();
    let mut total = 0usize;
    while let Some(row) = rows.next()? {
        if let ValueRef::Blob(blob) = row.get_ref(0)? {
            total = total.saturating_add(blob.len());
            if total > content.len() {
                return Err(RpmError::OversizedRows);
            }
            blobs.push(blob.to_vec());
        }
    }
    Ok(blobs)
}

/// The package a header describes; `None` for keys and headers without a name, version or
/// release.
fn package(
    header: &header::Header<'_>,
    ecosystem: &str,
    path: &str,
    layer: usize,
    os: &OsRelease,
) -> Option<Package> {
    let name = header.string(header::NAME)?;
    if name == "gpg-pubkey" {
        return None;
    }
    let version = header.string(header::VERSION)?;
    let release = header.string(header::RELEASE)?;
    let epoch = header.int32(header::EPOCH);
    let with_epoch = |version_release: &str| match epoch {
        Some(epoch) => format!("{epoch}:{version_release}"),
        None => version_release.to_string(),
    };
    let full_version = with_epoch(&format!("{version}-{release}"));
    let (source_name, source_version) = header
        .string(header::SOURCERPM)
        .and_then(source_rpm)
        .map_or_else(
            || (name.to_string(), full_version.clone()),
            |(source, version_release)| (source.to_string(), with_epoch(version_release)),
        );
    Some(Package {
        ecosystem: ecosystem.to_string(),
        purl: purl(
            name,
            version,
            release,
            epoch,
            header.string(header::ARCH),
            os,
        ),
        name: name.to_string(),
        version: full_version,
        source_name,
        source_version,
        layer,
        path: format!("/{path}"),
        installed_size: header.int32(header::SIZE).map(u64::from),
    })
}

/// `openssl-3.0.7-27.el9.src.rpm` → `("openssl", "3.0.7-27.el9")`: the name may hold dashes,
/// the version and release cannot, so the split is from the right.
fn source_rpm(file_name: &str) -> Option<(&str, &str)> {
    let (name_version_release, _arch) = file_name.strip_suffix(".rpm")?.rsplit_once('.')?;
    let (name_version, release) = name_version_release.rsplit_once('-')?;
    let (name, version) = name_version.rsplit_once('-')?;
    let version_release = name_version_release.get(name.len() + 1..)?;
    (!name.is_empty() && !version.is_empty() && !release.is_empty())
        .then_some((name, version_release))
}

/// `pkg:rpm/<distro id>/<name>@<version>-<release>?arch=…&distro=<id>-<version id>&epoch=…`,
/// qualifiers in the purl spec's sorted order.
fn purl(
    name: &str,
    version: &str,
    release: &str,
    epoch: Option<u32>,
    arch: Option<&str>,
    os: &OsRelease,
) -> String {
    let namespace = if os.id.is_empty() {
        String::new()
    } else {
        format!("{}/", purl_encode(&os.id.to_lowercase()))
    };
    let mut purl = format!(
        "pkg:rpm/{namespace}{}@{}",
        purl_encode(name),
        purl_encode(&format!("{version}-{release}"))
    );
    let mut qualifiers = Vec::new();
    if let Some(arch) = arch {
        qualifiers.push(format!("arch={}", purl_encode(arch)));
    }
    if !os.id.is_empty() && !os.version_id.is_empty() {
        let distro = format!("{}-{}", os.id, os.version_id);
        qualifiers.push(format!("distro={}", purl_encode(&distro)));
    }
    if let Some(epoch) = epoch {
        qualifiers.push(format!("epoch={epoch}"));
    }
    if !qualifiers.is_empty() {
        purl.push('?');
        purl.push_str(&qualifiers.join("&"));
    }
    purl
}

/// For distributions OSV has no ecosystem for (Fedora, CentOS, Amazon Linux, Oracle Linux, …):
/// os-release's own `ID:VERSION_ID` (`fedora:40`), lowercase as written there so that it is
/// never taken for an OSV name and matched against another distribution's advisories; `rpm`
/// without an os-release.
fn fallback_ecosystem(os: &OsRelease) -> String {
    match (os.id.as_str(), os.version_id.as_str()) {
        ("", _) => "rpm".to_string(),
        (id, "") => id.to_string(),
        (id, version) => format!("{id}:{version}"),
    }
}

#[cfg(test)]
mod tests {
    use super::header::tests::blob;
    use super::*;
    use crate::catalog::os_release;

    const STRING: u32 = 6;
    const INT32: u32 = 4;

    fn openssl_libs(epoch: Option<u32>) -> Vec<u8> {
        let epoch = epoch.map(u32::to_be_bytes);
        let mut entries: Vec<(u32, u32, &[u8])> = vec![
            (header::NAME, STRING, b"openssl-libs\0"),
            (header::VERSION, STRING, b"3.0.7\0"),
            (header::RELEASE, STRING, b"27.el9\0"),
            (header::ARCH, STRING, b"x86_64\0"),
            (header::SOURCERPM, STRING, b"openssl-3.0.7-27.el9.src.rpm\0"),
        ];
        if let Some(epoch) = &epoch {
            entries.push((header::EPOCH, INT32, epoch));
        }
        blob(&entries)
    }

    #[test]
    fn source_rpm_names_split_from_the_right() {
        assert_eq!(
            source_rpm("openssl-3.0.7-27.el9.src.rpm"),
            Some(("openssl", "3.0.7-27.el9"))
        );
        assert_eq!(
            source_rpm("python-setuptools-wheel-53.0.0-12.el9.nosrc.rpm"),
            Some(("python-setuptools-wheel", "53.0.0-12.el9"))
        );
        assert_eq!(source_rpm("(none)"), None);
        assert_eq!(source_rpm("1.0-1.src.rpm"), None, "no name");
        assert_eq!(source_rpm("-1.0-1.src.rpm"), None, "empty name");
        assert_eq!(source_rpm("openssl.src.rpm"), None);
    }

    #[test]
    fn package_of_a_rhel_header() {
        let os = os_release::parse("ID=\"rhel\"\nVERSION_ID=\"9.3\"\n");
        let blob = openssl_libs(Some(1));
        let header = header::parse(&blob).unwrap();
        let package = package(
            &header,
            "Red Hat:enterprise_linux:9",
            "var/lib/rpm/rpmdb.sqlite",
            2,
            &os,
        )
        .unwrap();
        assert_eq!(package.name, "openssl-libs");
        assert_eq!(package.version, "1:3.0.7-27.el9");
        assert_eq!(package.source_name, "openssl");
        assert_eq!(package.source_version, "1:3.0.7-27.el9");
        assert_eq!(
            package.purl,
            "pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.3&epoch=1"
        );
        assert_eq!(package.path, "/var/lib/rpm/rpmdb.sqlite");
        assert_eq!(package.layer, 2);
    }

    #[test]
    fn no_epoch_no_source_no_os() {
        let blob = blob(&[
            (header::NAME, STRING, b"tzdata\0"),
            (header::VERSION, STRING, b"2024a\0"),
            (header::RELEASE, STRING, b"1.fc40\0"),
        ]);
        let header = header::parse(&blob).unwrap();
        let os = OsRelease::default();
        let package = package(&header, "rpm", "var/lib/rpm/Packages", 0, &os).unwrap();
        assert_eq!(package.version, "2024a-1.fc40");
        assert_eq!(
            (
                package.source_name.as_str(),
                package.source_version.as_str()
            ),
            ("tzdata", "2024a-1.fc40"),
            "no SOURCERPM: the binary's"
        );
        assert_eq!(package.purl, "pkg:rpm/tzdata@2024a-1.fc40");
    }

    #[test]
    fn keys_and_incomplete_headers_are_no_packages() {
        let os = OsRelease::default();
        for blob in [
            blob(&[
                (header::NAME, STRING, b"gpg-pubkey\0"),
                (header::VERSION, STRING, b"fd431d51\0"),
                (header::RELEASE, STRING, b"4ae0493b\0"),
            ]),
            blob(&[
                (header::NAME, STRING, b"bash\0"),
                (header::VERSION, STRING, b"5.1.8\0"),
            ]),
        ] {
            let header = header::parse(&blob).unwrap();
            assert!(package(&header, "rpm", "p", 0, &os).is_none());
        }
    }

    #[test]
    fn fallback_ecosystems_are_os_release_ids() {
        let fedora = os_release::parse("ID=fedora\nVERSION_ID=40\n");
        assert_eq!(fedora.ecosystem(), None);
        assert_eq!(fallback_ecosystem(&fedora), "fedora:40");
        let rolling = os_release::parse("ID=centos\n");
        assert_eq!(fallback_ecosystem(&rolling), "centos");
        assert_eq!(fallback_ecosystem(&OsRelease::default()), "rpm");
    }

    #[test]
    fn neither_sqlite_nor_berkeley_db_is_an_error() {
        let os = OsRelease::default();
        for content in [
            &b""[..],
            b"SQLite format 3\0short",
            b"PK\x03\x04",
            &[0u8; 4096],
        ] {
            assert!(parse(content, "var/lib/rpm/Packages", 0, &os).is_err());
        }
    }

    #[test]
    fn sqlite_database_without_packages_table() {
        let connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch(
                "CREATE TABLE Other (blob BLOB);
                 CREATE VIEW Packages AS WITH RECURSIVE n(blob) AS
                   (SELECT 1 UNION ALL SELECT blob + 1 FROM n) SELECT blob FROM n;",
            )
            .unwrap();
        let bytes = connection.serialize(MAIN_DB).unwrap().to_vec();
        let result = parse(&bytes, "var/lib/rpm/rpmdb.sqlite", 0, &OsRelease::default());
        assert!(
            matches!(result, Err(RpmError::NoPackagesTable)),
            "an endless view is not read: {result:?}"
        );
    }

    /// Generated columns make every row's blob as large as the database says: the values are
    /// capped, and all of them together may not outgrow the file.
    #[test]
    fn generated_blobs_cannot_blow_up_memory() {
        for size in ["999999999", "1000000"] {
            let connection = Connection::open_in_memory().unwrap();
            connection
                .execute_batch(&format!(
                    "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB AS (zeroblob({size})));
                     INSERT INTO Packages (hnum) VALUES (1), (2), (3);"
                ))
                .unwrap();
            let bytes = connection.serialize(MAIN_DB).unwrap().to_vec();
            let result = parse(&bytes, "var/lib/rpm/rpmdb.sqlite", 0, &OsRelease::default());
            assert!(result.is_err(), "{size}: {result:?}");
        }
    }

    #[test]
    fn sqlite_rows_that_are_no_headers_are_skipped() {
        let connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)")
            .unwrap();
        let good = openssl_libs(None);
        for blob in [
            rusqlite::types::Value::Blob(good.clone()),
            rusqlite::types::Value::Blob(good[..good.len() - 1].to_vec()),
            rusqlite::types::Value::Text("not a blob".to_string()),
            rusqlite::types::Value::Blob(Vec::new()),
        ] {
            connection
                .execute("INSERT INTO Packages (blob) VALUES (?1)", [blob])
                .unwrap();
        }
        let bytes = connection.serialize(MAIN_DB).unwrap().to_vec();
        let packages = parse(
            &bytes,
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
            0,
            &OsRelease::default(),
        )
        .unwrap();
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].name, "openssl-libs");
        assert_eq!(packages[0].path, "/usr/lib/sysimage/rpm/rpmdb.sqlite");
    }
}
