//! Helpers shared by the store and update tests.
#![allow(dead_code)]

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The shared OSV data (`../shared/data/osv` from the repository root), if present.
pub fn shared_osv() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/osv");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is absent; the tests on real OSV data are skipped",
            dir.display()
        );
        None
    }
}

/// The `*.json` files of a directory, sorted.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// A small, valid OSV advisory.
pub fn advisory(id: &str, modified: &str, packages: &[(&str, &str)], fixed: &str) -> String {
    let affected = packages
        .iter()
        .map(|(ecosystem, name)| {
            serde_json::json!({
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
            })
        })
        .collect::<Vec<_>>();
    serde_json::json!({
        "id": id,
        "modified": modified,
        "published": "2020-01-01T00:00:00Z",
        "aliases": [format!("CVE-{id}")],
        "summary": format!("summary of {id}"),
        "affected": affected,
        "database_specific": {"severity": "HIGH"},
    })
    .to_string()
}

/// Advisory documents (file name, bytes) to serve or import: the first `n` real crates.io
/// advisories when the shared data is there, else synthetic ones.
pub fn sample_docs(n: usize) -> Vec<(String, Vec<u8>)> {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/osv/crates.io");
    if real.is_dir() {
        return json_files(&real)
            .into_iter()
            .take(n)
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
    }
    (0..n)
        .map(|i| {
            let id = format!("SYN-{i:04}");
            let doc = advisory(
                &id,
                "2024-01-01T00:00:00Z",
                &[("crates.io", &format!("crate{i}"))],
                "1.0.0",
            );
            (format!("{id}.json"), doc.into_bytes())
        })
        .collect()
}

/// A deflated zip of the documents.
pub fn zip_of(docs: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in docs {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The entries of a directory whose names contain `.tmp-` (left-over temporary databases).
pub fn temp_leftovers(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".tmp-"))
        .collect()
}
