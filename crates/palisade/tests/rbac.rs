//! `palisade rbac` on the demo app's RBAC (`examples/rbac`, and the whole demo for risks) and,
//! when present, the upstream default policy of `../shared/data/rbac`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/rbac")
}

fn rbac(args: &[&str]) -> (String, i32) {
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .arg("rbac")
        .args(args)
        .arg("--from")
        .arg(examples())
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap(),
    )
}

#[test]
fn who_can_names_subjects_and_grants() {
    let (out, code) = rbac(&["who-can", "get", "secrets", "-n", "payments", "-f", "json"]);
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&out).unwrap();
    let subject = &report["subjects"][0];
    assert_eq!(subject["kind"], "ServiceAccount");
    assert_eq!(subject["name"], "default");
    assert_eq!(subject["namespace"], "shop");
    assert_eq!(
        subject["via"][0]["binding"],
        "ClusterRoleBinding/shop-secret-reader"
    );
    assert_eq!(subject["via"][0]["role"], "ClusterRole/shop-secret-reader");
    assert_eq!(subject["via"][0]["rule"]["verbs"][0], "*");
}

#[test]
fn can_i_answers_with_exit_codes() {
    let (out, code) = rbac(&[
        "can-i",
        "system:serviceaccount:shop:shop-api",
        "create",
        "pods/exec",
        "-n",
        "shop",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("yes"), "{out}");
    assert!(out.contains("RoleBinding/shop/pod-debugger"), "{out}");
    let (out, code) = rbac(&[
        "can-i",
        "system:serviceaccount:shop:shop-api",
        "create",
        "pods/exec",
        "-n",
        "payments",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("no"));
    let (out, code) = rbac(&[
        "can-i", "alice", "get", "secrets", "-n", "shop", "-f", "json",
    ]);
    assert_eq!(code, 1);
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["allowed"], false);
}

#[test]
fn default_roles_join_the_inputs() {
    let Some(defaults) = shared_defaults() else {
        return;
    };
    let defaults = defaults.to_str().unwrap();
    let (out, code) = rbac(&[
        "can-i",
        "root",
        "--group",
        "system:masters",
        "delete",
        "nodes",
        "--default-roles",
        defaults,
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ClusterRoleBinding/cluster-admin"), "{out}");
    let (_, code) = rbac(&["can-i", "alice", "get", "/api", "--default-roles", defaults]);
    assert_eq!(code, 0, "system:discovery is bound to system:authenticated");
    let (_, code) = rbac(&["can-i", "alice", "get", "/api"]);
    assert_eq!(code, 1, "not without the default policy");
}

#[test]
fn show_lists_bindings_scopes_and_rules() {
    let (out, code) = rbac(&["show", "serviceaccount:shop:shop-api", "-f", "json"]);
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["subject"], "system:serviceaccount:shop:shop-api");
    let permission = &report["permissions"][0];
    assert_eq!(permission["binding"], "RoleBinding/shop/pod-debugger");
    assert_eq!(permission["namespace"], "shop");
    assert_eq!(permission["rules"][1]["resources"][0], "pods/exec");
    let (out, _) = rbac(&["show", "nobody"]);
    assert!(out.ends_with("0 bindings\n"), "{out}");
}

fn shared_defaults() -> Option<PathBuf> {
    let defaults = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/rbac");
    if defaults.is_dir() {
        Some(defaults)
    } else {
        eprintln!("skipping: no {}", defaults.display());
        None
    }
}

/// The demo's `shop/default` account reads Secrets cluster-wide, the deploy bot's token
/// among them: a real path to cluster-admin, without the default policy.
#[test]
fn paths_on_the_demo() {
    let (out, code) = rbac(&["paths", "-f", "json"]);
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let demo = report["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["from"]["name"] == "default" && p["from"]["namespace"] == "shop")
        .expect("a path from shop/default");
    assert_eq!(demo["length"], 2);
    assert_eq!(demo["steps"][0]["technique"], "read-secrets");
    assert_eq!(demo["steps"][0]["to"]["name"], "deploy-bot");
    assert_eq!(
        demo["steps"][0]["via"],
        "ClusterRoleBinding/shop-secret-reader"
    );
    assert_eq!(demo["steps"][1]["to"]["name"], "cluster-admin");
    let (dot, _) = rbac(&["paths", "-f", "dot"]);
    assert!(dot.starts_with("digraph escalation {"), "{dot}");
    assert!(dot.contains("\"ServiceAccount shop/default\" -> \"ServiceAccount platform/deploy-bot\" [label=\"read-secrets\"]"), "{dot}");
    let (mermaid, _) = rbac(&["paths", "-f", "mermaid"]);
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    let (_, code) = rbac(&["who-can", "get", "secrets", "-f", "mermaid"]);
    assert_eq!(code, 2, "graphs are for paths only");
}

/// The whole demo: its workloads run as shop/default with a mounted token, so the path is
/// critical; `risks` is `scan` with only the RBAC rules.
#[test]
fn risks_are_the_rbac_rules_of_a_scan() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .args(["rbac", "risks", "-f", "json", "--fail-on", "critical"])
        .arg(&demo)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .all(|f| f["rule"].as_str().unwrap().starts_with("rbac"))
    );
    let path = findings
        .iter()
        .find(|f| f["rule"] == "rbacEscalationPath" && f["severity"] == "critical")
        .expect("a critical escalation path");
    assert!(
        path["message"]
            .as_str()
            .unwrap()
            .starts_with("ServiceAccount shop/default reaches cluster-admin in 2 steps"),
        "{path}"
    );
}

/// `import-defaults` keeps the default policy in the user's cache for `--with-default-roles`;
/// with it, shop/default also reaches controller tokens in kube-system.
#[test]
fn imported_default_roles_join_the_inputs() {
    let Some(defaults) = shared_defaults() else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let palisade = |args: &[&str]| {
        let output = Command::cargo_bin("palisade")
            .unwrap()
            .env("XDG_CACHE_HOME", cache.path())
            .arg("rbac")
            .args(args)
            .output()
            .unwrap();
        (
            String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap(),
            output.status.code().unwrap(),
        )
    };
    let examples = examples();
    let examples = examples.to_str().unwrap();
    let (out, code) = palisade(&[
        "can-i",
        "alice",
        "get",
        "/api",
        "--with-default-roles",
        "--from",
        examples,
    ]);
    assert_eq!(code, 2, "nothing imported yet: {out}");
    assert!(out.contains("palisade rbac import-defaults"), "{out}");
    let (out, code) = palisade(&["import-defaults", examples]);
    assert_eq!(code, 2, "the demo is not the default policy: {out}");
    let (out, code) = palisade(&["import-defaults", defaults.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("imported "), "{out}");
    let (out, code) = palisade(&[
        "can-i",
        "alice",
        "get",
        "/api",
        "--with-default-roles",
        "--from",
        examples,
    ]);
    assert_eq!(
        code, 0,
        "system:discovery is bound to system:authenticated: {out}"
    );
    let (out, code) = palisade(&["paths", examples, "--with-default-roles", "-f", "json"]);
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let paths = report["paths"].as_array().unwrap();
    let demo = paths
        .iter()
        .find(|p| p["from"]["name"] == "default" && p["from"]["namespace"] == "shop")
        .expect("a path from shop/default");
    assert_eq!(demo["length"], 2, "{demo}");
    // The clusterrole-aggregation controller may escalate and update the ClusterRole it holds.
    assert!(
        paths.iter().any(
            |p| p["from"]["name"] == "clusterrole-aggregation-controller"
                && p["steps"][0]["technique"] == "escalate"
        ),
        "{out}"
    );
    // The scan joins them too, and reports only what the input adds.
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .env("XDG_CACHE_HOME", cache.path())
        .args(["rbac", "risks", "-f", "json", "--with-default-roles"])
        .arg(examples)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["rule"] == "rbacEscalationPath"),
        "{report}"
    );
    assert!(
        findings.iter().all(|f| f["location"]["file"]
            .as_str()
            .unwrap()
            .starts_with(examples)),
        "{report}"
    );
}
