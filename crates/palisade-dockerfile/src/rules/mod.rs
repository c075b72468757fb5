//! The build-time hardening rules, one per file, grouped by family: user, base image,
//! dependencies, supply chain, secrets, exposure. Where hadolint has the same check, the rule
//! carries its code (`DL3002`) as an alias.

mod base_image;
mod dependencies;
mod exposure;
mod secrets;
mod supply_chain;
mod user;

use palisade_core::image::RegistryAllowList;
use palisade_core::{RuleMeta, Severity};

use crate::parser::{Dockerfile, Instruction};
use crate::stages::Stage;

/// One Dockerfile rule.
pub struct Rule {
    pub meta: RuleMeta,
    pub check: fn(&Context<'_>) -> Vec<Violation>,
}

/// Rule settings from `palisade.toml` (shared with the manifest rules).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `[images] allowed_registries`; `None` allows every registry.
    pub allowed_registries: Option<RegistryAllowList>,
}

/// What a rule sees: the parsed file, its stages, the settings.
pub struct Context<'a> {
    pub file: &'a Dockerfile,
    pub stages: Vec<Stage<'a>>,
    pub settings: &'a Settings,
}

impl<'a> Context<'a> {
    /// The index of `instruction` in the file (instructions are compared by address).
    pub fn index_of(&self, instruction: &Instruction) -> usize {
        self.file
            .instructions
            .iter()
            .position(|i| std::ptr::eq(i, instruction))
            .expect("the instruction is one of the file's")
    }

    /// The final stage: the one whose image is built (unless `--target` says otherwise).
    pub fn final_stage(&self) -> Option<&Stage<'a>> {
        self.stages.last()
    }
}

/// One problem, at one instruction (by its index in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub instruction: usize,
    pub message: String,
    pub severity: Option<Severity>,
    /// For a rule with several hadolint codes, the one this violation is (so that
    /// `# hadolint ignore=DL3008` accepts the apt finding and not the pip one).
    pub code: Option<&'static str>,
}

impl Violation {
    pub fn at(instruction: usize, message: impl Into<String>) -> Self {
        Violation {
            instruction,
            message: message.into(),
            severity: None,
            code: None,
        }
    }

    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
}

/// Every Dockerfile rule, family by family.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    [
        user::RULES,
        base_image::RULES,
        dependencies::RULES,
        supply_chain::RULES,
        secrets::RULES,
        exposure::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// A recommendation of the CIS Docker Benchmark (section 4: container images and build files).
const fn cis_docker(id: &'static str) -> palisade_core::Reference {
    palisade_core::Reference {
        framework: "CIS Docker Benchmark",
        id,
        url: "https://www.cisecurity.org/benchmark/docker",
    }
}

/// The hadolint reference of a rule code.
const fn hadolint(code: &'static str, url: &'static str) -> palisade_core::Reference {
    palisade_core::Reference {
        framework: "hadolint",
        id: code,
        url,
    }
}
