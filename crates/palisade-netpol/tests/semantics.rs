//! networking.k8s.io/v1 NetworkPolicy semantics, one rule of the API reference per test, each
//! on a tiny cluster.

mod common;

use common::{deploy, model, policy, ports, reaches};
use palisade_netpol::NoteKind;

fn two_namespaces() -> String {
    [
        deploy("a", "web", "", "{containerPort: 80, name: http}"),
        deploy("a", "db", "", "{containerPort: 5432}"),
        deploy("b", "client", "", ""),
    ]
    .concat()
}

#[test]
fn without_policies_everything_is_open() {
    let m = model(&two_namespaces());
    assert_eq!(ports(&m, "b/client", "a/db"), "all");
    assert_eq!(ports(&m, "a/db", "external"), "all");
    assert_eq!(ports(&m, "external", "a/web"), "all");
}

#[test]
fn an_empty_pod_selector_selects_every_pod_of_its_namespace_only() {
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy("a", "deny", "{podSelector: {}}")
    ));
    assert_eq!(ports(&m, "b/client", "a/web"), "none");
    assert_eq!(ports(&m, "b/client", "a/db"), "none");
    assert_eq!(ports(&m, "a/web", "a/db"), "none");
    // Pods of namespace b are not selected.
    assert_eq!(ports(&m, "a/web", "b/client"), "all");
}

#[test]
fn a_pod_is_isolated_only_when_a_policy_selects_it() {
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy("a", "db-only", "{podSelector: {matchLabels: {app: db}}}")
    ));
    assert_eq!(ports(&m, "b/client", "a/db"), "none");
    assert_eq!(ports(&m, "b/client", "a/web"), "all");
}

#[test]
fn policy_types_default_to_ingress_only_without_egress_rules() {
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy("a", "in", "{podSelector: {}, ingress: []}")
    ));
    assert_eq!(ports(&m, "a/web", "b/client"), "all");
    assert_eq!(ports(&m, "b/client", "a/web"), "none");
}

#[test]
fn egress_rules_add_egress_to_the_default_policy_types_and_ingress_stays() {
    // The classic surprise: a policy with only egress rules and no policyTypes also isolates
    // ingress, and allows none.
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy(
            "a",
            "out",
            "{podSelector: {matchLabels: {app: web}}, egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]}"
        )
    ));
    assert_eq!(ports(&m, "a/web", "a/db"), "all");
    assert_eq!(ports(&m, "a/web", "b/client"), "none");
    assert_eq!(ports(&m, "b/client", "a/web"), "none");
}

#[test]
fn explicit_policy_types_override_the_default() {
    // Egress only: ingress stays open, egress allows nothing.
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy("a", "out", "{podSelector: {}, policyTypes: [Egress]}")
    ));
    assert_eq!(ports(&m, "b/client", "a/web"), "all");
    assert_eq!(ports(&m, "a/web", "b/client"), "none");
    // Ingress only, with egress rules: the egress rules are ignored, and the model says so.
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy(
            "a",
            "in",
            "{podSelector: {}, policyTypes: [Ingress], egress: [{to: [{podSelector: {}}]}]}"
        )
    ));
    assert_eq!(ports(&m, "a/web", "b/client"), "all");
    assert_eq!(ports(&m, "b/client", "a/web"), "none");
    assert!(
        m.notes
            .iter()
            .any(|n| n.kind == NoteKind::Caveat && n.message.contains("egress rules are ignored"))
    );
}

#[test]
fn rules_of_all_policies_selecting_a_pod_are_a_union() {
    let m = model(&format!(
        "{}{}{}",
        two_namespaces(),
        policy(
            "a",
            "from-web",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]}"
        ),
        policy(
            "a",
            "from-b",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: b}}}], ports: [{port: 9187}]}, {ports: [{port: 8000}]}]}"
        )
    ));
    assert_eq!(ports(&m, "a/web", "a/db"), "5432/TCP, 8000/TCP");
    assert_eq!(ports(&m, "b/client", "a/db"), "8000/TCP, 9187/TCP");
    assert_eq!(ports(&m, "external", "a/db"), "8000/TCP");
}

#[test]
fn a_rule_without_peers_allows_every_peer_including_external() {
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy(
            "a",
            "web",
            "{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: 80}]}]}"
        )
    ));
    for from in ["b/client", "a/db", "external", "203.0.113.9", "2001:db8::1"] {
        assert_eq!(ports(&m, from, "a/web"), "80/TCP", "{from}");
    }
    // `from: []` is the same as no `from`.
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy(
            "a",
            "web",
            "{podSelector: {matchLabels: {app: web}}, ingress: [{from: [], ports: [{port: 80}]}]}"
        )
    ));
    assert_eq!(ports(&m, "external", "a/web"), "80/TCP");
}

