//! Base image: mutable or missing tags, digest pinning, authorized registries, non-minimal
//! bases, stage references.

mod base_image_digest;
mod base_image_registry;
mod base_image_tag;
mod minimal_base_image;
mod unknown_stage;

use palisade_core::image::ImageRef;

use super::{Context, Rule};
use crate::stages::Stage;

const CATEGORY: &str = "dockerfile-base-image";

pub static RULES: &[&Rule] = &[
    &base_image_tag::RULE,
    &base_image_digest::RULE,
    &base_image_registry::RULE,
    &minimal_base_image::RULE,
    &unknown_stage::RULE,
];

/// The stages built on an external image (not `scratch`, not an earlier stage, not an
/// unresolved `$VAR`), with the parsed reference of their resolved base.
fn external_bases<'c, 'a>(ctx: &'c Context<'a>) -> impl Iterator<Item = (&'c Stage<'a>, ImageRef)> {
    ctx.stages
        .iter()
        .filter(|stage| stage.base_stage.is_none())
        .filter_map(|stage| {
            let base = stage.resolved_base.as_str();
            if base.is_empty() || base.contains('$') || base.eq_ignore_ascii_case("scratch") {
                return None;
            }
            Some((stage, ImageRef::parse(base).ok()?))
        })
}
