//! Where image blobs come from: an OCI image layout directory (`index.json` + `blobs/`, the tag
//! from the `org.opencontainers.image.ref.name` annotation), an OCI archive (the same layout in
//! a tarball), a `docker save` archive (`manifest.json` + config + layer files inside one tar),
//! both read in place by offset, or (with the `registry` feature) a registry. Multi-platform
//! indexes are resolved to one platform the same way for all of them. Every blob is checked
//! against its descriptor's size as it is read and against its digest (sha256 or sha512) once
//! read; legacy `docker save` layers, named by an id, against the config's `diff_ids`.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256, Sha512};

/// Why an image could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{0}")]
    Invalid(String),
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ImageError + '_ {
    move |source| ImageError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One layer: its digest, media type (compression) and size when known, and where its bytes
/// are.
#[derive(Debug, Clone)]
pub struct LayerRef {
    pub digest: String,
    pub media_type: String,
    /// Compressed size in bytes (from the manifest, or the archive member).
    pub size: Option<u64>,
    location: BlobLocation,
    expected: Expected,
}

#[derive(Debug, Clone)]
pub(crate) enum BlobLocation {
    File(PathBuf),
    /// A range of an archive file.
    InArchive {
        archive: PathBuf,
        offset: u64,
        size: u64,
    },
    /// Somewhere a [`BlobStore`] fetches from (a registry).
    #[cfg(feature = "registry")]
    Remote(std::sync::Arc<dyn BlobStore>),
}

/// Fetches blobs by digest (a registry client), verifying them itself.
#[cfg(feature = "registry")]
pub(crate) trait BlobStore: Send + Sync + std::fmt::Debug {
    /// The blob's bytes as a stream; a digest mismatch is an error at its end.
    fn open(&self, digest: &str) -> Result<Box<dyn Read + Send>, ImageError>;
    /// What to name in errors: the registry and repository.
    fn name(&self) -> &str;
}

#[cfg(feature = "registry")]
impl LayerRef {
    pub(crate) fn remote(
        store: std::sync::Arc<dyn BlobStore>,
        digest: String,
        media_type: String,
        size: Option<u64>,
    ) -> LayerRef {
        LayerRef {
            // The registry client verifies the digest as it streams.
            expected: Expected { digest: None, size },
            digest,
            media_type,
            size,
            location: BlobLocation::Remote(store),
        }
    }
}

/// An image ready to be read: its manifest digest (when known), config and layers in order.
#[derive(Debug, Clone)]
pub struct OpenedImage {
    pub reference: String,
    pub manifest_digest: Option<String>,
    /// The image config JSON (user, env, history, …).
    pub config: serde_json::Value,
    pub layers: Vec<LayerRef>,
    /// What reading the image's metadata noticed (credentials that could not be used, …).
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor {
    pub(crate) media_type: Option<String>,
    pub(crate) digest: String,
    #[serde(default)]
    pub(crate) size: Option<u64>,
    #[serde(default)]
    annotations: std::collections::HashMap<String, String>,
    platform: Option<IndexPlatform>,
}

#[derive(Deserialize)]
struct IndexPlatform {
    architecture: String,
    os: String,
    #[serde(default)]
    variant: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Index {
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Manifest {
    pub(crate) config: Descriptor,
    pub(crate) layers: Vec<Descriptor>,
}

/// The platform to take from a multi-platform index, `os/architecture[/variant]` as Docker's
/// `--platform` spells it (`linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    /// The platform this program runs on, in Go's `GOOS/GOARCH` names as images use them.
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
            other => other,
        };
        Platform {
            os: "linux".to_string(),
            architecture: architecture.to_string(),
            variant: None,
        }
    }

