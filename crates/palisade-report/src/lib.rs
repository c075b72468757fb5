//! palisade-report owns turning a [`ScanResult`] into what users and tools read: a terminal
//! table, the stable JSON contract (`docs/json-schema.md`), SARIF 2.1.0 for code scanning, and
//! JUnit XML for CI test reports. Every renderer prints findings in the result's order, which
//! the scan makes deterministic.

mod json;
mod junit;
mod sarif;
mod table;

use palisade_core::RuleMeta;

pub use json::{SCHEMA_VERSION, render_json};
pub use junit::render_junit;
pub use sarif::render_sarif;
pub use table::{TableOptions, render_table};

/// Tool identity printed in machine-readable reports.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
    pub information_uri: &'static str,
}

/// Everything a renderer needs besides the result: the tool and the rule catalogue.
#[derive(Debug, Clone, Copy)]
pub struct ReportContext<'a> {
    pub tool: Tool,
    pub rules: &'a [&'static RuleMeta],
}
