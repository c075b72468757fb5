//! Layer streams on arbitrary bytes: the input is one layer as it is (a tar, or not) and the
//! same bytes gzip-compressed as a second layer, in an OCI layout written to a temporary
//! directory, flattened with small bounds and with an inspector that wants every file. Tar
//! headers, long names, links, whiteouts and opaque directories, truncated streams and
//! decompression bounds must give files or errors, never a panic.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use palisade_image::{FileMeta, Inspector, Limits, flatten_inspecting, open};
use sha2::{Digest, Sha256};

fn blob(dir: &std::path::Path, bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(dir.join("blobs/sha256").join(&hex), bytes).unwrap();
    format!("sha256:{hex}")
}

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(data).unwrap();
    let compressed = gzip.finish().unwrap();
    let layers: Vec<String> = [data, &compressed]
        .iter()
        .map(|bytes| {
            format!(
                r#"{{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "{}", "size": {}}}"#,
                blob(dir.path(), bytes),
                bytes.len()
            )
        })
        .collect();
    let config = br#"{"rootfs": {"type": "layers"}}"#;
    let manifest = format!(
        r#"{{"schemaVersion": 2, "config": {{"digest": "{}", "size": {}}}, "layers": [{}]}}"#,
        blob(dir.path(), config),
        config.len(),
        layers.join(",")
    );
    let index = format!(
        r#"{{"schemaVersion": 2, "manifests": [{{"digest": "{}", "size": {}}}]}}"#,
        blob(dir.path(), manifest.as_bytes()),
        manifest.len()
    );
    std::fs::write(dir.path().join("index.json"), index).unwrap();
    let image = open(dir.path().to_str().unwrap()).unwrap();
    let limits = Limits {
        max_file: 4096,
        max_total: 1 << 20,
    };
    let mut seen = 0usize;
    let mut inspect = |_: usize, _: &FileMeta<'_>, content: &[u8]| seen += content.len();
    let inspector = Inspector {
        wants: &|_| true,
        inspect: &mut inspect,
    };
    let _ = flatten_inspecting(&image, &|_| true, limits, Some(inspector), None);
});