#[test]
fn a_rule_without_ports_allows_every_port() {
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy(
            "a",
            "web",
            "{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {matchLabels: {app: db}}}]}]}"
        )
    ));
    assert_eq!(ports(&m, "a/db", "a/web"), "all");
    assert_eq!(ports(&m, "b/client", "a/web"), "none");
}

#[test]
fn pod_selector_alone_means_the_policy_namespace() {
    let yaml = format!(
        "{}{}{}",
        two_namespaces(),
        deploy("b", "web", "", ""),
        policy(
            "a",
            "db",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}"
        )
    );
    let m = model(&yaml);
    assert_eq!(ports(&m, "a/web", "a/db"), "all");
    // Same labels in another namespace: not selected.
    assert_eq!(ports(&m, "b/web", "a/db"), "none");
}

#[test]
fn namespace_selector_alone_means_every_pod_of_the_selected_namespaces() {
    let yaml = format!(
        "{}{}{}",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: b, labels: {team: clients}}\n---\n",
        two_namespaces(),
        policy(
            "a",
            "db",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: clients}}}]}]}"
        )
    );
    let m = model(&yaml);
    assert_eq!(ports(&m, "b/client", "a/db"), "all");
    // Namespace a does not carry the label: its own pods are not allowed.
    assert_eq!(ports(&m, "a/web", "a/db"), "none");
    // An empty namespaceSelector selects every namespace.
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy(
            "a",
            "db",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {}}]}]}"
        )
    ));
    assert_eq!(ports(&m, "b/client", "a/db"), "all");
    assert_eq!(ports(&m, "a/web", "a/db"), "all");
    assert_eq!(ports(&m, "external", "a/db"), "none");
}

#[test]
fn selectors_in_one_peer_are_an_and_and_separate_peers_an_or() {
    let cluster = format!(
        "{}{}{}",
        two_namespaces(),
        deploy("b", "web", "", ""),
        deploy("c", "client", "", "")
    );
    let and = model(&format!(
        "{cluster}{}",
        policy(
            "a",
            "db",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: b}}, podSelector: {matchLabels: {app: client}}}]}]}"
        )
    ));
    assert_eq!(ports(&and, "b/client", "a/db"), "all");
    assert_eq!(ports(&and, "b/web", "a/db"), "none");
    assert_eq!(ports(&and, "c/client", "a/db"), "none");
    assert_eq!(ports(&and, "a/web", "a/db"), "none");
    let or = model(&format!(
        "{cluster}{}",
        policy(
            "a",
            "db",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: b}}}, {podSelector: {matchLabels: {app: web}}}]}]}"
        )
    ));
    assert_eq!(ports(&or, "b/client", "a/db"), "all");
    assert_eq!(ports(&or, "b/web", "a/db"), "all");
    assert_eq!(ports(&or, "a/web", "a/db"), "all");
    assert_eq!(ports(&or, "c/client", "a/db"), "none");
}

#[test]
fn match_expressions_select_pods_without_the_key_for_not_in_and_does_not_exist() {
    let cluster = format!(
        "{}{}{}",
        deploy("a", "db", "", ""),
        deploy("a", "prod", "env: prod", ""),
        deploy("a", "plain", "", "")
    );
    let m = model(&format!(
        "{cluster}{}",
        policy(
            "a",
            "db",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}}]}]}"
        )
    ));
    assert_eq!(ports(&m, "a/plain", "a/db"), "all");
    assert_eq!(ports(&m, "a/prod", "a/db"), "none");
}

#[test]
fn ip_blocks_with_except_match_external_addresses_in_both_families() {
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy(
            "a",
            "web-out",
            "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}, {ipBlock: {cidr: '2001:db8::/32', except: ['2001:db8:1::/48']}}]}]}"
        )
    ));
    assert_eq!(ports(&m, "a/web", "10.2.3.4"), "all");
    assert_eq!(ports(&m, "a/web", "10.1.3.4"), "none");
    assert_eq!(ports(&m, "a/web", "192.168.0.1"), "none");
    assert_eq!(ports(&m, "a/web", "2001:db8:2::1"), "all");
    assert_eq!(ports(&m, "a/web", "2001:db8:1::1"), "none");
    // ipBlocks match external addresses only, never pods.
    assert_eq!(ports(&m, "a/web", "a/db"), "none");
    assert!(m.notes.iter().any(|n| n.message.contains("ipBlock peers")));
}

