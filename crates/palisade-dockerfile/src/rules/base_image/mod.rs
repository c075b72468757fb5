//! Base image: mutable or missing tags, digest pinning, authorized registries, non-minimal
//! bases, stage references.

mod base_image_digest;
mod base_image_registry;
mod base_image_tag;
mod minimal_base_image;
mod unknown_stage;

use super::Rule;

const CATEGORY: &str = "dockerfile-base-image";

pub static RULES: &[&Rule] = &[
    &base_image_tag::RULE,
    &base_image_digest::RULE,
    &base_image_registry::RULE,
    &minimal_base_image::RULE,
    &unknown_stage::RULE,
];
