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
    /// `Alpine:v3.20`, `AlmaLinux:9`, `Rocky Linux:9`, `Mageia:9`, `Photon OS:5.0`, and for the
    /// distributions OSV scopes by product name, the name os-release gives: `openSUSE:Leap 15.6`,
    /// `SUSE:Linux Enterprise Server 15 SP5` (`PRETTY_NAME` less the vendor). Red Hat's streams
    /// are CPEs of product and repository (`Red Hat:enterprise_linux:9::appstream`); the rpmdb
    /// does not record the repository, so RHEL gets the prefix they share,
    /// `Red Hat:enterprise_linux:9`. `None` for distributions OSV has no ecosystem for.
    pub fn ecosystem(&self) -> Option<String> {
        let major = self.version_id.split('.').next().unwrap_or("");
        let major_minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
        let product = |vendor: &str| match self.pretty_name.strip_prefix(vendor) {
            Some(product) if product.starts_with(' ') => format!("{vendor}:{}", product.trim()),
            _ => vendor.to_string(),
        };
        match self.id.as_str() {
            "debian" => Some(format!("Debian:{major}")),
            // OSV spells LTS releases (even years, April) `Ubuntu:22.04:LTS`.
            "ubuntu" => Some(match self.version_id.split_once('.') {
                Some((year, "04")) if year.parse::<u32>().is_ok_and(|y| y % 2 == 0) => {
                    format!("Ubuntu:{}:LTS", self.version_id)
                }
                _ => format!("Ubuntu:{}", self.version_id),
            }),
            "alpine" => Some(format!("Alpine:v{}", major_minor(&self.version_id))),
            "almalinux" => Some(format!("AlmaLinux:{major}")),
            "rocky" => Some(format!("Rocky Linux:{major}")),
            "rhel" => Some(format!("Red Hat:enterprise_linux:{major}")),
            "mageia" => Some(format!("Mageia:{}", self.version_id)),
            "photon" => Some(format!("Photon OS:{}", self.version_id)),
            id if id == "opensuse" || id.starts_with("opensuse-") => Some(product("openSUSE")),
            "sles" | "sled" | "sles_sap" | "sle-micro" => Some(product("SUSE")),
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

    #[test]
    fn ubuntu_lts_releases_carry_the_suffix() {
        let lts = parse("ID=ubuntu\nVERSION_ID=\"22.04\"\n");
        assert_eq!(lts.ecosystem().as_deref(), Some("Ubuntu:22.04:LTS"));
        let interim = parse("ID=ubuntu\nVERSION_ID=\"23.10\"\n");
        assert_eq!(interim.ecosystem().as_deref(), Some("Ubuntu:23.10"));
        let odd_april = parse("ID=ubuntu\nVERSION_ID=\"23.04\"\n");
        assert_eq!(odd_april.ecosystem().as_deref(), Some("Ubuntu:23.04"));
    }

    #[test]
    fn rpm_distributions() {
        let ecosystem = |text: &str| parse(text).ecosystem();
        assert_eq!(
            ecosystem("ID=\"rhel\"\nVERSION_ID=\"9.3\"\n").as_deref(),
            Some("Red Hat:enterprise_linux:9")
        );
        assert_eq!(
            ecosystem("ID=\"almalinux\"\nVERSION_ID=\"9.4\"\n").as_deref(),
            Some("AlmaLinux:9")
        );
        assert_eq!(
            ecosystem("ID=\"rocky\"\nVERSION_ID=\"8.10\"\n").as_deref(),
            Some("Rocky Linux:8")
        );
        assert_eq!(
            ecosystem("ID=mageia\nVERSION_ID=9\n").as_deref(),
            Some("Mageia:9")
        );
        assert_eq!(
            ecosystem("ID=photon\nVERSION_ID=5.0\n").as_deref(),
            Some("Photon OS:5.0")
        );
        assert_eq!(
            ecosystem(
                "ID=\"opensuse-leap\"\nVERSION_ID=\"15.6\"\nPRETTY_NAME=\"openSUSE Leap 15.6\"\n"
            )
            .as_deref(),
            Some("openSUSE:Leap 15.6")
        );
        assert_eq!(
            ecosystem("ID=\"opensuse-tumbleweed\"\nPRETTY_NAME=\"openSUSE Tumbleweed\"\n")
                .as_deref(),
            Some("openSUSE:Tumbleweed")
        );
        assert_eq!(
            ecosystem("ID=\"sles\"\nVERSION_ID=\"15.5\"\nPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP5\"\n")
                .as_deref(),
            Some("SUSE:Linux Enterprise Server 15 SP5")
        );
        assert_eq!(
            ecosystem("ID=sles\nPRETTY_NAME=SUSEish\n").as_deref(),
            Some("SUSE"),
            "a name that is not the vendor's and a product"
        );
        assert_eq!(ecosystem("ID=fedora\nVERSION_ID=40\n"), None);
        assert_eq!(ecosystem("ID=amzn\nVERSION_ID=2\n"), None);
    }
}
