//! `update` against a small HTTP/1.1 server on 127.0.0.1 serving zips built here.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use palisade_vulndb::update::{UpdateOptions, update_with};
use palisade_vulndb::{Error, Store, import};

use common::{sample_docs, sha256_hex, temp_leftovers, zip_of};

/// A file the server serves.
struct Route {
    body: Vec<u8>,
    etag: String,
    /// Send only half the body, then close, the first time a full body is asked for.
    drop_first: AtomicBool,
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    range: Option<String>,
    if_range: Option<String>,
}

struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Serves `routes` on 127.0.0.1, one connection at a time, for at most 60 connections or 60
/// seconds, whichever comes first, then stops by itself.
fn serve(routes: Vec<(&str, Route)>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let routes: HashMap<String, Route> = routes
        .into_iter()
        .map(|(path, route)| (path.to_string(), route))
        .collect();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut served = 0;
        while served < 60 && Instant::now() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    served += 1;
                    let _ = handle(stream, &routes, &log);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(_) => break,
            }
        }
    });
    Server { base, seen }
}

fn handle(
    mut stream: TcpStream,
    routes: &HashMap<String, Route>,
    log: &Mutex<Vec<Seen>>,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    log.lock().unwrap().push(Seen {
        path: path.clone(),
        range: headers.get("range").cloned(),
        if_range: headers.get("if-range").cloned(),
    });
    let Some(route) = routes.get(&path) else {
        return stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
        );
    };
    let len = route.body.len();
    let start = headers
        .get("range")
        .filter(|_| headers.get("if-range").is_none_or(|v| *v == route.etag))
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<usize>().ok());
    let head = |status: &str, extra: String, length: usize| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Length: {length}\r\nETag: {}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n{extra}\r\n",
            route.etag
        )
    };
    match start {
        Some(start) if start >= len => {
            stream.write_all(
                head(
                    "416 Range Not Satisfiable",
                    format!("Content-Range: bytes */{len}\r\n"),
                    0,
                )
                .as_bytes(),
            )?;
        }
        Some(start) => {
            stream.write_all(
                head(
                    "206 Partial Content",
                    format!("Content-Range: bytes {start}-{}/{len}\r\n", len - 1),
                    len - start,
                )
                .as_bytes(),
            )?;
            stream.write_all(&route.body[start..])?;
        }
        None => {
            stream.write_all(head("200 OK", String::new(), len).as_bytes())?;
            if route.drop_first.swap(false, Ordering::SeqCst) {
                stream.write_all(&route.body[..len / 2])?;
                stream.flush()?;
                // Close mid-body: the client sees the connection drop.
                stream.shutdown(std::net::Shutdown::Both)?;
                return Ok(());
            }
            stream.write_all(&route.body)?;
        }
    }
    stream.flush()
}

fn route(body: Vec<u8>, drop_first: bool) -> Route {
    Route {
        etag: format!("\"{}\"", &sha256_hex(&body)[..16]),
        body,
        drop_first: AtomicBool::new(drop_first),
    }
}

fn quick() -> UpdateOptions {
    UpdateOptions {
        retry_delay: Duration::from_millis(10),
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(10),
        proxy_from_env: false,
        ..UpdateOptions::default()
    }
}

