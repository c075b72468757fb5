//! Base image: mutable or missing tags, digest pinning, authorized registries, non-minimal
//! bases, stage references.

mod base_image_tag;

use super::Rule;

const CATEGORY: &str = "dockerfile-base-image";

pub static RULES: &[&Rule] = &[&base_image_tag::RULE];
