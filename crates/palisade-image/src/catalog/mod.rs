//! Catalogers: from the files an image keeps to what is installed in it (OS release, dpkg, apk,
//! rpm, Python distributions, npm packages, the lockfiles of npm, yarn and Cargo projects); and
//! inspectors, shown files as the layers stream by, for what is packed into them (Maven packages
//! in Java archives, packages compiled into Go and Rust binaries). Each reports name, version,
//! ecosystem (as OSV spells it), the file it read, the layer that wrote it, and a purl.

pub mod apk;
pub mod binaries;
pub mod dpkg;
pub mod java;
pub mod lockfiles;
pub mod npm;
pub mod os_release;
pub mod python;
pub mod rpm;

use std::collections::BTreeMap;

use crate::flatten::{FileMeta, KeptFile};
use os_release::OsRelease;

/// The files any cataloger reads.
pub fn selects(path: &str) -> bool {
    os_release::PATHS.contains(&path)
        || dpkg::selects(path)
        || path == apk::PATH
        || rpm::selects(path)
        || python::selects(path)
        || npm::selects(path)
        || lockfiles::selects(path)
}

/// The files any inspector opens.
pub fn inspects(file: &FileMeta<'_>) -> bool {
    binaries::wants(file) || java::wants(file.path, file.size)
}

/// What the inspectors find in one file of the image.
pub fn inspect(layer: usize, file: &FileMeta<'_>, content: &[u8]) -> Vec<Package> {
    let mut packages = Vec::new();
    if binaries::wants(file) {
        packages.extend(binaries::inspect(layer, file.path, content));
    }
    if java::wants(file.path, file.size) {
        packages.extend(java::inspect(layer, file.path, content));
    }
    packages
}

/// What the catalogers found.
#[derive(Debug, Default)]
pub struct Catalog {
    pub os: OsRelease,
    /// In a stable order.
    pub packages: Vec<Package>,
    /// Package databases that could not be read (`path: why`).
    pub warnings: Vec<String>,
}

/// What is installed in a flattened image (or rootfs).
pub fn catalog(files: &BTreeMap<String, KeptFile>) -> Catalog {
    let text = |file: &KeptFile| String::from_utf8_lossy(&file.content).into_owned();
    // /etc/os-release is often a symlink to ../usr/lib/os-release: the first regular file.
    let os = os_release::PATHS
        .iter()
        .find_map(|p| files.get(*p))
        .map(|f| os_release::parse(&text(f)))
        .unwrap_or_default();
    let mut packages: Vec<Package> = Vec::new();
    let mut locked: Vec<Package> = Vec::new();
    let mut warnings = Vec::new();
    for (path, file) in files {
        if dpkg::selects(path) {
            packages.extend(dpkg::parse(&text(file), path, file.layer, &os));
        } else if path == apk::PATH {
            packages.extend(apk::parse(&text(file), file.layer, &os));
        } else if rpm::selects(path) {
            match rpm::parse(&file.content, path, file.layer, &os) {
                Ok(found) => packages.extend(found),
                Err(e) => warnings.push(format!("/{path}: {e}; no RPM packages read from it")),
            }
        } else if python::selects(path) {
            packages.extend(python::parse(&text(file), path, file.layer));
        } else if npm::selects(path) {
            packages.extend(npm::parse(&text(file), path, file.layer));
        } else if lockfiles::selects(path) {
            locked.extend(lockfiles::parse(&text(file), path, file.layer));
        }
    }
    let locked = lockfiles::not_installed(locked, &packages);
    packages.extend(locked);
    packages.sort();
    Catalog {
        os,
        packages,
        warnings,
    }
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    /// `Debian:12`, `Alpine:v3.20`, `PyPI`, `npm`, … (OSV spelling).
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    /// The source package advisories are keyed by (dpkg `Source:`, rpm `SOURCERPM`), else the
    /// binary's.
    pub source_name: String,
    pub source_version: String,
    pub purl: String,
    /// Index of the layer that wrote the file the package was read from.
    pub layer: usize,
    pub path: String,
    /// Bytes the package occupies once installed, where its database says (dpkg, apk, rpm).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed_size: Option<u64>,
}

impl Package {
    /// Whether the package comes from the distribution's package manager (dpkg, apk, rpm), as
    /// its purl type says.
    pub fn is_distribution(&self) -> bool {
        ["pkg:deb/", "pkg:apk/", "pkg:rpm/"]
            .iter()
            .any(|prefix| self.purl.starts_with(prefix))
    }

    /// A language package: its own source, found at `/path` in `layer`.
    fn language(
        ecosystem: &str,
        name: String,
        version: String,
        purl: String,
        layer: usize,
        path: &str,
    ) -> Package {
        Package {
            ecosystem: ecosystem.to_string(),
            purl,
            source_name: name.clone(),
            source_version: version.clone(),
            name,
            version,
            layer,
            path: format!("/{path}"),
            installed_size: None,
        }
    }
}

/// Percent-encodes a purl component (RFC 3986 unreserved characters stay).
pub fn purl_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}