    /// The variant, with each architecture's default made explicit the way containerd does
    /// (`arm64` is `v8`, `amd64` is `v1`, `arm` is `v7`), so `linux/arm64` and `linux/arm64/v8`
    /// are the same platform.
    fn normalised_variant(architecture: &str, variant: Option<&str>) -> Option<String> {
        match (architecture, variant.filter(|v| !v.is_empty())) {
            ("arm", None) => Some("v7".to_string()),
            ("arm64", Some("v8")) | ("amd64", Some("v1")) | (_, None) => None,
            (_, Some(variant)) => Some(variant.to_string()),
        }
    }

    fn matches(&self, entry: &IndexPlatform) -> bool {
        entry.os == self.os
            && entry.architecture == self.architecture
            && (self.variant.is_none()
                || Self::normalised_variant(&entry.architecture, entry.variant.as_deref())
                    == Self::normalised_variant(&self.architecture, self.variant.as_deref()))
    }
}

impl std::str::FromStr for Platform {
    type Err = String;

    fn from_str(text: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [os, architecture] | [os, architecture, _]
                if !os.is_empty() && !architecture.is_empty() =>
            {
                Ok(Platform {
                    os: os.to_string(),
                    architecture: architecture.to_string(),
                    variant: parts
                        .get(2)
                        .map(|v| v.to_string())
                        .filter(|v| !v.is_empty()),
                })
            }
            _ => Err(format!(
                "{text:?} is not a platform: expected os/architecture[/variant], e.g. linux/amd64"
            )),
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

/// Fetches a manifest or index by digest (and size, when the descriptor says).
pub(crate) type FetchDocument<'a> =
    dyn FnMut(&str, Option<u64>) -> Result<Vec<u8>, ImageError> + 'a;

/// Follows image indexes (OCI index, Docker manifest list) from the document `bytes` (with
/// `digest`) down to the image manifest for `platform`, fetching nested documents by digest.
/// Returns the manifest's digest and the manifest.
pub(crate) fn resolve_manifest(
    mut digest: String,
    mut bytes: Vec<u8>,
    fetch: &mut FetchDocument<'_>,
    platform: &Platform,
) -> Result<(String, Manifest), ImageError> {
    // An index can point at an index; four levels is more than any registry nests.
    for _ in 0..4 {
        let document: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ImageError::Invalid(format!("manifest {digest}: {e}")))?;
        if document
            .get("schemaVersion")
            .and_then(serde_json::Value::as_u64)
            == Some(1)
        {
            return Err(ImageError::Invalid(format!(
                "manifest {digest} is a Docker schema 1 manifest, deprecated since 2017 and not supported; re-push the image with a current client"
            )));
        }
        if document.get("manifests").is_none() {
            let manifest: Manifest = serde_json::from_value(document)
                .map_err(|e| ImageError::Invalid(format!("manifest {digest}: {e}")))?;
            // Digests become file names and messages: each must be one palisade can verify.
            for descriptor in std::iter::once(&manifest.config).chain(&manifest.layers) {
                Digester::for_digest(&descriptor.digest)
                    .map_err(|e| ImageError::Invalid(format!("manifest {digest}: {e}")))?;
            }
            return Ok((digest, manifest));
        }
        let index: Index = serde_json::from_value(document)
            .map_err(|e| ImageError::Invalid(format!("index {digest}: {e}")))?;
        let chosen = index
            .manifests
            .iter()
            .find(|m| m.platform.as_ref().is_some_and(|p| platform.matches(p)))
            .ok_or_else(|| {
                let available: Vec<String> = index
                    .manifests
                    .iter()
                    .filter_map(|m| m.platform.as_ref())
                    .filter(|p| p.os != "unknown")
                    .map(|p| match &p.variant {
                        Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
                        None => format!("{}/{}", p.os, p.architecture),
                    })
                    .collect();
                ImageError::Invalid(format!(
                    "no {platform} image in index {digest} (platforms: {}); choose one with --platform",
                    available.join(", ")
                ))
            })?;
        digest = chosen.digest.clone();
        bytes = fetch(&digest, chosen.size)?;
    }
    Err(ImageError::Invalid(format!(
        "index {digest}: indexes nested more than four deep"
    )))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ArchiveEntry {
    config: String,
    #[serde(default)]
    repo_tags: Vec<String>,
    layers: Vec<String>,
}

/// Reads a blob fully (configs, manifests), verifying its digest.
pub(crate) fn read_blob(
    location: &BlobLocation,
    name: &str,
    expected: &Expected,
    limit: u64,
) -> Result<Vec<u8>, ImageError> {
    let mut reader = blob_reader(location, name, expected)?;
    let mut bytes = Vec::new();
    let path = PathBuf::from(location.describe());
    (&mut reader)
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error(&path))?;
    if bytes.len() as u64 > limit {
        return Err(ImageError::Invalid(format!(
            "{name}: larger than {limit} bytes"
        )));
    }
    reader.finish().map_err(io_error(&path))?;
    Ok(bytes)
}

impl BlobLocation {
    fn describe(&self) -> String {
        match self {
            BlobLocation::File(path) => path.display().to_string(),
            BlobLocation::InArchive { archive, .. } => archive.display().to_string(),
            #[cfg(feature = "registry")]
            BlobLocation::Remote(store) => store.name().to_string(),
        }
    }
}

/// A running hash of one of the algorithms OCI digests use.
enum Digester {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Digester {
    /// The hasher for `algorithm:hex`, and the expected hex.
    fn for_digest(digest: &str) -> Result<(Digester, String), ImageError> {
        let (algorithm, hex) = digest
            .split_once(':')
            .ok_or_else(|| ImageError::Invalid(format!("malformed digest {digest:?}")))?;
        let (digester, length) = match algorithm {
            "sha256" => (Digester::Sha256(Sha256::new()), 64),
            "sha512" => (Digester::Sha512(Sha512::new()), 128),
            other => {
                return Err(ImageError::Invalid(format!(
                    "digest {digest:?}: algorithm {other:?} is not one palisade can verify (sha256, sha512)"
                )));
            }
        };
        if hex.len() != length || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(ImageError::Invalid(format!("malformed digest {digest:?}")));
        }
        Ok((digester, hex.to_string()))
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Digester::Sha256(hasher) => hasher.update(bytes),
            Digester::Sha512(hasher) => hasher.update(bytes),
        }
    }

