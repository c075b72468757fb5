//! One pass over an image: flatten its layers, catalog what is installed (package databases,
//! language metadata and lockfiles, the packages compiled into the binaries and packed into the
//! Java archives still in the image), and find the secrets in every layer.

use std::path::Path;

use crate::catalog::os_release::OsRelease;
use crate::catalog::{self, Package};
use crate::flatten::{Inspector, Limits, Progress, flatten_inspecting, read_rootfs};
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
        |path: &str, size: u64| layer_secrets::wants(path, size) || catalog::inspects(path, size);
    let mut inspect = |layer: usize, path: &str, content: &[u8]| {
        if layer_secrets::wants(path, content.len() as u64) {
            secrets.extend(layer_secrets::inspect(layer, path, content));
        }
        if catalog::inspects(path, content.len() as u64) {
            let found = catalog::inspect(layer, path, content);
            if !found.is_empty() {
                inspected.push((path.to_string(), layer, found));
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
    for path in flat.present.keys() {
        let full = root.join(path);
        let size = std::fs::metadata(&full).map_or(0, |m| m.len());
        if catalog::inspects(path, size)
            && let Ok(content) = std::fs::read(&full)
        {
            packages.extend(catalog::inspect(0, path, &content));
        }
    }
    packages.sort();
    Ok(Analysis {
        minimality: minimality::summarise(&flat.present, &os, &packages),
        os,
        packages,
        layer_secrets: Vec::new(),
        warnings: flat.warnings.into_iter().chain(warnings).collect(),
    })
}
