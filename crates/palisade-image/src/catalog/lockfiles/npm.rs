//! npm's `package-lock.json` and `npm-shrinkwrap.json` (same format). Lockfile versions 2 and 3
//! list every installed package under `packages`, keyed by its `node_modules/…` path; version 1
//! nests `dependencies`. Skipped: the project itself (key `""`) and workspace members (keys
//! outside `node_modules`), symlinks to them (`link: true`), dev-only packages (`dev: true`:
//! `npm ci --omit=dev`, the production idiom, does not install them; when they are installed,
//! the `node_modules` cataloger finds them), and packages not from a registry (git, tarball or
//! directory dependencies: a `resolved` that is not an http(s) URL, or in version 1 a version
//! that is a URL or path). Aliases (`"my-ms": "npm:ms@2.0.0"`) are reported as the real package.

use std::collections::BTreeSet;

use serde_json::Value;

use super::super::{Package, npm};

/// The packages a lockfile pins.
pub fn parse(text: &str, path: &str, layer: usize) -> Vec<Package> {
    let Ok(lock) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut pinned = BTreeSet::new();
    if let Some(packages) = lock.get("packages").and_then(Value::as_object) {
        for (key, entry) in packages {
            let Some((_, installed_as)) = key.rsplit_once("node_modules/") else {
                continue;
            };
            if flag(entry, "link") || flag(entry, "dev") || !from_registry(entry) {
                continue;
            }
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(installed_as);
            if let Some(version) = entry.get("version").and_then(Value::as_str) {
                pinned.insert((name.to_string(), version.to_string()));
            }
        }
    } else if let Some(dependencies) = lock.get("dependencies") {
        nested_dependencies(dependencies, &mut pinned);
    }
    pinned
        .into_iter()
        .filter(|(name, version)| !name.is_empty() && !version.is_empty())
        .map(|(name, version)| {
            let purl = npm::purl(&name, &version);
            Package::language("npm", name, version, purl, layer, path)
        })
        .collect()
}

fn flag(entry: &Value, key: &str) -> bool {
    entry.get(key).and_then(Value::as_bool) == Some(true)
}

/// Registry tarballs are http(s) URLs; lockfiles written with `omit-lockfile-registry-resolved`
/// have no `resolved` for them at all.
fn from_registry(entry: &Value) -> bool {
    entry
        .get("resolved")
        .and_then(Value::as_str)
        .is_none_or(|url| url.starts_with("https://") || url.starts_with("http://"))
}

/// Lockfile version 1: `dependencies` by name, each with a `version` (`npm:real@1.0.0` for an
/// alias) and nested `dependencies` of its own. serde_json bounds the nesting when parsing.
fn nested_dependencies(dependencies: &Value, pinned: &mut BTreeSet<(String, String)>) {
    let Some(dependencies) = dependencies.as_object() else {
        return;
    };
    for (name, entry) in dependencies {
        if let Some(version) = entry.get("version").and_then(Value::as_str)
            && !flag(entry, "dev")
        {
            let (name, version) = match version.strip_prefix("npm:") {
                Some(alias) => match alias.rsplit_once('@') {
                    Some((real, version)) if !real.is_empty() => (real, version),
                    _ => (name.as_str(), ""),
                },
                None => (name.as_str(), version),
            };
            // Registry versions are semver: a `:` or `/` is a git URL, a tarball or a path.
            if !version.contains([':', '/']) {
                pinned.insert((name.to_string(), version.to_string()));
            }
        }
        if let Some(nested) = entry.get("dependencies") {
            nested_dependencies(nested, pinned);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        parse(text, "app/package-lock.json", 0)
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect()
    }

    #[test]
    fn skips_what_is_not_an_installed_registry_package() {
        let v3 = r#"{"lockfileVersion": 3, "packages": {
            "": {"name": "app", "version": "1.0.0"},
            "packages/lib": {"name": "lib", "version": "0.1.0"},
            "node_modules/lib": {"resolved": "packages/lib", "link": true},
            "node_modules/jest": {"version": "29.0.0", "dev": true},
            "node_modules/fsevents": {"version": "2.3.3", "devOptional": true},
            "node_modules/from-git": {"version": "1.0.0", "resolved": "git+ssh://git@github.com/a/b.git#abc"},
            "node_modules/@scope/x": {"version": "2.0.0", "resolved": "https://registry.npmjs.org/@scope/x/-/x-2.0.0.tgz"},
            "packages/lib/node_modules/y": {"version": "3.0.0"}
        }}"#;
        assert_eq!(
            found(v3),
            vec!["@scope/x@2.0.0", "fsevents@2.3.3", "y@3.0.0"]
        );
        let v1 = r#"{"lockfileVersion": 1, "dependencies": {
            "a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0"}}},
            "c": {"version": "github:u/c#abc"},
            "d": {"version": "file:../d"},
            "e": {"version": "npm:real-e@3.0.0"},
            "f": {"version": "1.0.0", "dev": true}
        }}"#;
        assert_eq!(found(v1), vec!["a@1.0.0", "b@2.0.0", "real-e@3.0.0"]);
    }

    #[test]
    fn malformed_lockfiles_yield_nothing() {
        for text in [
            "",
            "{",
            "[]",
            r#"{"packages": []}"#,
            r#"{"packages": {"node_modules/x": {"version": 1}}}"#,
            r#"{"dependencies": {"x": "1.0.0"}}"#,
            r#"{"dependencies": {"x": {"version": "npm:@1"}}}"#,
        ] {
            assert!(found(text).is_empty(), "{text}");
        }
        // Deeper than serde_json parses: an error, not a stack overflow.
        let deep = r#"{"dependencies": {"x": {"version": "1", "dependencies": "#.repeat(200);
        assert!(found(&deep).is_empty());
    }
}
