use std::io::{self, Write};

use serde::Serialize;

use palisade_core::{InputError, Location, ObjectRef, Reference, ScanResult, Severity};

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
    findings: usize,
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
            findings: result.findings.len(),
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
            .map(|f| FindingOut {
                rule: f.rule.id,
                severity: f.severity,
                title: f.rule.title,
                message: &f.message,
                object: &f.object,
                location: &f.location,
                remediation: f.rule.remediation,
                references: f.rule.references,
                fingerprint: f.fingerprint(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}
