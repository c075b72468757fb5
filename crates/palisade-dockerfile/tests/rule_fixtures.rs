//! Per-rule fixtures: `tests/fixtures/<rule id>/*.Dockerfile`, each a Dockerfile whose header
//! comments say exactly which findings of that rule it must produce:
//!
//! ```dockerfile
//! # config: [images]                (lines of palisade.toml, optional)
//! # config: allowed_registries = ["registry.corp.example/*"]
//! # expect: 4 | the final stage runs as root (USER root)
//! ```
//!
//! An `expect` line is `<line> | <message>`, optionally followed by `| <severity>` when the
//! rule grades its findings. A fixture without `expect` lines is a passing one. Every rule
//! needs at least one of each.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use palisade_core::RuleMeta;
use palisade_core::config::Config;
use palisade_dockerfile::rules::{self, Settings};
use palisade_dockerfile::{Selection, analyze, find};

fn run_fixture(rule: &str, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut expected = BTreeSet::new();
    let mut config_text = String::new();
    for line in text.lines() {
        if let Some(config) = line.strip_prefix("# config: ") {
            config_text.push_str(config);
            config_text.push('\n');
        } else if let Some(expect) = line.strip_prefix("# expect: ") {
            expected.insert(expect.trim().to_string());
        }
    }
    let graded = expected.iter().any(|e| e.matches(" | ").count() == 2);
    let config = Config::parse("fixture config", &config_text, &|id| find(id).map(|r| r.id))
        .map_err(|e| format!("bad config header: {e:?}"))?;
    let settings = Settings {
        allowed_registries: config.allowed_registries.clone(),
    };
    let only = |meta: &RuleMeta| meta.id == rule;
    let severity = |meta: &RuleMeta| config.severity.get(meta.id).copied();
    let selection = Selection {
        enabled: &only,
        severity: &severity,
    };
    let analysis = analyze(&Arc::from("Dockerfile"), &text, &settings, &selection);
    if !analysis.errors.is_empty() {
        return Err(format!("fixture does not parse: {:?}", analysis.errors));
    }
    let actual: BTreeSet<String> = analysis
        .findings
        .iter()
        .map(|f| {
            let line = format!("{} | {}", f.location.line, f.message);
            if graded {
                format!("{line} | {}", f.severity)
            } else {
                line
            }
        })
        .collect();
    if actual != expected {
        return Err(format!("expected {expected:#?}\nactual {actual:#?}"));
    }
    Ok(())
}

#[test]
fn every_rule_has_failing_and_passing_fixtures_that_hold() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut failures = Vec::new();
    for rule in rules::all().map(|r| &r.meta) {
        let dir = root.join(rule.id);
        let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no fixtures for rule {} in {}", rule.id, dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
            .collect();
        fixtures.sort();
        let failing = fixtures
            .iter()
            .filter(|p| std::fs::read_to_string(p).unwrap().contains("# expect: "))
            .count();
        assert!(failing > 0, "rule {} has no failing fixture", rule.id);
        assert!(
            failing < fixtures.len(),
            "rule {} has no passing fixture",
            rule.id
        );
        for fixture in fixtures {
            if let Err(problem) = run_fixture(rule.id, &fixture) {
                failures.push(format!("{}: {problem}", fixture.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
