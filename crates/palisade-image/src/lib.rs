//! palisade-image owns reading container images without a container engine (size- and
//! digest-verified blobs), streaming their layers once in order
//! (tar, tar+gzip, tar+zstd) and flattening them with whiteouts and opaque directories while
//! keeping only the files the catalogers ask for, bounded in size, never writing to disk; and
//! the catalogers that turn those files into packages (OS release, dpkg, apk, rpm, Python, npm,
//! npm/yarn/Cargo lockfiles, Java archives, Go and Rust binaries), the image rules and the
//! secrets in layers.
//!
//! Images come from OCI layouts and archives, `docker save` archives, unpacked root filesystems
//! and (feature `registry`) OCI distribution registries. Also the SBOMs of what it finds:
//! CycloneDX 1.6 ([`sbom`]) and SPDX 2.3 ([`spdx`]) JSON.

mod analysis;
pub mod catalog;
pub mod flatten;
pub mod layer_secrets;
pub mod minimality;
#[cfg(feature = "registry")]
pub mod registry;
pub mod rules;
pub mod sbom;
pub mod source;
pub mod spdx;

pub use analysis::{Analysis, analyze, analyze_rootfs};
pub use flatten::{
    FileMeta, FileSelector, Flattened, Inspector, Limits, Progress, flatten, flatten_inspecting,
    read_rootfs,
};
pub use source::{
    ImageError, LayerRef, OpenOptions, OpenedImage, Platform, RegistryOptions, open, open_with,
};
