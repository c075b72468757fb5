//! `generate` round trips: the generated policies, loaded back with the workloads, allow
//! exactly the requested connections plus DNS, and nothing else.

mod common;

use std::collections::BTreeMap;

use common::{deploy, model};
use palisade_netpol::{
    EndpointRef, MatrixOptions, PortRange, PortSet, Protocol, RequiredConnection, generate,
};

fn workloads() -> String {
    [
        deploy("shop", "frontend", "", "{containerPort: 80, name: http}"),
        // Labels that include frontend's: its selector must leave this one out.
        deploy("shop", "frontend-canary", "", ""),
        deploy("shop", "db", "tier: data", "{containerPort: 5432}"),
        deploy("shop", "cache", "tier: data", "{containerPort: 6379}"),
        deploy("payments", "api", "", "{containerPort: 8443}"),
        deploy("batch", "reports", "", ""),
    ]
    .concat()
    // frontend-canary carries `app: frontend-canary`; give frontend's labels a strict subset
    // relation by relabelling the canary.
    .replace(
        "labels: {app: frontend-canary}",
        "labels: {app: frontend, track: canary}",
    )
}

/// Generates policies for `connections`, loads them with the workloads, and checks the
/// matrix: between workloads of the input, exactly the requested ports; to kube-dns, DNS
/// plus what was requested; nothing to or from outside.
fn round_trip(connections: &str) -> String {
    let requested = RequiredConnection::parse_list(connections).unwrap();
    let before = model(&workloads());
    let generated = generate(&before, &requested).unwrap();
    let yaml = generated.to_yaml();
    let after = model(&format!("{}{yaml}", workloads()));
    assert!(
        after
            .notes
            .iter()
            .all(|n| n.kind != palisade_netpol::NoteKind::Problem),
        "{:?}\n{yaml}",
        after.notes
    );
    assert_eq!(after.policies.len(), generated.policies.len());

    let mut expected: BTreeMap<(String, String), PortSet> = BTreeMap::new();
    for connection in &requested {
        let mut ports = PortSet::empty();
        ports.insert(connection.ports);
        expected
            .entry((connection.from.clone(), connection.to.clone()))
            .or_default()
            .union_with(&ports);
    }
    let matrix = after.matrix(MatrixOptions { ip_blocks: true });
    let external = |e: &EndpointRef| matches!(e, EndpointRef::IpBlock { .. });
    for (i, from_ref) in matrix.endpoints.iter().enumerate() {
        for (j, to_ref) in matrix.endpoints.iter().enumerate() {
            if external(from_ref) && external(to_ref) {
                continue;
            }
            let (from, to) = (from_ref.to_string(), to_ref.to_string());
            let from_dns = from == "kube-system/kube-dns";
            let to_dns = to == "kube-system/kube-dns";
            let mut want = expected
                .get(&(from.clone(), to.clone()))
                .cloned()
                .unwrap_or_default();
            if to_dns && !from_dns && !external(from_ref) {
                want.insert(PortRange {
                    protocol: Protocol::Udp,
                    start: 53,
                    end: 53,
                });
                want.insert(PortRange {
                    protocol: Protocol::Tcp,
                    start: 53,
                    end: 53,
                });
            }
            // kube-dns is left alone: between it and the outside, or itself, all stays open.
            let outside_or_self =
                |e: &EndpointRef| external(e) || e.to_string() == "kube-system/kube-dns";
            if (from_dns || to_dns) && outside_or_self(from_ref) && outside_or_self(to_ref) {
                want = PortSet::all();
            }
            let got = matrix.ports(i, j).cloned().unwrap_or_default();
            assert_eq!(got, want, "{from} → {to}\n{yaml}");
        }
    }
    yaml
}

#[test]
fn generated_policies_allow_exactly_the_requested_connections_and_dns() {
    let yaml = round_trip(
        "from,to,port\n\
         # the shop\n\
         shop/frontend,shop/db,5432/TCP\n\
         shop/frontend,shop/cache,6379\n\
         shop/frontend,payments/api,8443/TCP\n\
         batch/reports,shop/db,5432/TCP\n\
         batch/reports,shop/db,9000-9100/TCP\n\
         payments/api,shop/frontend,53/UDP\n",
    );
    assert!(yaml.contains("name: default-deny"));
    assert!(yaml.contains("kubernetes.io/metadata.name: payments"));
    assert!(yaml.contains("endPort: 9100"));
    assert!(yaml.contains("operator: DoesNotExist"), "{yaml}");
}

#[test]
fn without_connections_every_namespace_is_closed_but_for_dns() {
    let yaml = round_trip("");
    assert_eq!(yaml.matches("name: default-deny").count(), 3);
    assert_eq!(yaml.matches("name: allow-dns-egress").count(), 3);
}

#[test]
fn unknown_workloads_and_bad_lines_are_errors() {
    let m = model(&workloads());
    let requested = RequiredConnection::parse_list("shop/frontend,shop/nope,80\n").unwrap();
    let error = generate(&m, &requested).unwrap_err();
    assert!(error.contains("no workload shop/nope"), "{error}");
    for bad in ["a,b", "a,b,http", "a,b,80/ICMP", "a,b,90-80", "a,b,0"] {
        assert!(RequiredConnection::parse_list(bad).is_err(), "{bad}");
    }
}

#[test]
fn workloads_with_identical_labels_are_noted() {
    let twins = format!(
        "{}{}",
        deploy("shop", "a", "", ""),
        deploy("shop", "b", "", "").replace("labels: {app: b}", "labels: {app: a}")
    );
    let m = model(&twins);
    let requested = RequiredConnection::parse_list("shop/a,shop/b,80\n").unwrap();
    let generated = generate(&m, &requested).unwrap();
    assert!(
        generated
            .notes
            .iter()
            .any(|n| n.contains("same pod labels")),
        "{:?}",
        generated.notes
    );
}
