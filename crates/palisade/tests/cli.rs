//! End-to-end tests of the `palisade` command: exit codes, stdin, Kustomize through the real
//! kubectl, input errors in every format, the rule catalogue, and report snapshots.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn palisade() -> Command {
    let mut cmd = Command::cargo_bin("palisade").unwrap();
    cmd.current_dir(workspace());
    cmd
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

const REPORT: &str = "crates/palisade/tests/data/report.yaml";
const BROKEN: &str = "crates/palisade/tests/data/broken.yaml";

fn json_of(args: &[&str]) -> (Value, i32) {
    let output = palisade()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let value = serde_json::from_slice(&output.stdout).expect("valid JSON on stdout");
    (value, output.status.code().unwrap())
}

#[test]
fn exit_codes_follow_fail_on() {
    palisade().args(["scan", REPORT]).assert().code(0);
    palisade()
        .args(["scan", "--fail-on", "critical", REPORT])
        .assert()
        .code(1);
    palisade()
        .args(["scan", "--fail-on", "high", REPORT])
        .assert()
        .code(1);
    palisade()
        .args([
            "scan",
            "--fail-on",
            "critical",
            "--skip-checks",
            "privileged,privilegedHostNamespace",
            REPORT,
        ])
        .assert()
        .code(0);
}

#[test]
fn usage_errors_exit_2() {
    palisade()
        .args(["scan", "--fail-on", "severe", REPORT])
        .assert()
        .code(2);
    palisade()
        .args(["scan", "--pss-version", "1.30", REPORT])
        .assert()
        .code(2);
    palisade()
        .args(["scan", "--checks", "noSuchRule", REPORT])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule"));
    palisade().args(["explain", "noSuchRule"]).assert().code(2);
}

#[test]
fn stdin_is_scanned() {
    let manifest = std::fs::read_to_string(workspace().join(REPORT)).unwrap();
    let output = palisade()
        .args(["scan", "-", "-f", "json"])
        .write_stdin(manifest)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["location"]["file"] == "<stdin>")
    );
}

#[test]
fn findings_point_at_the_offending_field() {
    let (report, _) = json_of(&["scan", REPORT]);
    let privileged = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "privileged")
        .unwrap();
    assert_eq!(privileged["location"]["line"], 19);
    assert_eq!(privileged["location"]["column"], 11);
    assert_eq!(
        privileged["location"]["path"],
        "spec.template.spec.containers[0].securityContext.privileged"
    );
    assert_eq!(privileged["object"]["kind"], "Deployment");
    assert_eq!(privileged["object"]["namespace"], "shop");
    assert_eq!(
        privileged["message"],
        "privileged (container \"api\" must not set securityContext.privileged=true)"
    );
}

#[test]
fn framework_and_version_select_the_controls() {
    // examples/palisade.toml has an expired ignore entry, reported whatever the framework.
    let rules = |args: &[&str]| -> Vec<String> {
        let (report, _) = json_of(args);
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .filter(|rule| rule != "expiredIgnore")
            .collect()
    };
    let baseline = rules(&[
        "scan",
        "--framework",
        "pss-baseline",
        "examples/manifests/frontend.yaml",
    ]);
    assert!(baseline.is_empty(), "{baseline:?}");
    let restricted = rules(&[
        "scan",
        "--framework",
        "pss-restricted",
        "examples/manifests/frontend.yaml",
    ]);
    assert!(restricted.contains(&"allowPrivilegeEscalation".to_string()));
    let old = rules(&[
        "scan",
        "--pss-version",
        "v1.7",
        "examples/manifests/frontend.yaml",
    ]);
    assert!(
        !old.contains(&"allowPrivilegeEscalation".to_string()),
        "added in v1.8: {old:?}"
    );
}