fn part_files(cache: &Path) -> Vec<String> {
    let dir = cache.join("downloads");
    if !dir.is_dir() {
        return vec![];
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn downloads_and_imports() {
    let docs = sample_docs(300);
    let zip = zip_of(&docs);
    let server = serve(vec![("/crates.io/all.zip", route(zip.clone(), false))]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.sqlite");
    let cache = dir.path().join("cache");
    let report = update_with(
        &db,
        std::slice::from_ref(&server.base),
        &["crates.io"],
        &cache,
        &quick(),
    )
    .unwrap();
    let d = &report.downloads[0];
    assert_eq!(d.url, format!("{}/crates.io/all.zip", server.base));
    assert_eq!(d.bytes, zip.len() as u64);
    assert_eq!(d.sha256, sha256_hex(&zip));
    assert!(!d.checksum_verified, "the server publishes no checksum");
    assert_eq!(d.resumed_from, 0);
    assert_eq!(report.import.added, docs.len() as u64);
    assert!(part_files(&cache).is_empty(), "{:?}", part_files(&cache));

    let store = Store::open(&db).unwrap();
    let status = store.status().unwrap();
    assert_eq!(status.advisories, docs.len() as u64);
    assert_eq!(status.sources[0].location, d.url);
    assert_eq!(status.sources[0].ecosystem.as_deref(), Some("crates.io"));
    assert_eq!(status.sources[0].sha256.as_deref(), Some(d.sha256.as_str()));
    let first: serde_json::Value = serde_json::from_slice(&docs[0].1).unwrap();
    let name = first["affected"][0]["package"]["name"].as_str().unwrap();
    let found = store.lookup("crates.io", name).unwrap();
    assert!(found.iter().any(|a| a.id == first["id"].as_str().unwrap()));
    // The checksum was asked for first, then the archive, without a range.
    let seen = server.seen();
    assert_eq!(seen[0].path, "/crates.io/all.zip.sha256");
    assert_eq!(seen[1].path, "/crates.io/all.zip");
    assert!(seen[1].range.is_none());
}

#[test]
fn resumes_a_broken_download_within_a_run() {
    let zip = zip_of(&sample_docs(200));
    let server = serve(vec![("/crates.io/all.zip", route(zip.clone(), true))]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.sqlite");
    let cache = dir.path().join("cache");
    let report = update_with(
        &db,
        std::slice::from_ref(&server.base),
        &["crates.io"],
        &cache,
        &quick(),
    )
    .unwrap();
    let d = &report.downloads[0];
    assert_eq!(d.resumed_from, (zip.len() / 2) as u64);
    assert_eq!(d.sha256, sha256_hex(&zip));
    assert_eq!(report.import.added, 200);
    let ranged: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|s| s.range.is_some())
        .collect();
    assert_eq!(ranged.len(), 1);
    assert_eq!(
        ranged[0].range.as_deref(),
        Some(format!("bytes={}-", zip.len() / 2).as_str())
    );
    assert!(
        ranged[0].if_range.is_some(),
        "a resume is validated by the ETag"
    );
}

#[test]
fn resumes_a_broken_download_in_the_next_run() {
    let zip = zip_of(&sample_docs(200));
    let server = serve(vec![("/crates.io/all.zip", route(zip.clone(), true))]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.sqlite");
    let cache = dir.path().join("cache");
    let once = UpdateOptions {
        attempts_per_mirror: 1,
        ..quick()
    };
    let err = update_with(
        &db,
        std::slice::from_ref(&server.base),
        &["crates.io"],
        &cache,
        &once,
    )
    .unwrap_err();
    assert!(matches!(err, Error::AllMirrorsFailed { .. }), "{err}");
    assert!(!db.exists(), "no database from a failed update");
    assert_eq!(
        part_files(&cache),
        ["crates.io.zip.part", "crates.io.zip.part.meta"]
    );
    let part = std::fs::metadata(cache.join("downloads/crates.io.zip.part")).unwrap();
    assert_eq!(part.len(), (zip.len() / 2) as u64);

    let report = update_with(
        &db,
        std::slice::from_ref(&server.base),
        &["crates.io"],
        &cache,
        &once,
    )
    .unwrap();
    assert_eq!(report.downloads[0].resumed_from, (zip.len() / 2) as u64);
    assert_eq!(report.downloads[0].sha256, sha256_hex(&zip));
    assert_eq!(Store::open(&db).unwrap().status().unwrap().advisories, 200);
    assert!(part_files(&cache).is_empty());
}

#[test]
fn checksum_mismatch_fails_and_keeps_the_old_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.sqlite");
    let docs = sample_docs(40);
    let old = dir.path().join("old");
    std::fs::create_dir(&old).unwrap();
    for (name, bytes) in &docs[..5] {
        std::fs::write(old.join(name), bytes).unwrap();
    }
    import(&db, &[old]).unwrap();
    let before = std::fs::read(&db).unwrap();

    let zip = zip_of(&docs);
    let wrong = format!("{}  all.zip\n", "0".repeat(64));
    let server = serve(vec![
        ("/crates.io/all.zip", route(zip, false)),
        (
            "/crates.io/all.zip.sha256",
            route(wrong.into_bytes(), false),
        ),
    ]);
    let cache = dir.path().join("cache");
    let err = update_with(
        &db,
        std::slice::from_ref(&server.base),
        &["crates.io"],
        &cache,
        &quick(),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("does not match"), "{text}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(temp_leftovers(dir.path()).is_empty());
    assert!(
        part_files(&cache).is_empty(),
        "the partial is discarded: {:?}",
        part_files(&cache)
    );
    assert_eq!(Store::open(&db).unwrap().status().unwrap().advisories, 5);
}

#[test]
fn falls_back_to_the_next_mirror() {
    let zip = zip_of(&sample_docs(50));
    // A mirror that refuses connections: a port that was just free.
    let refused = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let empty = serve(vec![]);
    let sha_line = format!("{}  all.zip\n", sha256_hex(&zip));
    let good = serve(vec![
        ("/PyPI/all.zip", route(zip_of(&sample_docs(3)), false)),
        ("/crates.io/all.zip", route(zip.clone(), false)),
        (
            "/crates.io/all.zip.sha256",
            route(sha_line.into_bytes(), false),
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.sqlite");
    let cache = dir.path().join("cache");
    let bases = [refused, format!("{}/", empty.base), good.base.clone()];
    let report = update_with(&db, &bases, &["crates.io", "PyPI"], &cache, &quick()).unwrap();
    let d = &report.downloads[0];
    assert_eq!(d.url, format!("{}/crates.io/all.zip", good.base));
    assert!(d.checksum_verified);
    assert_eq!(d.failed_mirrors.len(), 2, "{:?}", d.failed_mirrors);
    assert!(
        d.failed_mirrors[1].contains("404"),
        "{:?}",
        d.failed_mirrors
    );
    assert_eq!(report.downloads[1].ecosystem, "PyPI");
    let status = Store::open(&db).unwrap().status().unwrap();
    assert_eq!(status.sources.len(), 2);
    assert_eq!(empty.seen()[0].path, "/crates.io/all.zip.sha256");

    // An ecosystem no mirror has fails the whole update, naming every mirror's reason.
    let err = update_with(&db, &bases, &["Nope"], &cache, &quick()).unwrap_err();
    match err {
        Error::AllMirrorsFailed {
            ecosystem,
            failures,
        } => {
            assert_eq!(ecosystem, "Nope");
            assert_eq!(failures.len(), 3);
        }
        other => panic!("{other}"),
    }
    assert_eq!(Store::open(&db).unwrap().status().unwrap().sources.len(), 2);
}

#[test]
fn a_complete_download_is_not_fetched_again() {
    let zip = zip_of(&sample_docs(60));
    let server = serve(vec![("/crates.io/all.zip", route(zip.clone(), false))]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.sqlite");
    let cache = dir.path().join("cache");
    let base = std::slice::from_ref(&server.base);
    // crates.io downloads, Nope does not: nothing is imported, the download stays.
    let err = update_with(&db, base, &["crates.io", "Nope"], &cache, &quick()).unwrap_err();
    assert!(matches!(err, Error::AllMirrorsFailed { .. }), "{err}");
    assert!(!db.exists());
    assert_eq!(
        part_files(&cache),
        ["crates.io.zip.part", "crates.io.zip.part.meta"]
    );
    // The next run asks for the rest, hears there is none (416), and imports what it has.
    let report = update_with(&db, base, &["crates.io"], &cache, &quick()).unwrap();
    assert_eq!(report.downloads[0].resumed_from, zip.len() as u64);
    assert_eq!(report.downloads[0].sha256, sha256_hex(&zip));
    assert_eq!(report.import.added, 60);
    let archive_gets: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|s| s.path == "/crates.io/all.zip")
        .collect();
    assert_eq!(archive_gets.len(), 2);
    assert_eq!(
        archive_gets[1].range.as_deref(),
        Some(format!("bytes={}-", zip.len()).as_str())
    );
}

/// A mirror sending more than the archive bound allows is refused, not written to disk
/// without end; the database is not created.
#[test]
fn an_oversized_archive_is_refused() {
    let zip = zip_of(&sample_docs(50));
    let server = serve(vec![("/crates.io/all.zip", route(zip.clone(), false))]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.sqlite");
    let mut options = quick();
    options.import.max_archive_bytes = zip.len() as u64 / 2;
    let error = update_with(
        &db,
        std::slice::from_ref(&server.base),
        &["crates.io"],
        &dir.path().join("cache"),
        &options,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("larger than"), "{error}");
    assert!(!db.exists());
}
