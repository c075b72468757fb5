//! Matching on real advisories (`../shared/data/osv/`: Go vulndb, RustSec, PyPA, GitHub npm)
//! for the language packages of the fixture app image, against an independent oracle:
//! `tests/fixtures/oracle.py` (PyPA's `packaging`, python-semver, the OSV schema's evaluation)
//! wrote `expected.tsv` for the packages of `packages.tsv`. Plus the Debian source mapping on a
//! synthetic Debian-shaped advisory, withdrawn advisories and alias merging.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use palisade_vulndb::Store;
use palisade_vulndb::matcher::{Installed, matches};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn shared_osv() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/osv");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: no {}", dir.display());
        None
    }
}

/// A database of the shared advisories (and the synthetic Debian one).
fn store(dir: &Path) -> Option<Store> {
    let osv = shared_osv()?;
    let db = dir.join("osv.sqlite");
    palisade_vulndb::import(&db, &[osv, fixtures().join("debian")]).unwrap();
    Some(Store::open(&db).unwrap())
}

#[test]
fn language_packages_match_the_oracle() {
    let dir = tempfile::tempdir().unwrap();
    let Some(store) = store(dir.path()) else {
        return;
    };
    let mut expected: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    let packages = std::fs::read_to_string(fixtures().join("packages.tsv")).unwrap();
    for line in packages.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        expected.insert(
            (fields[0].into(), fields[1].into(), fields[2].into()),
            BTreeSet::new(),
        );
    }
    let oracle = std::fs::read_to_string(fixtures().join("expected.tsv")).unwrap();
    for line in oracle.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        expected
            .get_mut(&(fields[0].into(), fields[1].into(), fields[2].into()))
            .expect("a package of packages.tsv")
            .insert(fields[3].to_string());
    }
    let mut total = 0;
    for ((ecosystem, name, version), advisories) in &expected {
        let found = matches(
            &store,
            &Installed {
                ecosystem,
                name,
                version,
            },
        )
        .unwrap();
        let package = format!("{ecosystem} {name} {version}");
        let names = |m: &palisade_vulndb::matcher::Match| -> BTreeSet<String> {
            std::iter::once(m.id.clone())
                .chain(m.aliases.iter().cloned())
                .collect()
        };
        // Every advisory the oracle lists is reported in exactly one match (as its id or a
        // merged alias): one finding per vulnerability.
        for advisory in advisories {
            let reporting = found.iter().filter(|m| names(m).contains(advisory)).count();
            assert_eq!(
                reporting, 1,
                "{package}: {advisory} reported {reporting} times ({found:#?})"
            );
        }
        // And nothing else: every match stands for at least one of them.
        for m in &found {
            assert!(
                !names(m).is_disjoint(advisories),
                "{package}: {} reported, the oracle says not affected",
                m.id
            );
        }
        total += found.len();
    }
    assert!(
        total > 50,
        "the fixture packages are vulnerable on purpose: {total}"
    );
}

#[test]
fn known_cases_fix_versions_and_withdrawn_advisories() {
    let dir = tempfile::tempdir().unwrap();
    let Some(store) = store(dir.path()) else {
        return;
    };
    let requests = matches(
        &store,
        &Installed {
            ecosystem: "PyPI",
            name: "Requests",
            version: "2.19.1",
        },
    )
    .unwrap();
    // CVE-2018-18074 (credentials leaked on an https→http redirect), fixed in 2.20.0.
    let leak = requests
        .iter()
        .find(|m| m.id == "CVE-2018-18074" || m.aliases.iter().any(|a| a == "CVE-2018-18074"))
        .expect("CVE-2018-18074");
    assert_eq!(leak.fixed.as_deref(), Some("2.20.0"));
    // A fixed version is not affected.
    let fixed = matches(
        &store,
        &Installed {
            ecosystem: "PyPI",
            name: "requests",
            version: "2.32.4",
        },
    )
    .unwrap();
    assert!(fixed.iter().all(|m| m.id != leak.id));

    // Withdrawn advisories are stored but never match, whatever the version.
    let status = store.status().unwrap();
    assert!(status.withdrawn > 0);
    let osv = shared_osv().unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(osv.join("pypi")).unwrap().flatten() {
        let advisory: serde_json::Value =
            serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap();
        if advisory["withdrawn"].is_null() {
            continue;
        }
        let Some(affected) = advisory["affected"].get(0) else {
            continue;
        };
        let Some(version) = affected["versions"].get(0).and_then(|v| v.as_str()) else {
            continue;
        };
        let name = affected["package"]["name"].as_str().unwrap();
        let found = matches(
            &store,
            &Installed {
                ecosystem: "PyPI",
                name,
                version,
            },
        )
        .unwrap();
        let id = advisory["id"].as_str().unwrap();
        assert!(found.iter().all(|m| m.id != id), "withdrawn {id} matched");
        checked += 1;
        if checked == 20 {
            break;
        }
    }
    assert!(checked > 0);
}

/// Debian advisories are keyed by source package and source version: `bsdutils`
/// `1:2.38.1-5+deb12u3` (binary, epoch 1) is util-linux `2.38.1-5+deb12u3` (source).
#[test]
fn debian_packages_match_by_source() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.sqlite");
    palisade_vulndb::import(&db, &[fixtures().join("debian")]).unwrap();
    let store = Store::open(&db).unwrap();
    let by_source = matches(
        &store,
        &Installed {
            ecosystem: "Debian:12",
            name: "util-linux",
            version: "2.38.1-5+deb12u3",
        },
    )
    .unwrap();
    assert_eq!(by_source.len(), 1);
    assert_eq!(by_source[0].fixed.as_deref(), Some("2.38.1-5+deb12u4"));
    assert_eq!(by_source[0].id, "CVE-2099-0001");
    assert_eq!(by_source[0].aliases, ["PALISADE-TEST-0001"]);
    // The binary's own version, with its epoch, sorts after every fix: matching it would miss.
    let by_binary = matches(
        &store,
        &Installed {
            ecosystem: "Debian:12",
            name: "util-linux",
            version: "1:2.38.1-5+deb12u3",
        },
    )
    .unwrap();
    assert!(by_binary.is_empty());
    // Another Debian release is another ecosystem.
    let bookworm_only = matches(
        &store,
        &Installed {
            ecosystem: "Debian:11",
            name: "util-linux",
            version: "2.36.1-8",
        },
    )
    .unwrap();
    assert!(bookworm_only.is_empty());
}
