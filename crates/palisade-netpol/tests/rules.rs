//! The coverage rules on failing and passing manifests.

mod common;

use common::{deploy, model, policy};
use palisade_core::Severity;
use palisade_netpol::{Coverage, rules};

/// `(rule id, severity, message)` of every finding, sorted.
fn findings(yaml: &str) -> Vec<(String, Severity, String)> {
    let m = model(yaml);
    let mut found: Vec<(String, Severity, String)> = rules::check(&m, &|_| true)
        .into_iter()
        .map(|f| (f.rule.id.to_string(), f.severity, f.message.to_string()))
        .collect();
    found.sort();
    found
}

fn ids(found: &[(String, Severity, String)], id: &str) -> Vec<String> {
    found
        .iter()
        .filter(|(rule, _, _)| rule == id)
        .map(|(_, _, message)| message.clone())
        .collect()
}

const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n";

#[test]
fn namespaces_without_default_deny_are_reported_per_direction() {
    let failing = findings(&format!("{NAMESPACE}{}", deploy("shop", "web", "", "")));
    assert_eq!(
        ids(&failing, "netpolNamespaceNoDefaultDenyIngress").len(),
        1
    );
    assert_eq!(ids(&failing, "netpolNamespaceNoDefaultDenyEgress").len(), 1);
    // Ingress denied by default, egress still open.
    let half = findings(&format!(
        "{NAMESPACE}{}{}",
        deploy("shop", "web", "", ""),
        policy("shop", "deny-in", "{podSelector: {}}")
    ));
    assert!(ids(&half, "netpolNamespaceNoDefaultDenyIngress").is_empty());
    assert_eq!(ids(&half, "netpolNamespaceNoDefaultDenyEgress").len(), 1);
    // An empty podSelector with a rule allowing every peer is no default deny.
    let open = findings(&format!(
        "{NAMESPACE}{}{}",
        deploy("shop", "web", "", ""),
        policy("shop", "allow-all", "{podSelector: {}, ingress: [{}]}")
    ));
    assert_eq!(ids(&open, "netpolNamespaceNoDefaultDenyIngress").len(), 1);
    let passing = findings(&format!(
        "{NAMESPACE}{}{}",
        deploy("shop", "web", "", ""),
        policy(
            "shop",
            "deny",
            "{podSelector: {}, policyTypes: [Ingress, Egress]}"
        )
    ));
    assert!(ids(&passing, "netpolNamespaceNoDefaultDenyIngress").is_empty());
    assert!(ids(&passing, "netpolNamespaceNoDefaultDenyEgress").is_empty());
}

#[test]
fn an_empty_declared_namespace_is_informational() {
    let found = findings(NAMESPACE);
    let severities: Vec<Severity> = found.iter().map(|(_, s, _)| *s).collect();
    assert_eq!(severities, [Severity::Info, Severity::Info]);
}

#[test]
fn workloads_no_policy_selects_are_unprotected() {
    let failing = findings(&format!(
        "{}{}{}",
        deploy("shop", "web", "", ""),
        deploy("shop", "db", "", ""),
        policy("shop", "db", "{podSelector: {matchLabels: {app: db}}}")
    ));
    let unprotected: Vec<&(String, Severity, String)> = failing
        .iter()
        .filter(|(id, _, _)| id == "netpolWorkloadUnprotected")
        .collect();
    assert_eq!(unprotected.len(), 1);
    assert!(unprotected[0].2.contains("shop/web"));
    assert_eq!(unprotected[0].1, Severity::Medium);
    // Without any policy in the namespace, the namespace finding carries the weight.
    let bare = findings(&deploy("shop", "web", "", ""));
    assert!(
        bare.iter()
            .any(|(id, s, _)| id == "netpolWorkloadUnprotected" && *s == Severity::Low)
    );
    let passing = findings(&format!(
        "{}{}",
        deploy("shop", "web", "", ""),
        policy("shop", "deny", "{podSelector: {}}")
    ));
    assert!(ids(&passing, "netpolWorkloadUnprotected").is_empty());
}

#[test]
fn policies_selecting_nothing_are_dead() {
    let failing = findings(&format!(
        "{}{}",
        deploy("shop", "frontend", "", ""),
        policy(
            "shop",
            "typo",
            "{podSelector: {matchLabels: {app: fronend}}}"
        )
    ));
    let dead: Vec<&(String, Severity, String)> = failing
        .iter()
        .filter(|(id, _, _)| id == "netpolPolicySelectsNothing")
        .collect();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].1, Severity::Low);
    assert!(dead[0].2.contains("app=fronend"), "{}", dead[0].2);
    // No workload of that namespace in the input: maybe partial input.
    let partial = findings(&policy(
        "elsewhere",
        "p",
        "{podSelector: {matchLabels: {app: x}}}",
    ));
    assert!(
        partial
            .iter()
            .any(|(id, s, _)| id == "netpolPolicySelectsNothing" && *s == Severity::Info)
    );
    let passing = findings(&format!(
        "{}{}",
        deploy("shop", "frontend", "", ""),
        policy(
            "shop",
            "ok",
            "{podSelector: {matchLabels: {app: frontend}}}"
        )
    ));
    assert!(ids(&passing, "netpolPolicySelectsNothing").is_empty());
}

