//! JUnit XML: one test suite per file, one test case per object × rule that ran on it, a
//! `<failure>` per finding (`<skipped>` when only suppressed findings are listed), a suite per
//! compliance framework, and a suite of `<error>` cases for input that could not be read.

use std::collections::BTreeMap;
use std::fmt::Write;

use palisade_core::{ControlStatus, Finding, ScanResult, Suppressed};

use crate::ReportContext;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry other control characters at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// One test case: the findings that fail it and the suppressed ones (listed with
/// `--show-suppressed`), which mark it skipped when nothing fails it.
#[derive(Default)]
struct Case<'a> {
    failures: Vec<&'a Finding>,
    suppressed: Vec<&'a Suppressed>,
}

pub fn render_junit(result: &ScanResult, context: &ReportContext<'_>) -> String {
    let _ = context;
    // file -> object -> rule -> findings
    type Cases<'a> = BTreeMap<String, BTreeMap<&'static str, Case<'a>>>;
    let mut files: BTreeMap<&str, Cases<'_>> = BTreeMap::new();
    for object in &result.objects {
        let cases = files
            .entry(&object.file)
            .or_default()
            .entry(object.object.to_string())
            .or_default();
        for rule in &object.rules {
            cases.entry(rule).or_default();
        }
    }
    fn case<'a, 'b>(
        files: &'b mut BTreeMap<&'a str, Cases<'a>>,
        f: &'a Finding,
    ) -> &'b mut Case<'a> {
        files
            .entry(&f.location.file)
            .or_default()
            .entry(f.object.to_string())
            .or_default()
            .entry(f.rule.id)
            .or_default()
    }
    for finding in &result.findings {
        case(&mut files, finding).failures.push(finding);
    }
    for suppressed in &result.suppressed {
        case(&mut files, &suppressed.finding)
            .suppressed
            .push(suppressed);
    }
    // (tests, failures, skipped) of the cases of some files.
    let counts = |objects: &mut dyn Iterator<Item = &BTreeMap<&'static str, Case<'_>>>| {
        objects
            .flat_map(|r| r.values())
            .fold((0, 0, 0), |(t, f, s), case| {
                let failed = !case.failures.is_empty();
                let skipped = !failed && !case.suppressed.is_empty();
                (t + 1, f + usize::from(failed), s + usize::from(skipped))
            })
    };
    let (mut tests, mut failures, mut skipped) =
        counts(&mut files.values().flat_map(|o| o.values()));
    for compliance in &result.compliance {
        tests += compliance.controls.len();
        failures += compliance.failed;
        skipped += compliance.not_applicable + compliance.not_checked;
    }
    let errors = result.errors.len();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"palisade\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">",
        tests + errors
    );
    for (file, objects) in &files {
        let (tests, failed, skipped) = counts(&mut objects.values());
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\">",
            escape(file)
        );
        for (object, rules) in objects {
            for (rule, case) in rules {
                let _ = write!(
                    xml,
                    "    <testcase classname=\"{}\" name=\"{}\"",
                    escape(object),
                    escape(rule)
                );
                if case.failures.is_empty() && case.suppressed.is_empty() {
                    xml.push_str("/>\n");
                    continue;
                }
                xml.push_str(">\n");
                if case.failures.is_empty() {
                    // Only accepted findings: the case is skipped, saying why.
                    let reasons: Vec<String> = case
                        .suppressed
                        .iter()
                        .map(|s| {
                            format!("{} ({})", s.suppression.justification, s.suppression.source)
                        })
                        .collect();
                    let _ = writeln!(
                        xml,
                        "      <skipped message=\"suppressed: {}\"/>",
                        escape(&reasons.join("; "))
                    );
                }
                for finding in &case.failures {
                    let _ = writeln!(
                        xml,
                        "      <failure type=\"{}\" message=\"{}\">{}: {} ({})</failure>",
                        finding.severity,
                        escape(&finding.message),
                        escape(&finding.location.to_string()),
                        escape(&finding.message),
                        escape(&finding.location.path),
                    );
                }
                xml.push_str("    </testcase>\n");
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    for compliance in &result.compliance {
        let _ = writeln!(
            xml,
            "  <testsuite name=\"compliance: {}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
            compliance.framework.id(),
            compliance.controls.len(),
            compliance.failed,
            compliance.not_applicable + compliance.not_checked
        );
        for control in &compliance.controls {
            let _ = write!(
                xml,
                "    <testcase classname=\"{}\" name=\"{} {}\"",
                compliance.framework.id(),
                escape(control.id),
                escape(control.title)
            );
            let rules = control.rules.join(", ");
            match control.status {
                ControlStatus::Passed => xml.push_str("/>\n"),
                ControlStatus::Failed => {
                    let _ = writeln!(
                        xml,
                        ">\n      <failure message=\"{} finding(s) of {}\"/>\n    </testcase>",
                        control.findings,
                        escape(&rules)
                    );
                }
                ControlStatus::NotApplicable | ControlStatus::NotChecked => {
                    let why = if control.status == ControlStatus::NotChecked {
                        "rules turned off"
                    } else {
                        "no object subject to"
                    };
                    let _ = writeln!(
                        xml,
                        ">\n      <skipped message=\"{why} {}\"/>\n    </testcase>",
                        escape(&rules)
                    );
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    if errors > 0 {
        let _ = writeln!(
            xml,
            "  <testsuite name=\"input errors\" tests=\"{errors}\" failures=\"0\" errors=\"{errors}\">"
        );
        for error in &result.errors {
            let _ = writeln!(
                xml,
                "    <testcase classname=\"input\" name=\"{}\">\n      <error message=\"{}\">{}</error>\n    </testcase>",
                escape(&error.file),
                escape(&error.message),
                escape(&error.to_string()),
            );
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}
