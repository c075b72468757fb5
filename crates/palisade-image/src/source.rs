//! Where image blobs come from: an OCI image layout directory (`index.json` + `blobs/`, the tag
//! from the `org.opencontainers.image.ref.name` annotation) or a `docker save` archive
//! (`manifest.json` + config + layer files inside one tar, read in place by offset). Every blob
//! is verified against its digest while it is read.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

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

/// One layer: its digest and media type (compression), and where its bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRef {
    pub digest: String,
    pub media_type: String,
    location: BlobLocation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum BlobLocation {
    File(PathBuf),
    /// A range of an archive file.
    InArchive {
        archive: PathBuf,
        offset: u64,
        size: u64,
    },
}

/// An image ready to be read: its manifest digest (when known), config and layers in order.
#[derive(Debug, Clone)]
pub struct OpenedImage {
    pub reference: String,
    pub manifest_digest: Option<String>,
    /// The image config JSON (user, env, history, …).
    pub config: serde_json::Value,
    pub layers: Vec<LayerRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    media_type: Option<String>,
    digest: String,
    #[serde(default)]
    annotations: std::collections::HashMap<String, String>,
    platform: Option<Platform>,
}

#[derive(Deserialize)]
struct Platform {
    architecture: String,
    os: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Index {
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    config: Descriptor,
    layers: Vec<Descriptor>,
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
fn read_blob(location: &BlobLocation, digest: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
    let mut reader = blob_reader(location, digest)?;
    let mut bytes = Vec::new();
    let path = location.path().to_path_buf();
    (&mut reader)
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error(&path))?;
    if bytes.len() as u64 > limit {
        return Err(ImageError::Invalid(format!(
            "{digest}: larger than {limit} bytes"
        )));
    }
    reader.finish().map_err(io_error(&path))?;
    Ok(bytes)
}

impl BlobLocation {
    fn path(&self) -> &Path {
        match self {
            BlobLocation::File(path) => path,
            BlobLocation::InArchive { archive, .. } => archive,
        }
    }
}

/// A reader of a blob that checks, once everything is read, that the bytes hash to `digest`.
pub struct VerifyingReader {
    inner: Box<dyn Read + Send>,
    hasher: Sha256,
    expected: Option<String>,
    digest: String,
}

impl Read for VerifyingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

impl VerifyingReader {
    /// Reads what is left and checks the digest.
    pub fn finish(mut self) -> io::Result<()> {
        io::copy(&mut self, &mut io::sink())?;
        let Some(expected) = self.expected else {
            return Ok(());
        };
        let actual: String = self
            .hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if actual == expected {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "blob {} has sha256 {actual}: corrupted or tampered",
                    self.digest
                ),
            ))
        }
    }
}

fn blob_reader(location: &BlobLocation, digest: &str) -> Result<VerifyingReader, ImageError> {
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
    };
    Ok(VerifyingReader {
        inner,
        hasher: Sha256::new(),
        // Docker archives name layers by path, not always by digest: verify what we can.
        expected: digest.strip_prefix("sha256:").map(str::to_string),
        digest: digest.to_string(),
    })
}

impl LayerRef {
    /// The layer's (compressed) bytes, digest-verified when read to the end with `finish`.
    pub fn reader(&self) -> Result<VerifyingReader, ImageError> {
        blob_reader(&self.location, &self.digest)
    }
}

/// Opens `target`: an OCI layout directory (`dir` or `dir:tag`) or a docker-save archive.
pub fn open(target: &str) -> Result<OpenedImage, ImageError> {
    let (path, tag) = match target.rsplit_once(':') {
        Some((path, tag)) if Path::new(path).is_dir() => (path, Some(tag)),
        _ => (target, None),
    };
    let path = Path::new(path);
    if path.is_dir() {
        open_layout(path, tag)
    } else {
        open_archive(path)
    }
}

const JSON_LIMIT: u64 = 16 << 20;

fn blob_path(layout: &Path, digest: &str) -> Result<PathBuf, ImageError> {
    let (algorithm, hex) = digest
        .split_once(':')
        .filter(|(a, h)| !a.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()) && !h.is_empty())
        .ok_or_else(|| ImageError::Invalid(format!("malformed digest {digest:?}")))?;
    Ok(layout.join("blobs").join(algorithm).join(hex))
}

