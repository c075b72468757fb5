//! SBOMs of a cataloged image. This module holds what the formats share: the [`Subject`] they
//! describe, the stable document UUID (the same image gives the same UUID, so SBOMs of one image
//! diff cleanly), the timestamps and the de-duplication of element references; and the CycloneDX
//! 1.6 JSON document (written as JSON values: `cyclonedx-bom` stops at 1.5, and the handful of
//! fields palisade fills does not need a typed model). Every package becomes a `library`
//! component with its purl and `palisade:` properties (ecosystem, source package, layer digest,
//! path); the OS becomes an `operating-system` component. SPDX 2.3 is in [`crate::spdx`].

use std::collections::HashSet;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::catalog::Package;
use crate::catalog::os_release::OsRelease;

/// What the SBOM describes.
pub struct Subject<'a> {
    pub reference: &'a str,
    pub digest: Option<&'a str>,
    pub layers: &'a [String],
    pub os: &'a OsRelease,
    pub packages: &'a [Package],
}

/// A stable UUID (version 5 layout, from a SHA-256 of the reference, the digest and the purls)
/// naming one image's SBOM: the CycloneDX serial number and the SPDX document namespace.
pub(crate) fn document_uuid(subject: &Subject<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(subject.reference.as_bytes());
    hasher.update(subject.digest.unwrap_or("").as_bytes());
    for p in subject.packages {
        hasher.update(p.purl.as_bytes());
    }
    let mut b: [u8; 16] = hasher.finalize()[..16].try_into().expect("16 bytes");
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time.
pub(crate) fn timestamp(seconds: u64) -> String {
    let date = palisade_core::suppress::Date::from_days_since_epoch((seconds / 86_400) as i64);
    let rest = seconds % 86_400;
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// `base`, or else the first of `base{separator}2`, `base{separator}3`, … not yet `taken`, which
/// it then joins: element references must be unique even when one package is listed twice.
pub(crate) fn first_free_ref(taken: &mut HashSet<String>, base: &str, separator: char) -> String {
    let mut candidate = base.to_string();
    let mut n = 1;
    while !taken.insert(candidate.clone()) {
        n += 1;
        candidate = format!("{base}{separator}{n}");
    }
    candidate
}

/// The CycloneDX 1.6 JSON document; `now` is the Unix time of the metadata timestamp.
pub fn cyclonedx(subject: &Subject<'_>, tool_version: &str, now: u64) -> Value {
    let property =
        |name: &str, value: &str| json!({"name": format!("palisade:{name}"), "value": value});
    let mut components: Vec<Value> = Vec::new();
    if !subject.os.id.is_empty() {
        components.push(json!({
            "type": "operating-system",
            "bom-ref": format!("os:{}@{}", subject.os.id, subject.os.version_id),
            "name": subject.os.id,
            "version": subject.os.version_id,
            "description": subject.os.pretty_name,
        }));
    }
    let mut taken_refs = HashSet::new();
    for p in subject.packages {
        // One package found at two paths gets a suffixed bom-ref.
        let bom_ref = first_free_ref(&mut taken_refs, &p.purl, '#');
        let mut properties = vec![
            property("ecosystem", &p.ecosystem),
            property("path", &p.path),
        ];
        if let Some(layer) = subject.layers.get(p.layer) {
            properties.push(property("layer", layer));
        }
        if p.source_name != p.name || p.source_version != p.version {
            properties.push(property("sourceName", &p.source_name));
            properties.push(property("sourceVersion", &p.source_version));
        }
        components.push(json!({
            "type": "library",
            "bom-ref": bom_ref,
            "name": p.name,
            "version": p.version,
            "purl": p.purl,
            "properties": properties,
        }));
    }
    let mut image = json!({
        "type": "container",
        "bom-ref": subject.reference,
        "name": subject.reference,
    });
    if let Some(digest) = subject.digest {
        image["version"] = json!(digest);
    }
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", document_uuid(subject)),
        "version": 1,
        "metadata": {
            "timestamp": timestamp(now),
            "tools": {"components": [{"type": "application", "name": "palisade", "version": tool_version}]},
            "component": image,
        },
        "components": components,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_uuids_and_free_refs() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_795_378_005), "2026-11-22T20:06:45Z");
        let os = OsRelease::default();
        let subject = Subject {
            reference: "app",
            digest: None,
            layers: &[],
            os: &os,
            packages: &[],
        };
        let uuid = document_uuid(&subject);
        assert_eq!(uuid, document_uuid(&subject), "stable");
        assert_eq!(&uuid[14..15], "5");
        let mut taken = HashSet::new();
        let refs: Vec<String> = ["a", "a", "b", "a"]
            .iter()
            .map(|base| first_free_ref(&mut taken, base, '#'))
            .collect();
        assert_eq!(refs, ["a", "a#2", "b", "a#3"]);
    }
}
