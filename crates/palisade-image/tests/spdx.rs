//! SPDX 2.3 SBOMs validated against the official SPDX 2.3 JSON schema (draft-07, vendored in
//! `tests/schemas/`), for a rootfs written here and, when built, the fixture images; and checked
//! for what the schema cannot say: every cataloged package is there with its purl, SPDXIDs are
//! valid and unique, every package is reachable from the document, and the namespace is stable
//! for one image and differs between images.

mod common;
mod sbom_common;

use std::collections::{HashMap, HashSet};

use palisade_image::catalog::Package;
use palisade_image::sbom::Subject;
use palisade_image::spdx::spdx;
use sbom_common::{
    NOW, analyzed_fixture_images, assert_valid, debian_rootfs, rootfs_subject, validator,
};
use serde_json::{Value, json};

const SCHEMA: &str = "spdx-2.3.schema.json";

/// The document's package with this SPDXID.
fn element<'a>(document: &'a Value, id: &str) -> &'a Value {
    document["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["SPDXID"] == id)
        .unwrap_or_else(|| panic!("no package {id}"))
}

/// The SPDXID of the element that `CONTAINS` (or `DESCRIBES`) `id`.
fn container_of<'a>(document: &'a Value, id: &str) -> &'a str {
    document["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["relatedSpdxElement"] == id)
        .and_then(|r| r["spdxElementId"].as_str())
        .unwrap_or_else(|| panic!("nothing relates to {id}"))
}

