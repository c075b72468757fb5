//! `/etc/os-release` (or `/usr/lib/os-release`): the distribution and its version, which decide
//! the ecosystem OS packages are matched in (`Debian:12`).

use std::collections::BTreeMap;

/// What os-release says.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OsRelease {
    pub id: String,
    pub version_id: String,
    pub pretty_name: String,
}

/// The paths an image may hold it at, in order of precedence.
pub const PATHS: &[&str] = &["etc/os-release", "usr/lib/os-release"];

/// Parses the `KEY=value` lines (values optionally quoted, `\` escapes in double quotes).
pub fn parse(text: &str) -> OsRelease {
    let mut fields = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            inner.replace("\\\"", "\"").replace("\\\\", "\\")
        } else if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
            inner.to_string()
        } else {
            value.to_string()
        };
        fields.insert(key.trim().to_string(), value);
    }
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    OsRelease {
        id: field("ID"),
        version_id: field("VERSION_ID"),
        pretty_name: field("PRETTY_NAME"),
    }
}

impl OsRelease {
    /// The OSV ecosystem of the distribution's packages: `Debian:12`, `Ubuntu:22.04`,
    /// `Alpine:v3.20`; `None` for distributions palisade does not know.
    pub fn ecosystem(&self) -> Option<String> {
        let major_minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
        match self.id.as_str() {
            "debian" => Some(format!(
                "Debian:{}",
                self.version_id.split('.').next().unwrap_or("")
            )),
            "ubuntu" => Some(format!("Ubuntu:{}", self.version_id)),
            "alpine" => Some(format!("Alpine:v{}", major_minor(&self.version_id))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_and_alpine() {
        let debian = parse(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n",
        );
        assert_eq!(debian.ecosystem().as_deref(), Some("Debian:12"));
        assert_eq!(debian.pretty_name, "Debian GNU/Linux 12 (bookworm)");
        let alpine = parse("ID=alpine\nVERSION_ID=3.20.3\n");
        assert_eq!(alpine.ecosystem().as_deref(), Some("Alpine:v3.20"));
        assert_eq!(parse("ID=plan9\n").ecosystem(), None);
    }
}
