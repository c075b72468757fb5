//! Downloading osv.dev's per-ecosystem archives and importing them.
//!
//! For each ecosystem, `<base>/<ecosystem>/all.zip` is fetched (the ecosystem percent-encoded:
//! `crates.io`, `Rocky%20Linux`), from the first of the base URLs (mirrors) that provides it.
//!
//! - **Resumable**: the download goes to `<cache>/downloads/<ecosystem>.zip.part`, with the
//!   URL and the server's validator (`ETag`, else `Last-Modified`) beside it in `.part.meta`.
//!   A broken transfer is retried from where it stopped (`Range: bytes=N-` with `If-Range`),
//!   within the same run ([`UpdateOptions::attempts_per_mirror`]) and by the next run, since
//!   the part stays in the cache. A `206` continues the part; a `200` (the server ignored the
//!   range, or the archive changed) starts it over; a `416` whose `Content-Range` total equals
//!   the part's size means it is already complete. Without a validator no resume is tried.
//! - **Checksummed**: `<url>.sha256` (a `sha256sum` line or the bare hex digest) is fetched
//!   first; when the server has one, the download must match it, and a mismatch discards the
//!   part and fails that mirror. Either way the SHA-256 computed is recorded in `sources`.
//! - **Atomic**: all archives are imported in one rebuild ([`crate::import()`]): an update that
//!   fails anywhere (no mirror could provide an archive, a checksum mismatch, an import error)
//!   leaves the old database as it was. Downloads are removed from the cache once imported.
//!
//! A mirror that refuses the connection, answers `404` or fails otherwise is passed over for
//! the next one; the error of an ecosystem no mirror could provide lists every mirror's reason.

use std::fs::{self, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};
use crate::import::{self, ImportOptions, ImportReport, Input};

/// Where osv.dev publishes its archives.
pub const DEFAULT_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// The ecosystems palisade catalogs and matches, downloaded when none are named.
pub const DEFAULT_ECOSYSTEMS: &[&str] = &[
    "Debian",
    "Ubuntu",
    "Alpine",
    "Red Hat",
    "AlmaLinux",
    "Rocky Linux",
    "SUSE",
    "openSUSE",
    "PyPI",
    "npm",
    "crates.io",
    "Go",
    "Maven",
];

/// The user's cache directory for palisade: `$XDG_CACHE_HOME/palisade` when that is an
/// absolute path, else `$HOME/.cache/palisade`; `None` when neither is known.
pub fn user_cache_dir() -> Option<PathBuf> {
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from)
        && xdg.is_absolute()
    {
        return Some(xdg.join("palisade"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".cache").join("palisade"))
}

/// The archive URL of an ecosystem under a base URL.
pub fn archive_url(base: &str, ecosystem: &str) -> String {
    format!(
        "{}/{}/all.zip",
        base.trim_end_matches('/'),
        percent_encode(ecosystem)
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How an update downloads and imports.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    pub import: ImportOptions,
    /// Tries per mirror and archive; a broken transfer is resumed on the next try.
    pub attempts_per_mirror: u32,
    /// The pause before the second try, doubled for each further one.
    pub retry_delay: Duration,
    pub connect_timeout: Duration,
    /// The longest wait for response headers, and between two reads of a body.
    pub read_timeout: Duration,
    /// Use the proxy of `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` (honouring `NO_PROXY`).
    pub proxy_from_env: bool,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            import: ImportOptions::default(),
            attempts_per_mirror: 3,
            retry_delay: Duration::from_millis(500),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            proxy_from_env: true,
        }
    }
}

/// One downloaded archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub ecosystem: String,
    /// The URL it came from (the first mirror that worked).
    pub url: String,
    /// The archive's size.
    pub bytes: u64,
    /// How many bytes an earlier, broken transfer had already brought (0: none resumed).
    pub resumed_from: u64,
    pub sha256: String,
    /// Whether the server published a checksum that the archive matched.
    pub checksum_verified: bool,
    /// Why earlier mirrors were passed over.
    pub failed_mirrors: Vec<String>,
}

/// The outcome of an update.
#[derive(Debug, Clone)]
pub struct UpdateReport {
    pub downloads: Vec<Download>,
    pub import: ImportReport,
}

/// Downloads the archives of `ecosystems` ([`DEFAULT_ECOSYSTEMS`] when empty) from the first
/// working of `base_urls` ([`DEFAULT_BASE_URL`] when empty), keeping partial downloads in
/// `cache_dir`, and imports them into `db_path` in one atomic rebuild; see the module docs.
pub fn update(
    db_path: &Path,
    base_urls: &[String],
    ecosystems: &[&str],
    cache_dir: &Path,
) -> Result<UpdateReport> {
    update_with(
        db_path,
        base_urls,
        ecosystems,
        cache_dir,
        &UpdateOptions::default(),
    )
}

