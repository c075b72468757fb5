//! Rule catalogue output: `palisade checks`, `palisade explain`, and the generated
//! `docs/checks/` pages. Everything comes from the registry.

use std::fmt::Write;
use std::path::Path;

use anyhow::Context;
use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use palisade_core::{Framework, RuleMeta};
use serde_json::json;

pub fn catalog_table(rules: &[&'static RuleMeta]) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(["ID", "SEVERITY", "CATEGORY", "TITLE"]);
    for rule in rules {
        table.add_row([rule.id, rule.severity.as_str(), rule.category, rule.title]);
    }
    format!(
        "{table}\n{} rules; `palisade explain ID` shows one.\n",
        rules.len()
    )
}

pub fn catalog_json(rules: &[&'static RuleMeta]) -> String {
    let rules: Vec<_> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "severity": r.severity,
                "category": r.category,
                "title": r.title,
                "aliases": r.aliases,
                "frameworks": frameworks_of(r),
                "references": r.references,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&json!({ "rules": rules }))
        .expect("JSON values always serialize");
    text.push('\n');
    text
}

/// The `--framework` ids a rule belongs to.
fn frameworks_of(rule: &RuleMeta) -> Vec<&'static str> {
    Framework::ALL
        .into_iter()
        .filter(|f| rule.in_framework(*f))
        .map(Framework::id)
        .collect()
}

/// One rule's page, as Markdown (also what `palisade explain` prints).
pub fn explain(rule: &RuleMeta) -> String {
    let mut page = format!("# {} — {}\n\n", rule.id, rule.title);
    let frameworks = frameworks_of(rule);
    let _ = writeln!(
        page,
        "- name: `{}`\n- severity: {}\n- category: {}\n- frameworks: {}",
        rule.name,
        rule.severity,
        rule.category,
        frameworks.join(", ")
    );
    if !rule.aliases.is_empty() {
        let _ = writeln!(page, "- aliases: {}", rule.aliases.join(", "));
    }
    page.push('\n');
    let _ = writeln!(
        page,
        "{}\n\n## Remediation\n\n{}\n\n## References\n",
        rule.doc, rule.remediation
    );
    for reference in rule.references {
        let _ = writeln!(
            page,
            "- {} {}: {}",
            reference.framework, reference.id, reference.url
        );
    }
    page
}

/// The index page of `docs/checks/`.
pub fn index(rules: &[&'static RuleMeta]) -> String {
    let mut page = String::from(
        "# Rules\n\nGenerated from the rule registry by `palisade generate-docs`; do not edit by hand.\n\n| id | severity | category | title |\n|---|---|---|---|\n",
    );
    for rule in rules {
        let _ = writeln!(
            page,
            "| [`{}`]({}.md) | {} | {} | {} |",
            rule.id, rule.id, rule.severity, rule.category, rule.title
        );
    }
    page
}

/// Every generated page: (file name, content).
pub fn pages(rules: &[&'static RuleMeta]) -> Vec<(String, String)> {
    let mut pages = vec![("README.md".to_string(), index(rules))];
    pages.extend(rules.iter().map(|r| (format!("{}.md", r.id), explain(r))));
    pages
}

pub fn write_pages(dir: &Path, rules: &[&'static RuleMeta]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, content) in pages(rules) {
        let path = dir.join(name);
        std::fs::write(&path, content)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/checks/` must match the registry; regenerate with
    /// `cargo run -- generate-docs docs/checks`.
    #[test]
    fn generated_rule_docs_are_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/checks");
        let rules = crate::rules::all();
        let expected = pages(&rules);
        let mut stale = Vec::new();
        for (name, content) in &expected {
            if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(content.as_str()) {
                stale.push(name.clone());
            }
        }
        let on_disk = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        assert!(
            stale.is_empty() && on_disk == expected.len(),
            "docs/checks is stale ({stale:?}, {on_disk} files on disk vs {} expected): run `cargo run -- generate-docs docs/checks`",
            expected.len()
        );
    }
}