#[test]
fn peers_matching_nothing_are_reported() {
    let cluster = format!(
        "{}{}",
        deploy("shop", "db", "", ""),
        deploy("web", "frontend", "", "")
    );
    let failing = findings(&format!(
        "{cluster}{}",
        policy(
            "shop",
            "db",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: web}}}, {podSelector: {matchLabels: {app: frontend}}}]}]}"
        )
    ));
    let empty = ids(&failing, "netpolPeerMatchesNothing");
    assert_eq!(empty.len(), 2, "{empty:?}");
    assert!(
        empty
            .iter()
            .any(|m| m.contains("namespaceSelector team=web"))
    );
    assert!(empty.iter().any(|m| m.contains("podSelector app=frontend")));
    let passing = findings(&format!(
        "{cluster}{}",
        policy(
            "shop",
            "db",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}, podSelector: {matchLabels: {app: frontend}}}]}]}"
        )
    ));
    assert!(ids(&passing, "netpolPeerMatchesNothing").is_empty());
}

#[test]
fn named_ports_no_destination_declares_are_reported() {
    let failing = findings(&format!(
        "{}{}",
        deploy("shop", "web", "", "{containerPort: 8080, name: web}"),
        policy(
            "shop",
            "web",
            "{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: http}]}]}"
        )
    ));
    let unresolved = ids(&failing, "netpolNamedPortUnresolved");
    assert_eq!(unresolved.len(), 1);
    assert!(unresolved[0].contains("http/TCP"), "{}", unresolved[0]);
    let passing = findings(&format!(
        "{}{}",
        deploy("shop", "web", "", "{containerPort: 8080, name: http}"),
        policy(
            "shop",
            "web",
            "{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: http}]}]}"
        )
    ));
    assert!(ids(&passing, "netpolNamedPortUnresolved").is_empty());
}

#[test]
fn findings_point_at_the_offending_field() {
    let m = model(&format!(
        "{}{}",
        deploy("shop", "web", "", "{containerPort: 8080}"),
        policy(
            "shop",
            "web",
            "{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: http}]}]}"
        )
    ));
    let found = rules::check(&m, &|meta| meta.id == "netpolNamedPortUnresolved");
    assert_eq!(found.len(), 1);
    assert_eq!(&*found[0].location.path, "spec.ingress[0].ports[0]");
    assert_eq!(found[0].object.to_string(), "NetworkPolicy/shop/web");
}

#[test]
fn every_rule_documents_itself_and_cites_its_controls() {
    for rule in rules::all() {
        let meta = &rule.meta;
        // The plaintext paths are a mesh rule built on the network model.
        let (category, prefix) = if meta.id == "meshPlaintextPath" {
            ("mesh", "mesh")
        } else {
            ("network", "netpol")
        };
        assert_eq!(meta.category, category);
        assert!(meta.id.starts_with(prefix));
        for section in [
            "**What it finds.**",
            "**Why it matters.**",
            "**Failing**",
            "**Passing**",
        ] {
            assert!(meta.doc.contains(section), "{} lacks {section}", meta.id);
        }
    }
    let cis: Vec<&str> = rules::all()
        .filter(|r| r.meta.references.iter().any(|c| c.id == "5.3.2"))
        .map(|r| r.meta.id)
        .collect();
    assert!(cis.contains(&"netpolNamespaceNoDefaultDenyIngress"));
}

#[test]
fn coverage_is_data_too() {
    let m = model(&format!(
        "{}{}",
        deploy("shop", "web", "", ""),
        policy("shop", "deny", "{podSelector: {}, policyTypes: [Ingress]}")
    ));
    let coverage = Coverage::of(&m);
    let shop = coverage
        .namespaces
        .iter()
        .find(|n| n.name == "shop")
        .unwrap();
    assert!(shop.assumed);
    assert_eq!(shop.default_deny_ingress.as_deref(), Some("deny"));
    assert_eq!(shop.default_deny_egress, None);
    let json = serde_json::to_value(&coverage).unwrap();
    assert_eq!(json["workloads"][0]["ingressPolicies"][0], "shop/deny");
    // The synthetic DNS namespace and endpoint are not the input's: not covered.
    assert!(coverage.namespaces.iter().all(|n| n.name != "kube-system"));
    assert_eq!(coverage.workloads.len(), 1);
}
