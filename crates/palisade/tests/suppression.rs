//! End-to-end tests of configuration and the one suppression model: `palisade.toml` discovery
//! and errors, `[[ignore]]` entries with expiry and `--show-unused`, `palisade.dev/ignore`
//! annotations, baselines, system namespaces, and framework compliance summaries.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const PRIVILEGED: &str = r#"apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: cni-agent
  namespace: net
spec:
  template:
    spec:
      containers:
      - name: agent
        image: registry.corp.example/cni:1.0
        securityContext:
          privileged: true
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: log-shipper
  namespace: net
spec:
  template:
    spec:
      containers:
      - name: shipper
        image: registry.corp.example/shipper:1.0
        securityContext:
          privileged: true
"#;

/// A directory with `workloads.yaml` and, when given, `palisade.toml`.
fn project(manifest: &str, config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("workloads.yaml"), manifest).unwrap();
    if let Some(config) = config {
        std::fs::write(dir.path().join("palisade.toml"), config).unwrap();
    }
    dir
}

fn scan(dir: &Path, args: &[&str]) -> (Value, i32, String) {
    scan_as("json", dir, args)
}

/// Runs `palisade scan` on the privileged rule (and expiredIgnore) in `dir`.
fn scan_as(format: &str, dir: &Path, args: &[&str]) -> (Value, i32, String) {
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(dir)
        .args(["scan", "-f", format, "--no-progress"])
        .args(["--checks", "privileged,expiredIgnore"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (report, output.status.code().unwrap(), stderr)
}

/// Standard output of `palisade ARGS` run in `dir` (every rule, unlike [`scan`]).
fn stdout_of(dir: &Path, args: &[&str]) -> String {
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

fn names(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["object"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

const IGNORE_CNI: &str = r#"
[[ignore]]
rule = "privileged"
kind = "DaemonSet"
namespace = "net"
name = "cni-*"
reason = "the CNI agent needs it"
expires = 2999-01-31
"#;

#[test]
fn ignore_entries_suppress_matching_findings_only() {
    let dir = project(PRIVILEGED, Some(IGNORE_CNI));
    let (report, code, _) = scan(dir.path(), &["--fail-on", "critical", "."]);
    assert_eq!(names(&report["findings"]), vec!["privileged log-shipper"]);
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_eq!(
        report["suppressed"],
        Value::Array(vec![]),
        "listed only on request"
    );
    assert_eq!(code, 1, "the unsuppressed finding still fails the gate");

    let (report, _, _) = scan(dir.path(), &["--show-suppressed", "."]);
    let suppressed = &report["suppressed"][0];
    assert_eq!(suppressed["object"]["name"], "cni-agent");
    assert_eq!(suppressed["suppression"]["kind"], "config");
    assert_eq!(
        suppressed["suppression"]["justification"],
        "the CNI agent needs it"
    );
    assert!(
        suppressed["suppression"]["source"]
            .as_str()
            .unwrap()
            .ends_with("palisade.toml:2")
    );

    let junit = stdout_of(
        dir.path(),
        &[
            "scan",
            "-f",
            "junit",
            "--show-suppressed",
            "--checks",
            "privileged",
            ".",
        ],
    );
    assert!(
        junit.contains(
            "<skipped message=\"suppressed: the CNI agent needs it (palisade.toml:2)\"/>"
        ),
        "{junit}"
    );
}

#[test]
fn expired_entries_stop_suppressing_and_are_reported() {
    let config = IGNORE_CNI.replace("2999-01-31", "2020-01-31");
    let dir = project(PRIVILEGED, Some(&config));
    let (report, code, _) = scan(dir.path(), &["--fail-on", "medium", "."]);
    assert_eq!(
        names(&report["findings"]),
        vec![
            "privileged cni-agent",
            "privileged log-shipper",
            "expiredIgnore privileged"
        ]
    );
    let expired = &report["findings"][2];
    assert_eq!(
        expired["location"]["file"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next(),
        Some("palisade.toml")
    );
    assert_eq!(expired["location"]["line"], 2);
    assert!(
        expired["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2020-01-31")
    );
    assert_eq!(code, 1);

    // An expired entry belongs to no framework, but a framework scan still reports it.
    let output = stdout_of(
        dir.path(),
        &["scan", "-f", "json", "--framework", "cis", "."],
    );
    let report: Value = serde_json::from_str(&output).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "expiredIgnore")
    );
}

#[test]
fn unused_entries_are_listed_on_request() {
    // The third entry matches only what the first already suppresses: it is used all the same.
    let config = format!(
        "{IGNORE_CNI}\n[[ignore]]\nrule = \"privileged\"\nname = \"gone-*\"\nreason = \"removed last year\"\n\n[[ignore]]\nrule = \"privileged\"\nname = \"cni-agent\"\nreason = \"same as above\"\n"
    );
    let dir = project(PRIVILEGED, Some(&config));
    let (report, _, _) = scan(dir.path(), &["."]);
    assert_eq!(report["unusedIgnores"], Value::Array(vec![]));
    let (report, _, _) = scan(dir.path(), &["--show-unused", "."]);
    let unused = report["unusedIgnores"].as_array().unwrap();
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0]["selector"], "name=gone-*");
    assert_eq!(unused[0]["location"]["line"], 10);

    let table = stdout_of(
        dir.path(),
        &[
            "scan",
            "--show-unused",
            "--show-suppressed",
            "--checks",
            "privileged",
            ".",
        ],
    );
    assert!(
        table.contains("Ignore entries that matched no finding:"),
        "{table}"
    );
    assert!(table.contains("suppressed by ignore entry"), "{table}");
}

#[test]
fn config_is_found_in_parent_directories_or_given_explicitly() {
    let dir = project(PRIVILEGED, Some(IGNORE_CNI));
    let sub = dir.path().join("deploy");
    std::fs::create_dir(&sub).unwrap();
    std::fs::rename(
        dir.path().join("workloads.yaml"),
        sub.join("workloads.yaml"),
    )
    .unwrap();
    let (report, _, _) = scan(&sub, &["workloads.yaml"]);
    assert_eq!(
        report["summary"]["suppressed"], 1,
        "found in the parent directory"
    );

    let elsewhere = tempfile::tempdir().unwrap();
    let config = elsewhere.path().join("other.toml");
    std::fs::write(&config, "[rules]\ndisable = [\"privileged\"]\n").unwrap();
    let (report, _, _) = scan(
        &sub,
        &["--config", config.to_str().unwrap(), "workloads.yaml"],
    );
    assert_eq!(report["findings"], Value::Array(vec![]));

    // `../other` is looked up from other's real parents, not from the working directory.
    let here = project("", Some("[rules]\ndisable = [\"privileged\"]\n"));
    let other = project(PRIVILEGED, None);
    let relative = format!("../{}", other.path().file_name().unwrap().to_str().unwrap());
    let (report, _, _) = scan(here.path(), &[&relative]);
    assert_eq!(
        names(&report["findings"]).len(),
        2,
        "here's palisade.toml does not apply"
    );
}

#[test]
fn config_errors_name_file_line_and_column_and_exit_2() {
    let dir = project(PRIVILEGED, Some("[images]\nallowed_registry = [\"x/*\"]\n"));
    let (_, code, stderr) = scan(dir.path(), &["."]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("palisade.toml:2:1: unknown field `allowed_registry`"),
        "{stderr}"
    );

    let dir = project(
        PRIVILEGED,
        Some("[[ignore]]\nrule = \"privileged\"\nreason = \"\"\n"),
    );
    let (_, code, stderr) = scan(dir.path(), &["."]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("palisade.toml:3:10: reason must say"),
        "{stderr}"
    );
}

#[test]
fn annotations_suppress_with_their_reason_and_bad_ones_are_errors() {
    let annotated = PRIVILEGED.replacen(
        "  name: cni-agent\n",
        "  name: cni-agent\n  annotations:\n    palisade.dev/ignore: \"privileged, host-namespaces: the CNI agent needs it\"\n",
        1,
    );
    let dir = project(&annotated, None);
    let (report, code, _) = scan_as("sarif", dir.path(), &["--show-suppressed", "."]);
    assert_eq!(code, 0, "SARIF on stdout, no error");
    let results = report["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "the CNI agent needs it"
    );

    let broken = PRIVILEGED.replacen(
        "  name: cni-agent\n",
        "  name: cni-agent\n  annotations:\n    palisade.dev/ignore: \"privileged\"\n",
        1,
    );
    let dir = project(&broken, None);
    let (report, code, _) = scan(dir.path(), &["."]);
    assert_eq!(code, 2);
    let error = &report["errors"][0];
    assert_eq!(error["line"], 6);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("must read \"<rule>[,<rule>]: <reason>\"")
    );
    assert_eq!(
        names(&report["findings"]).len(),
        2,
        "a malformed annotation suppresses nothing"
    );
}

#[test]
fn baseline_round_trip_fails_only_on_new_findings() {
    let dir = project(PRIVILEGED, None);
    let baseline = dir.path().join("baseline.json");
    let (_, code, _) = scan(
        dir.path(),
        &["--write-baseline", "baseline.json", "workloads.yaml"],
    );
    assert_eq!(code, 0);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(written["findings"].as_array().unwrap().len(), 2);

    // Reformatting and moving objects around keeps fingerprints: line numbers are not in them.
    let moved = format!(
        "# a comment\n\n{}",
        PRIVILEGED.replace("      - name:", "      -   name:")
    );
    let moved = moved
        .replace("        image", "          image")
        .replace("        securityContext", "          securityContext")
        .replace("          privileged", "            privileged");
    std::fs::write(dir.path().join("workloads.yaml"), &moved).unwrap();
    let (report, code, stderr) = scan(
        dir.path(),
        &[
            "--baseline",
            "baseline.json",
            "--fail-on",
            "low",
            "workloads.yaml",
        ],
    );
    assert_eq!(code, 0, "{stderr} {report}");
    assert_eq!(report["summary"]["suppressed"], 2);

    let with_new = format!(
        "{moved}---\n{}",
        PRIVILEGED
            .split("---\n")
            .next()
            .unwrap()
            .replace("cni-agent", "new-agent")
    );
    std::fs::write(dir.path().join("workloads.yaml"), with_new).unwrap();
    let (report, code, _) = scan(
        dir.path(),
        &[
            "--baseline",
            "baseline.json",
            "--fail-on",
            "low",
            "workloads.yaml",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(names(&report["findings"]), vec!["privileged new-agent"]);

    // Rewriting the baseline from a scan that sees none of its findings keeps them all.
    let (_, code, stderr) = scan(
        dir.path(),
        &[
            "--baseline",
            "baseline.json",
            "--write-baseline",
            "baseline.json",
            "--skip-checks",
            "privileged",
            "workloads.yaml",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let rewritten: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(rewritten["findings"], written["findings"]);

    std::fs::write(&baseline, "{\"schemaVersion\": \"1.0\", \"findings\": 3}").unwrap();
    let (_, code, stderr) = scan(
        dir.path(),
        &["--baseline", "baseline.json", "workloads.yaml"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("baseline.json:1:"), "{stderr}");
}

#[test]
fn system_namespaces_are_skipped_unless_included() {
    let system = PRIVILEGED.replace("namespace: net", "namespace: kube-system");
    let dir = project(&system, None);
    let (report, _, _) = scan(dir.path(), &["."]);
    assert_eq!(report["findings"], Value::Array(vec![]));
    assert_eq!(report["summary"]["skippedSystemObjects"], 2);
    let (report, _, _) = scan(dir.path(), &["--include-system-namespaces", "."]);
    assert_eq!(names(&report["findings"]).len(), 2);

    let dir = project(&system, Some("[namespaces]\nsystem = [\"net\"]\n"));
    let (report, _, _) = scan(dir.path(), &["."]);
    assert_eq!(
        names(&report["findings"]).len(),
        2,
        "kube-system is no longer a system namespace"
    );
}

#[test]
fn rule_severity_overrides_and_disable() {
    let dir = project(PRIVILEGED, Some("[rules.severity]\nprivileged = \"low\"\n"));
    let (report, code, _) = scan(dir.path(), &["--fail-on", "medium", "."]);
    assert_eq!(report["findings"][0]["severity"], "low");
    assert_eq!(code, 0);

    let config = format!(
        "[rules.severity]\nexpiredIgnore = \"high\"\n{}",
        IGNORE_CNI.replace("2999-01-31", "2020-01-31")
    );
    let dir = project(PRIVILEGED, Some(&config));
    let (report, _, _) = scan(dir.path(), &["--skip-checks", "privileged", "."]);
    assert_eq!(report["findings"][0]["rule"], "expiredIgnore");
    assert_eq!(report["findings"][0]["severity"], "high");
}

#[test]
fn framework_scans_end_with_a_compliance_summary() {
    let dir = project(PRIVILEGED, None);
    let output = stdout_of(
        dir.path(),
        &["scan", "-f", "json", "--framework", "cis,mitre", "."],
    );
    let report: Value = serde_json::from_str(&output).unwrap();
    let compliance = report["compliance"].as_array().unwrap();
    assert_eq!(compliance[0]["framework"], "cis");
    assert_eq!(compliance[1]["framework"], "mitre");
    let controls = compliance[0]["controls"].as_array().unwrap();
    let privileged = controls.iter().find(|c| c["id"] == "5.2.2").unwrap();
    assert_eq!(privileged["status"], "failed");
    assert_eq!(privileged["findings"], 2);
    let passed = compliance[0]["passed"].as_u64().unwrap();
    let failed = compliance[0]["failed"].as_u64().unwrap();
    let expected = (passed as f64 * 1000.0 / (passed + failed) as f64).round() / 10.0;
    assert_eq!(compliance[0]["percentage"].as_f64().unwrap(), expected);
    assert!(
        controls.iter().any(|c| c["status"] == "notApplicable"),
        "no Namespace or Secret in the input: their controls do not apply"
    );
    // Only rules of the chosen frameworks ran.
    for finding in report["findings"].as_array().unwrap() {
        let refs = finding["references"].as_array().unwrap();
        assert!(
            refs.iter()
                .any(|r| r["framework"] == "CIS Kubernetes Benchmark"
                    || r["framework"] == "MITRE ATT&CK")
        );
    }

    // Skipping a control's only rule leaves it in the summary as not checked.
    let output = stdout_of(
        dir.path(),
        &[
            "scan",
            "-f",
            "json",
            "--framework",
            "cis",
            "--skip-checks",
            "hostPorts",
            ".",
        ],
    );
    let report: Value = serde_json::from_str(&output).unwrap();
    let host_ports = report["compliance"][0]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.2.13")
        .unwrap()
        .clone();
    assert_eq!(host_ports["status"], "notChecked");
    assert!(report["compliance"][0]["notChecked"].as_u64().unwrap() >= 1);

    for format in ["table", "sarif", "junit"] {
        let text = stdout_of(
            dir.path(),
            &["scan", "-f", format, "--framework", "nsa", "."],
        );
        let marker = match format {
            "table" => "% compliant",
            "sarif" => "\"compliance\"",
            _ => "compliance: nsa",
        };
        assert!(text.contains(marker), "{format}: {text}");
    }
    Command::cargo_bin("palisade")
        .unwrap()
        .args(["scan", "--framework", "iso27001", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown framework"));
}

#[test]
fn fingerprints_ignore_list_position_and_tell_secrets_in_one_value_apart() {
    let (_, list) = PRIVILEGED.split_once("---\n").unwrap();
    let as_list = format!(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {{name: filler, namespace: net}}\n- {}",
        list.trim_end().replace('\n', "\n  ")
    );
    let standalone = project(list, None);
    let listed = project(&as_list, None);
    let fingerprints = |dir: &Path| -> Vec<String> {
        let (report, _, stderr) = scan(dir, &["."]);
        let findings = report["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("{stderr}"));
        findings
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let in_list = fingerprints(listed.path());
    assert_eq!(in_list.len(), 1);
    assert_eq!(fingerprints(standalone.path()), in_list);

    let config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: net}\ndata:\n  app.ini: |\n    [db]\n    password = Winter2026!db\n    [smtp]\n    password = Summer2026!mail\n";
    let dir = project(config_map, None);
    let output = stdout_of(
        dir.path(),
        &["scan", "-f", "json", "--checks", "secretInConfigMap", "."],
    );
    let report: Value = serde_json::from_str(&output).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert_ne!(findings[0]["fingerprint"], findings[1]["fingerprint"]);
}

#[test]
fn malformed_annotations_are_errors_even_on_clean_objects() {
    let clean = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: net\n  annotations:\n    palisade.dev/ignore: \"privilegd: typo\"\ndata: {a: b}\n";
    let dir = project(clean, None);
    let (report, code, _) = scan(dir.path(), &["."]);
    assert_eq!(code, 2);
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown rule \"privilegd\"")
    );
}