    fn hex(self) -> String {
        let bytes = match self {
            Digester::Sha256(hasher) => hasher.finalize().to_vec(),
            Digester::Sha512(hasher) => hasher.finalize().to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A reader of a blob that checks its size as it goes (never reading past what its descriptor
/// says) and, once everything is read, that the bytes hash to the expected digest.
pub struct VerifyingReader {
    inner: Box<dyn Read + Send>,
    /// The running hash and the expected hex digest, when there is one to check here.
    hasher: Option<(Digester, String)>,
    /// What to call the blob in errors.
    name: String,
    read: u64,
    size: Option<u64>,
}

impl Read for VerifyingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if let Some(size) = self.size
            && self.read > size
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "blob {} is larger than the {size} bytes its descriptor says",
                    self.name
                ),
            ));
        }
        if let Some((hasher, _)) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

impl VerifyingReader {
    /// Reads what is left and checks the size and the digest.
    pub fn finish(mut self) -> io::Result<()> {
        io::copy(&mut self, &mut io::sink())?;
        if let Some(size) = self.size
            && self.read != size
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "blob {} is {} bytes, its descriptor says {size}: truncated",
                    self.name, self.read
                ),
            ));
        }
        let Some((hasher, expected)) = self.hasher else {
            return Ok(());
        };
        let actual = hasher.hex();
        if actual == expected {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "blob {} hashes to {actual}: corrupted or tampered",
                    self.name
                ),
            ))
        }
    }
}

/// What a blob must be: its digest (`None` when something else verifies it, or nothing can)
/// and its size when known.
#[derive(Debug, Clone, Default)]
pub(crate) struct Expected {
    pub(crate) digest: Option<String>,
    pub(crate) size: Option<u64>,
}

