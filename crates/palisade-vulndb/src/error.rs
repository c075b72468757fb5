//! Errors of the advisory store, import and update.

use std::path::PathBuf;

/// What went wrong while opening, importing into or updating the advisory database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: no advisory database here (run `palisade db update` or `palisade db import`)", .0.display())]
    Missing(PathBuf),
    #[error("{}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{}: database schema version {found}, this palisade reads {expected} (run `palisade db update` to rebuild it)",
        path.display()
    )]
    Schema {
        path: PathBuf,
        found: i64,
        expected: i64,
    },
    /// A malformed OSV document; import skips it and counts it.
    #[error("{}{}: {source}", file.display(), member.as_ref().map(|m| format!(" ({m})")).unwrap_or_default())]
    Json {
        file: PathBuf,
        member: Option<String>,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}{}: {message}", file.display(), member.as_ref().map(|m| format!(" ({m})")).unwrap_or_default())]
    Member {
        file: PathBuf,
        member: Option<String>,
        message: String,
    },
    #[error("{}: not a readable zip archive: {source}", path.display())]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    #[error(
        "{url}: sha256 {actual} does not match the published {expected}; the download was discarded"
    )]
    Checksum {
        url: String,
        expected: String,
        actual: String,
    },
    #[error("{ecosystem}: no mirror could provide the archive: {}", failures.join("; "))]
    AllMirrorsFailed {
        ecosystem: String,
        failures: Vec<String>,
    },
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) trait IoContext<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|source| Error::Io {
            path: path.into(),
            source,
        })
    }
}

pub(crate) trait SqlContext<T> {
    fn db(self, path: &std::path::Path) -> Result<T>;
}

impl<T> SqlContext<T> for rusqlite::Result<T> {
    fn db(self, path: &std::path::Path) -> Result<T> {
        self.map_err(|source| Error::Sqlite {
            path: path.to_path_buf(),
            source,
        })
    }
}
