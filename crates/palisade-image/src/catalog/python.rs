//! Python distributions: `*.dist-info/METADATA` (wheels, pip) and `*.egg-info/PKG-INFO`
//! (setuptools), names normalised as PEP 503 says (`Jinja2` → `jinja2`, `zope.interface` →
//! `zope-interface`) for the purl and for matching.

use super::{Package, purl_encode};

/// Whether a path is a distribution's metadata file.
pub fn selects(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let (Some(file), Some(dir)) = (parts.next(), parts.next()) else {
        return false;
    };
    (file == "METADATA" && dir.ends_with(".dist-info"))
        || (file == "PKG-INFO" && dir.ends_with(".egg-info"))
}

/// PEP 503: lower case, runs of `-`, `_` and `.` become one `-`.
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !out.is_empty() {
                out.push('-');
            }
            separator = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The distribution a metadata file describes (its `Name:` and `Version:` headers, which end
/// at the first blank line).
pub fn parse(text: &str, path: &str, layer: usize) -> Option<Package> {
    let header = |key: &str| {
        text.lines()
            .take_while(|l| !l.trim().is_empty())
            .find_map(|l| {
                l.strip_prefix(key)?
                    .strip_prefix(':')
                    .map(|v| v.trim().to_string())
            })
    };
    let (name, version) = (header("Name")?, header("Version")?);
    if name.is_empty() || version.is_empty() {
        return None;
    }
    let purl = format!(
        "pkg:pypi/{}@{}",
        purl_encode(&normalise(&name)),
        purl_encode(&version)
    );
    Some(Package::language("PyPI", name, version, purl, layer, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_and_names() {
        assert!(selects(
            "opt/venv/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA"
        ));
        assert!(selects(
            "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"
        ));
        assert!(!selects("usr/lib/python3/METADATA"));
        assert_eq!(normalise("Zope.Interface__x"), "zope-interface-x");
        let p = parse(
            "Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\n\nName: not-a-header\n",
            "x.dist-info/METADATA",
            2,
        )
        .unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("Jinja2", "2.10"));
        assert_eq!(p.purl, "pkg:pypi/jinja2@2.10");
        assert!(parse("Name: x\n", "y", 0).is_none());
    }
}
