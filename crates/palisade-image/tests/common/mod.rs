//! What every test of real images shares: where the fixture images are.

use std::path::{Path, PathBuf};

/// The fixture images directory (`$SCRATCH/images`, default `/tmp/palisade-scratch/images`), or
/// `None` (with a note) when they are not built.
pub fn fixture_images() -> Option<PathBuf> {
    let work = std::env::var("SCRATCH").unwrap_or_else(|_| "/tmp/palisade-scratch".to_string());
    let images = Path::new(&work).join("images");
    // Complete only: a build that stopped half-way leaves some of these out.
    let complete = images.join("oci/index.json").is_file()
        && ["debian-base", "debian-app", "distroless-like"]
            .iter()
            .all(|tag| {
                images.join("rootfs").join(tag).join("rootfs").is_dir()
                    && images
                        .join("docker-archive")
                        .join(format!("{tag}.tar"))
                        .is_file()
            });
    if complete {
        Some(images)
    } else {
        eprintln!(
            "skipping: run ../shared/fixtures/make-images.sh to build {}",
            images.display()
        );
        None
    }
}