fn blob_reader(
    location: &BlobLocation,
    name: &str,
    expected: &Expected,
) -> Result<VerifyingReader, ImageError> {
    let inner: Box<dyn Read + Send> = match location {
        BlobLocation::File(path) => Box::new(File::open(path).map_err(io_error(path))?),
        BlobLocation::InArchive {
            archive,
            offset,
            size,
        } => {
            let mut file = File::open(archive).map_err(io_error(archive))?;
            file.seek(SeekFrom::Start(*offset))
                .map_err(io_error(archive))?;
            Box::new(file.take(*size))
        }
        #[cfg(feature = "registry")]
        BlobLocation::Remote(store) => store.open(name)?,
    };
    let hasher = expected
        .digest
        .as_deref()
        .map(Digester::for_digest)
        .transpose()?;
    Ok(VerifyingReader {
        inner,
        hasher,
        name: name.to_string(),
        read: 0,
        size: expected.size,
    })
}

impl LayerRef {
    /// The layer's (compressed) bytes, size-bounded, and digest-verified when read to the end
    /// with `finish`.
    pub fn reader(&self) -> Result<VerifyingReader, ImageError> {
        blob_reader(&self.location, &self.digest, &self.expected)
    }
}

/// How to open an image.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// The platform to take from a multi-platform image (default: the host's).
    pub platform: Platform,
    /// Registry access: plain HTTP and credentials.
    pub registry: RegistryOptions,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            platform: Platform::host(),
            registry: RegistryOptions::default(),
        }
    }
}

/// How to talk to a registry.
#[derive(Clone, Default)]
pub struct RegistryOptions {
    /// Treat the registry as insecure (HTTPS without certificate checks, else plain HTTP), as
    /// loopback registries always are.
    pub insecure: bool,
    /// Username and password; without them, the Docker client's config, else anonymous.
    pub credentials: Option<(String, String)>,
    /// The Docker client's config file (default: `$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`).
    pub docker_config: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for RegistryOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryOptions")
            .field("insecure", &self.insecure)
            .field(
                "credentials",
                &self
                    .credentials
                    .as_ref()
                    .map(|(user, _)| (user, "<redacted>")),
            )
            .field("docker_config", &self.docker_config)
            .finish()
    }
}

/// Opens `target` with the default options: see [`open_with`].
pub fn open(target: &str) -> Result<OpenedImage, ImageError> {
    open_with(target, &OpenOptions::default())
}

/// Opens `target`: an OCI layout directory (`dir` or `dir:tag`), a `docker save` (or OCI
/// archive) tarball, or an image in a registry (`registry/repository:tag`, `…@sha256:…`).
/// The prefixes `oci:`, `docker-archive:` and `docker://` say which one explicitly.
pub fn open_with(target: &str, options: &OpenOptions) -> Result<OpenedImage, ImageError> {
    if let Some(reference) = target.strip_prefix("docker://") {
        return open_registry(reference, options);
    }
    let local = target
        .strip_prefix("oci:")
        .or_else(|| target.strip_prefix("docker-archive:"))
        .unwrap_or(target);
    // `PATH:TAG`, where the tag may hold colons itself (`app.tar:shop/api:1.4`): the longest
    // prefix that exists on disk is the path.
    let (path, tag) = local
        .rmatch_indices(':')
        .map(|(at, _)| (&local[..at], &local[at + 1..]))
        .find(|(path, _)| Path::new(path).exists())
        .map_or((local, None), |(path, tag)| (path, Some(tag)));
    let path = Path::new(path);
    if path.is_dir() {
        open_layout(path, tag, &options.platform)
    } else if path.exists() || local.len() != target.len() || looks_like_a_path(target) {
        open_archive(path, tag, &options.platform)
    } else {
        open_registry(target, options)
    }
}

