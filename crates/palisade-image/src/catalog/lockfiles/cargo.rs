//! `Cargo.lock`: every `[[package]]` with its `name`, `version` and `source`. Only crates from
//! crates.io's index (`registry+https://github.com/rust-lang/crates.io-index`, or the sparse
//! `sparse+https://index.crates.io/`) are reported, as ecosystem `crates.io`: workspace and path
//! crates (no `source`) are the project itself, git crates have no crates.io release to match,
//! and a crate of another registry shares only its name with the crates.io crate.

use serde::Deserialize;

use super::super::{Package, purl_encode};

const CRATES_IO: [&str; 2] = [
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Vec<LockedCrate>,
}

#[derive(Deserialize)]
struct LockedCrate {
    name: String,
    version: String,
    source: Option<String>,
}

/// The crates.io crates a `Cargo.lock` pins.
pub fn parse(text: &str, path: &str, layer: usize) -> Vec<Package> {
    let Ok(lockfile) = toml::from_str::<Lockfile>(text) else {
        return Vec::new();
    };
    lockfile
        .package
        .into_iter()
        .filter(|c| c.source.as_deref().is_some_and(|s| CRATES_IO.contains(&s)))
        .filter(|c| !c.name.is_empty() && !c.version.is_empty())
        .map(|c| {
            let purl = format!(
                "pkg:cargo/{}@{}",
                purl_encode(&c.name),
                purl_encode(&c.version)
            );
            Package::language("crates.io", c.name, c.version, purl, layer, path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_crates_only() {
        let lock = r#"
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["serde", "ryu"]

[[package]]
name = "ryu"
version = "1.0.18"
source = "git+https://github.com/dtolnay/ryu?tag=1.0.18#abc"

[[package]]
name = "serde"
version = "1.0.200"
source = "sparse+https://index.crates.io/"
checksum = "0"

[[package]]
name = "internal"
version = "2.0.0"
source = "registry+https://example.com/private-index"
"#;
        let found: Vec<String> = parse(lock, "src/Cargo.lock", 3)
            .iter()
            .map(|p| format!("{} {} {} {}", p.name, p.version, p.purl, p.path))
            .collect();
        assert_eq!(
            found,
            vec!["serde 1.0.200 pkg:cargo/serde@1.0.200 /src/Cargo.lock"]
        );
    }

    #[test]
    fn malformed_lockfiles_yield_nothing() {
        for text in [
            "",
            "[[package]]\nname = 1\n",
            "[[package]\n",
            "package = 3\n",
            "[[package]]\nname = \"x\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
        ] {
            assert!(parse(text, "Cargo.lock", 0).is_empty(), "{text:?}");
        }
    }
}
