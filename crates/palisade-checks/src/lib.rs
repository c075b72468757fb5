//! palisade-checks owns the per-object rules and the registry they are declared in: the Pod
//! Security Standards (every control, every policy version, evaluated as Pod Security Admission
//! does), namespace posture, and the hardening rules (workloads, node access, service accounts,
//! namespaces, images, secrets, exposure, control-plane configuration) with their
//! compliance-framework mappings. It turns
//! loaded objects into findings; it knows nothing of files, command lines or output formats.

pub mod engine;
pub mod expired_ignore;
pub mod inventory;
pub mod namespace;
pub mod pss;
pub mod registry;
pub mod rules;
mod violation;

pub use engine::{Checked, Engine, PssSettings};
pub use inventory::Inventory;
/// Framework controls live in palisade-core (the Dockerfile rules use them too).
pub use palisade_core::{frameworks, mitre};
pub use violation::Violation;
