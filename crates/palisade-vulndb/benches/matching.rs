//! Matching alone, without cataloging or report rendering: 500 PyPI packages, each at a version
//! a real advisory of `../shared/data/osv` lists as affected (the worst case: every package
//! vulnerable, every advisory of each package read), against a store of the shared advisories.
//!
//!     cargo bench -p palisade-vulndb --bench matching
//!
//! Prints the best of 5 passes over the 500 packages, on one thread and split over two (as
//! `palisade image` matches: one read-only connection per worker).

use std::path::Path;
use std::time::{Duration, Instant};

use palisade_vulndb::Store;
use palisade_vulndb::matcher::{Installed, matches};

fn main() {
    let osv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/osv");
    if !osv.is_dir() {
        eprintln!("no {}: nothing to measure", osv.display());
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("osv.sqlite");
    palisade_vulndb::import(&db, std::slice::from_ref(&osv)).expect("the shared advisories import");
    let store = Store::open(&db).expect("the store opens");

    // 500 distinct PyPI packages at the first version an advisory lists for them.
    let mut files: Vec<_> = std::fs::read_dir(osv.join("pypi"))
        .expect("the PyPI advisories")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut packages: Vec<(String, String)> = Vec::new();
    for file in files {
        let advisory: serde_json::Value =
            serde_json::from_slice(&std::fs::read(file).expect("readable")).expect("JSON");
        for affected in advisory["affected"].as_array().into_iter().flatten() {
            let (Some(name), Some(version)) = (
                affected["package"]["name"].as_str(),
                affected["versions"].get(0).and_then(|v| v.as_str()),
            ) else {
                continue;
            };
            // Versions PEP 440 cannot read (`0.1-bulbasaur`) cannot be matched at all.
            let readable = palisade_vulndb::version::compare("PyPI", version, version).is_ok();
            if readable && !packages.iter().any(|(n, _)| n == name) {
                packages.push((name.to_string(), version.to_string()));
            }
        }
        if packages.len() >= 500 {
            break;
        }
    }
    packages.truncate(500);

    let mut best = Duration::MAX;
    let mut found = 0;
    for _ in 0..5 {
        let start = Instant::now();
        found = 0;
        for (name, version) in &packages {
            let installed = Installed {
                ecosystem: "PyPI",
                name,
                version,
            };
            found += matches(&store, &installed).expect("matching works").len();
        }
        best = best.min(start.elapsed());
    }
    println!(
        "matching {} packages ({found} vulnerabilities): {:.1} ms (best of 5, one thread)",
        packages.len(),
        best.as_secs_f64() * 1000.0
    );

    let mut best_parallel = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        std::thread::scope(|scope| {
            for half in packages.chunks(packages.len().div_ceil(2)) {
                let db = &db;
                scope.spawn(move || {
                    let store = Store::open(db).expect("the store opens");
                    for (name, version) in half {
                        let installed = Installed {
                            ecosystem: "PyPI",
                            name,
                            version,
                        };
                        matches(&store, &installed).expect("matching works");
                    }
                });
            }
        });
        best_parallel = best_parallel.min(start.elapsed());
    }
    println!(
        "matching {} packages: {:.1} ms (best of 5, two threads)",
        packages.len(),
        best_parallel.as_secs_f64() * 1000.0
    );
}
