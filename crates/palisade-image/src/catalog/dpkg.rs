//! Debian and Ubuntu packages from dpkg's database: `var/lib/dpkg/status`, and the one-file-
//! per-package `var/lib/dpkg/status.d/*` distroless images use. Keeps the source package and
//! its version (`Source: openssl (3.0.11-1~deb12u2)`), because advisories are keyed by source.

use super::os_release::OsRelease;
use super::{Package, purl_encode};

/// Whether a path is one of dpkg's databases.
pub fn selects(path: &str) -> bool {
    path == "var/lib/dpkg/status"
        || path
            .strip_prefix("var/lib/dpkg/status.d/")
            .is_some_and(|name| {
                !name.is_empty() && !name.contains('/') && !name.ends_with(".md5sums")
            })
}

/// The packages of one database file. `status.d` files have no `Status:` field (every package
/// in them is installed); in `status`, only `install ok installed` packages count.
pub fn parse(text: &str, path: &str, layer: usize, os: &OsRelease) -> Vec<Package> {
    let ecosystem = os.ecosystem().unwrap_or_else(|| "Debian".to_string());
    let distro = format!(
        "{}-{}",
        if os.id.is_empty() { "debian" } else { &os.id },
        os.version_id
    );
    let namespace = if os.id.is_empty() {
        "debian".to_string()
    } else {
        os.id.clone()
    };
    let mut packages = Vec::new();
    for paragraph in text.split("\n\n") {
        let field = |name: &str| {
            paragraph.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key.eq_ignore_ascii_case(name) && !line.starts_with([' ', '\t']))
                    .then(|| value.trim().to_string())
            })
        };
        let (Some(name), Some(version)) = (field("Package"), field("Version")) else {
            continue;
        };
        if let Some(status) = field("Status")
            && status.split_whitespace().nth(2) != Some("installed")
        {
            continue;
        }
        // `Source: name` or `Source: name (version)`: the binary's version when none is given.
        let (source_name, source_version) = match field("Source") {
            Some(source) => match source.split_once(' ') {
                Some((name, rest)) => (
                    name.to_string(),
                    rest.trim()
                        .trim_start_matches('(')
                        .trim_end_matches(')')
                        .to_string(),
                ),
                None => (source, version.clone()),
            },
            None => (name.clone(), version.clone()),
        };
        let mut purl = format!(
            "pkg:deb/{namespace}/{}@{}",
            purl_encode(&name),
            purl_encode(&version)
        );
        let mut qualifiers = Vec::new();
        if let Some(arch) = field("Architecture") {
            qualifiers.push(format!("arch={}", purl_encode(&arch)));
        }
        if !os.version_id.is_empty() {
            qualifiers.push(format!("distro={}", purl_encode(&distro)));
        }
        if !qualifiers.is_empty() {
            purl.push('?');
            purl.push_str(&qualifiers.join("&"));
        }
        packages.push(Package {
            ecosystem: ecosystem.clone(),
            name,
            version,
            source_name,
            source_version,
            purl,
            layer,
            path: format!("/{path}"),
            // dpkg counts in KiB.
            installed_size: field("Installed-Size")
                .and_then(|kib| kib.parse::<u64>().ok())
                .map(|kib| kib.saturating_mul(1024)),
        });
    }
    packages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::os_release;

    const STATUS: &str = "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl (3.0.15-1~deb12u1)\nVersion: 3.0.15-1~deb12u1\n\nPackage: removed\nStatus: deinstall ok config-files\nVersion: 1.0\n\nPackage: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2024a-0+deb12u1\nDescription: time zone\n data with Package: fake continuation\n\nPackage: bash\nStatus: install ok installed\nSource: bash\nVersion: 1:5.2.15-2+b7\n";

    #[test]
    fn status_file() {
        let os = os_release::parse("ID=debian\nVERSION_ID=\"12\"\n");
        let packages = parse(STATUS, "var/lib/dpkg/status", 0, &os);
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            vec!["libssl3", "tzdata", "bash"],
            "deinstalled packages are not installed"
        );
        assert_eq!(packages[0].source_name, "openssl");
        assert_eq!(packages[0].source_version, "3.0.15-1~deb12u1");
        assert_eq!(packages[0].ecosystem, "Debian:12");
        assert_eq!(
            packages[0].purl,
            "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12"
        );
        assert_eq!(
            (
                packages[1].source_name.as_str(),
                packages[1].source_version.as_str()
            ),
            ("tzdata", "2024a-0+deb12u1")
        );
        assert_eq!(
            packages[2].source_version, "1:5.2.15-2+b7",
            "no version in Source: the binary's"
        );
        assert!(packages[2].purl.contains("@1%3A5.2.15-2%2Bb7"));
    }

    #[test]
    fn distroless_status_d() {
        assert!(selects("var/lib/dpkg/status.d/libc6"));
        assert!(!selects("var/lib/dpkg/status.d/libc6.md5sums"));
        assert!(!selects("var/lib/dpkg/status-old"));
        let packages = parse(
            "Package: libc6\nVersion: 2.36-9+deb12u8\nArchitecture: amd64\nSource: glibc\n",
            "var/lib/dpkg/status.d/libc6",
            1,
            &OsRelease::default(),
        );
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].source_name, "glibc");
        assert_eq!(packages[0].layer, 1);
    }
}
