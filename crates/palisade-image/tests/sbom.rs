//! CycloneDX SBOMs validated against the official CycloneDX 1.6 JSON schema (vendored in
//! `tests/schemas/`, resolved offline), for a rootfs written here and, when built, the fixture
//! images.

use std::path::Path;

use palisade_image::sbom::{Subject, cyclonedx};

/// Resolves the schema's references (`spdx.SNAPSHOT.schema.json`, …) to the vendored files.
struct Vendored;

impl jsonschema::Retrieve for Vendored {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .replace(".SNAPSHOT", "");
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/schemas")
            .join(name);
        Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
    }
}

fn assert_valid(sbom: &serde_json::Value) {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/bom-1.6.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .with_retriever(Vendored)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(sbom)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn a_rootfs_sbom_is_valid_cyclonedx() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("usr/lib")).unwrap();
    std::fs::create_dir_all(root.path().join("var/lib/dpkg")).unwrap();
    std::fs::write(
        root.path().join("usr/lib/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n",
    )
    .unwrap();
    std::fs::write(
        root.path().join("var/lib/dpkg/status"),
        "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl (3.0.15-1~deb12u1)\nVersion: 3.0.15-1~deb12u1\n\nPackage: bash\nStatus: install ok installed\nVersion: 1:5.2.15-2+b7\n",
    )
    .unwrap();
    let analysis = palisade_image::analyze_rootfs(root.path()).unwrap();
    let sbom = cyclonedx(
        &Subject {
            reference: "rootfs",
            digest: None,
            layers: &[],
            os: &analysis.os,
            packages: &analysis.packages,
        },
        "0.1.0",
        1_795_378_005,
    );
    assert_valid(&sbom);
    let components = sbom["components"].as_array().unwrap();
    assert_eq!(components[0]["type"], "operating-system");
    assert_eq!(components.len(), 3);
    // A document that breaks the schema is caught (the validator really validates).
    let mut broken = sbom.clone();
    broken["components"][1]["type"] = serde_json::json!("not-a-type");
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/bom-1.6.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .with_retriever(Vendored)
        .build(&schema)
        .unwrap();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn fixture_image_sboms_are_valid_cyclonedx() {
    let work = std::env::var("SCRATCH").unwrap_or_else(|_| "/tmp/palisade-scratch".to_string());
    let images = Path::new(&work).join("images");
    if !images.join("oci/index.json").is_file()
        || !images.join("docker-archive/debian-app.tar").is_file()
    {
        eprintln!("skipping: fixture images not built");
        return;
    }
    for tag in ["debian-base", "debian-app", "distroless-like"] {
        let image =
            palisade_image::open(&format!("{}:{tag}", images.join("oci").display())).unwrap();
        let analysis = palisade_image::analyze(&image, None).unwrap();
        let layers: Vec<String> = image.layers.iter().map(|l| l.digest.clone()).collect();
        let sbom = cyclonedx(
            &Subject {
                reference: &image.reference,
                digest: image.manifest_digest.as_deref(),
                layers: &layers,
                os: &analysis.os,
                packages: &analysis.packages,
            },
            "0.1.0",
            1_795_378_005,
        );
        assert_valid(&sbom);
        assert_eq!(
            sbom["components"].as_array().unwrap().len(),
            analysis.packages.len() + 1,
            "{tag}"
        );
    }
}
