//! CycloneDX SBOMs validated against the official CycloneDX 1.6 JSON schema (vendored in
//! `tests/schemas/`, resolved offline), for a rootfs written here and, when built, the fixture
//! images.

mod common;
mod sbom_common;

use palisade_image::sbom::cyclonedx;
use sbom_common::{
    NOW, analyzed_fixture_images, assert_valid, debian_rootfs, rootfs_subject, validator,
};

const SCHEMA: &str = "bom-1.6.schema.json";

#[test]
fn a_rootfs_sbom_is_valid_cyclonedx() {
    let (_root, analysis) = debian_rootfs();
    let sbom = cyclonedx(&rootfs_subject("rootfs", &analysis), "0.1.0", NOW);
    let validator = validator(SCHEMA);
    assert_valid(&validator, &sbom);
    let components = sbom["components"].as_array().unwrap();
    assert_eq!(components[0]["type"], "operating-system");
    assert_eq!(components.len(), analysis.packages.len() + 1);
    // A document that breaks the schema is caught (the validator really validates).
    let mut broken = sbom.clone();
    broken["components"][1]["type"] = serde_json::json!("not-a-type");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn fixture_image_sboms_are_valid_cyclonedx() {
    let validator = validator(SCHEMA);
    for fixture in analyzed_fixture_images() {
        let sbom = cyclonedx(&fixture.subject(), "0.1.0", NOW);
        assert_valid(&validator, &sbom);
        assert_eq!(
            sbom["components"].as_array().unwrap().len(),
            fixture.analysis.packages.len() + 1,
            "{}",
            fixture.tag
        );
    }
}