/// Whether a target that names nothing on disk was meant as a file rather than an image
/// reference (a typo must say "no such file", not try the network).
fn looks_like_a_path(target: &str) -> bool {
    target.starts_with(['/', '.', '~'])
        || [".tar", ".tar.gz", ".tgz", ".tar.zst"]
            .iter()
            .any(|suffix| target.ends_with(suffix))
        || std::path::MAIN_SEPARATOR != '/' && target.contains(std::path::MAIN_SEPARATOR)
}

#[cfg(feature = "registry")]
fn open_registry(reference: &str, options: &OpenOptions) -> Result<OpenedImage, ImageError> {
    crate::registry::open(reference, options)
}

#[cfg(not(feature = "registry"))]
fn open_registry(reference: &str, _options: &OpenOptions) -> Result<OpenedImage, ImageError> {
    Err(ImageError::Invalid(format!(
        "{reference}: no such file or directory, and this build of palisade cannot pull from registries"
    )))
}

pub(crate) const JSON_LIMIT: u64 = 16 << 20;

/// `algorithm/hex` of a well-formed digest (the blob's place under `blobs/`).
fn blob_name(digest: &str) -> Result<String, ImageError> {
    let (algorithm, hex) = digest
        .split_once(':')
        .filter(|(a, h)| !a.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()) && !h.is_empty())
        .ok_or_else(|| ImageError::Invalid(format!("malformed digest {digest:?}")))?;
    Ok(format!("{algorithm}/{hex}"))
}

