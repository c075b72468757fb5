//! palisade-image owns reading container images without a container engine: OCI image layouts
//! and `docker save` archives (digest-verified blobs), streaming their layers once in order
//! (tar, tar+gzip, tar+zstd) and flattening them with whiteouts and opaque directories while
//! keeping only the files the catalogers ask for, bounded in size, never writing to disk; and
//! the catalogers that turn those files into packages (OS release, dpkg, apk, Python, npm,
//! npm/yarn/Cargo lockfiles, Java archives, Go and Rust binaries), the image rules and the
//! secrets in layers.
//!
//! Also the CycloneDX SBOM of what it finds. Work in progress (issue 5): registries, the RPM
//! cataloger, SPDX and the minimality checks come next.

mod analysis;
pub mod catalog;
pub mod flatten;
pub mod layer_secrets;
pub mod rules;
pub mod sbom;
pub mod source;

pub use analysis::{Analysis, analyze, analyze_rootfs};
pub use flatten::{
    FileSelector, Flattened, Inspector, Limits, flatten, flatten_inspecting, read_rootfs,
};
pub use source::{ImageError, LayerRef, OpenedImage, open};
