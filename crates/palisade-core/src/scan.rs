use serde::Serialize;

use crate::{Finding, Framework, InputError, ObjectRef, Severity, Suppressed, UnusedIgnore};

/// Counters shown at the end of every report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub objects: usize,
    /// Documents without `apiVersion` and `kind` (empty documents, values files, templates).
    pub skipped_documents: usize,
    /// Objects in system namespaces, not checked (`--include-system-namespaces` checks them).
    pub skipped_system_objects: usize,
    /// Findings a suppression accepted (config, annotation or baseline).
    pub suppressed: usize,
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
    /// Findings a suppression accepted; listed by reports only with `--show-suppressed`.
    pub suppressed: Vec<Suppressed>,
    /// `[[ignore]]` entries that matched no finding (listed with `--show-unused`).
    pub unused_ignores: Vec<UnusedIgnore>,
    /// One summary per `--framework` asked for.
    pub compliance: Vec<Compliance>,
    /// The rules that applied to at least one object (a control whose rules never applied
    /// is "not applicable").
    pub rules_applied: std::collections::HashSet<&'static str>,
}

impl ScanResult {
    /// The result of an input that could not be read.
    pub fn unreadable(error: InputError) -> ScanResult {
        ScanResult {
            errors: vec![error],
            ..Default::default()
        }
    }

    /// Adds another partial result (of other documents or files) to this one.
    pub fn merge(mut self, other: ScanResult) -> ScanResult {
        let (a, b) = (&mut self.summary, &other.summary);
        a.files += b.files;
        a.documents += b.documents;
        a.objects += b.objects;
        a.skipped_documents += b.skipped_documents;
        a.skipped_system_objects += b.skipped_system_objects;
        a.suppressed += b.suppressed;
        self.findings.extend(other.findings);
        self.errors.extend(other.errors);
        self.objects.extend(other.objects);
        self.suppressed.extend(other.suppressed);
        self.unused_ignores.extend(other.unused_ignores);
        self.compliance.extend(other.compliance);
        self.rules_applied.extend(other.rules_applied);
        self
    }

    /// Puts findings and errors in the one order every format uses.
    pub fn sort(&mut self) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.errors.sort();
        self.objects.sort();
        self.suppressed
            .sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
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

/// How a control of a framework fared in a scan, from the weakest to the strongest outcome
/// (a control takes the strongest outcome among its rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ControlStatus {
    /// Every rule of the control was turned off.
    NotChecked,
    /// No object in the input was subject to the control's rules.
    NotApplicable,
    Passed,
    Failed,
}

/// One control of a framework: the rules that check it and how they fared.
#[derive(Debug, Clone, Serialize)]
pub struct ControlResult {
    pub id: &'static str,
    pub title: &'static str,
    pub status: ControlStatus,
    pub rules: Vec<&'static str>,
    /// Unsuppressed findings of the control's rules.
    pub findings: usize,
}

/// The compliance summary of one framework, shown at the end of a `--framework` scan.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Compliance {
    pub framework: Framework,
    pub passed: usize,
    pub failed: usize,
    pub not_applicable: usize,
    pub not_checked: usize,
    /// `passed / (passed + failed)` in percent, one decimal; 100 when nothing applied.
    pub percentage: f64,
    pub controls: Vec<ControlResult>,
}

impl Compliance {
    pub fn new(framework: Framework, controls: Vec<ControlResult>) -> Self {
        let count = |status| controls.iter().filter(|c| c.status == status).count();
        let (passed, failed) = (count(ControlStatus::Passed), count(ControlStatus::Failed));
        let percentage = if passed + failed == 0 {
            100.0
        } else {
            (passed as f64 * 1000.0 / (passed + failed) as f64).round() / 10.0
        };
        Compliance {
            framework,
            passed,
            failed,
            not_applicable: count(ControlStatus::NotApplicable),
            not_checked: count(ControlStatus::NotChecked),
            percentage,
            controls,
        }
    }
}
