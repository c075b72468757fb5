//! palisade-core owns the vocabulary every palisade analyzer shares: severities, findings and
//! their object references and source locations, input errors, rule metadata (the registry entry
//! each rule declares beside its code) and the result of a scan. It has no knowledge of
//! Kubernetes objects, files or output formats; those live in the crates above it.

mod finding;
mod rule;
mod scan;
mod severity;

pub use finding::{Finding, InputError, Location, ObjectRef};
pub use rule::{Framework, Reference, RuleMeta};
pub use scan::{CheckedObject, ScanResult, Summary};
pub use severity::{ParseSeverityError, Severity};