/// [`update`] with explicit options.
pub fn update_with(
    db_path: &Path,
    base_urls: &[String],
    ecosystems: &[&str],
    cache_dir: &Path,
    options: &UpdateOptions,
) -> Result<UpdateReport> {
    let default_bases = [DEFAULT_BASE_URL.to_string()];
    let bases = if base_urls.is_empty() {
        &default_bases[..]
    } else {
        base_urls
    };
    let ecosystems = if ecosystems.is_empty() {
        DEFAULT_ECOSYSTEMS
    } else {
        ecosystems
    };
    let downloads_dir = cache_dir.join("downloads");
    fs::create_dir_all(&downloads_dir).at(&downloads_dir)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
        .timeout_connect(Some(options.connect_timeout))
        .timeout_recv_response(Some(options.read_timeout))
        .timeout_per_read(Some(options.read_timeout))
        .proxy(if options.proxy_from_env {
            ureq::Proxy::try_from_env()
        } else {
            None
        })
        .build()
        .into();

    let mut downloads = Vec::new();
    let mut parts = Vec::new();
    for ecosystem in ecosystems {
        let part = downloads_dir.join(format!("{}.zip.part", percent_encode(ecosystem)));
        let mut failures = Vec::new();
        let mut done = None;
        for base in bases {
            let url = archive_url(base, ecosystem);
            match fetch_archive(&agent, &url, &part, options) {
                Ok(fetched) => {
                    done = Some(Download {
                        ecosystem: ecosystem.to_string(),
                        url,
                        bytes: fetched.bytes,
                        resumed_from: fetched.resumed_from,
                        sha256: fetched.sha256,
                        checksum_verified: fetched.checksum_verified,
                        failed_mirrors: std::mem::take(&mut failures),
                    });
                    break;
                }
                Err(e) => failures.push(e.to_string()),
            }
        }
        let Some(download) = done else {
            return Err(Error::AllMirrorsFailed {
                ecosystem: ecosystem.to_string(),
                failures,
            });
        };
        parts.push(part);
        downloads.push(download);
    }

    let inputs = downloads
        .iter()
        .zip(&parts)
        .map(|(d, part)| Input {
            path: part.clone(),
            location: Some(d.url.clone()),
            ecosystem: Some(d.ecosystem.clone()),
            sha256: Some(d.sha256.clone()),
        })
        .collect::<Vec<_>>();
    let import = import::import_inputs(db_path, &inputs, &options.import)?;
    for part in &parts {
        let _ = fs::remove_file(part);
        let _ = fs::remove_file(meta_path(part));
    }
    Ok(UpdateReport { downloads, import })
}

/// What `.part.meta` remembers about a partial download.
#[derive(Debug, Default, Serialize, Deserialize)]
struct PartMeta {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl PartMeta {
    fn validator(&self) -> Option<&str> {
        // A weak ETag may not be used in If-Range.
        self.etag
            .as_deref()
            .filter(|e| !e.starts_with("W/"))
            .or(self.last_modified.as_deref())
    }
}

fn meta_path(part: &Path) -> PathBuf {
    let mut name = part.as_os_str().to_os_string();
    name.push(".meta");
    PathBuf::from(name)
}

struct Fetched {
    bytes: u64,
    resumed_from: u64,
    sha256: String,
    checksum_verified: bool,
}

/// One failed try, and whether trying the same mirror again could help.
struct Failure {
    error: Error,
    retry: bool,
}

fn http_error(url: &str, message: impl Into<String>) -> Error {
    Error::Http {
        url: url.to_string(),
        message: message.into(),
    }
}

/// Downloads `url` into `part` (resuming it where it can) and checks it.
fn fetch_archive(
    agent: &ureq::Agent,
    url: &str,
    part: &Path,
    options: &UpdateOptions,
) -> Result<Fetched> {
    let expected = fetch_checksum(agent, &format!("{url}.sha256"))?;
    let resumed_from;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_download(agent, url, part, options.import.max_archive_bytes) {
            Ok(resumed) => {
                resumed_from = resumed;
                break;
            }
            Err(Failure { error, retry }) => {
                if !retry || attempt >= options.attempts_per_mirror.max(1) {
                    return Err(error);
                }
                std::thread::sleep(options.retry_delay * 2u32.saturating_pow(attempt - 1));
            }
        }
    }
    let bytes = fs::metadata(part).at(part)?.len();
    let sha256 = import::sha256_file(part)?;
    if let Some(expected) = &expected
        && *expected != sha256
    {
        discard(part);
        return Err(Error::Checksum {
            url: url.to_string(),
            expected: expected.clone(),
            actual: sha256,
        });
    }
    Ok(Fetched {
        bytes,
        resumed_from,
        sha256,
        checksum_verified: expected.is_some(),
    })
}

fn discard(part: &Path) {
    let _ = fs::remove_file(part);
    let _ = fs::remove_file(meta_path(part));
}