const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Reads an OCI image layout, whose blobs `locate` finds (files of a directory, or members of
/// an OCI archive): the image tagged `tag`, else the only one.
fn open_oci(
    name: &str,
    index: &[u8],
    locate: &dyn Fn(&str) -> Result<BlobLocation, ImageError>,
    tag: Option<&str>,
    platform: &Platform,
) -> Result<OpenedImage, ImageError> {
    let index: Index = serde_json::from_slice(index)
        .map_err(|e| ImageError::Invalid(format!("{name}: index.json: {e}")))?;
    let tags: Vec<&str> = index
        .manifests
        .iter()
        .filter_map(|m| m.annotations.get(REF_NAME).map(String::as_str))
        .collect();
    let chosen = match tag {
        Some(tag) => index
            .manifests
            .iter()
            .find(|m| m.annotations.get(REF_NAME).map(String::as_str) == Some(tag))
            .ok_or_else(|| {
                ImageError::Invalid(format!(
                    "no tag {tag:?} in {name} (tags: {})",
                    tags.join(", ")
                ))
            })?,
        None if index.manifests.len() == 1 => &index.manifests[0],
        None => {
            return Err(ImageError::Invalid(format!(
                "{name} holds several images; name one as {name}:<tag> (tags: {})",
                tags.join(", ")
            )));
        }
    };
    let mut fetch = |digest: &str, size: Option<u64>| {
        let expected = Expected {
            digest: Some(digest.to_string()),
            size,
        };
        read_blob(&locate(digest)?, digest, &expected, JSON_LIMIT)
    };
    let top = fetch(&chosen.digest, chosen.size)?;
    let (manifest_digest, manifest) =
        resolve_manifest(chosen.digest.clone(), top, &mut fetch, platform)?;
    let config = serde_json::from_slice(&fetch(&manifest.config.digest, manifest.config.size)?)
        .map_err(|e| ImageError::Invalid(format!("config {}: {e}", manifest.config.digest)))?;
    let layers = manifest
        .layers
        .into_iter()
        .map(|l| {
            Ok(LayerRef {
                location: locate(&l.digest)?,
                expected: Expected {
                    digest: Some(l.digest.clone()),
                    size: l.size,
                },
                digest: l.digest,
                media_type: l.media_type.unwrap_or_default(),
                size: l.size,
            })
        })
        .collect::<Result<_, ImageError>>()?;
    Ok(OpenedImage {
        reference: match tag {
            Some(tag) => format!("{name}:{tag}"),
            None => name.to_string(),
        },
        manifest_digest: Some(manifest_digest),
        config,
        layers,
        warnings: Vec::new(),
    })
}

fn open_layout(
    layout: &Path,
    tag: Option<&str>,
    platform: &Platform,
) -> Result<OpenedImage, ImageError> {
    let index_path = layout.join("index.json");
    let index = std::fs::read(&index_path).map_err(io_error(&index_path))?;
    let locate = |digest: &str| {
        Ok(BlobLocation::File(
            layout.join("blobs").join(blob_name(digest)?),
        ))
    };
    open_oci(
        &layout.display().to_string(),
        &index,
        &locate,
        tag,
        platform,
    )
}

/// Reads a tarball: a `docker save` archive (`manifest.json`), else an OCI archive (an image
/// layout in a tar: `index.json` and `blobs/`). Members are read in place, by offset.
fn open_archive(
    archive: &Path,
    tag: Option<&str>,
    platform: &Platform,
) -> Result<OpenedImage, ImageError> {
    let mut file = File::open(archive).map_err(io_error(archive))?;
    let mut magic = [0u8; 4];
    let magic_len = file.read(&mut magic).map_err(io_error(archive))?;
    if magic[..magic_len].starts_with(&[0x1f, 0x8b])
        || magic[..magic_len] == [0x28, 0xb5, 0x2f, 0xfd]
    {
        return Err(ImageError::Invalid(format!(
            "{}: a compressed tarball; palisade reads image archives in place, so decompress it first (gunzip, zstd -d)",
            archive.display()
        )));
    }
    file.seek(SeekFrom::Start(0)).map_err(io_error(archive))?;
    let mut tar = tar::Archive::new(file);
    let mut members = std::collections::HashMap::new();
    let not_an_archive = |e: io::Error| {
        ImageError::Invalid(format!(
            "{}: not an image archive (a `docker save` or OCI archive tarball): {e}",
            archive.display()
        ))
    };
    for entry in tar.entries_with_seek().map_err(not_an_archive)? {
        let entry = entry.map_err(not_an_archive)?;
        let name = entry
            .path()
            .map_err(not_an_archive)?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        members.insert(name, (entry.raw_file_position(), entry.size()));
    }
    let member = |name: &str| -> Result<BlobLocation, ImageError> {
        let (offset, size) = members
            .get(name.trim_start_matches("./"))
            .copied()
            .ok_or_else(|| {
                ImageError::Invalid(format!("{}: no {name:?} in the archive", archive.display()))
            })?;
        Ok(BlobLocation::InArchive {
            archive: archive.to_path_buf(),
            offset,
            size,
        })
    };
    if !members.contains_key("manifest.json") && members.contains_key("index.json") {
        let index = read_blob(
            &member("index.json")?,
            "index.json",
            &Expected::default(),
            JSON_LIMIT,
        )?;
        let locate = |digest: &str| member(&format!("blobs/{}", blob_name(digest)?));
        return open_oci(
            &archive.display().to_string(),
            &index,
            &locate,
            tag,
            platform,
        );
    }
    let manifest: Vec<ArchiveEntry> = serde_json::from_slice(&read_blob(
        &member("manifest.json")?,
        "manifest.json",
        &Expected::default(),
        JSON_LIMIT,
    )?)
    .map_err(|e| ImageError::Invalid(format!("{}: manifest.json: {e}", archive.display())))?;
    let tags: Vec<&str> = manifest
        .iter()
        .flat_map(|e| e.repo_tags.iter().map(String::as_str))
        .collect();
    let entry = match (tag, manifest.as_slice()) {
        // `ARCHIVE:TAG` names the image whose RepoTags has `TAG` or ends with `:TAG`.
        (Some(tag), entries) => entries
            .iter()
            .find(|e| {
                e.repo_tags
                    .iter()
                    .any(|t| t == tag || t.rsplit_once(':').is_some_and(|(_, t)| t == tag))
            })
            .ok_or_else(|| {
                ImageError::Invalid(format!(
                    "no tag {tag:?} in {} (tags: {})",
                    archive.display(),
                    tags.join(", ")
                ))
            })?,
        (None, [entry]) => entry,
        (None, entries) => {
            return Err(ImageError::Invalid(format!(
                "{} holds {} images; name one as {}:<tag> (tags: {})",
                archive.display(),
                entries.len(),
                archive.display(),
                tags.join(", ")
            )));
        }
    };
    // Archives that name blobs by their digest (`blobs/sha256/<hex>` from docker 25,
    // `<hex>.tar` from skopeo, `<hex>.json` configs) are verified against it. Legacy
    // `<layer id>/layer.tar` layers are uncompressed, so their digest is the config's diff_id.
    let digest_of = |name: &str| {
        name.strip_prefix("blobs/sha256/")
            .or_else(|| {
                name.strip_suffix(".tar")
                    .or_else(|| name.strip_suffix(".json"))
                    .filter(|h| !h.contains('/'))
            })
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|hex| format!("sha256:{hex}"))
    };
    let config_bytes = read_blob(
        &member(&entry.config)?,
        &entry.config,
        &Expected {
            digest: digest_of(&entry.config),
            size: None,
        },
        JSON_LIMIT,
    )?;
    let config: serde_json::Value = serde_json::from_slice(&config_bytes)
        .map_err(|e| ImageError::Invalid(format!("{}: config: {e}", archive.display())))?;
    let diff_ids: Vec<&str> = config["rootfs"]["diff_ids"]
        .as_array()
        .map(|ids| ids.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    let layers = entry
        .layers
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let location = member(name)?;
            let size = match &location {
                BlobLocation::InArchive { size, .. } => Some(*size),
                _ => None,
            };
            let digest = digest_of(name)
                .or_else(|| diff_ids.get(index).map(|id| id.to_string()))
                .ok_or_else(|| {
                    ImageError::Invalid(format!(
                        "{}: layer {name:?} is neither named by its digest nor listed in the config's diff_ids",
                        archive.display()
                    ))
                })?;
            Digester::for_digest(&digest)?;
            Ok(LayerRef {
                location,
                expected: Expected {
                    digest: Some(digest.clone()),
                    size,
                },
                digest,
                media_type: String::new(),
                size,
            })
        })
        .collect::<Result<_, ImageError>>()?;
    Ok(OpenedImage {
        reference: entry
            .repo_tags
            .first()
            .cloned()
            .unwrap_or_else(|| archive.display().to_string()),
        manifest_digest: None,
        config,
        layers,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_parse_and_match_with_default_variants() {
        let arm: Platform = "linux/arm/v7".parse().unwrap();
        assert!(
            arm.matches(&IndexPlatform {
                os: "linux".into(),
                architecture: "arm".into(),
                variant: None,
            }),
            "containerd's default arm variant is v7"
        );
        let arm64: Platform = "linux/arm64".parse().unwrap();
        let entry = |arch: &str, variant: Option<&str>| IndexPlatform {
            os: "linux".into(),
            architecture: arch.into(),
            variant: variant.map(str::to_string),
        };
        assert!(arm64.matches(&entry("arm64", Some("v8"))));
        let v8: Platform = "linux/arm64/v8".parse().unwrap();
        assert!(v8.matches(&entry("arm64", None)));
        let v7: Platform = "linux/arm/v7".parse().unwrap();
        assert!(!v7.matches(&entry("arm", Some("v6"))));
        assert!(v7.matches(&entry("arm", Some("v7"))));
        assert_eq!(v7.to_string(), "linux/arm/v7");
        assert!("linux".parse::<Platform>().is_err());
        assert!("linux/amd64/v2/x".parse::<Platform>().is_err());
    }

    #[test]
    fn typos_of_paths_are_not_taken_for_references() {
        assert!(looks_like_a_path("./app.tar"));
        assert!(looks_like_a_path("app.tar"));
        assert!(!looks_like_a_path("127.0.0.1:5000/shop/api:1.4"));
        let error = open("missing-image.tar").unwrap_err().to_string();
        assert!(error.contains("missing-image.tar"), "{error}");
    }
}
