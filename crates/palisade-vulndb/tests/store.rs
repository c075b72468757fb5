//! Import and lookup: on the shared real OSV data when it is there, and on small made-up data.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use palisade_vulndb::import::{ImportOptions, import_with};
use palisade_vulndb::store::{DEFAULT_MAX_AGE, Store, base_ecosystem, normalize_name};
use palisade_vulndb::{Error, import};

use common::{advisory, json_files, sample_docs, sha256_hex, shared_osv, temp_leftovers, zip_of};

/// The shared data imported once for every test of this binary.
struct Imported {
    _dir: tempfile::TempDir,
    db: PathBuf,
    data: PathBuf,
    report: palisade_vulndb::ImportReport,
}

fn imported() -> Option<&'static Imported> {
    static CELL: OnceLock<Option<Imported>> = OnceLock::new();
    CELL.get_or_init(|| {
        let data = shared_osv()?;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("osv.sqlite");
        let mut inputs: Vec<PathBuf> = std::fs::read_dir(&data)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        inputs.sort();
        let started = Instant::now();
        let report = import(&db, &inputs).unwrap();
        let size = std::fs::metadata(&db).unwrap().len();
        eprintln!(
            "imported {} advisories from {} in {:.2?} ({} skipped); database {:.1} MiB",
            report.added,
            data.display(),
            started.elapsed(),
            report.skipped,
            size as f64 / (1 << 20) as f64
        );
        Some(Imported {
            _dir: dir,
            db,
            data,
            report,
        })
    })
    .as_ref()
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// (ecosystem, name) of each affected package of an advisory document.
fn packages_of(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    doc["affected"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| {
            let p = &a["package"];
            Some((
                p["ecosystem"].as_str()?.to_string(),
                p["name"].as_str()?.to_string(),
            ))
        })
        .collect()
}

#[test]
fn real_data_counts_per_source_and_ecosystem() {
    let Some(imp) = imported() else { return };
    let mut expected_per_base: BTreeMap<String, u64> = BTreeMap::new();
    let mut files = 0u64;
    let mut withdrawn = 0u64;
    for source in &imp.report.sources {
        let dir = PathBuf::from(&source.location);
        let dir_files = json_files(&dir);
        assert_eq!(
            source.imported,
            dir_files.len() as u64,
            "{}",
            source.location
        );
        assert_eq!(source.skipped, 0);
        files += dir_files.len() as u64;
        for file in dir_files {
            let doc = read_json(&file);
            if doc.get("withdrawn").is_some_and(|w| !w.is_null()) {
                withdrawn += 1;
            }
            let bases: BTreeSet<String> = packages_of(&doc)
                .into_iter()
                .map(|(e, _)| base_ecosystem(&e).to_string())
                .collect();
            for base in bases {
                *expected_per_base.entry(base).or_default() += 1;
            }
        }
    }
    assert_eq!(imp.report.sources.len(), 4);
    assert_eq!(imp.report.skipped, 0);
    assert_eq!(imp.report.added, files);
    assert_eq!(imp.report.advisories, files);

    let store = Store::open(&imp.db).unwrap();
    let status = store.status().unwrap();
    assert_eq!(status.advisories, files);
    assert_eq!(status.withdrawn, withdrawn);
    assert!(withdrawn > 0, "the shared data has withdrawn advisories");
    let got: BTreeMap<String, u64> = status
        .ecosystems
        .iter()
        .map(|e| (e.ecosystem.clone(), e.advisories))
        .collect();
    assert_eq!(got, expected_per_base);
    assert_eq!(status.sources.len(), 4);
    assert!(!status.is_stale(DEFAULT_MAX_AGE));
    assert!(status.staleness_warning(DEFAULT_MAX_AGE).is_none());
    assert!(status.age.unwrap() < Duration::from_secs(3600));
    assert!(status.packages > 1000);
    eprintln!("{:?}", status.ecosystems);
}

