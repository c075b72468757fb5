//! Images: mutable or missing tags, digest pinning, pull policy, authorized registries.

mod allowed_registries;
mod image_digest;
mod image_latest_tag;
mod image_pull_policy;

use palisade_core::image::ImageRef;
use palisade_k8s::{ContainerView, JsonPath, Node, Object, pod_view};

use super::Rule;

const CATEGORY: &str = "images";

pub static RULES: &[&Rule] = &[
    &image_latest_tag::RULE,
    &image_digest::RULE,
    &image_pull_policy::RULE,
    &allowed_registries::RULE,
];

/// The `image` of one container (init, regular or ephemeral).
struct ContainerImage<'a> {
    container: ContainerView<'a>,
    /// `<container>.image`.
    path: JsonPath,
    /// The field as written; `None` when it is not a string.
    text: Option<&'a str>,
    node: &'a Node,
}

impl ContainerImage<'_> {
    /// The parsed reference, `None` for templates and other strings no runtime can pull.
    fn parsed(&self) -> Option<ImageRef> {
        ImageRef::parse(self.text?).ok()
    }
}

/// A pullable image reference not pinned by digest (a tag can be moved to other content).
struct MutableImage<'a> {
    image: ContainerImage<'a>,
    parsed: ImageRef,
    /// The field as written.
    text: &'a str,
}

/// The images of a workload's containers that parse and are not pinned by digest.
fn mutable_images(object: &Object) -> Vec<MutableImage<'_>> {
    container_images(object)
        .into_iter()
        .filter_map(|image| {
            let parsed = image.parsed().filter(|p| p.digest.is_none())?;
            let text = image.text?;
            Some(MutableImage {
                image,
                parsed,
                text,
            })
        })
        .collect()
}

/// Every container of a workload that has an `image` field.
fn container_images(object: &Object) -> Vec<ContainerImage<'_>> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    pod.containers()
        .filter_map(|container| {
            let node = container.node.get("image")?;
            Some(ContainerImage {
                path: container.path.key("image"),
                text: node.as_str(),
                node,
                container,
            })
        })
        .collect()
}
