//! Pulls from a real registry: Debian's `docker-registry` (the CNCF distribution server),
//! started here on a free loopback port for each test, with images pushed by `oci-client`:
//! platform selection from an index, tag and digest references, basic auth against an htpasswd
//! realm, a tampered blob refused, and, when the fixture images are built (`.ci/run`), the same
//! catalog from the registry as from the OCI layout. Skipped where `docker-registry` is absent.
#![cfg(feature = "registry")]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use oci_client::Client;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use palisade_image::{OpenOptions, Platform, RegistryOptions, analyze, open_with};
use sha2::{Digest, Sha256};

/// bcrypt of "palisade-test-password" (htpasswd is the registry's basic-auth realm).
const HTPASSWD: &str = "ci:$2b$05$Pj42BW1Mbc9KQqmsypdCPebVuUtfzt2urFmqf5HRwo12/F4v1VV4i\n";
const PASSWORD: &str = "palisade-test-password";

/// A `docker-registry serve` on a free port, stopped when dropped.
struct Registry {
    child: Child,
    address: String,
    storage: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether `GET /v2/` answers at all (401 counts: the server is up).
fn answers(address: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(format!("GET /v2/ HTTP/1.0\r\nHost: {address}\r\n\r\n").as_bytes())
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

/// Starts a registry over `storage` (a fresh one when `None`), with basic auth when `auth`.
fn start_registry(storage: Option<&Path>, auth: bool) -> Option<Registry> {
    let installed = Command::new("docker-registry")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !installed {
        eprintln!("skipped: docker-registry is not installed");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let storage = storage.map_or_else(|| dir.path().join("data"), Path::to_path_buf);
    let address = format!("127.0.0.1:{}", free_port());
    let mut config = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {address}\n",
        storage.display()
    );
    if auth {
        std::fs::write(dir.path().join("htpasswd"), HTPASSWD).unwrap();
        config.push_str(&format!(
            "auth:\n  htpasswd:\n    realm: palisade-test\n    path: {}\n",
            dir.path().join("htpasswd").display()
        ));
    }
    std::fs::write(dir.path().join("config.yml"), config).unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(dir.path().join("config.yml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !answers(&address) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "docker-registry did not start on {address}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Registry {
        child,
        address,
        storage,
        _dir: dir,
    })
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// A gzip-compressed layer holding `files`.
fn layer(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, path, content.as_bytes())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

/// Pushes images to a registry with `oci-client` (plain HTTP: loopback).
struct Pusher {
    runtime: tokio::runtime::Runtime,
    client: Client,
    address: String,
}

impl Pusher {
    fn new(address: &str) -> Pusher {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let client = Client::new(ClientConfig {
            protocol: ClientProtocol::Http,
            ..Default::default()
        });
        runtime.block_on(client.store_auth_if_needed(address, &RegistryAuth::Anonymous));
        Pusher {
            runtime,
            client,
            address: address.to_string(),
        }
    }

    fn reference(&self, repository: &str, tag: &str) -> oci_client::Reference {
        format!("{}/{repository}:{tag}", self.address)
            .parse()
            .unwrap()
    }

    fn blob(&self, repository: &str, bytes: &[u8]) -> String {
        let digest = sha256(bytes);
        self.runtime
            .block_on(self.client.push_blob(
                &self.reference(repository, "x"),
                bytes.to_vec(),
                &digest,
            ))
            .unwrap();
        digest
    }

    /// Pushes a JSON manifest or index under `tag`; returns its digest and size.
    fn manifest(
        &self,
        repository: &str,
        tag: &str,
        media_type: &str,
        body: &str,
    ) -> (String, usize) {
        self.runtime
            .block_on(self.client.push_manifest_raw(
                &self.reference(repository, tag),
                body.as_bytes().to_vec(),
                http::HeaderValue::from_str(media_type).unwrap(),
            ))
            .unwrap();
        (sha256(body.as_bytes()), body.len())
    }

    /// Pushes a one-layer image whose os-release says `os_id`; returns the manifest digest and
    /// size and the layer digest.
    fn image(
        &self,
        repository: &str,
        tag: &str,
        os_id: &str,
        user: &str,
    ) -> (String, usize, String) {
        let layer = layer(&[(
            "etc/os-release",
            &format!("ID={os_id}\nVERSION_ID=1.0\nPRETTY_NAME=\"{os_id} test\"\n"),
        )]);
        let diff_id = {
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(layer.as_slice())
                .read_to_end(&mut plain)
                .unwrap();
            sha256(&plain)
        };
        let config = serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "config": {"User": user},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        })
        .to_string();
        let config_digest = self.blob(repository, config.as_bytes());
        let layer_digest = self.blob(repository, &layer);
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest, "size": layer.len()}],
        })
        .to_string();
        let (digest, size) = self.manifest(
            repository,
            tag,
            "application/vnd.oci.image.manifest.v1+json",
            &manifest,
        );
        (digest, size, layer_digest)
    }
}

fn options(platform: &str) -> OpenOptions {
    OpenOptions {
        platform: platform.parse::<Platform>().unwrap(),
        registry: RegistryOptions::default(),
    }
}

