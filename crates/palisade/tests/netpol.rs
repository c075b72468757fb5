//! `palisade netpol` on the demo app (`examples/`): reach with its explanation and exit codes,
//! the matrix in every format, coverage, plaintext paths, and generated policies that, fed back, allow exactly
//! the requested connections.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Runs `palisade netpol ARGS`: stdout, stderr, exit code.
fn netpol(args: &[&str]) -> (String, String, i32) {
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .arg("netpol")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code().unwrap(),
    )
}

#[test]
fn reach_explains_and_answers_with_exit_codes() {
    let demo = examples();
    let demo = demo.to_str().unwrap();
    let (out, _, code) = netpol(&[
        "reach",
        "shop/frontend",
        "shop/api",
        "--port",
        "8080/TCP",
        "--from",
        demo,
        "-f",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let reach: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(reach["allowed"], true);
    assert_eq!(reach["egress"]["verdict"], "notIsolated");
    assert_eq!(reach["ingress"]["verdict"], "allowed");
    assert_eq!(
        reach["ingress"]["rules"][0]["policy"],
        "shop/allow-frontend-to-api"
    );
    // Another port of the same pair: the rule matches the peer, on other ports only.
    let (out, _, code) = netpol(&[
        "reach",
        "shop/frontend",
        "shop/api",
        "--port",
        "9090",
        "--from",
        demo,
        "-f",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let reach: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(reach["ingress"]["verdict"], "denied");
    assert_eq!(
        reach["ingress"]["otherPorts"][0]["policy"],
        "shop/allow-frontend-to-api"
    );
    // The named port `redis` resolves on the redis pods.
    let (out, _, code) = netpol(&[
        "reach",
        "shop/api",
        "shop/redis",
        "--port",
        "6379",
        "--from",
        demo,
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("allowed by shop/allow-api-to-redis ingress rule 0 on 6379/TCP"),
        "{out}"
    );
    // Payments is default-deny.
    let (out, _, code) = netpol(&[
        "reach",
        "shop/frontend",
        "payments/payments",
        "--from",
        demo,
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("isolated by payments/default-deny"), "{out}");
    // A workload the input does not have is a usage error.
    let (_, err, code) = netpol(&["reach", "shop/nope", "shop/api", "--from", demo]);
    assert_eq!(code, 2);
    assert!(err.contains("no workload shop/nope"), "{err}");
}

#[test]
fn the_matrix_in_every_format() {
    let demo = examples();
    let demo = demo.to_str().unwrap();
    let (out, _, code) = netpol(&["matrix", demo, "-f", "json"]);
    assert_eq!(code, 0);
    let matrix: Value = serde_json::from_str(&out).unwrap();
    let connections = matrix["connections"].as_array().unwrap();
    let find = |from: &str, to: &str| {
        connections.iter().find(|c| {
            c["from"]["name"] == from.split('/').nth(1).unwrap()
                && c["from"]["namespace"] == from.split('/').next().unwrap()
                && c["to"]["name"] == to.split('/').nth(1).unwrap()
                && c["to"]["namespace"] == to.split('/').next().unwrap()
        })
    };
    let allowed = find("shop/frontend", "shop/api").expect("frontend → api");
    assert_eq!(
        allowed["ports"],
        serde_json::json!([{"protocol": "TCP", "port": 8080}])
    );
    assert!(
        find("shop/redis", "shop/api").is_none(),
        "only the frontend reaches the api"
    );
    assert!(find("shop/frontend", "payments/payments").is_none());
    assert_eq!(
        find("shop/frontend", "shop/worker").unwrap()["ports"],
        "all"
    );
    // The internet is an endpoint too.
    assert!(
        matrix["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["ipBlock"] == "0.0.0.0/0")
    );
    let (csv, _, _) = netpol(&["matrix", demo, "-f", "csv"]);
    assert!(csv.starts_with("from,to,ports\n"), "{csv}");
    assert!(
        csv.contains("shop/frontend,shop/api,\"8080/TCP\"\n"),
        "{csv}"
    );
    let (dot, _, _) = netpol(&["matrix", demo, "-f", "dot"]);
    assert!(
        dot.contains("\"shop/frontend\" -> \"shop/api\" [label=\"8080/TCP\"];"),
        "{dot}"
    );
    let (html, _, _) = netpol(&["matrix", demo, "-f", "html"]);
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<td class=\"allow\">8080/TCP</td>")
    );
}

#[test]
fn coverage_lists_what_no_policy_protects() {
    let demo = examples();
    let (out, _, code) = netpol(&["coverage", demo.to_str().unwrap(), "-f", "json"]);
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&out).unwrap();
    let coverage = &report["coverage"];
    let payments = coverage["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "payments")
        .unwrap();
    assert_eq!(payments["defaultDenyIngress"], "default-deny");
    let peer = &coverage["emptyPeers"][0];
    assert_eq!(peer["id"], "shop/allow-api-to-redis");
    assert!(
        peer["selector"].as_str().unwrap().contains("cache-warmer"),
        "{peer}"
    );
}

#[test]
fn plaintext_lists_the_connections_the_mesh_leaves_unencrypted() {
    let weak = examples().join("cluster-config/weak");
    let (out, _, code) = netpol(&["plaintext", weak.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "ledger/ledger-export -> ledger/ledger:8443/TCP  client: no sidecar; server: accepts \
         plaintext (PERMISSIVE by PeerAuthentication ledger/default)\n"
    );
    let (json, _, _) = netpol(&["plaintext", weak.to_str().unwrap(), "-f", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["paths"][0]["from"], "ledger/ledger-export");
    assert_eq!(report["paths"][0]["port"], 8443);
    // The hardened cluster has no workloads, so no paths.
    let hardened = examples().join("cluster-config/hardened");
    let (none, _, _) = netpol(&["plaintext", hardened.to_str().unwrap()]);
    assert!(none.starts_with("no plaintext paths"), "{none}");
}

/// The generated policies, loaded back with the workloads they protect, allow exactly the
/// requested connections (and DNS) between them.
#[test]
fn generated_policies_allow_exactly_the_requested_connections() {
    let dir = tempfile::tempdir().unwrap();
    let manifests = examples().join("manifests");
    let flows = examples().join("netpol/flows.csv");
    let generated = dir.path().join("policies.yaml");
    let (_, err, code) = netpol(&[
        "generate",
        manifests.to_str().unwrap(),
        "--connections",
        flows.to_str().unwrap(),
        "-o",
        generated.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (out, _, code) = netpol(&[
        "matrix",
        manifests.to_str().unwrap(),
        generated.to_str().unwrap(),
        "-f",
        "csv",
    ]);
    assert_eq!(code, 0);
    let pod_to_pod: Vec<&str> = out
        .lines()
        .skip(1)
        .filter(|line| {
            let mut ends = line.split(',');
            let (from, to) = (ends.next().unwrap(), ends.next().unwrap());
            // Between non-hostNetwork workloads (policies do not apply to those).
            let policed = |e: &str| {
                let workload =
                    e.contains('/') && !e.starts_with(|c: char| c.is_ascii_digit() || c == ':');
                workload && !e.contains("bastion") && !e.contains("log-agent")
            };
            policed(from) && policed(to) && from != to
        })
        .collect();
    assert_eq!(
        pod_to_pod,
        [
            "payments/payments,kube-system/kube-dns,\"53/TCP, 53/UDP\"",
            "shop/api,kube-system/kube-dns,\"53/TCP, 53/UDP\"",
            "shop/api,shop/redis,\"6379/TCP\"",
            "shop/frontend,kube-system/kube-dns,\"53/TCP, 53/UDP\"",
            "shop/frontend,shop/api,\"8080/TCP\"",
            "shop/hardened,kube-system/kube-dns,\"53/TCP, 53/UDP\"",
            "shop/redis,kube-system/kube-dns,\"53/TCP, 53/UDP\"",
            "shop/worker,kube-system/kube-dns,\"53/TCP, 53/UDP\"",
            "shop/worker,shop/api,\"8080/TCP\"",
        ],
        "{out}"
    );
    // A bad connections file is an input error, named.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "shop/frontend,shop/api,http\n").unwrap();
    let (_, err, code) = netpol(&[
        "generate",
        manifests.to_str().unwrap(),
        "--connections",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.csv"), "{err}");
}
