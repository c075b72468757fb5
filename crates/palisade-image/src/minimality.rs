//! How minimal an image is: its files and bytes, its OS packages and the largest of them (by the
//! installed size their database records), the shells and package managers it ships (regular
//! files at the usual places; `/bin/sh` is a link to one of them), its base distribution, and
//! the distroless or minimal base that would serve the same workload. A runtime image needs
//! neither a shell nor a package manager: both are what an attacker with code execution uses
//! next.

use std::collections::BTreeMap;

use crate::catalog::Package;
use crate::catalog::os_release::OsRelease;
use crate::flatten::PresentFile;

/// The directories shells and package managers are installed in.
const BIN_DIRS: &[&str] = &["bin", "usr/bin", "sbin", "usr/sbin", "usr/local/bin"];

/// Shell programs (busybox provides `sh` through its applet links).
const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "fish", "tcsh", "csh", "busybox",
];

/// OS package managers (and the low-level tools they drive).
const PACKAGE_MANAGERS: &[&str] = &[
    "apt", "apt-get", "dpkg", "apk", "dnf", "yum", "microdnf", "tdnf", "rpm", "zypper", "pacman",
];

/// How many of the largest packages the summary lists.
const LARGEST: usize = 5;

/// One large package of the summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LargePackage {
    pub name: String,
    pub installed_size: u64,
}

/// The minimality summary of an image.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Minimality {
    /// Regular files in the flattened image, and their bytes.
    pub files: usize,
    pub size: u64,
    /// Packages of the OS package manager (dpkg, apk, rpm).
    pub os_packages: usize,
    pub largest_packages: Vec<LargePackage>,
    /// Paths (with a leading `/`) of the shells and package managers in the image.
    pub shells: Vec<String>,
    pub package_managers: Vec<String>,
    /// The base distribution (`Debian GNU/Linux 12 (bookworm)`), empty when unknown.
    pub base: String,
    /// A distroless or minimal base for the same workload, when there is one.
    pub minimal_alternative: Option<String>,
}

impl Minimality {
    /// Whether the image ships neither a shell nor a package manager.
    pub fn is_minimal(&self) -> bool {
        self.shells.is_empty() && self.package_managers.is_empty()
    }
}

/// The programs named `names` found in the usual binary directories.
fn programs(present: &BTreeMap<String, PresentFile>, names: &[&str]) -> Vec<String> {
    BIN_DIRS
        .iter()
        .flat_map(|dir| names.iter().map(move |name| format!("{dir}/{name}")))
        .filter(|path| present.contains_key(path))
        .map(|path| format!("/{path}"))
        .collect()
}

/// The distroless or minimal base to suggest: by distribution, and for Debian-based images by
/// what the workload runs on (the language packages found).
fn alternative(os: &OsRelease, packages: &[Package]) -> Option<String> {
    let uses = |ecosystem: &str| packages.iter().any(|p| p.ecosystem == ecosystem);
    let debian = match os.id.as_str() {
        "debian" if os.version_id.starts_with("11") => "debian11",
        "debian" | "ubuntu" | "alpine" | "" => "debian12",
        "rhel" | "centos" | "rocky" | "almalinux" | "ol" => {
            return Some("registry.access.redhat.com/ubi9/ubi-micro".to_string());
        }
        _ => return None,
    };
    let flavour = if uses("Maven") {
        "java17"
    } else if uses("PyPI") {
        "python3"
    } else if uses("npm") {
        "nodejs20"
    } else if uses("crates.io") {
        // Rust binaries link glibc and libgcc.
        "cc"
    } else if uses("Go") {
        "static"
    } else {
        "base"
    };
    Some(format!("gcr.io/distroless/{flavour}-{debian}"))
}