#[test]
fn namespace_enforce_labels_set_the_level_unless_overridden() {
    // payments is labelled enforce=baseline, v1.30: only baseline controls apply to its pods.
    let (report, _) = json_of(&["scan", "examples/manifests"]);
    let payments: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["object"]["namespace"] == "payments")
        .filter(|f| {
            f["references"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["framework"] == "Pod Security Standards")
        })
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(payments, vec!["seccompProfile_baseline"]);
    let (report, _) = json_of(&[
        "scan",
        "--framework",
        "pss-restricted",
        "examples/manifests",
    ]);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["object"]["namespace"] == "payments"
                && f["rule"] == "seccompProfile_restricted")
    );
}

#[test]
fn kustomize_directories_are_rendered_with_kubectl() {
    let (report, code) = json_of(&["scan", "examples/overlays/prod"]);
    assert_eq!(code, 0, "{report}");
    // examples/palisade.toml applies (found in a parent directory); its expired entry is
    // reported at the entry, every other finding at the kustomization.
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] != "expiredIgnore")
        .collect();
    assert!(!findings.is_empty());
    for finding in &findings {
        assert_eq!(
            finding["location"]["file"],
            "examples/overlays/prod/kustomization.yaml"
        );
        // Namespace findings (NetworkPolicy coverage) are about shop-prod itself.
        let object = &finding["object"];
        let in_shop_prod = object["namespace"] == "shop-prod"
            || object["kind"] == "Namespace" && object["name"] == "shop-prod";
        assert!(in_shop_prod, "{finding}");
    }
    assert!(
        findings
            .iter()
            .any(|f| f["object"]["name"] == "prod-storefront")
    );
}

#[test]
fn input_errors_are_reported_in_every_format_and_the_rest_is_scanned() {
    let (report, code) = json_of(&["scan", BROKEN]);
    assert_eq!(code, 2);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(errors[0]["line"], 9);
    assert_eq!(errors[0]["column"], 7);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("must be a boolean, found string \"maybe\"")
    );
    assert!(
        errors[1]["line"] == 13 || errors[1]["line"] == 14,
        "{}",
        errors[1]
    );
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["object"]["name"] == "still-scanned")
    );

    let sarif = palisade()
        .args(["scan", "-f", "sarif", BROKEN])
        .output()
        .unwrap();
    assert_eq!(sarif.status.code(), Some(2));
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        9
    );

    palisade()
        .args(["scan", "-f", "junit", BROKEN])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("<error message="));
    palisade()
        .args(["scan", BROKEN])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(format!("{BROKEN}:9:7")));
}

#[test]
fn binary_and_missing_files_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("blob.yaml");
    std::fs::write(&binary, [0u8, 159, 146, 150, 0, 1]).unwrap();
    palisade()
        .args(["scan", binary.to_str().unwrap(), "/no/such/file.yaml"])
        .assert()
        .code(2)
        .stdout(
            predicate::str::contains("binary file")
                .and(predicate::str::contains("/no/such/file.yaml")),
        );
}

#[test]
fn output_file_and_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.sarif");
    palisade()
        .args(["scan", "-f", "sarif", "-o", out.to_str().unwrap(), REPORT])
        .assert()
        .code(0)
        .stdout("");
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");

    let checks = palisade().args(["checks", "-f", "json"]).output().unwrap();
    let checks: Value = serde_json::from_slice(&checks.stdout).unwrap();
    let catalogue = checks["rules"].as_array().unwrap();
    let pages = std::fs::read_dir(workspace().join("docs/checks"))
        .unwrap()
        .count();
    assert_eq!(
        catalogue.len() + 1,
        pages,
        "one page per rule plus the index"
    );
    let root_user = catalogue.iter().find(|r| r["id"] == "rootUser").unwrap();
    assert_eq!(root_user["aliases"][0], "DL3002");
    palisade()
        .args(["explain", "DL3002"])
        .assert()
        .success()
        .stdout(predicate::str::contains("- aliases: DL3002"));
    palisade()
        .args(["explain", "allowPrivilegeEscalation"])
        .assert()
        .success()
        .stdout(predicate::str::contains("allowPrivilegeEscalation: false"));
}

