//! palisade-report owns turning a [`ScanResult`] into what users and tools read: a terminal
//! table, the stable JSON contract (`docs/json-schema.md`), SARIF 2.1.0 for code scanning, and
//! JUnit XML for CI test reports. Every renderer prints findings in the result's order, which
//! the scan makes deterministic.

mod json;
mod junit;
mod sarif;
mod table;

use std::io::{self, Write};

use palisade_core::RuleMeta;
use rayon::prelude::*;

pub use json::{FindingOut, SCHEMA_VERSION, render_json};
pub use junit::render_junit;
pub use sarif::render_sarif;
pub use table::{TableOptions, render_table};

/// Findings rendered per batch: big enough to keep both cores busy, small enough that a
/// report is never held in memory whole.
const BATCH: usize = 4096;

/// Writes `items` as a pretty-printed JSON array whose elements sit at `depth` (as
/// `serde_json::to_writer_pretty` would print it inside the enclosing document), rendering the
/// elements in parallel batches.
fn write_array<T: Sync>(
    out: &mut dyn Write,
    items: &[T],
    depth: usize,
    render: impl Fn(&T) -> serde_json::Result<String> + Sync,
) -> io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    let indent = format!("\n{}", "  ".repeat(depth));
    out.write_all(b"[")?;
    for (index, batch) in items.chunks(BATCH).enumerate() {
        let rendered: Vec<String> = batch
            .par_iter()
            .map(|item| render(item).map(|text| text.replace('\n', &indent)))
            .collect::<Result<_, _>>()?;
        for (i, text) in rendered.iter().enumerate() {
            if index > 0 || i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(indent.as_bytes())?;
            out.write_all(text.as_bytes())?;
        }
    }
    out.write_all(&indent.as_bytes()[..indent.len() - 2])?;
    out.write_all(b"]")
}

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
