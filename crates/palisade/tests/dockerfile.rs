//! End-to-end tests of Dockerfiles in `palisade scan`: discovery next to manifests, hadolint
//! aliases on the command line and in palisade.toml, inline pragmas, and the real-world corpus.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn scan(dir: &Path, args: &[&str]) -> (Value, i32) {
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(dir)
        .args(["scan", "-f", "json", "--no-progress"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (report, output.status.code().unwrap())
}

fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

const DOCKERFILE: &str = "FROM node:latest\nCOPY . /app\nCMD [\"node\", \"/app/server.js\"]\n";

#[test]
fn dockerfiles_are_found_next_to_manifests() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("api")).unwrap();
    std::fs::write(dir.path().join("api/Dockerfile"), DOCKERFILE).unwrap();
    std::fs::write(dir.path().join("api/worker.Dockerfile"), DOCKERFILE).unwrap();
    std::fs::write(dir.path().join("notes.txt"), DOCKERFILE).unwrap();
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers:\n  - name: c\n    image: nginx:1\n    securityContext: {privileged: true}\n",
    )
    .unwrap();
    let (report, code) = scan(dir.path(), &["--checks", "rootUser,DL3007,privileged", "."]);
    assert_eq!(code, 0);
    let found = rules(&report);
    assert_eq!(found.iter().filter(|r| *r == "rootUser").count(), 2);
    assert_eq!(
        found.iter().filter(|r| *r == "baseImageTag").count(),
        2,
        "DL3007 selects it"
    );
    assert!(found.contains(&"privileged".to_string()));
    let dockerfile = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "baseImageTag")
        .unwrap();
    assert_eq!(dockerfile["object"]["kind"], "Dockerfile");
    assert_eq!(dockerfile["location"]["line"], 1);
    assert_eq!(dockerfile["location"]["path"], "stages[0].FROM");
    assert_eq!(
        dockerfile["aliases"],
        serde_json::json!(["DL3006", "DL3007"])
    );
    assert_eq!(report["summary"]["files"], 3);
}

#[test]
fn pragmas_and_ignore_entries_accept_dockerfile_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("# hadolint ignore=DL3007\n{DOCKERFILE}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[[ignore]]\nrule = \"DL3002\"\nkind = \"Dockerfile\"\nreason = \"the entrypoint drops privileges\"\n",
    )
    .unwrap();
    let (report, code) = scan(
        dir.path(),
        &[
            "--checks",
            "rootUser,baseImageTag",
            "--show-suppressed",
            ".",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(rules(&report), Vec::<String>::new());
    let kinds: Vec<&str> = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["suppression"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["annotation", "config"]);

    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("# palisade ignore=nope: x\n{DOCKERFILE}"),
    )
    .unwrap();
    let (report, code) = scan(dir.path(), &["--checks", "rootUser", "."]);
    assert_eq!(code, 2);
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown rule \"nope\"")
    );
}

#[test]
fn malformed_dockerfiles_are_input_errors_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nFORM x\nRUN <<EOF\necho\n",
    )
    .unwrap();
    let (report, code) = scan(dir.path(), &["."]);
    assert_eq!(code, 2);
    let lines: Vec<u64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![2, 3]);
}

/// The ~370 real-world Dockerfiles of `../shared/corpus/dockerfile` go through the whole scan.
#[test]
fn real_world_dockerfiles_scan_without_panics() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dockerfile");
    if !corpus.is_dir() {
        eprintln!("skipping: {} not present", corpus.display());
        return;
    }
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .args(["scan", "-f", "json", "--no-progress"])
        .arg(&corpus)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(output.status.code(), Some(0 | 2)), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["summary"]["files"].as_u64().unwrap() > 300);
    assert!(report["findings"].as_array().unwrap().len() > 300);
}
