//! `palisade rbac who-can` and `can-i` on the demo app's RBAC (`examples/rbac`) and, when
//! present, the upstream default policy of `../shared/data/rbac`.

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
    let defaults = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/rbac");
    if !defaults.is_dir() {
        eprintln!("skipping: no {}", defaults.display());
        return;
    }
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

/// The demo's `shop/default` account reads Secrets cluster-wide; with the default policy that
/// reaches the aggregation controller's token, which may escalate: a real path to cluster-admin.
#[test]
fn paths_on_the_demo_with_the_default_policy() {
    let defaults = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/rbac");
    if !defaults.is_dir() {
        eprintln!("skipping: no {}", defaults.display());
        return;
    }
    let defaults = defaults.to_str().unwrap();
    let (out, code) = rbac(&["paths", "--default-roles", defaults, "-f", "json"]);
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
    assert_eq!(demo["steps"][1]["to"]["name"], "cluster-admin");
    let (dot, _) = rbac(&["paths", "--default-roles", defaults, "-f", "dot"]);
    assert!(dot.starts_with("digraph escalation {"), "{dot}");
    let (_, code) = rbac(&["who-can", "get", "secrets", "-f", "mermaid"]);
    assert_eq!(code, 2, "graphs are for paths only");
}
