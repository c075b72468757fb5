//! palisade-core owns the vocabulary every palisade analyzer shares: severities, findings and
//! their object references and source locations, input errors, rule metadata (the registry entry
//! each rule declares beside its code) and the result of a scan. It has no knowledge of
//! Kubernetes objects, files or output formats; those live in the crates above it. It also owns
//! what every analyzer shares beyond findings: the `palisade.toml` configuration, the
//! suppression model (ignore entries, baselines), image references and the registry
//! allow-list, and the secret detector.

pub mod config;
mod finding;
pub mod frameworks;
pub mod image;
pub mod intern;
mod rule;
mod scan;
pub mod secrets;
mod severity;
pub mod suppress;

pub use finding::{Finding, Hit, InputError, Location, ObjectRef, Subject, discriminator};
pub use rule::{CIS, Framework, MITRE, NSA, Reference, RuleMeta};
pub use scan::{CheckedObject, Compliance, ControlResult, ControlStatus, ScanResult, Summary};
pub use severity::{ParseSeverityError, Severity};
pub use suppress::{Suppressed, Suppression, SuppressionKind, UnusedIgnore};