/// The published SHA-256 at `url`, `None` when the server has none.
fn fetch_checksum(agent: &ureq::Agent, url: &str) -> Result<Option<String>> {
    let response = agent
        .get(url)
        .call()
        .map_err(|e| http_error(url, e.to_string()))?;
    if response.status() != 200 {
        return Ok(None);
    }
    let text = response
        .into_body()
        .with_config()
        .limit(4096)
        .read_to_string()
        .map_err(|e| http_error(url, e.to_string()))?;
    let digest = text.split_whitespace().next().unwrap_or_default();
    if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(Some(digest.to_ascii_lowercase()))
    } else {
        Err(http_error(url, "not a SHA-256 checksum file"))
    }
}

/// One try at completing the part; returns how many bytes were already there when resumed.
/// One download attempt; an archive growing past `limit` bytes (a broken or hostile mirror
/// filling the disk) is a fatal error for this mirror.
fn try_download(agent: &ureq::Agent, url: &str, part: &Path, limit: u64) -> Result<u64, Failure> {
    let fatal = |error: Error| Failure {
        error,
        retry: false,
    };
    let meta_file = meta_path(part);
    let meta: PartMeta = fs::read(&meta_file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut have = fs::metadata(part).map_or(0, |m| m.len());
    let validator = meta.validator().map(str::to_string);
    if have > 0 && (meta.url != url || validator.is_none()) {
        have = 0;
    }

    let mut request = agent.get(url);
    if have > 0 {
        request = request
            .header("Range", format!("bytes={have}-"))
            .header("If-Range", validator.as_deref().unwrap_or_default());
    }
    let response = request.call().map_err(|e| Failure {
        error: http_error(url, e.to_string()),
        retry: true,
    })?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let etag = header("etag");
    let last_modified = header("last-modified");
    let content_range = header("content-range");
    let resumed = match status {
        200 => 0,
        206 => {
            let start = content_range
                .as_deref()
                .and_then(|r| r.strip_prefix("bytes "))
                .and_then(|r| r.split_once('-'))
                .and_then(|(start, _)| start.trim().parse::<u64>().ok());
            let same_entity = match (&etag, &meta.etag) {
                (Some(now), Some(before)) => now == before,
                _ => true,
            };
            if have == 0 || start != Some(have) || !same_entity {
                discard(part);
                return Err(Failure {
                    error: http_error(url, "the server resumed at the wrong place; starting over"),
                    retry: true,
                });
            }
            have
        }
        416 if have > 0 => {
            let total = content_range
                .as_deref()
                .and_then(|r| r.strip_prefix("bytes */"))
                .and_then(|t| t.trim().parse::<u64>().ok());
            if total == Some(have) {
                return Ok(have);
            }
            discard(part);
            return Err(Failure {
                error: http_error(url, "the partial download no longer fits; starting over"),
                retry: true,
            });
        }
        404 | 410 => {
            return Err(fatal(http_error(
                url,
                format!("HTTP {status}: not on this mirror"),
            )));
        }
        500..=599 | 408 | 429 => {
            return Err(Failure {
                error: http_error(url, format!("HTTP {status}")),
                retry: true,
            });
        }
        _ => return Err(fatal(http_error(url, format!("HTTP {status}")))),
    };

    if resumed == 0 {
        let new_meta = PartMeta {
            url: url.to_string(),
            etag,
            last_modified,
        };
        let json = serde_json::to_vec(&new_meta).expect("serialising a PartMeta");
        fs::write(&meta_file, json).at(&meta_file).map_err(fatal)?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(resumed == 0)
        .open(part)
        .at(part)
        .map_err(fatal)?;
    if resumed > 0 {
        file.set_len(resumed).at(part).map_err(fatal)?;
        file.seek(SeekFrom::End(0)).at(part).map_err(fatal)?;
    }
    let mut out = BufWriter::with_capacity(1 << 16, file);
    let mut body = response
        .into_body()
        .into_with_config()
        .limit(u64::MAX)
        .reader();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = resumed;
    let copied = loop {
        match body.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                total += n as u64;
                if total > limit {
                    break Err(fatal(http_error(
                        url,
                        format!("the archive is larger than {limit} bytes: refusing it"),
                    )));
                }
                if let Err(e) = out.write_all(&buf[..n]) {
                    break Err(fatal(Error::Io {
                        path: part.to_path_buf(),
                        source: e,
                    }));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                break Err(Failure {
                    error: http_error(url, format!("transfer broken: {e}")),
                    retry: true,
                });
            }
        }
    };
    // Keep what arrived, complete or not: the next try resumes from it.
    let flushed = out
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .at(part);
    copied?;
    flushed.map_err(fatal)?;
    Ok(resumed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            archive_url("https://x.test/", "Rocky Linux"),
            "https://x.test/Rocky%20Linux/all.zip"
        );
        assert_eq!(
            archive_url("https://x.test", "crates.io"),
            "https://x.test/crates.io/all.zip"
        );
        assert_eq!(
            archive_url("https://x.test", "Red Hat"),
            "https://x.test/Red%20Hat/all.zip"
        );
    }

    #[test]
    fn weak_etags_do_not_validate_ranges() {
        let meta = PartMeta {
            url: String::new(),
            etag: Some("W/\"x\"".into()),
            last_modified: None,
        };
        assert_eq!(meta.validator(), None);
    }
}