#[test]
fn ports_default_to_tcp_and_name_their_protocol() {
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy(
            "a",
            "db",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{ports: [{port: 5432}, {protocol: UDP, port: 53}, {protocol: SCTP, port: 9}, {protocol: UDP}]}]}"
        )
    ));
    assert_eq!(
        ports(&m, "b/client", "a/db"),
        "5432/TCP, 1-65535/UDP, 9/SCTP"
    );
    assert!(reaches(&m, "b/client", "a/db", "5432/TCP"));
    assert!(!reaches(&m, "b/client", "a/db", "5433/TCP"));
    assert!(reaches(&m, "b/client", "a/db", "9/sctp"));
}

#[test]
fn end_port_allows_a_range() {
    let m = model(&format!(
        "{}{}",
        two_namespaces(),
        policy(
            "a",
            "web",
            "{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: 8000, endPort: 8080}, {port: 9000, endPort: 9000}]}]}"
        )
    ));
    assert_eq!(ports(&m, "b/client", "a/web"), "8000-8080/TCP, 9000/TCP");
    assert!(reaches(&m, "b/client", "a/web", "8080/TCP"));
    assert!(!reaches(&m, "b/client", "a/web", "8081/TCP"));
}

#[test]
fn named_ports_resolve_on_each_destination_pod_with_their_protocol() {
    let cluster = [
        deploy("a", "v1", "tier: api", "{containerPort: 8080, name: http}"),
        deploy("a", "v2", "tier: api", "{containerPort: 9090, name: http}"),
        deploy(
            "a",
            "udp",
            "tier: api",
            "{containerPort: 7000, name: http, protocol: UDP}",
        ),
        deploy("a", "none", "tier: api", "{containerPort: 80}"),
        deploy("b", "client", "", ""),
    ]
    .concat();
    let m = model(&format!(
        "{cluster}{}",
        policy(
            "a",
            "api",
            "{podSelector: {matchLabels: {tier: api}}, ingress: [{ports: [{port: http}]}]}"
        )
    ));
    assert_eq!(ports(&m, "b/client", "a/v1"), "8080/TCP");
    assert_eq!(ports(&m, "b/client", "a/v2"), "9090/TCP");
    // Declared as UDP, while the policy port is TCP: no match.
    assert_eq!(ports(&m, "b/client", "a/udp"), "none");
    assert_eq!(ports(&m, "b/client", "a/none"), "none");
    // In an egress rule the name resolves on the destination too.
    let m = model(&format!(
        "{cluster}{}",
        policy(
            "b",
            "client-out",
            "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: http}]}]}"
        )
    ));
    assert_eq!(ports(&m, "b/client", "a/v2"), "9090/TCP");
    assert_eq!(ports(&m, "b/client", "a/none"), "none");
    assert_eq!(ports(&m, "b/client", "external"), "none");
}

#[test]
fn a_connection_needs_the_source_egress_and_the_destination_ingress() {
    let cluster = format!(
        "{}{}{}",
        two_namespaces(),
        policy(
            "b",
            "client-out",
            "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {}}], ports: [{port: 80}, {port: 5432}]}]}"
        ),
        policy(
            "a",
            "web-in",
            "{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: 80}, {port: 443}]}]}"
        )
    );
    let m = model(&cluster);
    // Egress allows 80 and 5432, ingress 80 and 443: only 80 passes both.
    assert_eq!(ports(&m, "b/client", "a/web"), "80/TCP");
    // db's ingress is open, so egress alone decides.
    assert_eq!(ports(&m, "b/client", "a/db"), "80/TCP, 5432/TCP");
    assert_eq!(ports(&m, "b/client", "external"), "none");
    assert_eq!(ports(&m, "external", "a/web"), "80/TCP, 443/TCP");
}

#[test]
fn host_network_pods_are_not_subject_to_policies_nor_matched_by_selectors() {
    let host = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: a}\nspec:\n  template:\n    metadata: {labels: {app: agent}}\n    spec: {hostNetwork: true, containers: [{name: c, image: x}]}\n---\n";
    let m = model(&format!(
        "{}{host}{}",
        two_namespaces(),
        policy(
            "a",
            "all",
            "{podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{from: [{podSelector: {}}]}], egress: [{to: [{podSelector: {}}]}]}"
        )
    ));
    // The policy selects the agent too, but does not apply to it.
    assert_eq!(ports(&m, "external", "a/agent"), "all");
    assert_eq!(ports(&m, "a/agent", "external"), "all");
    // Its traffic carries the node's address: `podSelector: {}` does not match it.
    assert_eq!(ports(&m, "a/agent", "a/web"), "none");
    assert_eq!(ports(&m, "a/db", "a/web"), "all");
    assert!(m.notes.iter().any(|n| n.message.contains("hostNetwork")));
}