#[test]
fn real_data_pypi_names_are_normalised() {
    let Some(imp) = imported() else { return };
    let store = Store::open(&imp.db).unwrap();
    let lower = store.lookup("PyPI", "django").unwrap();
    let upper = store.lookup("PyPI", "Django").unwrap();
    assert!(
        lower.len() > 50,
        "django has many advisories: {}",
        lower.len()
    );
    let ids = |v: &[palisade_vulndb::Advisory]| v.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&lower), ids(&upper));
    for adv in &lower {
        assert!(!adv.affected.is_empty(), "{}", adv.id);
        for a in &adv.affected {
            let p = a.package.as_ref().unwrap();
            assert_eq!(p.ecosystem, "PyPI");
            assert_eq!(normalize_name("PyPI", &p.name), "django");
        }
    }
    // Every file that names django is found, withdrawn ones included (flagged).
    let mut expected = BTreeSet::new();
    for file in json_files(&imp.data.join("pypi")) {
        let doc = read_json(&file);
        if packages_of(&doc)
            .iter()
            .any(|(e, n)| e == "PyPI" && normalize_name("PyPI", n) == "django")
        {
            expected.insert(doc["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(ids(&lower).into_iter().collect::<BTreeSet<_>>(), expected);
    // PEP 503 runs of separators.
    assert_eq!(
        ids(&store.lookup("PyPI", "DJANGO").unwrap()),
        ids(&store.lookup("PyPI", "django").unwrap())
    );
    assert!(store.lookup("npm", "django").unwrap().is_empty());
}

#[test]
fn real_data_multi_package_advisory_is_under_each_package() {
    let Some(imp) = imported() else { return };
    let store = Store::open(&imp.db).unwrap();
    let mut checked = 0;
    for dir in ["go", "pypi", "npm"] {
        for file in json_files(&imp.data.join(dir)) {
            let doc = read_json(&file);
            let packages = packages_of(&doc);
            if packages.len() < 2 {
                continue;
            }
            let id = doc["id"].as_str().unwrap();
            for (ecosystem, name) in &packages {
                let found = store.lookup(ecosystem, name).unwrap();
                let adv = found
                    .iter()
                    .find(|a| a.id == id)
                    .unwrap_or_else(|| panic!("{id} not under {ecosystem}/{name}"));
                let expected_entries = doc["affected"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|a| {
                        a["package"]["ecosystem"] == ecosystem.as_str()
                            && normalize_name(ecosystem, a["package"]["name"].as_str().unwrap())
                                == normalize_name(ecosystem, name)
                    })
                    .count();
                assert_eq!(adv.affected.len(), expected_entries, "{id} {name}");
                assert!(adv.affected.iter().all(|a| {
                    let p = a.package.as_ref().unwrap();
                    normalize_name(ecosystem, &p.name) == normalize_name(ecosystem, name)
                }));
            }
            checked += 1;
            break;
        }
    }
    assert_eq!(checked, 3);
}

#[test]
fn real_data_advisory_fields_survive() {
    let Some(imp) = imported() else { return };
    let store = Store::open(&imp.db).unwrap();
    let file = json_files(&imp.data.join("pypi"))
        .into_iter()
        .find(|f| {
            let doc = read_json(f);
            doc["aliases"].as_array().is_some_and(|a| !a.is_empty())
                && doc["severity"].as_array().is_some_and(|s| !s.is_empty())
        })
        .unwrap();
    let doc = read_json(&file);
    let adv = store.get(doc["id"].as_str().unwrap()).unwrap().unwrap();
    assert_eq!(adv.modified, doc["modified"].as_str().unwrap());
    assert_eq!(
        adv.aliases,
        doc["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        adv.severity.len(),
        doc["severity"].as_array().unwrap().len()
    );
    assert_eq!(
        adv.affected.len(),
        doc["affected"].as_array().unwrap().len()
    );
    assert!(store.get("NO-SUCH-ID").unwrap().is_none());
}

#[test]
fn malformed_documents_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("nested")).unwrap();
    std::fs::write(
        input.join("A-1.json"),
        advisory("A-1", "2024-01-01T00:00:00Z", &[("PyPI", "Foo_Bar")], "1.0"),
    )
    .unwrap();
    std::fs::write(
        input.join("nested/A-2.json"),
        advisory("A-2", "2024-01-01T00:00:00Z", &[("npm", "left-pad")], "1.0"),
    )
    .unwrap();
    std::fs::write(input.join("broken.json"), "{ not json").unwrap();
    std::fs::write(
        input.join("no-id.json"),
        r#"{"modified": "2024-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    std::fs::write(input.join("empty-id.json"), r#"{"id": " "}"#).unwrap();
    std::fs::write(input.join("README.md"), "not an advisory").unwrap();
    let db = dir.path().join("db.sqlite");
    let report = import(&db, std::slice::from_ref(&input)).unwrap();
    assert_eq!(report.added, 2);
    assert_eq!(report.skipped, 3);
    assert_eq!(report.sources[0].imported, 2);
    assert_eq!(report.sources[0].skipped, 3);
    assert_eq!(report.sources[0].ecosystem.as_deref(), Some("PyPI,npm"));
    assert!(
        report.errors.iter().any(|e| e.contains("broken.json")),
        "{:?}",
        report.errors
    );
    assert!(
        report.errors.iter().any(|e| e.contains("no-id.json")),
        "{:?}",
        report.errors
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(store.lookup("PyPI", "foo.bar").unwrap()[0].id, "A-1");
    assert_eq!(store.lookup("PyPI", "FOO-BAR").unwrap()[0].id, "A-1");
    assert!(store.lookup("PyPI", "foobar").unwrap().is_empty());
    let adv = &store.lookup("npm", "left-pad").unwrap()[0];
    assert_eq!(adv.database_severity(), Some("HIGH"));
    assert_eq!(adv.aliases, ["CVE-A-2"]);
    assert!(temp_leftovers(dir.path()).is_empty());
}

#[test]
fn zip_archives_name_bad_members_and_bound_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let mut docs = sample_docs(20);
    docs.push(("BAD.json".into(), b"{\"id\": 12}".to_vec()));
    docs.push(("big/HUGE.json".into(), vec![b' '; 200_000]));
    docs.push(("notes.txt".into(), b"ignored".to_vec()));
    let archive = dir.path().join("all.zip");
    let bytes = zip_of(&docs);
    std::fs::write(&archive, &bytes).unwrap();
    let db = dir.path().join("db.sqlite");
    let options = ImportOptions {
        max_member_bytes: 100_000,
        ..ImportOptions::default()
    };
    let report = import_with(&db, std::slice::from_ref(&archive), &options).unwrap();
    assert_eq!(report.added, 20);
    assert_eq!(report.skipped, 2);
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.contains("all.zip (BAD.json)")),
        "{:?}",
        report.errors
    );
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.contains("HUGE.json") && e.contains("larger than"))
    );
    assert_eq!(
        report.sources[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(report.sources[0].ecosystem.as_deref(), Some("crates.io"));

    // A bomb: the archive as a whole may not expand beyond its bound.
    let bomb = dir.path().join("bomb.zip");
    std::fs::write(&bomb, zip_of(&[("Z.json".into(), vec![b' '; 4 << 20])])).unwrap();
    let before = std::fs::read(&db).unwrap();
    let options = ImportOptions {
        max_archive_bytes: 1 << 20,
        ..ImportOptions::default()
    };
    let err = import_with(&db, &[bomb], &options).unwrap_err();
    assert!(err.to_string().contains("expands to more than"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn newer_modified_wins_and_import_adds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let write = |name: &str, doc: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, doc).unwrap();
        path
    };
    let v1 = write(
        "v1.json",
        advisory(
            "X-1",
            "2024-01-01T00:00:00Z",
            &[("Go", "example.com/a")],
            "1.0.0",
        ),
    );
    let v2 = write(
        "v2.json",
        advisory(
            "X-1",
            "2024-01-01T00:00:00.5Z",
            &[("Go", "example.com/b")],
            "2.0.0",
        ),
    );
    let other = write(
        "o.json",
        advisory(
            "X-2",
            "2023-01-01T00:00:00Z",
            &[("Go", "example.com/a")],
            "1",
        ),
    );

    let r = import(&db, std::slice::from_ref(&v1)).unwrap();
    assert_eq!((r.added, r.updated, r.unchanged), (1, 0, 0));
    let r = import(&db, &[v2.clone(), other.clone()]).unwrap();
    assert_eq!(
        (r.added, r.updated, r.unchanged, r.advisories),
        (1, 1, 0, 2)
    );
    let store = Store::open(&db).unwrap();
    // The newer copy moved the advisory from example.com/a to example.com/b.
    let a: Vec<_> = store
        .lookup("Go", "example.com/a")
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(a, ["X-2"]);
    assert_eq!(store.lookup("Go", "example.com/b").unwrap()[0].id, "X-1");
    assert!(
        store.lookup("Go", "example.com/B").unwrap().is_empty(),
        "Go paths are case-sensitive"
    );
    drop(store);
    // An older copy changes nothing.
    let r = import(&db, &[v1]).unwrap();
    assert_eq!((r.added, r.updated, r.unchanged), (0, 0, 1));
    let store = Store::open(&db).unwrap();
    assert_eq!(store.lookup("Go", "example.com/b").unwrap()[0].id, "X-1");
    let status = store.status().unwrap();
    assert_eq!(status.advisories, 2);
    assert_eq!(status.sources.len(), 3);
    // A fresh import keeps only what it imports.
    drop(store);
    let options = ImportOptions {
        fresh: true,
        ..ImportOptions::default()
    };
    let r = import_with(&db, &[other], &options).unwrap();
    assert_eq!(r.advisories, 1);
}

#[test]
fn release_suffixed_ecosystems_match_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let doc = dir.path().join("d.json");
    std::fs::write(
        &doc,
        advisory(
            "DEB-1",
            "2024-01-01T00:00:00Z",
            &[
                ("Debian:12", "openssl"),
                ("Debian:11", "openssl"),
                ("Alpine:v3.20", "openssl"),
            ],
            "3.0.1",
        ),
    )
    .unwrap();
    let withdrawn = dir.path().join("w.json");
    let mut w: serde_json::Value = serde_json::from_str(&advisory(
        "W-1",
        "2024-01-01T00:00:00Z",
        &[("Debian:12", "openssl")],
        "1",
    ))
    .unwrap();
    w["withdrawn"] = "2024-02-01T00:00:00Z".into();
    std::fs::write(&withdrawn, w.to_string()).unwrap();
    import(&db, &[doc, withdrawn]).unwrap();
    let store = Store::open(&db).unwrap();
    let found = store.lookup("Debian:12", "openssl").unwrap();
    assert_eq!(
        found.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["DEB-1", "W-1"]
    );
    assert_eq!(found[0].affected.len(), 1);
    assert_eq!(
        found[0].affected[0].package.as_ref().unwrap().ecosystem,
        "Debian:12"
    );
    assert!(!found[0].is_withdrawn());
    assert!(found[1].is_withdrawn());
    assert_eq!(store.lookup("Debian:11", "openssl").unwrap().len(), 1);
    assert!(store.lookup("Debian:10", "openssl").unwrap().is_empty());
    assert!(store.lookup("Debian", "openssl").unwrap().is_empty());
    assert_eq!(store.lookup("Alpine:v3.20", "openssl").unwrap().len(), 1);
    let status = store.status().unwrap();
    assert_eq!(status.withdrawn, 1);
    let debian = status
        .ecosystems
        .iter()
        .find(|e| e.ecosystem == "Debian")
        .unwrap();
    assert_eq!((debian.advisories, debian.packages), (2, 1));
}

