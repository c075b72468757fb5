//! Per-rule fixtures: `tests/fixtures/<rule id>/*.yaml`, each a manifest (one or more
//! documents) with a header saying how to evaluate it and exactly which findings of that rule
//! it must produce:
//!
//! ```yaml
//! # policy: restricted:v1.24        (Pod Security level:version; default restricted:latest)
//! # config: [images]                (lines of palisade.toml, optional)
//! # config: allowed_registries = ["registry.corp.example/*"]
//! # expect: spec.hostPID | host namespaces (hostPID=true)
//! # expect: spec.containers[0].securityContext.capabilities.add[0] | ... | critical
//! ```
//!
//! An `expect` line is `path | message`, optionally followed by `| severity` when the rule
//! grades its findings. A fixture without `expect` lines must produce no finding of its rule
//! (a passing manifest). The fixture's objects also make up the inventory (namespaces, service
//! accounts, bindings), as the whole input does in a scan.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use palisade_checks::pss::{Level, Version};
use palisade_checks::{Engine, Inventory, PssSettings, registry};
use palisade_core::config::Config;
use palisade_k8s::load_stream;

fn run_fixture(rule: &str, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut level = Level::Restricted;
    let mut version = Version::Latest;
    let mut expected = BTreeSet::new();
    let mut config_text = String::new();
    for line in text.lines() {
        if let Some(policy) = line.strip_prefix("# policy: ") {
            let (l, v) = policy
                .trim()
                .split_once(':')
                .ok_or("policy must be level:version")?;
            level = l.parse()?;
            version = v.parse()?;
        } else if let Some(config) = line.strip_prefix("# config: ") {
            config_text.push_str(config);
            config_text.push('\n');
        } else if let Some(expect) = line.strip_prefix("# expect: ") {
            expected.insert(expect.trim().to_string());
        }
    }
    let graded = expected.iter().any(|e| e.matches(" | ").count() == 2);
    let config = Config::parse("fixture config", &config_text, &|id| {
        registry::find(id).map(|r| r.id)
    })
    .map_err(|e| format!("bad config header: {e:?}"))?;
    let loaded = load_stream(&Arc::from(path.display().to_string()), &text);
    if !loaded.errors.is_empty() {
        return Err(format!("fixture does not load: {:?}", loaded.errors));
    }
    let mut engine = Engine {
        pss: PssSettings {
            level: Some(level),
            version: Some(version),
        },
        inventory: Inventory::from_objects(&loaded.objects),
        ..Default::default()
    };
    engine.configure(&config);
    engine.only = [rule.to_string()].into_iter().collect();
    let actual: BTreeSet<String> = loaded
        .objects
        .iter()
        .flat_map(|o| engine.check(o).findings)
        .map(|f| {
            let line = format!("{} | {}", f.location.path, f.message);
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
    // expiredIgnore is about palisade.toml, not manifests: the CLI tests cover it.
    for rule in registry::rules()
        .into_iter()
        .filter(|r| r.id != "expiredIgnore")
    {
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
