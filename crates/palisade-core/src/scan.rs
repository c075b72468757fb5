use serde::Serialize;

use crate::{Finding, InputError, ObjectRef, Severity};

/// Counters shown at the end of every report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub objects: usize,
    /// Documents without `apiVersion` and `kind` (empty documents, values files, templates).
    pub skipped_documents: usize,
}

/// An object that was checked and the rules that ran on it (kept for reports that list passing
/// checks too, such as JUnit).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CheckedObject {
    pub file: String,
    pub object: ObjectRef,
    pub rules: Vec<&'static str>,
}

/// Everything a scan produced, in the deterministic order reports print it.
#[derive(Debug, Default)]
pub struct ScanResult {
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    /// Filled only when a report needs it.
    pub objects: Vec<CheckedObject>,
}

impl ScanResult {
    /// Puts findings and errors in the one order every format uses.
    pub fn sort(&mut self) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.errors.sort();
        self.objects.sort();
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}