/// What the schema does not check: the SPDX IDs, the cataloged packages and their purls, and the
/// relationships from the document to every package.
fn assert_describes(document: &Value, subject: &Subject<'_>) {
    assert_eq!(document["spdxVersion"], "SPDX-2.3");
    assert_eq!(document["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(document["creationInfo"]["created"], "2026-11-22T20:06:45Z");
    let packages = document["packages"].as_array().unwrap();
    let ids: Vec<&str> = packages
        .iter()
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    for id in &ids {
        let rest = id.strip_prefix("SPDXRef-").expect(id);
        assert!(
            !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
            "{id}"
        );
    }
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate SPDXIDs");

    // The cataloged packages follow the image and the OS, in catalog order.
    let cataloged = &packages[packages.len() - subject.packages.len()..];
    for (spdx_package, package) in cataloged.iter().zip(subject.packages) {
        assert_eq!(spdx_package["name"], package.name.as_str());
        assert_eq!(spdx_package["versionInfo"], package.version.as_str());
        assert_eq!(
            spdx_package["externalRefs"],
            json!([{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": package.purl,
            }])
        );
        let source_info = spdx_package["sourceInfo"].as_str().unwrap();
        assert!(source_info.contains(&package.path), "{source_info}");
        if let Some(layer) = subject.layers.get(package.layer) {
            assert!(source_info.ends_with(&format!("in layer {layer}")));
        }
    }

    // Every relationship joins known elements, and every package is reachable from the document.
    let mut related: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in document["relationships"].as_array().unwrap() {
        let (from, to) = (
            r["spdxElementId"].as_str().unwrap(),
            r["relatedSpdxElement"].as_str().unwrap(),
        );
        assert!(from == "SPDXRef-DOCUMENT" || unique.contains(from), "{r}");
        assert!(unique.contains(to), "{r}");
        related.entry(from).or_default().push(to);
    }
    let mut reached = HashSet::new();
    let mut todo = vec!["SPDXRef-DOCUMENT"];
    while let Some(id) = todo.pop() {
        if reached.insert(id) {
            todo.extend(related.get(id).into_iter().flatten());
        }
    }
    for id in &ids {
        assert!(
            reached.contains(id),
            "{id} is not reachable from the document"
        );
    }
}

fn spdx_package_of<'a>(document: &'a Value, purl: &str) -> Vec<&'a Value> {
    document["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["externalRefs"][0]["referenceLocator"] == purl)
        .collect()
}

#[test]
fn a_rootfs_sbom_is_valid_spdx() {
    let (_root, analysis) = debian_rootfs();
    let subject = rootfs_subject("rootfs", &analysis);
    let document = spdx(&subject, "0.1.0", NOW);
    let validator = validator(SCHEMA);
    assert_valid(&validator, &document);
    assert_describes(&document, &subject);
    assert_eq!(
        document["creationInfo"]["creators"],
        json!(["Tool: palisade-0.1.0"])
    );
    assert_eq!(document["packages"].as_array().unwrap().len(), 2 + 5);

    let image = element(&document, "SPDXRef-Image");
    assert_eq!(image["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(container_of(&document, "SPDXRef-Image"), "SPDXRef-DOCUMENT");
    let os = element(&document, "SPDXRef-OperatingSystem");
    assert_eq!(
        (&os["name"], &os["versionInfo"]),
        (&json!("debian"), &json!("12"))
    );
    assert_eq!(
        container_of(&document, "SPDXRef-OperatingSystem"),
        "SPDXRef-Image"
    );

    // Distribution packages are in the OS, language packages in the image.
    let cataloged =
        |name: &str| -> &Package { analysis.packages.iter().find(|p| p.name == name).unwrap() };
    let [libssl] = spdx_package_of(&document, &cataloged("libssl3").purl)[..] else {
        panic!("one libssl3");
    };
    assert_eq!(
        container_of(&document, libssl["SPDXID"].as_str().unwrap()),
        "SPDXRef-OperatingSystem"
    );
    assert_eq!(
        libssl["comment"],
        "built from source package openssl 3.0.15-1~deb12u1"
    );
    assert_eq!(
        libssl["sourceInfo"],
        "acquired package info from /var/lib/dpkg/status"
    );
    let [requests] = spdx_package_of(&document, &cataloged("requests").purl)[..] else {
        panic!("one requests");
    };
    assert_eq!(
        container_of(&document, requests["SPDXID"].as_str().unwrap()),
        "SPDXRef-Image"
    );
    assert!(requests.get("comment").is_none(), "its own source");
    // One purl at two paths: two packages.
    assert_eq!(
        spdx_package_of(&document, &cataloged("@scope/left_pad").purl).len(),
        2
    );

    // Documents that break the schema are caught (the validator really validates): SPDX 2.3's
    // JSON schema spells the purpose `OPERATING_SYSTEM` and the category `PACKAGE-MANAGER`.
    let mut broken = document.clone();
    broken["packages"][1]["primaryPackagePurpose"] = json!("OPERATING-SYSTEM");
    assert!(!validator.is_valid(&broken));
    let mut broken = document.clone();
    broken["packages"][2]["externalRefs"][0]["referenceCategory"] = json!("PACKAGE_MANAGER");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn the_same_image_gives_the_same_document_and_another_image_another_namespace() {
    let (_root, analysis) = debian_rootfs();
    let subject = rootfs_subject("rootfs", &analysis);
    let document = spdx(&subject, "0.1.0", NOW);
    assert_eq!(document, spdx(&subject, "0.1.0", NOW));
    let later = spdx(&subject, "0.1.0", NOW + 3600);
    assert_eq!(later["documentNamespace"], document["documentNamespace"]);
    assert_eq!(later["packages"], document["packages"]);
    let namespace = document["documentNamespace"].as_str().unwrap();
    assert!(
        namespace.starts_with("https://palisade.dev/spdxdocs/rootfs-"),
        "{namespace}"
    );

    let other = spdx(&rootfs_subject("other", &analysis), "0.1.0", NOW);
    assert_ne!(other["documentNamespace"], document["documentNamespace"]);
    let fewer = Subject {
        packages: &analysis.packages[1..],
        ..rootfs_subject("rootfs", &analysis)
    };
    assert_ne!(
        spdx(&fewer, "0.1.0", NOW)["documentNamespace"],
        document["documentNamespace"]
    );
}

#[test]
fn fixture_image_sboms_are_valid_spdx() {
    let validator = validator(SCHEMA);
    let mut namespaces = HashSet::new();
    for fixture in analyzed_fixture_images() {
        let subject = fixture.subject();
        let document = spdx(&subject, "0.1.0", NOW);
        assert_valid(&validator, &document);
        assert_describes(&document, &subject);
        assert_eq!(document, spdx(&subject, "0.1.0", NOW), "{}", fixture.tag);
        assert!(namespaces.insert(document["documentNamespace"].to_string()));
        let digest = fixture.image.manifest_digest.as_deref().unwrap();
        let image = element(&document, "SPDXRef-Image");
        assert_eq!(image["versionInfo"], digest);
        assert_eq!(
            image["checksums"],
            json!([{"algorithm": "SHA256", "checksumValue": digest.strip_prefix("sha256:").unwrap()}])
        );
    }
}
