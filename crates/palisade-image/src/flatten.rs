//! Layer flattening, streamed: every layer is read once, in order, decompressed on the fly
//! (gzip or zstd by their magic bytes, else plain tar), and only the files a cataloger selects
//! are kept in memory. Whiteouts (`.wh.<name>`) and opaque directories (`.wh..wh..opq`) delete
//! what lower layers put there, as the OCI image spec says. Paths are normalised; entries that
//! would climb out of the root (`..`) are skipped with a warning; oversized files are skipped and
//! the total decompressed size is bounded (a decompression bomb is an error, not an outage).

use std::collections::{BTreeMap, HashSet};
use std::io::{self, BufRead, BufReader, Read};

use crate::source::{ImageError, OpenedImage};

/// Which files (paths relative to the root, no leading `/`) a cataloger wants.
pub type FileSelector<'a> = dyn Fn(&str) -> bool + 'a;

/// One kept file: the layer that last wrote it and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptFile {
    pub layer: usize,
    pub content: Vec<u8>,
}

/// The selected files of the flattened image.
#[derive(Debug, Default)]
pub struct Flattened {
    pub files: BTreeMap<String, KeptFile>,
    /// Every regular file of the flattened image: the layer that last wrote it and its size
    /// (what inspectors saw in a layer counts only if it is still there).
    pub present: BTreeMap<String, PresentFile>,
    pub warnings: Vec<String>,
}

/// A regular file of the flattened image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresentFile {
    pub layer: usize,
    pub size: u64,
    /// Any execute bit set.
    pub executable: bool,
}

/// What is known of a file before its content is read.
#[derive(Debug, Clone, Copy)]
pub struct FileMeta<'a> {
    /// Relative to the root, no leading `/`.
    pub path: &'a str,
    pub size: u64,
    /// Any execute bit set.
    pub executable: bool,
}

/// Bounds on what flattening reads.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A selected file larger than this is skipped (with a warning).
    pub max_file: u64,
    /// Decompressed bytes over all layers; beyond it the image is rejected.
    pub max_total: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file: 64 << 20,
            max_total: 32 << 30,
        }
    }
}

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

/// A path inside the image, normalised: no leading `/` or `./`, no `.` components; `None` when
/// it would climb out of the root.
pub fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Counts decompressed bytes against the total bound.
struct Bounded<R> {
    inner: R,
    used: u64,
    limit: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.used += n as u64;
        if self.used > self.limit {
            return Err(io::Error::other(format!(
                "the layers decompress to more than {} bytes: refusing a decompression bomb",
                self.limit
            )));
        }
        Ok(n)
    }
}

/// The decompressed stream of a layer, by its magic bytes.
fn decompressed<'a>(reader: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
    let mut buffered = BufReader::new(reader);
    let magic = buffered.fill_buf()?.to_vec();
    Ok(if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(buffered))
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?)
    } else {
        Box::new(buffered)
    })
}

/// Flattens the image's layers, keeping the files `select` wants.
pub fn flatten(
    image: &OpenedImage,
    select: &FileSelector<'_>,
    limits: Limits,
) -> Result<Flattened, ImageError> {
    flatten_inspecting(image, select, limits, None, None)
}

/// Sees every regular file of every layer it wants (also files a later layer deletes: they are
/// still in the image), once, as the layers stream by.
pub struct Inspector<'a> {
    /// Whether to look at a file, by path, size and mode.
    pub wants: &'a dyn Fn(&FileMeta<'_>) -> bool,
    /// Called with the layer index, the file and its content.
    pub inspect: &'a mut dyn FnMut(usize, &FileMeta<'_>, &[u8]),
}

/// Told how reading the layers goes (a progress bar on a terminal).
pub trait Progress {
    /// Layer `index` (of `count`) starts; `size` is its compressed size when known.
    fn layer(&self, index: usize, count: usize, digest: &str, size: Option<u64>);
    /// `bytes` more compressed bytes of the current layer were read.
    fn advance(&self, bytes: u64);
}

/// Reports the compressed bytes read through it.
struct Counted<'a, R> {
    inner: R,
    progress: &'a dyn Progress,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

struct Silent;

