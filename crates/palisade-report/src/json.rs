use std::io::{self, Write};

use serde::Serialize;

use palisade_core::{
    Compliance, Finding, InputError, Location, ObjectRef, Reference, ScanResult, Severity,
    Suppression, UnusedIgnore,
};

use crate::{ReportContext, write_array};

/// Bumped on any incompatible change of the JSON report; additions keep it.
pub const SCHEMA_VERSION: &str = "1.0";

/// The report's fields before `findings`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Head<'a> {
    schema_version: &'static str,
    tool: ToolInfo,
    summary: Summary,
    errors: &'a [InputError],
}

/// The report's fields after `findings`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tail<'a> {
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

/// One finding as every JSON report writes it (also `palisade image`).
#[derive(Serialize)]
pub struct FindingOut<'a> {
    rule: &'static str,
    /// The same check's codes in other tools (hadolint's `DL3002`).
    aliases: &'static [&'static str],
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
    pub fn new(f: &'a Finding, suppression: Option<&'a Suppression>) -> Self {
        FindingOut {
            rule: f.rule.id,
            aliases: f.rule.aliases,
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

/// The JSON report documented in `docs/json-schema.md`, streamed to `out`: no value tree, and
/// findings rendered in parallel batches, so reports of hundreds of thousands of findings stay
/// cheap in time and memory. The bytes are exactly those of `serde_json::to_writer_pretty` on
/// the whole report.
pub fn render_json(
    result: &ScanResult,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let head = Head {
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
    };
    let head = serde_json::to_string_pretty(&head)?;
    out.write_all(head.strip_suffix("\n}").unwrap_or(&head).as_bytes())?;
    out.write_all(b",\n  \"findings\": ")?;
    write_array(out, &result.findings, 2, |f| {
        serde_json::to_string_pretty(&FindingOut::new(f, None))
    })?;
    let tail = Tail {
        suppressed: result
            .suppressed
            .iter()
            .map(|s| FindingOut::new(&s.finding, Some(&s.suppression)))
            .collect(),
        unused_ignores: &result.unused_ignores,
        compliance: &result.compliance,
    };
    let tail = serde_json::to_string_pretty(&tail)?;
    out.write_all(b",")?;
    out.write_all(tail.strip_prefix('{').unwrap_or(&tail).as_bytes())?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_core::{ObjectRef, RuleMeta};

    use super::*;
    use crate::Tool;

    static RULE: RuleMeta = RuleMeta {
        id: "demo",
        name: "demo",
        severity: Severity::High,
        category: "demo",
        title: "Demo",
        doc: "",
        remediation: "Fix \"it\".\nNow.",
        aliases: &[],
        frameworks: &[],
        references: &[],
    };

    fn render(findings: usize) -> String {
        let result = ScanResult {
            findings: (0..findings)
                .map(|i| Finding {
                    rule: &RULE,
                    severity: Severity::High,
                    message: format!("finding {i}\nwith a newline").into(),
                    object: Arc::new(ObjectRef::default()),
                    location: Location::default(),
                    discriminator: 0,
                    subject: None,
                })
                .collect(),
            ..Default::default()
        };
        let context = ReportContext {
            tool: Tool {
                name: "palisade",
                version: "0",
                information_uri: "",
            },
            rules: &[],
        };
        let mut out = Vec::new();
        render_json(&result, &context, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The batched writer gives exactly the bytes serde_json's pretty printer gives.
    #[test]
    fn batched_output_is_plain_pretty_json() {
        for findings in [0, 1, crate::BATCH + 3] {
            let text = render(findings);
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(value["findings"].as_array().unwrap().len(), findings);
            let expected = serde_json::to_string_pretty(&value).unwrap() + "\n";
            assert!(text == expected, "{findings} findings differ");
        }
    }
}
