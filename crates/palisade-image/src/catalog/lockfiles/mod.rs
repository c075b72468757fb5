//! Lockfiles: what a project pins, found wherever the project was copied into the image: npm's
//! `package-lock.json` and `npm-shrinkwrap.json`, `yarn.lock` (yarn 1 and yarn 2+) and
//! `Cargo.lock`. Lockfiles under `node_modules/` or in cargo's registry and git checkouts
//! (`~/.cargo/registry/`, `/usr/local/cargo/git/`, …) are a dependency's own vendored lockfile,
//! not what the image runs, and are skipped.
//!
//! A lockfile entry that is also installed is reported once, as installed: see
//! [`not_installed`].

pub mod cargo;
pub mod npm;
pub mod yarn;

use std::collections::BTreeMap;

use super::Package;

/// Whether a path is a lockfile of a project (not a vendored copy).
pub fn selects(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    matches!(
        file,
        "package-lock.json" | "npm-shrinkwrap.json" | "yarn.lock" | "Cargo.lock"
    ) && !vendored(path)
}

fn vendored(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    parts.contains(&"node_modules")
        || parts
            .windows(2)
            .any(|pair| pair[0].ends_with("cargo") && matches!(pair[1], "registry" | "git"))
}

/// The packages a lockfile pins.
pub fn parse(text: &str, path: &str, layer: usize) -> Vec<Package> {
    match path.rsplit('/').next().unwrap_or(path) {
        "package-lock.json" | "npm-shrinkwrap.json" => npm::parse(text, path, layer),
        "yarn.lock" => yarn::parse(text, path, layer),
        "Cargo.lock" => cargo::parse(text, path, layer),
        _ => Vec::new(),
    }
}

/// The lockfile packages not installed next to their lockfile. A package pinned by
/// `/app/package-lock.json` (or `/app/yarn.lock`) that is also installed with the same name and
/// version under `/app/node_modules/` (at any depth) is one package, and the installed copy is
/// the better evidence: the lockfile entry is dropped. A pinned version that differs from the
/// installed one is kept, as is every entry of a lockfile with no `node_modules` beside it.
pub fn not_installed(locked: Vec<Package>, installed: &[Package]) -> Vec<Package> {
    let mut installed_at: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for package in installed {
        installed_at
            .entry((&package.ecosystem, &package.name, &package.version))
            .or_default()
            .push(&package.path);
    }
    locked
        .into_iter()
        .filter(|package| {
            let project = package.path.rsplit_once('/').map_or("", |(dir, _)| dir);
            let node_modules = format!("{project}/node_modules/");
            let key = (
                package.ecosystem.as_str(),
                package.name.as_str(),
                package.version.as_str(),
            );
            !installed_at
                .get(&key)
                .is_some_and(|paths| paths.iter().any(|p| p.starts_with(&node_modules)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_lockfiles_not_vendored_ones() {
        assert!(selects("app/package-lock.json"));
        assert!(selects("package-lock.json"));
        assert!(selects("srv/npm-shrinkwrap.json"));
        assert!(selects("srv/web/yarn.lock"));
        assert!(selects("usr/src/app/Cargo.lock"));
        assert!(!selects("app/node_modules/.package-lock.json"));
        assert!(!selects("app/node_modules/debug/package-lock.json"));
        assert!(!selects("app/node_modules/x/yarn.lock"));
        assert!(!selects(
            "root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde-1.0.0/Cargo.lock"
        ));
        assert!(!selects(
            "usr/local/cargo/git/checkouts/ryu-1/abc/Cargo.lock"
        ));
        assert!(!selects("app/package.json"));
    }

    #[test]
    fn installed_copies_win() {
        let package = |name: &str, version: &str, path: &str| {
            Package::language("npm", name.into(), version.into(), String::new(), 0, path)
        };
        let locked = vec![
            package("ms", "2.1.3", "app/package-lock.json"),
            package("ms", "2.1.2", "app/package-lock.json"),
            package("debug", "4.3.4", "app/package-lock.json"),
            package("debug", "4.3.4", "other/package-lock.json"),
        ];
        let installed = vec![
            package("ms", "2.1.3", "app/node_modules/ms/package.json"),
            package(
                "ms",
                "2.1.2",
                "app/node_modules/debug/node_modules/ms/package.json",
            ),
            package("debug", "4.3.5", "app/node_modules/debug/package.json"),
            package("debug", "4.3.4", "app2/node_modules/debug/package.json"),
        ];
        let kept: Vec<String> = not_installed(locked, &installed)
            .iter()
            .map(|p| format!("{} {} {}", p.path, p.name, p.version))
            .collect();
        assert_eq!(
            kept,
            vec![
                "/app/package-lock.json debug 4.3.4",
                "/other/package-lock.json debug 4.3.4"
            ]
        );
    }
}