impl Progress for Silent {
    fn layer(&self, _: usize, _: usize, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
}

/// [`flatten`], also showing files to an [`Inspector`] and telling `progress` how it goes.
pub fn flatten_inspecting(
    image: &OpenedImage,
    select: &FileSelector<'_>,
    limits: Limits,
    mut inspector: Option<Inspector<'_>>,
    progress: Option<&dyn Progress>,
) -> Result<Flattened, ImageError> {
    let mut flat = Flattened::default();
    let mut used = 0;
    let progress = progress.unwrap_or(&Silent);
    for (index, layer) in image.layers.iter().enumerate() {
        progress.layer(index, image.layers.len(), &layer.digest, layer.size);
        let mut verifying = layer.reader()?;
        let invalid =
            |e: io::Error| ImageError::Invalid(format!("layer {} ({}): {e}", index, layer.digest));
        let counted = Counted {
            inner: &mut verifying,
            progress,
        };
        let bounded = Bounded {
            inner: decompressed(counted).map_err(invalid)?,
            used,
            limit: limits.max_total,
        };
        let mut archive = tar::Archive::new(bounded);
        // What this layer hides of the lower ones: whiteouts and any non-directory entry hide
        // the path and everything under it; opaque directories hide their contents; a
        // directory hides a lower file of its name.
        let mut hidden: HashSet<String> = HashSet::new();
        let mut opaque: HashSet<String> = HashSet::new();
        let mut files_now_directories: HashSet<String> = HashSet::new();
        let mut added: BTreeMap<String, KeptFile> = BTreeMap::new();
        let mut written: Vec<(String, PresentFile)> = Vec::new();
        for entry in archive.entries().map_err(invalid)? {
            let mut entry = match entry {
                Ok(entry) => entry,
                // Some tools write layers without the final padding and end blocks (skopeo's
                // docker archives): the entries are complete, only the tar trailer is missing.
                // (The tar crate reports it as an "other" error whose text says so.)
                Err(e)
                    if e.kind() == io::ErrorKind::UnexpectedEof
                        || e.to_string().contains("unexpected EOF during skip") =>
                {
                    flat.warnings.push(format!(
                        "layer {index}: the tar stream ends without its trailer"
                    ));
                    break;
                }
                Err(e) => return Err(invalid(e)),
            };
            let raw = entry
                .path()
                .map_err(invalid)?
                .to_string_lossy()
                .into_owned();
            let Some(path) = normalise(&raw) else {
                flat.warnings.push(format!(
                    "layer {index}: skipped {raw:?}, which climbs out of the image root"
                ));
                continue;
            };
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", &path));
            if name == OPAQUE {
                opaque.insert(dir.to_string());
                continue;
            }
            if let Some(whited_out) = name.strip_prefix(WHITEOUT) {
                hidden.insert(if dir.is_empty() {
                    whited_out.to_string()
                } else {
                    format!("{dir}/{whited_out}")
                });
                continue;
            }
            let kind = entry.header().entry_type();
            if kind.is_dir() {
                files_now_directories.insert(path);
                continue;
            }
            hidden.insert(path.clone());
            if kind.is_hard_link() {
                // A hard link shares the content of a file of this or a lower layer.
                let target = entry
                    .link_name()
                    .ok()
                    .flatten()
                    .and_then(|t| normalise(&t.to_string_lossy()));
                if let Some(target) = target {
                    let present = written
                        .iter()
                        .rev()
                        .find(|(p, _)| *p == target)
                        .map(|(_, f)| *f)
                        .or_else(|| flat.present.get(&target).copied());
                    if let Some(present) = present {
                        written.push((
                            path.clone(),
                            PresentFile {
                                layer: index,
                                ..present
                            },
                        ));
                    }
                    if select(&path)
                        && let Some(file) = added.get(&target).or_else(|| flat.files.get(&target))
                    {
                        let content = file.content.clone();
                        added.insert(
                            path,
                            KeptFile {
                                layer: index,
                                content,
                            },
                        );
                    }
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let present = PresentFile {
                layer: index,
                size: entry.size(),
                executable: entry.header().mode().is_ok_and(|mode| mode & 0o111 != 0),
            };
            written.push((path.clone(), present));
            let meta = FileMeta {
                path: &path,
                size: present.size,
                executable: present.executable,
            };
            let selected = select(&path);
            // Inspectors bound the sizes they want themselves.
            let inspected = inspector.as_ref().is_some_and(|i| (i.wants)(&meta));
            let kept = selected && entry.size() <= limits.max_file;
            if selected && !kept {
                flat.warnings.push(format!(
                    "layer {index}: skipped {path} ({} bytes, over the {} byte limit)",
                    entry.size(),
                    limits.max_file
                ));
            }
            if !kept && !inspected {
                continue;
            }
            let mut content = Vec::with_capacity(entry.size() as usize);
            entry.read_to_end(&mut content).map_err(invalid)?;
            if inspected && let Some(inspector) = inspector.as_mut() {
                (inspector.inspect)(index, &meta, &content);
            }
            if kept {
                added.insert(
                    path,
                    KeptFile {
                        layer: index,
                        content,
                    },
                );
            }
        }
        used = archive.into_inner().used;
        verifying
            .finish()
            .map_err(|e| ImageError::Invalid(format!("layer {index}: {e}")))?;
        // Whiteouts and opaque directories hide what the lower layers put there.
        let kept = |path: &String| {
            if hidden.contains(path) || files_now_directories.contains(path) {
                return false;
            }
            let mut ancestor = path.as_str();
            while let Some((parent, _)) = ancestor.rsplit_once('/') {
                if hidden.contains(parent) || opaque.contains(parent) {
                    return false;
                }
                ancestor = parent;
            }
            // An opaque root hides everything below.
            !opaque.contains("")
        };
        flat.files.retain(|path, _| kept(path));
        flat.present.retain(|path, _| kept(path));
        flat.present.extend(written);
        flat.files.extend(added);
    }
    Ok(flat)
}

/// What listing a directory tree found: its regular files (paths relative to the root) with
/// their size and mode, and the directories that could not be read.
#[derive(Default)]
struct Listing {
    files: Vec<(String, PresentFile)>,
    unreadable: Vec<String>,
}

/// Lists the regular files under `dir`; subdirectories are listed in parallel (listing a root
/// filesystem is all system calls). A directory that cannot be read is recorded, not fatal.
fn list_files(root: &std::path::Path, dir: &std::path::Path) -> Listing {
    use rayon::prelude::*;
    let mut listing = Listing::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            listing.unreadable.push(format!("{}: {e}", dir.display()));
            return listing;
        }
    };
    let mut subdirectories = Vec::new();
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            subdirectories.push(path);
        } else if kind.is_file() {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            let metadata = entry.metadata().ok();
            let present = PresentFile {
                layer: 0,
                size: metadata.as_ref().map_or(0, |m| m.len()),
                executable: metadata.as_ref().is_some_and(is_executable),
            };
            listing.files.push((relative, present));
        }
    }
    let nested: Vec<Listing> = subdirectories
        .par_iter()
        .map(|subdirectory| list_files(root, subdirectory))
        .collect();
    for sub in nested {
        listing.files.extend(sub.files);
        listing.unreadable.extend(sub.unreadable);
    }
    listing
}

