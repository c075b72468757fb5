use serde_json::{Value, json};

use palisade_core::{ScanResult, Severity};

use crate::ReportContext;

/// Bumped on any incompatible change of the JSON report; additions keep it.
pub const SCHEMA_VERSION: &str = "1.0";

/// The JSON report documented in `docs/json-schema.md`.
pub fn render_json(result: &ScanResult, context: &ReportContext<'_>) -> String {
    let by_severity: serde_json::Map<String, Value> = Severity::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), json!(result.count(*s))))
        .collect();
    let findings: Vec<Value> = result
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule.id,
                "severity": f.severity,
                "title": f.rule.title,
                "message": f.message,
                "object": f.object,
                "location": f.location,
                "remediation": f.rule.remediation,
                "references": f.rule.references,
                "fingerprint": f.fingerprint(),
            })
        })
        .collect();
    let report = json!({
        "schemaVersion": SCHEMA_VERSION,
        "tool": { "name": context.tool.name, "version": context.tool.version },
        "summary": {
            "files": result.summary.files,
            "documents": result.summary.documents,
            "objects": result.summary.objects,
            "skippedDocuments": result.summary.skipped_documents,
            "findings": result.findings.len(),
            "errors": result.errors.len(),
            "bySeverity": by_severity,
        },
        "errors": result.errors,
        "findings": findings,
    });
    let mut text = serde_json::to_string_pretty(&report).expect("JSON values always serialize");
    text.push('\n');
    text
}