#[test]
fn failed_import_leaves_the_old_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let docs = sample_docs(30);
    let (first, rest) = docs.split_at(10);
    let put = |sub: &str, docs: &[(String, Vec<u8>)]| {
        let d = dir.path().join(sub);
        std::fs::create_dir_all(&d).unwrap();
        for (name, bytes) in docs {
            std::fs::write(d.join(name), bytes).unwrap();
        }
        d
    };
    let old_input = put("old", first);
    let new_input = put("new", rest);
    import(&db, &[old_input]).unwrap();
    let before = sha256_hex(&std::fs::read(&db).unwrap());

    // Good input first, then one that cannot be read: the error comes midway.
    let missing = dir.path().join("missing.json");
    let err = import(&db, &[new_input.clone(), missing]).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    // A file that looks like a zip but is not one.
    let corrupt = dir.path().join("corrupt.zip");
    std::fs::write(&corrupt, b"PK\x03\x04 this is not an archive").unwrap();
    let err = import(&db, &[new_input, corrupt]).unwrap_err();
    assert!(err.to_string().contains("corrupt.zip"), "{err}");

    assert_eq!(sha256_hex(&std::fs::read(&db).unwrap()), before);
    assert!(temp_leftovers(dir.path()).is_empty());
    let store = Store::open(&db).unwrap();
    assert_eq!(store.status().unwrap().advisories, 10);
}

#[test]
fn open_reports_missing_and_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.sqlite");
    assert!(matches!(
        Store::open(&missing).unwrap_err(),
        Error::Missing(_)
    ));
    let foreign = dir.path().join("foreign.sqlite");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    assert!(
        Store::open(&foreign)
            .unwrap_err()
            .to_string()
            .contains("not a palisade")
    );
    // An import over a database of another schema rebuilds it and says so.
    let report = import(&foreign, &[]).unwrap();
    assert!(report.notes[0].contains("rebuilt"), "{:?}", report.notes);
    let status = Store::open(&foreign).unwrap().status().unwrap();
    assert_eq!(status.advisories, 0);
    assert!(!status.is_stale(DEFAULT_MAX_AGE));
}
