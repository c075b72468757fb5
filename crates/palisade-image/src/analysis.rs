//! One pass over an image: flatten its layers, catalog what is installed (package databases,
//! language metadata and lockfiles, the packages compiled into the binaries and packed into the
//! Java archives still in the image), and find the secrets in every layer.

use std::path::Path;

use rayon::prelude::*;

use crate::catalog::os_release::OsRelease;
use crate::catalog::{self, Package, binaries, java};
use crate::flatten::{FileMeta, Inspector, Limits, Progress, flatten_inspecting, read_rootfs};
use crate::layer_secrets::{self, LayerSecret};
use crate::minimality::{self, Minimality};
use crate::source::{ImageError, OpenedImage};

/// What is in an image.
#[derive(Debug, Default)]
pub struct Analysis {
    pub os: OsRelease,
    pub packages: Vec<Package>,
    pub layer_secrets: Vec<LayerSecret>,
    /// Files, size, OS packages, shells and package managers of the flattened image.
    pub minimality: Minimality,
    pub warnings: Vec<String>,
}

/// Reads the image once and catalogs it, telling `progress` (if any) how the layers go.
pub fn analyze(
    image: &OpenedImage,
    progress: Option<&dyn Progress>,
) -> Result<Analysis, ImageError> {
    let mut secrets = Vec::new();
    let mut inspected: Vec<(String, usize, Vec<Package>)> = Vec::new();
    let wants =
        |file: &FileMeta<'_>| layer_secrets::wants(file.path, file.size) || catalog::inspects(file);
    let mut inspect = |layer: usize, file: &FileMeta<'_>, content: &[u8]| {
        if layer_secrets::wants(file.path, file.size) {
            secrets.extend(layer_secrets::inspect(layer, file.path, content));
        }
        if catalog::inspects(file) {
            let found = catalog::inspect(layer, file, content);
            if !found.is_empty() {
                inspected.push((file.path.to_string(), layer, found));
            }
        }
    };
    let inspector = Inspector {
        wants: &wants,
        inspect: &mut inspect,
    };
    let flat = flatten_inspecting(
        image,
        &catalog::selects,
        Limits::default(),
        Some(inspector),
        progress,
    )?;
    let catalog::Catalog {
        os,
        mut packages,
        warnings,
    } = catalog::catalog(&flat.files);
    // What is packed into a file (a binary, a Java archive) counts if the file is still in the
    // image, as the layer that last wrote it.
    packages.extend(
        inspected
            .into_iter()
            .filter(|(path, layer, _)| flat.present.get(path).map(|f| f.layer) == Some(*layer))
            .flat_map(|(_, _, found)| found),
    );
    packages.sort();
    Ok(Analysis {
        minimality: minimality::summarise(&flat.present, &os, &packages),
        os,
        packages,
        layer_secrets: secrets,
        warnings: image
            .warnings
            .iter()
            .cloned()
            .chain(flat.warnings)
            .chain(warnings)
            .collect(),
    })
}

/// Catalogs an unpacked root filesystem (no layers, so no layer secrets).
pub fn analyze_rootfs(root: &Path) -> Result<Analysis, ImageError> {
    let selects = |path: &str| catalog::selects(path);
    let flat = read_rootfs(root, &selects, Limits::default())?;
    let catalog::Catalog {
        os,
        mut packages,
        warnings,
    } = catalog::catalog(&flat.files);
    // Binaries are opened for their headers first (most hold no packages), in parallel.
    let inspected: Vec<Vec<Package>> = flat
        .present
        .par_iter()
        .filter_map(|(path, file)| {
            let meta = FileMeta {
                path,
                size: file.size,
                executable: file.executable,
            };
            if !catalog::inspects(&meta) {
                return None;
            }
            let full = root.join(path);
            let worth_reading = java::wants(path, file.size)
                || std::fs::File::open(&full).is_ok_and(|f| binaries::may_hold_packages(&f));
            if !worth_reading {
                return None;
            }
            let content = std::fs::read(&full).ok()?;
            Some(catalog::inspect(0, &meta, &content))
        })
        .collect();
    packages.extend(inspected.into_iter().flatten());
    packages.sort();
    Ok(Analysis {
        minimality: minimality::summarise(&flat.present, &os, &packages),
        os,
        packages,
        layer_secrets: Vec::new(),
        warnings: flat.warnings.into_iter().chain(warnings).collect(),
    })
}