fn snapshot_of(format: &str) -> String {
    let output = palisade()
        .args(["scan", "-f", format, REPORT])
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn report_snapshots() {
    insta::assert_snapshot!("json", snapshot_of("json"));
    insta::assert_snapshot!("sarif", snapshot_of("sarif"));
    insta::assert_snapshot!("junit", snapshot_of("junit"));
    insta::assert_snapshot!("table", snapshot_of("table"));
}

/// The ~1,100 real-world manifests of `../shared/corpus/k8s` (broken and templated files
/// included): the scan completes, reports their problems as input errors, and never panics.
#[test]
fn real_world_corpus_scans_without_panics() {
    let corpus = workspace().join("../shared/corpus/k8s");
    if !corpus.is_dir() {
        eprintln!("skipping: {} not present", corpus.display());
        return;
    }
    let output = palisade()
        .args(["scan", "-f", "json", "--no-progress"])
        .arg(&corpus)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(output.status.code(), Some(0 | 2)), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["summary"]["files"].as_u64().unwrap() > 1000);
    assert!(report["summary"]["objects"].as_u64().unwrap() > 1500);
    for error in report["errors"].as_array().unwrap() {
        assert!(
            error["file"].as_str().unwrap().contains("corpus"),
            "{error}"
        );
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
}

/// Control-plane static pods live in kube-system: the quiet default for system namespaces
/// still checks their configuration, and the weak demo fails where the hardened one passes.
#[test]
fn control_plane_static_pods_are_checked_in_kube_system() {
    let control_plane = |report: &Value| -> Vec<(String, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                let rule = f["rule"].as_str().unwrap();
                [
                    "apiServer",
                    "controlPlane",
                    "controllerManager",
                    "etcd",
                    "audit",
                    "podSecurityAdmission",
                    "kubelet",
                    "encryption",
                    "kubeconfig",
                    "mesh",
                    "abac",
                ]
                .iter()
                .any(|prefix| rule.starts_with(prefix))
            })
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (weak, code) = json_of(&["scan", "examples/cluster-config/weak"]);
    assert_eq!(code, 0);
    let found = control_plane(&weak);
    for rule in [
        "apiServerAnonymousAuth",
        "apiServerTokenAuthFile",
        "apiServerKubeletTls",
        "controlPlaneProfiling",
        "apiServerAuditLog",
        "apiServerEncryptionAtRest",
        "controlPlaneBindAddress",
        "controllerManagerCredentials",
        "etcdClientTls",
        "auditPolicyCoverage",
        "podSecurityAdmissionDefaults",
        "kubeletAnonymousAuth",
        "encryptionSecretsPlaintext",
        "meshPeerAuthenticationPlaintext",
        // From 10-kubeadm.conf: a kubelet drop-in found by its content.
        "kubeletCommandLine",
        // From abac-policy.jsonl: JSON Lines files are read line by line.
        "abacClusterAdmin",
        "abacUnauthenticated",
    ] {
        assert!(found.iter().any(|(r, _)| r == rule), "{rule}: {found:?}");
    }
    assert!(found.contains(&("apiServerAuthorizationMode".into(), "critical".into())));
    // The workload rules stay quiet there.
    assert!(
        weak["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "hostNamespaces" && f["rule"] != "runAsNonRoot")
    );
    let (hardened, _) = json_of(&["scan", "examples/cluster-config/hardened"]);
    assert_eq!(control_plane(&hardened), Vec::<(String, String)>::new());
    // Section 1.2 of the CIS benchmark is part of `--framework cis`.
    let (cis, _) = json_of(&["scan", "--framework", "cis", "examples/cluster-config/weak"]);
    let controls = cis["compliance"][0]["controls"].as_array().unwrap();
    let anonymous = controls.iter().find(|c| c["id"] == "1.2.1").expect("1.2.1");
    assert_eq!(anonymous["status"], "failed", "{anonymous}");
}
