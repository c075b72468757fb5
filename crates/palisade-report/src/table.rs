//! The terminal report: findings grouped by object, a severity column, errors, and a summary.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};

use palisade_core::{ControlStatus, ScanResult, Severity, SuppressionKind};

use crate::ReportContext;

#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// Colours and terminal width (only on a terminal).
    pub styled: bool,
    /// Only the summary and errors.
    pub quiet: bool,
}

fn suppression_kind(kind: SuppressionKind) -> &'static str {
    match kind {
        SuppressionKind::Config => "ignore entry",
        SuppressionKind::Annotation => "annotation",
        SuppressionKind::Baseline => "baseline",
        SuppressionKind::Vex => "VEX statement",
    }
}

fn color(severity: Severity) -> Color {
    match severity {
        Severity::Critical => Color::Magenta,
        Severity::High => Color::Red,
        Severity::Medium => Color::Yellow,
        Severity::Low => Color::Blue,
        Severity::Info => Color::Grey,
    }
}

fn new_table(options: TableOptions, header: [&str; 4]) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    if options.styled {
        table.set_content_arrangement(ContentArrangement::Dynamic);
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(header);
    table
}

pub fn render_table(
    result: &ScanResult,
    context: &ReportContext<'_>,
    options: TableOptions,
) -> String {
    let _ = context;
    let mut out = String::new();
    if !options.quiet {
        let mut start = 0;
        while start < result.findings.len() {
            let first = &result.findings[start];
            let end = start
                + result.findings[start..]
                    .iter()
                    .take_while(|f| {
                        f.object == first.object && f.location.file == first.location.file
                    })
                    .count();
            let _ = writeln!(out, "{}  ({})", first.object, first.location.file);
            let mut table = new_table(options, ["SEVERITY", "RULE", "LINE", "MESSAGE"]);
            for finding in &result.findings[start..end] {
                let mut severity = Cell::new(finding.severity.as_str().to_uppercase());
                if options.styled {
                    severity = severity
                        .fg(color(finding.severity))
                        .add_attribute(Attribute::Bold);
                }
                table.add_row([
                    severity,
                    Cell::new(finding.rule.id),
                    Cell::new(format!(
                        "{}:{}",
                        finding.location.line, finding.location.column
                    )),
                    Cell::new(&finding.message),
                ]);
            }
            let _ = writeln!(out, "{table}\n");
            start = end;
        }
    }
    if !result.suppressed.is_empty() {
        let _ = writeln!(out, "Suppressed findings:");
        for s in &result.suppressed {
            let f = &s.finding;
            let _ = writeln!(
                out,
                "  {} {} {} ({}): {}\n      suppressed by {} {}: {}",
                f.severity.as_str().to_uppercase(),
                f.rule.id,
                f.object,
                f.location,
                f.message,
                suppression_kind(s.suppression.kind),
                s.suppression.source,
                s.suppression.justification
            );
        }
        out.push('\n');
    }
    if !result.unused_ignores.is_empty() {
        let _ = writeln!(out, "Ignore entries that matched no finding:");
        for unused in &result.unused_ignores {
            let _ = writeln!(
                out,
                "  {}:{}: rule {} ({}): {}",
                unused.location.file,
                unused.location.line,
                unused.rule,
                unused.selector,
                unused.reason
            );
        }
        out.push('\n');
    }
    for compliance in &result.compliance {
        let _ = writeln!(out, "Compliance: {}", compliance.framework.title());
        let mut table = new_table(options, ["CONTROL", "STATUS", "FINDINGS", "TITLE"]);
        for control in &compliance.controls {
            let (status, status_color) = match control.status {
                ControlStatus::Passed => ("PASS", Color::Green),
                ControlStatus::Failed => ("FAIL", Color::Red),
                ControlStatus::NotApplicable => ("N/A", Color::Grey),
                ControlStatus::NotChecked => ("NOT CHECKED", Color::Grey),
            };
            let mut status = Cell::new(status);
            if options.styled {
                status = status.fg(status_color).add_attribute(Attribute::Bold);
            }
            table.add_row([
                Cell::new(control.id),
                status,
                Cell::new(control.findings),
                Cell::new(control.title),
            ]);
        }
        if !options.quiet {
            let _ = writeln!(out, "{table}");
        }
        let _ = writeln!(
            out,
            "{}: {} passed, {} failed, {} not applicable, {} not checked: {:.1}% compliant\n",
            compliance.framework.id(),
            compliance.passed,
            compliance.failed,
            compliance.not_applicable,
            compliance.not_checked,
            compliance.percentage
        );
    }
    if !result.errors.is_empty() {
        let _ = writeln!(out, "Input errors:");
        for error in &result.errors {
            let _ = writeln!(out, "  error: {error}");
        }
        out.push('\n');
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| {
            let n = result.count(*s);
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    let summary = &result.summary;
    let _ = write!(
        out,
        "{} finding{}",
        result.findings.len(),
        if result.findings.len() == 1 { "" } else { "s" }
    );
    if !counts.is_empty() {
        let _ = write!(out, " ({})", counts.join(", "));
    }
    let _ = write!(
        out,
        " in {} object{} from {} file{}",
        summary.objects,
        if summary.objects == 1 { "" } else { "s" },
        summary.files,
        if summary.files == 1 { "" } else { "s" },
    );
    if summary.skipped_documents > 0 {
        let _ = write!(
            out,
            "; {} document{} without apiVersion/kind skipped",
            summary.skipped_documents,
            if summary.skipped_documents == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    if summary.suppressed > 0 {
        let _ = write!(out, "; {} suppressed", summary.suppressed);
        if result.suppressed.is_empty() {
            out.push_str(" (--show-suppressed lists them)");
        }
    }
    if summary.skipped_system_objects > 0 {
        let _ = write!(
            out,
            "; {} object{} in system namespaces checked for cluster configuration only (--include-system-namespaces checks them fully)",
            summary.skipped_system_objects,
            if summary.skipped_system_objects == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    if !result.errors.is_empty() {
        let _ = write!(
            out,
            "; {} input error{}",
            result.errors.len(),
            if result.errors.len() == 1 { "" } else { "s" }
        );
    }
    out.push('\n');
    out
}
