//! SARIF 2.1.0 as GitHub code scanning reads it: rules with help text and a
//! `security-severity`, results with physical locations and regions, and input errors as
//! tool execution notifications. Written with serde_json: the handful of properties we emit do
//! not justify a typed SARIF model; results are streamed in batches so that big reports stay
//! small in memory.

use std::io::{self, Write};

use serde_json::{Value, json};

use palisade_core::{Finding, ScanResult, Severity, Suppression, SuppressionKind};

use crate::{ReportContext, write_array};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub maps this score to its critical/high/medium/low labels.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// A SARIF `artifactLocation.uri`: a relative path with forward slashes.
fn uri(file: &str) -> String {
    file.trim_start_matches("./").replace('\\', "/")
}

/// Stands in for the results array in the document tree until the results are streamed. It
/// holds a NUL, which no file name (nor anything else the document quotes) can.
const RESULTS_MARKER: &str = "\"palisade\\u0000results\"";

/// SARIF 2.1.0 streamed to `out`: the document around the results is a small value tree; the
/// results (one per finding, suppressed findings with their `suppressions`) are rendered in
/// parallel batches and never held whole.
pub fn render_sarif(
    result: &ScanResult,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rules: Vec<Value> = context
        .rules
        .iter()
        .map(|rule| {
            let mut help = format!("{}\n\n**Remediation.** {}", rule.doc, rule.remediation);
            for reference in rule.references {
                help.push_str(&format!(
                    "\n\n{} {}: {}",
                    reference.framework, reference.id, reference.url
                ));
            }
            json!({
                "id": rule.id,
                "name": rule.name,
                "shortDescription": { "text": rule.title },
                "fullDescription": { "text": rule.doc.split("\n\n").next().unwrap_or(rule.title) },
                "help": { "text": help, "markdown": help },
                "helpUri": rule.references.first().map(|r| r.url),
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": {
                    "tags": ["security", rule.category],
                    "security-severity": security_severity(rule.severity),
                },
            })
        })
        .collect();
    let suppressed = result
        .suppressed
        .iter()
        .map(|s| (&s.finding, Some(&s.suppression)));
    let results: Vec<(&Finding, Option<&Suppression>)> = result
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(suppressed)
        .collect();
    let render_result = |&(finding, suppression): &(&Finding, Option<&Suppression>)| {
        let rule_index = context.rules.iter().position(|r| r.id == finding.rule.id);
        // Image findings have no line (the config is not a source file): no region then.
        let mut physical = json!({ "artifactLocation": { "uri": uri(&finding.location.file) } });
        if finding.location.line > 0 {
            physical["region"] = json!({ "startLine": finding.location.line, "startColumn": finding.location.column });
        }
        let mut value = json!({
            "ruleId": finding.rule.id,
            "ruleIndex": rule_index,
            "level": level(finding.severity),
            "message": { "text": format!("{}: {}", finding.object, finding.message) },
            "locations": [{
                "physicalLocation": physical,
                "logicalLocations": [{ "fullyQualifiedName": format!("{}.{}", finding.object, finding.location.path), "kind": "object" }],
            }],
            "partialFingerprints": { "palisadeFingerprint/v1": finding.fingerprint() },
            "properties": { "severity": finding.severity, "object": finding.object },
        });
        if let Some(suppression) = suppression {
            // An annotation sits in the object itself: SARIF's "inSource".
            let kind = match suppression.kind {
                SuppressionKind::Annotation => "inSource",
                SuppressionKind::Config | SuppressionKind::Baseline | SuppressionKind::Vex => {
                    "external"
                }
            };
            value["suppressions"] = json!([{
                "kind": kind,
                "status": "accepted",
                "justification": suppression.justification,
                "properties": { "source": suppression.source, "palisadeKind": suppression.kind },
            }]);
        }
        serde_json::to_string_pretty(&value)
    };
    let notifications: Vec<Value> = result
        .errors
        .iter()
        .map(|error| {
            let mut physical = json!({ "artifactLocation": { "uri": uri(&error.file) } });
            if let Some(line) = error.line {
                physical["region"] =
                    json!({ "startLine": line, "startColumn": error.column.unwrap_or(1) });
            }
            json!({
                "level": "error",
                "message": { "text": error.message },
                "locations": [{ "physicalLocation": physical }],
            })
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": context.tool.name,
                "version": context.tool.version,
                "semanticVersion": context.tool.version,
                "informationUri": context.tool.information_uri,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": result.errors.is_empty(),
                "toolExecutionNotifications": notifications,
                "toolConfigurationNotifications": result.unused_ignores.iter().map(|unused| json!({
                    "level": "note",
                    "message": { "text": format!("ignore entry for rule {:?} ({}) matched no finding", unused.rule, unused.selector) },
                    "locations": [{ "physicalLocation": {
                        "artifactLocation": { "uri": uri(&unused.location.file) },
                        "region": { "startLine": unused.location.line, "startColumn": unused.location.column },
                    }}],
                })).collect::<Vec<_>>(),
            }],
            "columnKind": "unicodeCodePoints",
            "results": "palisade\u{0}results",
            "properties": { "compliance": result.compliance },
        }],
    });
    let document = serde_json::to_string_pretty(&sarif)?;
    let (before, after) = document
        .rsplit_once(RESULTS_MARKER)
        .expect("the marker is in the document");
    out.write_all(before.as_bytes())?;
    // runs[0].results: elements at depth 4.
    write_array(out, &results, 4, render_result)?;
    out.write_all(after.as_bytes())?;
    out.write_all(b"\n")
}
