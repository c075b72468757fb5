use std::io::{self, Write};

use serde::Serialize;

use palisade_core::{
    Compliance, Finding, InputError, Location, ObjectRef, Reference, ScanResult, Severity,
    Suppression, UnusedIgnore,
};

use crate::ReportContext;

/// Bumped on any incompatible change of the JSON report; additions keep it.
pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    schema_version: &'static str,
    tool: ToolInfo,
    summary: Summary,
    errors: &'a [InputError],
    findings: Vec<FindingOut<'a>>,
    /// Listed only with `--show-suppressed`.
    suppressed: Vec<FindingOut<'a>>,
    /// Listed only with `--show-unused`.
    unused_ignores: &'a [UnusedIgnore],
    /// One entry per `--framework`.
    compliance: &'a [Compliance],
}

#[derive(Serialize)]
struct ToolInfo {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    files: usize,
    documents: usize,
    objects: usize,
    skipped_documents: usize,
    skipped_system_objects: usize,
    findings: usize,
    suppressed: usize,
    errors: usize,
    by_severity: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    rule: &'static str,
    severity: Severity,
    title: &'static str,
    message: &'a str,
    object: &'a ObjectRef,
    location: &'a Location,
    remediation: &'static str,
    references: &'static [Reference],
    fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<&'a Suppression>,
}

impl<'a> FindingOut<'a> {
    fn new(f: &'a Finding, suppression: Option<&'a Suppression>) -> Self {
        FindingOut {
            rule: f.rule.id,
            severity: f.severity,
            title: f.rule.title,
            message: &f.message,
            object: &f.object,
            location: &f.location,
            remediation: f.rule.remediation,
            references: f.rule.references,
            fingerprint: f.fingerprint(),
            suppression,
        }
    }
}

/// The JSON report documented in `docs/json-schema.md`, streamed to `out` (no intermediate
/// value tree: reports of hundreds of thousands of findings stay cheap).
pub fn render_json(
    result: &ScanResult,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: context.tool.name,
            version: context.tool.version,
        },
        summary: Summary {
            files: result.summary.files,
            documents: result.summary.documents,
            objects: result.summary.objects,
            skipped_documents: result.summary.skipped_documents,
            skipped_system_objects: result.summary.skipped_system_objects,
            findings: result.findings.len(),
            suppressed: result.summary.suppressed,
            errors: result.errors.len(),
            by_severity: Severity::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), result.count(*s).into()))
                .collect(),
        },
        errors: &result.errors,
        findings: result
            .findings
            .iter()
            .map(|f| FindingOut::new(f, None))
            .collect(),
        suppressed: result
            .suppressed
            .iter()
            .map(|s| FindingOut::new(&s.finding, Some(&s.suppression)))
            .collect(),
        unused_ignores: &result.unused_ignores,
        compliance: &result.compliance,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}
