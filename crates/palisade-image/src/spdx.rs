//! SPDX 2.3 JSON SBOMs of a cataloged image, written as JSON values like the CycloneDX one in
//! [`crate::sbom`], whose subject, document UUID and timestamps they share.
//!
//! The document describes one `CONTAINER` package, the image (its manifest digest, when known,
//! is its version and SHA-256 checksum; a local layout or archive has no repository to make a
//! `pkg:oci` purl from). The image `CONTAINS` the `OPERATING_SYSTEM` package (os-release) and
//! the language packages; the OS `CONTAINS` the distribution's own packages (dpkg, apk, rpm), as
//! Trivy nests them. Every cataloged package is a `LIBRARY` (the catalog does not tell which
//! packages are applications) with its purl as a `PACKAGE-MANAGER` external reference, the file
//! and layer it was read from in `sourceInfo`, and its source package in `comment` when that
//! differs; licenses, copyright and download location are `NOASSERTION` (not cataloged yet).
//! SPDXIDs are derived from a hash of purl and path, so they are stable across runs and one
//! package found at two paths keeps two identities; the namespace,
//! `https://palisade.dev/spdxdocs/<reference>-<document UUID>`, is the same for the same image.
//! Enumerations are spelled as the official SPDX 2.3 JSON schema has them (`OPERATING_SYSTEM`,
//! where the specification's prose writes `OPERATING-SYSTEM`; SPDX tools read both).

use std::collections::HashSet;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::catalog::Package;
use crate::sbom::{Subject, document_uuid, first_free_ref, timestamp};

const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
const IMAGE_ID: &str = "SPDXRef-Image";
const OS_ID: &str = "SPDXRef-OperatingSystem";
const NOASSERTION: &str = "NOASSERTION";

/// `text` with every character an SPDXID (`[a-zA-Z0-9.-]`) cannot hold replaced by `-`, and no
/// `-` at either end (`@scope/name` gives `scope-name`); also safe in a URI path.
fn slug(text: &str) -> String {
    let replaced: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    replaced.trim_matches('-').to_string()
}

/// `SPDXRef-Package-<name>-<hash of purl and path>`: readable, stable, and distinct for one
/// purl found at two paths.
fn package_id(package: &Package) -> String {
    let hash = Sha256::new()
        .chain_update(package.purl.as_bytes())
        .chain_update([0])
        .chain_update(package.path.as_bytes())
        .finalize();
    let short: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("SPDXRef-Package-{}-{short}", slug(&package.name))
}

/// Where the package's metadata came from, for `sourceInfo`.
fn source_info(subject: &Subject<'_>, package: &Package) -> String {
    match subject.layers.get(package.layer) {
        Some(layer) => format!(
            "acquired package info from {} in layer {layer}",
            package.path
        ),
        None => format!("acquired package info from {}", package.path),
    }
}

fn relationship(from: &str, kind: &str, to: &str) -> Value {
    json!({"spdxElementId": from, "relationshipType": kind, "relatedSpdxElement": to})
}

/// The image's package: its digest as version and checksum when known.
fn image_package(subject: &Subject<'_>) -> Value {
    let mut image = json!({
        "SPDXID": IMAGE_ID,
        "name": subject.reference,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": false,
        "primaryPackagePurpose": "CONTAINER",
    });
    if let Some(digest) = subject.digest {
        image["versionInfo"] = json!(digest);
        let algorithm = match digest.split_once(':') {
            Some(("sha256", hex)) => Some(("SHA256", hex)),
            Some(("sha512", hex)) => Some(("SHA512", hex)),
            _ => None,
        };
        if let Some((algorithm, hex)) = algorithm {
            image["checksums"] = json!([{"algorithm": algorithm, "checksumValue": hex}]);
        }
    }
    image
}

