//! Per-rule fixtures: `tests/fixtures/<rule id>/*.yaml`, each a manifest with a header saying
//! which policy to evaluate at and exactly which findings of that rule it must produce:
//!
//! ```yaml
//! # policy: restricted:v1.24        (default restricted:latest)
//! # expect: spec.hostPID | host namespaces (hostPID=true)
//! ```
//!
//! A fixture without `expect` lines must produce no finding of its rule (a passing manifest).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use palisade_checks::pss::{Level, Version};
use palisade_checks::{Engine, PssSettings, registry};
use palisade_k8s::load_stream;

fn run_fixture(rule: &str, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut level = Level::Restricted;
    let mut version = Version::Latest;
    let mut expected = BTreeSet::new();
    for line in text.lines() {
        if let Some(policy) = line.strip_prefix("# policy: ") {
            let (l, v) = policy
                .trim()
                .split_once(':')
                .ok_or("policy must be level:version")?;
            level = l.parse()?;
            version = v.parse()?;
        } else if let Some(expect) = line.strip_prefix("# expect: ") {
            expected.insert(expect.trim().to_string());
        }
    }
    let engine = Engine {
        pss: PssSettings {
            level: Some(level),
            version: Some(version),
        },
        only: [rule.to_string()].into_iter().collect(),
        ..Default::default()
    };
    let loaded = load_stream(&Arc::from(path.display().to_string()), &text);
    if !loaded.errors.is_empty() {
        return Err(format!("fixture does not load: {:?}", loaded.errors));
    }
    let actual: BTreeSet<String> = loaded
        .objects
        .iter()
        .flat_map(|o| engine.check(o))
        .map(|f| format!("{} | {}", f.location.path, f.message))
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
    for rule in registry::rules() {
        let dir = root.join(rule.id);
        let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no fixtures for rule {} in {}", rule.id, dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
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