#[test]
fn undeclared_namespaces_are_assumed_with_only_their_name_label() {
    let cluster = format!(
        "{}{}",
        two_namespaces(),
        policy(
            "a",
            "db",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: clients}}}]}]}"
        )
    );
    let m = model(&cluster);
    // b is not declared, so it has no team label.
    assert_eq!(ports(&m, "b/client", "a/db"), "none");
    assert!(m.notes.iter().any(
        |n| n.kind == NoteKind::Assumption && n.message.contains("namespace b is not declared")
    ));
    // Declared, its labels count, and the automatic name label is added.
    let declared = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: b, labels: {{team: clients}}}}\n---\n{cluster}"
    );
    let m = model(&declared);
    assert_eq!(ports(&m, "b/client", "a/db"), "all");
    let b = m.namespace("b").unwrap();
    assert_eq!(b.labels.get("kubernetes.io/metadata.name"), Some("b"));
}

#[test]
fn objects_without_a_namespace_are_in_default() {
    let m = model(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: p}}\nspec: {containers: [{name: c, image: x}]}\n---\n\
         apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {podSelector: {}}\n",
    );
    assert_eq!(m.workloads[0].namespace, "default");
    assert_eq!(ports(&m, "external", "default/p"), "none");
}

#[test]
fn policies_the_api_server_rejects_are_left_out_with_a_problem() {
    let bad_specs = [
        "{podSelector: {}, ingress: [{ports: [{port: http, endPort: 90}]}]}",
        "{podSelector: {}, ingress: [{ports: [{endPort: 90}]}]}",
        "{podSelector: {}, ingress: [{ports: [{port: 90, endPort: 80}]}]}",
        "{podSelector: {}, ingress: [{ports: [{port: 70000}]}]}",
        "{podSelector: {}, ingress: [{ports: [{port: 80, protocol: tcp}]}]}",
        "{podSelector: {}, ingress: [{ports: [{port: '80'}]}]}",
        "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]}]}",
        "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: not-a-cidr}}]}]}",
        "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]}",
        "{podSelector: {}, ingress: [{from: [{}]}]}",
        "{podSelector: {matchExpressions: [{key: a, operator: Is}]}}",
        "{podSelector: {}, policyTypes: [Inbound]}",
        "{podSelector: {}, ingress: {from: []}}",
        "{podSelector: [1, 2]}",
    ];
    for spec in bad_specs {
        let m = model(&format!("{}{}", two_namespaces(), policy("a", "bad", spec)));
        assert!(m.policies.is_empty(), "{spec}");
        assert!(
            m.notes
                .iter()
                .any(|n| n.kind == NoteKind::Problem && n.message.contains("left out")),
            "{spec}"
        );
        assert_eq!(ports(&m, "b/client", "a/web"), "all", "{spec}");
    }
}

#[test]
fn the_cluster_dns_is_an_endpoint_synthetic_when_the_input_lacks_it() {
    let m = model(&two_namespaces());
    let dns = m.find_workload("kube-system/kube-dns").unwrap();
    assert!(m.workloads[dns].source.is_none());
    assert!(
        m.notes
            .iter()
            .any(|n| n.message.contains("synthetic kube-system/kube-dns"))
    );
    let real = format!(
        "{}{}",
        two_namespaces(),
        deploy(
            "kube-system",
            "coredns",
            "k8s-app: kube-dns",
            "{containerPort: 53, protocol: UDP}"
        )
    );
    let m = model(&real);
    assert!(m.find_workload("kube-system/kube-dns").is_err());
    assert!(m.find_workload("kube-system/coredns").is_ok());
}

#[test]
fn services_reach_their_backends_on_numeric_and_named_target_ports() {
    let cluster = format!(
        "{}{}",
        two_namespaces(),
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}, {port: 8443, targetPort: 443}, {port: 9000}]\n"
    );
    let m = model(&cluster);
    let service = &m.services[0];
    let targets: Vec<(String, u16)> = service
        .ports
        .iter()
        .flat_map(|port| service.backends(&m, port))
        .map(|(_, w, target)| (w.name.clone(), target))
        .collect();
    assert_eq!(
        targets,
        [
            ("web".to_string(), 80),
            ("web".to_string(), 443),
            ("web".to_string(), 9000)
        ]
    );
}