/// The SPDX 2.3 JSON document; `now` is the Unix time of its creation.
pub fn spdx(subject: &Subject<'_>, tool_version: &str, now: u64) -> Value {
    let mut packages = vec![image_package(subject)];
    let mut relationships = vec![relationship(DOCUMENT_ID, "DESCRIBES", IMAGE_ID)];
    let has_os = !subject.os.id.is_empty();
    if has_os {
        let mut os = json!({
            "SPDXID": OS_ID,
            "name": subject.os.id,
            "downloadLocation": NOASSERTION,
            "filesAnalyzed": false,
            "primaryPackagePurpose": "OPERATING_SYSTEM",
        });
        // Rolling releases (Debian sid, Arch) have no VERSION_ID.
        if !subject.os.version_id.is_empty() {
            os["versionInfo"] = json!(subject.os.version_id);
        }
        if !subject.os.pretty_name.is_empty() {
            os["description"] = json!(subject.os.pretty_name);
        }
        packages.push(os);
        relationships.push(relationship(IMAGE_ID, "CONTAINS", OS_ID));
    }
    let mut taken_ids = HashSet::new();
    for p in subject.packages {
        let id = first_free_ref(&mut taken_ids, &package_id(p), '-');
        let mut package = json!({
            "SPDXID": id,
            "name": p.name,
            "versionInfo": p.version,
            "downloadLocation": NOASSERTION,
            "filesAnalyzed": false,
            "licenseConcluded": NOASSERTION,
            "licenseDeclared": NOASSERTION,
            "copyrightText": NOASSERTION,
            "primaryPackagePurpose": "LIBRARY",
            "sourceInfo": source_info(subject, p),
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl,
            }],
        });
        if p.source_name != p.name || p.source_version != p.version {
            package["comment"] = json!(format!(
                "built from source package {} {}",
                p.source_name, p.source_version
            ));
        }
        packages.push(package);
        let container = if has_os && p.is_distribution() {
            OS_ID
        } else {
            IMAGE_ID
        };
        relationships.push(relationship(container, "CONTAINS", &id));
    }
    let namespace = format!(
        "https://palisade.dev/spdxdocs/{}-{}",
        slug(subject.reference),
        document_uuid(subject)
    );
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": DOCUMENT_ID,
        "name": subject.reference,
        "documentNamespace": namespace,
        "creationInfo": {
            "created": timestamp(now),
            "creators": [format!("Tool: palisade-{tool_version}")],
        },
        "packages": packages,
        "relationships": relationships,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(purl: &str, path: &str) -> Package {
        Package {
            ecosystem: "npm".to_string(),
            name: "@scope/left_pad".to_string(),
            version: "1.0.0".to_string(),
            source_name: "@scope/left_pad".to_string(),
            source_version: "1.0.0".to_string(),
            purl: purl.to_string(),
            layer: 0,
            path: path.to_string(),
            installed_size: None,
        }
    }

    #[test]
    fn package_ids_are_valid_stable_and_distinct_per_path() {
        let purl = "pkg:npm/%40scope/left_pad@1.0.0";
        let a = package_id(&package(
            purl,
            "/app/node_modules/@scope/left_pad/package.json",
        ));
        let b = package_id(&package(
            purl,
            "/srv/node_modules/@scope/left_pad/package.json",
        ));
        assert!(a.starts_with("SPDXRef-Package-scope-left-pad-"), "{a}");
        assert_ne!(a, b);
        assert_eq!(
            a,
            package_id(&package(
                purl,
                "/app/node_modules/@scope/left_pad/package.json"
            ))
        );
        for id in [&a, &b] {
            assert!(
                id["SPDXRef-".len()..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            );
        }
    }

    #[test]
    fn distribution_packages_are_told_by_purl_type() {
        assert!(package("pkg:deb/debian/bash@5.2", "/var/lib/dpkg/status").is_distribution());
        assert!(package("pkg:apk/alpine/musl@1.2", "/lib/apk/db/installed").is_distribution());
        assert!(
            !package(
                "pkg:pypi/requests@2.32.3",
                "/usr/lib/python3/dist-packages/requests-2.32.3.dist-info/METADATA"
            )
            .is_distribution()
        );
    }
}