/// The minimality summary of a flattened image.
pub fn summarise(
    present: &BTreeMap<String, PresentFile>,
    os: &OsRelease,
    packages: &[Package],
) -> Minimality {
    let os_packages: Vec<&Package> = packages.iter().filter(|p| p.is_distribution()).collect();
    let mut largest: Vec<LargePackage> = os_packages
        .iter()
        .filter_map(|p| {
            p.installed_size.map(|size| LargePackage {
                name: p.name.clone(),
                installed_size: size,
            })
        })
        .collect();
    largest.sort_by(|a, b| {
        b.installed_size
            .cmp(&a.installed_size)
            .then_with(|| a.name.cmp(&b.name))
    });
    largest.truncate(LARGEST);
    let shells = programs(present, SHELLS);
    let package_managers = programs(present, PACKAGE_MANAGERS);
    let minimal_alternative = if shells.is_empty() && package_managers.is_empty() {
        None
    } else {
        alternative(os, packages)
    };
    Minimality {
        files: present.len(),
        size: present
            .values()
            .fold(0u64, |total, f| total.saturating_add(f.size)),
        os_packages: os_packages.len(),
        largest_packages: largest,
        shells,
        package_managers,
        base: os.pretty_name.clone(),
        minimal_alternative,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::os_release;

    fn present(paths: &[&str]) -> BTreeMap<String, PresentFile> {
        paths
            .iter()
            .map(|p| {
                (
                    p.to_string(),
                    PresentFile {
                        layer: 0,
                        size: 10,
                        executable: true,
                    },
                )
            })
            .collect()
    }

    fn package(ecosystem: &str, purl: &str, name: &str, size: Option<u64>) -> Package {
        Package {
            ecosystem: ecosystem.into(),
            name: name.into(),
            version: "1".into(),
            source_name: name.into(),
            source_version: "1".into(),
            purl: purl.into(),
            layer: 0,
            path: "/x".into(),
            installed_size: size,
        }
    }

    #[test]
    fn a_debian_python_image_is_not_minimal() {
        let os = os_release::parse("ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n");
        let packages = vec![
            package(
                "Debian:12",
                "pkg:deb/debian/libc6@1",
                "libc6",
                Some(12 << 20),
            ),
            package("Debian:12", "pkg:deb/debian/bash@1", "bash", Some(7 << 20)),
            package("Debian:12", "pkg:deb/debian/tiny@1", "tiny", None),
            package("PyPI", "pkg:pypi/flask@1", "flask", None),
        ];
        let files = present(&[
            "usr/bin/dash",
            "usr/bin/bash",
            "usr/bin/apt",
            "usr/bin/dpkg",
            "etc/passwd",
        ]);
        let summary = summarise(&files, &os, &packages);
        assert_eq!(summary.files, 5);
        assert_eq!(summary.size, 50);
        assert_eq!(summary.os_packages, 3);
        assert_eq!(
            summary
                .largest_packages
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["libc6", "bash"]
        );
        assert_eq!(summary.shells, ["/usr/bin/bash", "/usr/bin/dash"]);
        assert_eq!(summary.package_managers, ["/usr/bin/apt", "/usr/bin/dpkg"]);
        assert_eq!(
            summary.minimal_alternative.as_deref(),
            Some("gcr.io/distroless/python3-debian12")
        );
        assert!(!summary.is_minimal());
    }

    #[test]
    fn distroless_and_other_bases() {
        let os = os_release::parse("ID=debian\nVERSION_ID=\"12\"\n");
        let go = [package("Go", "pkg:golang/x@1", "x", None)];
        let distroless = summarise(&present(&["app/server", "etc/os-release"]), &os, &go);
        assert!(distroless.is_minimal());
        assert_eq!(distroless.minimal_alternative, None);
        let alpine = os_release::parse("ID=alpine\nVERSION_ID=3.20.1\n");
        let busybox = summarise(&present(&["bin/busybox", "sbin/apk"]), &alpine, &go);
        assert_eq!(busybox.shells, ["/bin/busybox"]);
        assert_eq!(busybox.package_managers, ["/sbin/apk"]);
        assert_eq!(
            busybox.minimal_alternative.as_deref(),
            Some("gcr.io/distroless/static-debian12")
        );
        let ubi = os_release::parse("ID=rhel\nVERSION_ID=9.4\n");
        let rhel = summarise(&present(&["usr/bin/bash", "usr/bin/microdnf"]), &ubi, &[]);
        assert_eq!(
            rhel.minimal_alternative.as_deref(),
            Some("registry.access.redhat.com/ubi9/ubi-micro")
        );
        let plan9 = os_release::parse("ID=plan9\n");
        assert_eq!(
            summarise(&present(&["bin/sh"]), &plan9, &[]).minimal_alternative,
            None
        );
    }
}
