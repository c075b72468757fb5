//! `yarn.lock`, both formats. Yarn 1 writes its own text format: an entry is a line of
//! comma-separated specifiers (`ms@^2.0.0, ms@^2.1.1:`) followed by indented fields, among them
//! `version "2.1.3"`. Yarn 2+ ("berry", recognised by its `__metadata:` entry) writes YAML whose
//! entries carry a `resolution: "ms@npm:2.1.3"` field; only that line is read, which is all the
//! YAML this needs. Reported: registry packages, by their real name (an alias
//! `my-ms@npm:ms@2.0.0` is `ms`). Skipped: workspace, patch, git, file and link entries. Neither
//! format records which packages are dev-only, so all are reported.

use std::collections::BTreeSet;

use super::super::{Package, npm};

/// The packages a `yarn.lock` pins.
pub fn parse(text: &str, path: &str, layer: usize) -> Vec<Package> {
    let berry = text.lines().any(|line| line.starts_with("__metadata:"));
    let pinned = if berry {
        berry_entries(text)
    } else {
        classic_entries(text)
    };
    pinned
        .into_iter()
        .map(|(name, version)| {
            let purl = npm::purl(&name, &version);
            Package::language("npm", name, version, purl, layer, path)
        })
        .collect()
}

/// Yarn 1: each entry's first specifier names the package, its `version` field the version.
fn classic_entries(text: &str) -> BTreeSet<(String, String)> {
    let mut pinned = BTreeSet::new();
    let mut entry_name: Option<String> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            entry_name = line
                .strip_suffix(':')
                .and_then(|specifiers| specifiers.split(", ").next())
                .and_then(|first| registry_name(first.trim_matches('"')));
        } else if let Some(version) = line.strip_prefix("  version ")
            && let Some(name) = entry_name.take()
        {
            let version = version.trim().trim_matches('"');
            if !version.is_empty() {
                pinned.insert((name, version.to_string()));
            }
        }
    }
    pinned
}

/// The package a yarn 1 specifier asks the registry for: `ms@^2.1.1` → `ms`,
/// `@scope/x@1.0.0` → `@scope/x`, `my-ms@npm:ms@2.0.0` → `ms`; `None` for git, file, link and
/// tarball specifiers (a range with `:` or `/`).
fn registry_name(specifier: &str) -> Option<String> {
    let (name, range) = split_at_version(specifier)?;
    let (name, range) = match range.strip_prefix("npm:") {
        Some(aliased) => split_at_version(aliased)?,
        None => (name, range),
    };
    (!name.is_empty() && !range.contains([':', '/'])).then(|| name.to_string())
}

/// `name@rest`, the name possibly scoped (`@scope/name@rest`).
fn split_at_version(specifier: &str) -> Option<(&str, &str)> {
    let at = specifier.get(1..)?.find('@')? + 1;
    Some((&specifier[..at], &specifier[at + 1..]))
}

/// Yarn 2+: `  resolution: "name@npm:version"` (a custom registry appends `::key=value`).
fn berry_entries(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let resolution = line
                .strip_prefix("  resolution: ")?
                .trim()
                .trim_matches('"');
            let (name, version) = resolution.split_once("@npm:")?;
            let version = version.split("::").next()?;
            (!name.is_empty() && !version.is_empty() && !version.contains([':', '/', '#']))
                .then(|| (name.to_string(), version.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        parse(text, "app/yarn.lock", 0)
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect()
    }

    #[test]
    fn classic_specifiers() {
        assert_eq!(registry_name("ms@^2.1.1").as_deref(), Some("ms"));
        assert_eq!(registry_name("@s/x@1.0.0").as_deref(), Some("@s/x"));
        assert_eq!(registry_name("my-ms@npm:ms@2.0.0").as_deref(), Some("ms"));
        assert_eq!(registry_name("my-x@npm:@s/x@^1").as_deref(), Some("@s/x"));
        assert_eq!(registry_name("lib@file:../lib"), None);
        assert_eq!(registry_name("b@github:u/b#abc"), None);
        assert_eq!(registry_name("b@u/b#abc"), None);
        assert_eq!(registry_name("@"), None);
        let lock = "# yarn lockfile v1\n\n\nlib@file:../lib:\n  version \"0.1.0\"\n\n\"@s/x@^1\", \"@s/x@^1.1\":\n  version \"1.2.0\"\n  dependencies:\n    version \"9\"\n";
        assert_eq!(found(lock), vec!["@s/x@1.2.0"]);
    }

    #[test]
    fn berry_resolutions() {
        let lock = "__metadata:\n  version: 8\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n\n\"resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>\":\n  version: 1.22.1\n  resolution: \"resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=07638b\"\n\n\"resolve@npm:^1.22.1\":\n  version: 1.22.1\n  resolution: \"resolve@npm:1.22.1\"\n\n\"x@npm:1.0.0\":\n  resolution: \"x@npm:1.0.0::__archiveUrl=https%3A%2F%2Fexample.com%2Fx.tgz\"\n";
        assert_eq!(found(lock), vec!["resolve@1.22.1", "x@1.0.0"]);
    }

    #[test]
    fn malformed_lockfiles_yield_nothing() {
        for text in [
            "",
            "@:\n  version \"1\"\n",
            "  version \"1\"\n",
            "x@1:\n  version \n",
            "__metadata:\n  resolution: \"@npm:1\"\n",
            "__metadata:\n  resolution: \"x@npm:\"\n",
        ] {
            assert!(found(text).is_empty(), "{text:?}");
        }
    }
}