fn open_layout(layout: &Path, tag: Option<&str>) -> Result<OpenedImage, ImageError> {
    let index_path = layout.join("index.json");
    let index: Index =
        serde_json::from_slice(&std::fs::read(&index_path).map_err(io_error(&index_path))?)
            .map_err(|e| ImageError::Invalid(format!("{}: {e}", index_path.display())))?;
    let tags: Vec<&str> = index
        .manifests
        .iter()
        .filter_map(|m| {
            m.annotations
                .get("org.opencontainers.image.ref.name")
                .map(String::as_str)
        })
        .collect();
    let chosen = match tag {
        Some(tag) => index
            .manifests
            .iter()
            .find(|m| {
                m.annotations
                    .get("org.opencontainers.image.ref.name")
                    .map(String::as_str)
                    == Some(tag)
            })
            .ok_or_else(|| {
                ImageError::Invalid(format!(
                    "no tag {tag:?} in {} (tags: {})",
                    layout.display(),
                    tags.join(", ")
                ))
            })?,
        None if index.manifests.len() == 1 => &index.manifests[0],
        None => {
            return Err(ImageError::Invalid(format!(
                "{} holds several images; name one as {}:<tag> (tags: {})",
                layout.display(),
                layout.display(),
                tags.join(", ")
            )));
        }
    };
    let mut descriptor_digest = chosen.digest.clone();
    let mut media_type = chosen.media_type.clone().unwrap_or_default();
    // A multi-platform index: the host's platform.
    while media_type.contains("index") || media_type.contains("manifest.list") {
        let location = BlobLocation::File(blob_path(layout, &descriptor_digest)?);
        let nested: Index =
            serde_json::from_slice(&read_blob(&location, &descriptor_digest, JSON_LIMIT)?)
                .map_err(|e| ImageError::Invalid(format!("index {descriptor_digest}: {e}")))?;
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            other => other,
        };
        let manifest = nested
            .manifests
            .into_iter()
            .find(|m| {
                m.platform
                    .as_ref()
                    .is_some_and(|p| p.os == "linux" && p.architecture == arch)
            })
            .ok_or_else(|| {
                ImageError::Invalid(format!(
                    "no linux/{arch} image in index {descriptor_digest}"
                ))
            })?;
        descriptor_digest = manifest.digest;
        media_type = manifest.media_type.unwrap_or_default();
    }
    let location = BlobLocation::File(blob_path(layout, &descriptor_digest)?);
    let manifest: Manifest =
        serde_json::from_slice(&read_blob(&location, &descriptor_digest, JSON_LIMIT)?)
            .map_err(|e| ImageError::Invalid(format!("manifest {descriptor_digest}: {e}")))?;
    let config_location = BlobLocation::File(blob_path(layout, &manifest.config.digest)?);
    let config = serde_json::from_slice(&read_blob(
        &config_location,
        &manifest.config.digest,
        JSON_LIMIT,
    )?)
    .map_err(|e| ImageError::Invalid(format!("config {}: {e}", manifest.config.digest)))?;
    let layers = manifest
        .layers
        .into_iter()
        .map(|l| {
            Ok(LayerRef {
                location: BlobLocation::File(blob_path(layout, &l.digest)?),
                digest: l.digest,
                media_type: l.media_type.unwrap_or_default(),
            })
        })
        .collect::<Result<_, ImageError>>()?;
    Ok(OpenedImage {
        reference: match tag {
            Some(tag) => format!("{}:{tag}", layout.display()),
            None => layout.display().to_string(),
        },
        manifest_digest: Some(descriptor_digest),
        config,
        layers,
    })
}

fn open_archive(archive: &Path) -> Result<OpenedImage, ImageError> {
    // Where every member of the archive is, to read layers in manifest order.
    let file = File::open(archive).map_err(io_error(archive))?;
    let mut tar = tar::Archive::new(file);
    let mut members = std::collections::HashMap::new();
    for entry in tar.entries_with_seek().map_err(io_error(archive))? {
        let entry = entry.map_err(io_error(archive))?;
        let name = entry
            .path()
            .map_err(io_error(archive))?
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
    let manifest: Vec<ArchiveEntry> =
        serde_json::from_slice(&read_blob(&member("manifest.json")?, "", JSON_LIMIT)?).map_err(
            |e| ImageError::Invalid(format!("{}: manifest.json: {e}", archive.display())),
        )?;
    let [entry] = manifest.as_slice() else {
        return Err(ImageError::Invalid(format!(
            "{}: {} images in the archive; palisade reads archives of one image",
            archive.display(),
            manifest.len()
        )));
    };
    // Archives that name blobs by their digest (`blobs/sha256/<hex>` from docker 25,
    // `<hex>.tar` from skopeo) are verified; legacy `<layer id>/layer.tar` names are not digests.
    let digest_of = |name: &str| {
        let hex = name
            .strip_prefix("blobs/sha256/")
            .or_else(|| name.strip_suffix(".tar").filter(|h| !h.contains('/')))
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        hex.map_or_else(|| name.to_string(), |hex| format!("sha256:{hex}"))
    };
    let config = serde_json::from_slice(&read_blob(
        &member(&entry.config)?,
        &digest_of(&entry.config),
        JSON_LIMIT,
    )?)
    .map_err(|e| ImageError::Invalid(format!("{}: config: {e}", archive.display())))?;
    let layers = entry
        .layers
        .iter()
        .map(|name| {
            Ok(LayerRef {
                location: member(name)?,
                digest: digest_of(name),
                media_type: String::new(),
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
    })
}