#[test]
fn an_index_resolves_to_the_requested_platform() {
    let Some(registry) = start_registry(None, false) else {
        return;
    };
    let pusher = Pusher::new(&registry.address);
    let (amd64, amd64_size, _) = pusher.image("shop/api", "amd64", "debian", "1000");
    let (arm, arm_size, _) = pusher.image("shop/api", "armv7", "alpine", "1000");
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": amd64, "size": amd64_size,
             "platform": {"os": "linux", "architecture": "amd64"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": arm, "size": arm_size,
             "platform": {"os": "linux", "architecture": "arm", "variant": "v7"}},
        ],
    })
    .to_string();
    pusher.manifest(
        "shop/api",
        "1.4",
        "application/vnd.oci.image.index.v1+json",
        &index,
    );
    let reference = format!("{}/shop/api:1.4", registry.address);

    let image = open_with(&reference, &options("linux/amd64")).unwrap();
    assert_eq!(image.manifest_digest.as_deref(), Some(amd64.as_str()));
    assert_eq!(analyze(&image, None).unwrap().os.id, "debian");

    let image = open_with(&reference, &options("linux/arm/v7")).unwrap();
    assert_eq!(image.manifest_digest.as_deref(), Some(arm.as_str()));
    assert_eq!(analyze(&image, None).unwrap().os.id, "alpine");

    let error = open_with(&reference, &options("linux/arm64"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("no linux/arm64 image") && error.contains("linux/arm/v7"),
        "{error}"
    );

    // By digest, the image manifest directly.
    let by_digest = format!("{}/shop/api@{arm}", registry.address);
    let image = open_with(&by_digest, &options("linux/amd64")).unwrap();
    assert_eq!(analyze(&image, None).unwrap().os.id, "alpine");

    let missing = open_with(
        &format!("{}/shop/api:nope", registry.address),
        &options("linux/amd64"),
    )
    .unwrap_err()
    .to_string();
    assert!(missing.contains("shop/api:nope"), "{missing}");
}

#[test]
fn a_tampered_layer_is_refused() {
    let Some(registry) = start_registry(None, false) else {
        return;
    };
    let pusher = Pusher::new(&registry.address);
    let (_, _, layer_digest) = pusher.image("shop/web", "1", "debian", "");
    let hex = layer_digest.trim_start_matches("sha256:");
    let data = registry
        .storage
        .join("docker/registry/v2/blobs/sha256")
        .join(&hex[..2])
        .join(hex)
        .join("data");
    let mut bytes = std::fs::read(&data).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&data, bytes).unwrap();
    let image = open_with(
        &format!("{}/shop/web:1", registry.address),
        &options("linux/amd64"),
    )
    .unwrap();
    let error = analyze(&image, None).unwrap_err().to_string();
    assert!(error.to_lowercase().contains("digest"), "{error}");
}

#[test]
fn basic_auth_needs_the_right_credentials() {
    let Some(plain) = start_registry(None, false) else {
        return;
    };
    Pusher::new(&plain.address).image("team/app", "2", "debian", "0");
    // The same storage, served behind an htpasswd realm.
    let Some(guarded) = start_registry(Some(&plain.storage), true) else {
        return;
    };
    let reference = format!("{}/team/app:2", guarded.address);
    let with = |credentials: Option<(&str, &str)>| {
        open_with(
            &reference,
            &OpenOptions {
                platform: Platform::host(),
                registry: RegistryOptions {
                    credentials: credentials.map(|(u, p)| (u.to_string(), p.to_string())),
                    ..RegistryOptions::default()
                },
            },
        )
    };
    let anonymous = with(None).unwrap_err().to_string();
    assert!(
        anonymous.to_lowercase().contains("unauthorized")
            || anonymous.to_lowercase().contains("authentication"),
        "{anonymous}"
    );
    let wrong = with(Some(("ci", "wrong"))).unwrap_err().to_string();
    assert!(
        !wrong.contains("wrong"),
        "the password must not be echoed: {wrong}"
    );
    let image = with(Some(("ci", PASSWORD))).unwrap();
    let analysis = analyze(&image, None).unwrap();
    assert_eq!(analysis.os.id, "debian");

    // What `docker login` writes: base64 of user:password under the registry's address.
    let config = tempfile::tempdir().unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("ci:{PASSWORD}"));
    std::fs::write(
        config.path().join("config.json"),
        format!(
            r#"{{"auths": {{"http://{}": {{"auth": "{auth}"}}}}}}"#,
            guarded.address
        ),
    )
    .unwrap();
    let image = open_with(
        &reference,
        &OpenOptions {
            platform: Platform::host(),
            registry: RegistryOptions {
                docker_config: Some(config.path().join("config.json")),
                ..RegistryOptions::default()
            },
        },
    )
    .unwrap();
    assert_eq!(analyze(&image, None).unwrap().os.id, "debian");
}

/// The fixture images pushed by `make-images.sh` catalog the same from the registry as from
/// the OCI layout (Docker schema 2 and OCI manifests alike).
#[test]
fn fixture_images_catalog_the_same_from_the_registry() {
    let Some(images) = common::fixture_images() else {
        return;
    };
    let storage = images.join("registry/data");
    if !storage.is_dir() {
        eprintln!(
            "skipped: no fixture registry storage at {}",
            storage.display()
        );
        return;
    }
    let Some(registry) = start_registry(Some(&storage), false) else {
        return;
    };
    let layout = open_with(
        &format!("{}:debian-app", images.join("oci").display()),
        &OpenOptions::default(),
    )
    .unwrap();
    let from_layout = analyze(&layout, None).unwrap();
    for tag in ["latest", "v2s2"] {
        let image = open_with(
            &format!("{}/fixtures/debian-app:{tag}", registry.address),
            &OpenOptions::default(),
        )
        .unwrap();
        let from_registry = analyze(&image, None).unwrap();
        assert_eq!(from_registry.os, from_layout.os, "{tag}");
        assert_eq!(from_registry.packages, from_layout.packages, "{tag}");
        assert_eq!(
            from_registry.layer_secrets.len(),
            from_layout.layer_secrets.len(),
            "{tag}"
        );
        if tag == "latest" {
            assert_eq!(image.manifest_digest, layout.manifest_digest);
        }
    }
}
