//! The lockfile catalogers on lockfiles the real tools wrote (npm 11, yarn 1.22 and 4.9, cargo;
//! `fixtures/lockfiles/make.sh`), compared with what the same tools report about them, saved
//! next to each lockfile: `npm ls --all --json`, `yarn list --json`, `yarn info --all
//! --recursive --json`, `cargo metadata`. Then the whole catalog: lockfiles next to installed
//! `node_modules`, vendored lockfiles, and an unpacked root filesystem with a Java archive too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use palisade_image::catalog::{self, Package, lockfiles};
use palisade_image::flatten::KeptFile;
use serde_json::Value;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lockfiles")
        .join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(fixture(path)).unwrap()
}

fn json(path: &str) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// `name@version`, sorted and deduplicated.
fn pinned(packages: &[Package]) -> Vec<String> {
    let mut found: Vec<String> = packages
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Every package of an `npm ls --json` tree, named as the registry serves it: from the
/// `resolved` tarball URL (`https://registry.npmjs.org/<name>/-/<file>.tgz`), so that an alias
/// (`my-ms`) counts as the package it installs (`ms`).
fn npm_ls(path: &str) -> Vec<String> {
    fn walk(dependencies: &Value, out: &mut Vec<String>) {
        for node in dependencies
            .as_object()
            .into_iter()
            .flat_map(|d| d.values())
        {
            // Without `resolved`: a deduplicated repeat of a package listed in full elsewhere.
            let Some(resolved) = node["resolved"].as_str() else {
                continue;
            };
            let name = resolved
                .strip_prefix("https://registry.npmjs.org/")
                .and_then(|rest| rest.split_once("/-/"))
                .unwrap()
                .0;
            out.push(format!("{name}@{}", node["version"].as_str().unwrap()));
            walk(&node["dependencies"], out);
        }
    }
    let mut found = Vec::new();
    walk(&json(path)["dependencies"], &mut found);
    found.sort();
    found.dedup();
    found
}

/// The aliases a fixture's `package.json` declares (`"my-ms": "npm:ms@2.0.0"` → `my-ms` → `ms`).
fn aliases(package_json: &str) -> BTreeMap<String, String> {
    let manifest = json(package_json);
    let mut aliases = BTreeMap::new();
    for key in ["dependencies", "devDependencies"] {
        for (name, spec) in manifest[key].as_object().unwrap() {
            if let Some((real, _)) = spec
                .as_str()
                .unwrap()
                .strip_prefix("npm:")
                .and_then(|s| s.rsplit_once('@'))
            {
                aliases.insert(name.clone(), real.to_string());
            }
        }
    }
    aliases
}

#[test]
fn npm_lockfiles_match_npm_ls() {
    for version in ["npm-v3", "npm-v1"] {
        let lockfile = format!("{version}/package-lock.json");
        let packages = lockfiles::parse(&read(&lockfile), "srv/app/package-lock.json", 1);
        // Dev-only packages are skipped: what `npm ls --omit=dev` lists.
        assert_eq!(
            pinned(&packages),
            npm_ls(&format!("{version}/npm-ls-omit-dev.json")),
            "{version}"
        );
        let all = npm_ls(&format!("{version}/npm-ls.json"));
        let dev_only: Vec<&String> = all
            .iter()
            .filter(|p| !pinned(&packages).contains(p))
            .collect();
        assert_eq!(dev_only, vec!["is-number@7.0.0"], "{version}");
        assert!(packages.iter().all(|p| p.ecosystem == "npm"
            && p.path == "/srv/app/package-lock.json"
            && p.layer == 1));
        let scoped = packages
            .iter()
            .find(|p| p.name == "@isaacs/string-locale-compare")
            .unwrap();
        assert_eq!(scoped.purl, "pkg:npm/%40isaacs/string-locale-compare@1.1.0");
    }
}

#[test]
fn yarn_classic_lockfile_matches_yarn_list() {
    let aliases = aliases("yarn-v1/package.json");
    let list = json("yarn-v1/yarn-list.json");
    let mut expected = Vec::new();
    let mut pending: Vec<&Value> = list["data"]["trees"].as_array().unwrap().iter().collect();
    while let Some(node) = pending.pop() {
        // Shadow nodes repeat a dependency listed elsewhere, by its range.
        if node["shadow"] != true {
            let (name, version) = node["name"].as_str().unwrap().rsplit_once('@').unwrap();
            let name = aliases.get(name).map_or(name, String::as_str);
            expected.push(format!("{name}@{version}"));
        }
        pending.extend(node["children"].as_array().into_iter().flatten());
    }
    expected.sort();
    expected.dedup();
    let packages = lockfiles::parse(&read("yarn-v1/yarn.lock"), "app/yarn.lock", 0);
    // yarn.lock does not mark dev dependencies: is-number is reported.
    assert_eq!(pinned(&packages), expected);
    assert!(expected.contains(&"is-number@7.0.0".to_string()));
    assert!(expected.contains(&"ms@2.0.0".to_string()), "the alias");
}

#[test]
fn yarn_berry_lockfile_matches_yarn_info() {
    let mut expected: Vec<String> = read("yarn-berry/yarn-info.json")
        .lines()
        .filter_map(|line| {
            let locator: String = serde_json::from_str(line).unwrap();
            let (name, version) = locator.split_once("@npm:")?;
            Some(format!("{name}@{version}"))
        })
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    let packages = lockfiles::parse(&read("yarn-berry/yarn.lock"), "app/yarn.lock", 0);
    assert_eq!(pinned(&packages), expected);
}

#[test]
fn cargo_lockfile_matches_cargo_metadata() {
    let metadata = json("cargo/cargo-metadata.json");
    let crates_io = "registry+https://github.com/rust-lang/crates.io-index";
    let mut expected: Vec<String> = metadata
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["source"] == crates_io)
        .map(|p| {
            format!(
                "{}@{}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            )
        })
        .collect();
    expected.sort();
    // The workspace's own crates (no source) are not crates.io packages.
    assert_eq!(metadata.as_array().unwrap().len(), expected.len() + 2);
    let packages = lockfiles::parse(&read("cargo/Cargo.lock"), "usr/src/app/Cargo.lock", 2);
    assert_eq!(pinned(&packages), expected);
    let itoa = packages.iter().find(|p| p.version == "0.4.8").unwrap();
    assert_eq!(
        (
            itoa.ecosystem.as_str(),
            itoa.purl.as_str(),
            itoa.path.as_str()
        ),
        (
            "crates.io",
            "pkg:cargo/itoa@0.4.8",
            "/usr/src/app/Cargo.lock"
        )
    );
}

fn kept(files: &[(&str, &str)]) -> BTreeMap<String, KeptFile> {
    files
        .iter()
        .map(|(path, content)| {
            (
                path.to_string(),
                KeptFile {
                    layer: 0,
                    content: content.as_bytes().to_vec(),
                },
            )
        })
        .collect()
}

fn manifest(name: &str, version: &str) -> String {
    format!(r#"{{"name": "{name}", "version": "{version}"}}"#)
}

/// The v3 lockfile in /app with only part of it installed under /app/node_modules: the
/// installed packages come from node_modules, the rest from the lockfile, each once.
#[test]
fn installed_packages_are_not_reported_twice() {
    let lock = read("npm-v3/package-lock.json");
    let installed = [
        (
            "app/node_modules/debug/package.json",
            manifest("debug", "4.3.4"),
        ),
        (
            "app/node_modules/debug/node_modules/ms/package.json",
            manifest("ms", "2.1.2"),
        ),
        ("app/node_modules/ms/package.json", manifest("ms", "2.1.3")),
        (
            "app/node_modules/my-ms/package.json",
            manifest("ms", "2.0.0"),
        ),
    ];
    let mut files: Vec<(&str, &str)> = installed.iter().map(|(p, m)| (*p, m.as_str())).collect();
    files.push(("app/package-lock.json", &lock));
    // npm's own record of node_modules, and a dependency's vendored lockfile: not the app's.
    files.push(("app/node_modules/.package-lock.json", &lock));
    files.push(("app/node_modules/debug/package-lock.json", &lock));
    for (path, _) in &files {
        assert_eq!(
            catalog::selects(path),
            !path.ends_with("node_modules/.package-lock.json")
                && !path.ends_with("debug/package-lock.json"),
            "{path}"
        );
    }
    let files = kept(&files);
    let packages = catalog::catalog(&files).packages;
    let found: Vec<String> = packages
        .iter()
        .map(|p| format!("{}@{} {}", p.name, p.version, p.path))
        .collect();
    assert_eq!(
        found,
        vec![
            "@isaacs/string-locale-compare@1.1.0 /app/package-lock.json",
            "debug@4.3.4 /app/node_modules/debug/package.json",
            "humanize-ms@1.2.1 /app/package-lock.json",
            "ms@2.0.0 /app/node_modules/my-ms/package.json",
            "ms@2.1.2 /app/node_modules/debug/node_modules/ms/package.json",
            "ms@2.1.3 /app/node_modules/ms/package.json",
        ]
    );
}

/// An unpacked root filesystem with a lockfile, a vendored crate's lockfile and a war: through
/// `analyze_rootfs`, as `palisade image` reads a directory.
#[test]
fn rootfs_with_lockfiles_and_java_archives() {
    let root = tempfile::tempdir().unwrap();
    let write = |path: &str, content: &[u8]| {
        let full = root.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    };
    write(
        "usr/src/app/Cargo.lock",
        read("cargo/Cargo.lock").as_bytes(),
    );
    write(
        "usr/local/cargo/registry/src/index.crates.io-1949cf8c6b5b557f/semver-1.0.23/Cargo.lock",
        b"[[package]]\nname = \"vendored\"\nversion = \"9.9.9\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    );
    let jar = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/java/maven3-builder-support.jar"),
    )
    .unwrap();
    write("opt/app/lib/maven3-builder-support.jar", &jar);
    let analysis = palisade_image::analyze_rootfs(root.path()).unwrap();
    let found: Vec<String> = analysis
        .packages
        .iter()
        .map(|p| format!("{} {}@{} {}", p.ecosystem, p.name, p.version, p.path))
        .collect();
    assert_eq!(
        found,
        vec![
            "Maven org.apache.maven:maven-builder-support@3.8.7 /opt/app/lib/maven3-builder-support.jar",
            "crates.io itoa@0.4.8 /usr/src/app/Cargo.lock",
            "crates.io itoa@1.0.11 /usr/src/app/Cargo.lock",
            "crates.io semver@1.0.23 /usr/src/app/Cargo.lock",
            "crates.io smallvec@1.13.2 /usr/src/app/Cargo.lock",
        ]
    );
}
