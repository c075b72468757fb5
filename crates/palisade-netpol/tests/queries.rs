//! `reach` explanations and the matrix, as the command line will print them.

mod common;

use common::{deploy, model, policy};
use palisade_netpol::{MatrixOptions, Verdict};
use serde_json::json;

fn shop() -> String {
    [
        deploy("shop", "frontend", "", "{containerPort: 80, name: http}"),
        deploy("shop", "db", "", "{containerPort: 5432, name: pg}"),
        policy("shop", "default-deny", "{podSelector: {}, policyTypes: [Ingress, Egress]}"),
        policy(
            "shop",
            "frontend-to-db",
            "{podSelector: {matchLabels: {app: frontend}}, policyTypes: [Egress], egress: [{to: [{podSelector: {matchLabels: {app: db}}}], ports: [{port: 5432}]}]}",
        ),
        policy(
            "shop",
            "db-from-frontend",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: nobody}}}]}, {from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: pg}]}]}",
        ),
    ]
    .concat()
}

#[test]
fn reach_names_the_policy_and_rule_allowing_each_side() {
    let m = model(&shop());
    let from = m.parse_endpoint("shop/frontend").unwrap();
    let to = m.parse_endpoint("shop/db").unwrap();
    let reach = m.reach(from, to, Some("5432/TCP".parse().unwrap()));
    assert!(reach.allowed, "{}", reach.summary);
    let Verdict::Allowed { rules } = &reach.egress else {
        panic!("egress: {:?}", reach.egress);
    };
    assert_eq!(
        (rules[0].policy.as_str(), rules[0].rule),
        ("shop/frontend-to-db", 0)
    );
    let Verdict::Allowed { rules } = &reach.ingress else {
        panic!("ingress: {:?}", reach.ingress);
    };
    assert_eq!(
        (rules[0].policy.as_str(), rules[0].rule),
        ("shop/db-from-frontend", 1)
    );
    assert_eq!(&*rules[0].location.path, "spec.ingress[1]");
    assert_eq!(reach.ports.to_string(), "5432/TCP");
}

#[test]
fn reach_names_the_isolation_that_denies() {
    let m = model(&shop());
    let db = m.parse_endpoint("shop/db").unwrap();
    let frontend = m.parse_endpoint("shop/frontend").unwrap();
    let reach = m.reach(db, frontend, Some("80/TCP".parse().unwrap()));
    assert!(!reach.allowed);
    let Verdict::Denied { isolated_by, .. } = &reach.egress else {
        panic!("egress: {:?}", reach.egress);
    };
    let names: Vec<&str> = isolated_by.iter().map(|p| p.policy.as_str()).collect();
    assert_eq!(names, ["shop/default-deny"]);
    assert!(
        reach
            .summary
            .contains("egress isolated by shop/default-deny"),
        "{}",
        reach.summary
    );
    // On another port the rule matches the peer but not the port: listed as such.
    let reach = m.reach(frontend, db, Some("5433/TCP".parse().unwrap()));
    let Verdict::Denied { other_ports, .. } = &reach.egress else {
        panic!("egress: {:?}", reach.egress);
    };
    assert_eq!(other_ports[0].ports.to_string(), "5432/TCP");
    // Unisolated sides say why.
    let outside = m.parse_endpoint("8.8.8.8").unwrap();
    let reach = m.reach(outside, frontend, None);
    assert!(matches!(reach.egress, Verdict::NotIsolated { .. }));
    assert!(!reach.allowed);
}

#[test]
fn the_matrix_lists_allowed_connections_in_the_documented_schema() {
    let m = model(&shop());
    let matrix = m.matrix(MatrixOptions::default());
    let json = serde_json::to_value(&matrix).unwrap();
    let connections = json["connections"].as_array().unwrap();
    assert!(connections.contains(&json!({
        "from": {"namespace": "shop", "name": "frontend", "kind": "Deployment"},
        "to": {"namespace": "shop", "name": "db", "kind": "Deployment"},
        "ports": [{"protocol": "TCP", "port": 5432}],
    })));
    // The synthetic DNS endpoint is open both ways, to and from the internet at large.
    assert!(connections.contains(&json!({
        "from": {"ipBlock": "0.0.0.0/0"},
        "to": {"namespace": "kube-system", "name": "kube-dns", "kind": "Deployment"},
        "ports": "all",
    })));
    let frontend = matrix.position("shop/frontend").unwrap();
    let db = matrix.position("shop/db").unwrap();
    let internet = matrix.position("0.0.0.0/0").unwrap();
    assert!(matrix.ports(db, frontend).is_none());
    assert!(matrix.ports(frontend, internet).is_none());
    assert_eq!(matrix.connections.len(), connections.len());
}

#[test]
fn named_ip_blocks_become_endpoints_of_their_own() {
    let cluster = format!(
        "{}{}",
        deploy("a", "web", "", ""),
        policy(
            "a",
            "out",
            "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}, {to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 443}]}]}"
        )
    );
    let m = model(&cluster);
    let plain = m.matrix(MatrixOptions::default());
    let shown: Vec<String> = plain.endpoints.iter().map(ToString::to_string).collect();
    assert!(shown.contains(&"0.0.0.0/0".to_string()) && shown.contains(&"::/0".to_string()));
    let web = plain.position("a/web").unwrap();
    assert_eq!(
        plain
            .ports(web, plain.position("0.0.0.0/0").unwrap())
            .unwrap()
            .to_string(),
        "all"
    );
    assert!(plain.ports(web, plain.position("::/0").unwrap()).is_none());
    let blocks = m.matrix(MatrixOptions { ip_blocks: true });
    let web = blocks.position("a/web").unwrap();
    let port = |cidr: &str| {
        blocks
            .ports(web, blocks.position(cidr).unwrap())
            .map_or("none".to_string(), ToString::to_string)
    };
    assert_eq!(port("10.0.0.0/8"), "443/TCP");
    assert_eq!(port("10.1.0.0/16"), "none");
    assert_eq!(port("0.0.0.0/0"), "all");
    // `reach` takes the same CIDRs.
    let ten = m.parse_endpoint("10.0.0.0/8").unwrap();
    let web = m.parse_endpoint("a/web").unwrap();
    assert_eq!(m.allowed_ports(web, ten).to_string(), "443/TCP");
}