/// The selected files of an unpacked root filesystem (`--rootfs`), as one layer. Symlinks are
/// not followed (a link out of the tree must not be read). Only an unreadable root is an
/// error; unreadable directories and files inside it are warnings.
pub fn read_rootfs(
    root: &std::path::Path,
    select: &FileSelector<'_>,
    limits: Limits,
) -> Result<Flattened, ImageError> {
    std::fs::read_dir(root).map_err(|source| ImageError::Io {
        path: root.display().to_string(),
        source,
    })?;
    let listing = list_files(root, root);
    let mut flat = Flattened::default();
    flat.warnings.extend(
        listing
            .unreadable
            .into_iter()
            .map(|dir| format!("skipped the unreadable directory {dir}")),
    );
    for (relative, present) in listing.files {
        let size = present.size;
        if select(&relative) {
            let path = root.join(&relative);
            if size > limits.max_file {
                flat.warnings.push(format!(
                    "skipped {relative} ({size} bytes, over the {} byte limit)",
                    limits.max_file
                ));
            } else {
                match std::fs::read(&path) {
                    Ok(content) => {
                        flat.files
                            .insert(relative.clone(), KeptFile { layer: 0, content });
                    }
                    Err(e) => flat
                        .warnings
                        .push(format!("skipped the unreadable {}: {e}", path.display())),
                }
            }
        }
        flat.present.insert(relative, present);
    }
    Ok(flat)
}

#[cfg(unix)]
fn is_executable(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o111 != 0
}

/// Without Unix modes every file may be a program.
#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_and_escapes_refused() {
        assert_eq!(
            normalise("./etc//os-release").as_deref(),
            Some("etc/os-release")
        );
        assert_eq!(
            normalise("/var/lib/dpkg/status").as_deref(),
            Some("var/lib/dpkg/status")
        );
        assert_eq!(normalise("a/../../etc/passwd"), None);
    }
}
