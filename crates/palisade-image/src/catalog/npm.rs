//! npm packages: `node_modules/<name>/package.json` and `node_modules/@scope/<name>/package.json`
//! at any depth (nested dependencies too), but not other `package.json` files inside a package.

use super::{Package, purl_encode};

/// Whether a path is a package's own manifest in a `node_modules` tree.
pub fn selects(path: &str) -> bool {
    let Some(rest) = path.strip_suffix("/package.json") else {
        return false;
    };
    let Some((parent, name)) = rest.rsplit_once('/') else {
        return false;
    };
    if name.starts_with('.') || name.starts_with('@') {
        return false;
    }
    parent.ends_with("node_modules")
        || parent.rsplit_once('/').is_some_and(|(grandparent, scope)| {
            scope.starts_with('@') && grandparent.ends_with("node_modules")
        })
}

/// The package a manifest describes.
pub fn parse(text: &str, path: &str, layer: usize) -> Option<Package> {
    let manifest: serde_json::Value = serde_json::from_str(text).ok()?;
    let name = manifest.get("name")?.as_str()?.to_string();
    let version = manifest.get("version")?.as_str()?.to_string();
    if name.is_empty() || version.is_empty() {
        return None;
    }
    let purl = purl(&name, &version);
    Some(Package::language("npm", name, version, purl, layer, path))
}

/// `pkg:npm/%40scope/name@version`: the scope is the purl namespace.
pub fn purl(name: &str, version: &str) -> String {
    let purl_name = match name.split_once('/') {
        Some((scope, bare)) => format!("{}/{}", purl_encode(scope), purl_encode(bare)),
        None => purl_encode(name),
    };
    format!("pkg:npm/{purl_name}@{}", purl_encode(version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_and_scopes() {
        assert!(selects("opt/app/node_modules/lodash/package.json"));
        assert!(selects("opt/app/node_modules/@types/node/package.json"));
        assert!(selects("a/node_modules/x/node_modules/y/package.json"));
        assert!(!selects("opt/app/node_modules/lodash/lib/package.json"));
        assert!(!selects("opt/app/package.json"));
        let scoped = parse(r#"{"name": "@types/node", "version": "20.1.0"}"#, "p", 0).unwrap();
        assert_eq!(scoped.purl, "pkg:npm/%40types/node@20.1.0");
        assert!(parse("{not json", "p", 0).is_none());
    }
}
