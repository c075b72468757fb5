//! palisade-checks owns the per-object rules and the registry they are declared in: the Pod
//! Security Standards (every control, every policy version, evaluated as Pod Security Admission
//! does), and namespace posture. It turns loaded objects into findings; it knows nothing of
//! files, command lines or output formats.

pub mod engine;
pub mod namespace;
pub mod pss;
pub mod registry;

pub use engine::{Engine, PssSettings};
