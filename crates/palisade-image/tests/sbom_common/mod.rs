//! What the SBOM tests share: validators for the official schemas vendored in `tests/schemas/`
//! (references resolved offline), a small Debian rootfs, and the fixture images analyzed.

use std::path::Path;

use palisade_image::sbom::Subject;
use palisade_image::{Analysis, OpenedImage};

use crate::common::fixture_images;

/// The Unix time every test document is created at.
pub const NOW: u64 = 1_795_378_005;

/// Resolves a schema's references (`spdx.SNAPSHOT.schema.json`, …) to the vendored files.
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
        Ok(read_schema(&name)?)
    }
}

fn read_schema(name: &str) -> std::io::Result<serde_json::Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas")
        .join(name);
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

/// A validator for the vendored schema `name`, in the draft its `$schema` names.
pub fn validator(name: &str) -> jsonschema::Validator {
    jsonschema::options()
        .with_retriever(Vendored)
        .build(&read_schema(name).unwrap())
        .unwrap()
}

/// Fails with every schema error of `document`.
pub fn assert_valid(validator: &jsonschema::Validator, document: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A Debian rootfs with two dpkg packages (one built from a differently named source), a Python
/// distribution, and one npm package installed at two paths; analyzed.
pub fn debian_rootfs() -> (tempfile::TempDir, Analysis) {
    let root = tempfile::tempdir().unwrap();
    let write = |path: &str, content: &str| {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    };
    write(
        "usr/lib/os-release",
        "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n",
    );
    write(
        "var/lib/dpkg/status",
        "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl (3.0.15-1~deb12u1)\nVersion: 3.0.15-1~deb12u1\n\nPackage: bash\nStatus: install ok installed\nVersion: 1:5.2.15-2+b7\n",
    );
    write(
        "usr/lib/python3/dist-packages/requests-2.32.3.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: requests\nVersion: 2.32.3\n",
    );
    for app in ["app", "srv"] {
        write(
            &format!("{app}/node_modules/@scope/left_pad/package.json"),
            r#"{"name": "@scope/left_pad", "version": "1.0.0"}"#,
        );
    }
    let analysis = palisade_image::analyze_rootfs(root.path()).unwrap();
    (root, analysis)
}

/// The subject of an analyzed rootfs.
pub fn rootfs_subject<'a>(reference: &'a str, analysis: &'a Analysis) -> Subject<'a> {
    Subject {
        reference,
        digest: None,
        layers: &[],
        os: &analysis.os,
        packages: &analysis.packages,
    }
}

/// A fixture image from the OCI layout, analyzed.
pub struct FixtureImage {
    pub tag: &'static str,
    pub image: OpenedImage,
    pub analysis: Analysis,
    pub layers: Vec<String>,
}

impl FixtureImage {
    pub fn subject(&self) -> Subject<'_> {
        Subject {
            reference: &self.image.reference,
            digest: self.image.manifest_digest.as_deref(),
            layers: &self.layers,
            os: &self.analysis.os,
            packages: &self.analysis.packages,
        }
    }
}

/// The fixture images, analyzed; none when they are not built.
pub fn analyzed_fixture_images() -> Vec<FixtureImage> {
    let Some(images) = fixture_images() else {
        return Vec::new();
    };
    ["debian-base", "debian-app", "distroless-like"]
        .into_iter()
        .map(|tag| {
            let image =
                palisade_image::open(&format!("{}:{tag}", images.join("oci").display())).unwrap();
            let analysis = palisade_image::analyze(&image, None).unwrap();
            let layers = image.layers.iter().map(|l| l.digest.clone()).collect();
            FixtureImage {
                tag,
                image,
                analysis,
                layers,
            }
        })
        .collect()
}
