//! Plaintext paths: the mesh state of both ends joined with what the NetworkPolicies allow,
//! on the edge cases of Istio's and Linkerd's own documentation.

mod common;

use common::{model, policy};
use palisade_netpol::rules;

/// A Deployment with pod `labels` and `annotations` (flow-style pairs) and TCP `ports`.
fn pod(namespace: &str, name: &str, labels: &str, annotations: &str, ports: &[u16]) -> String {
    let ports: Vec<String> = ports
        .iter()
        .map(|p| format!("{{containerPort: {p}}}"))
        .collect();
    let labels = if labels.is_empty() {
        String::new()
    } else {
        format!(", {labels}")
    };
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {namespace}}}\n\
         spec:\n  template:\n    metadata:\n      labels: {{app: {name}{labels}}}\n      \
         annotations: {{{annotations}}}\n    spec:\n      containers:\n      - name: main\n        \
         image: example\n        ports: [{}]\n---\n",
        ports.join(", ")
    )
}

fn namespace(name: &str, labels: &str, annotations: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {{{labels}}}, annotations: {{{annotations}}}}}\n---\n"
    )
}

fn peer_authentication(namespace: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec: {spec}\n---\n"
    )
}

/// `client -> server:port (why the client sends plaintext)` for every path, sorted.
fn paths(yaml: &str) -> Vec<String> {
    let model = model(yaml);
    let mut found = Vec::new();
    model.plaintext_paths(|paths| {
        for (client, side) in &paths.clients {
            found.push(format!(
                "{} -> {}:{} ({})",
                model.workloads[*client].id(),
                model.workloads[paths.server].id(),
                paths.port,
                side.describe()
            ));
        }
    });
    found.sort();
    found
}

const ISTIO_SHOP: &str = "istio-injection: enabled";

fn istio_cluster(extra: &str) -> String {
    format!(
        "{}{}{}{}{}{extra}",
        namespace("shop", ISTIO_SHOP, ""),
        namespace("jobs", "", ""),
        pod("shop", "api", "", "", &[8080, 9090]),
        pod("shop", "web", "", "", &[]),
        pod("jobs", "batch", "", "", &[]),
    )
}

#[test]
fn istio_permissive_by_default_takes_plaintext_from_workloads_outside_the_mesh() {
    assert_eq!(
        paths(&istio_cluster("")),
        [
            "jobs/batch -> shop/api:8080 (no sidecar)",
            "jobs/batch -> shop/api:9090 (no sidecar)",
        ]
    );
    // The rule says why the server accepts it and who connects.
    let model = model(&istio_cluster(""));
    let findings = rules::check(&model, &|rule| rule.id == "meshPlaintextPath");
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_ref()).collect();
    assert_eq!(
        messages,
        [
            "Deployment shop/api port 8080/TCP accepts plaintext (PERMISSIVE: no PeerAuthentication applies to shop): the NetworkPolicies let 1 workload connect in plaintext: jobs/batch (no sidecar)",
            "Deployment shop/api port 9090/TCP accepts plaintext (PERMISSIVE: no PeerAuthentication applies to shop): the NetworkPolicies let 1 workload connect in plaintext: jobs/batch (no sidecar)",
        ]
    );
}

#[test]
fn strict_mesh_wide_closes_the_paths_and_the_most_specific_policy_wins() {
    let strict = peer_authentication("istio-system", "default", "{mtls: {mode: STRICT}}");
    assert!(paths(&istio_cluster(&strict)).is_empty());
    // A namespace policy in UNSET inherits the mesh-wide STRICT; one in PERMISSIVE overrides it.
    let unset = peer_authentication("shop", "default", "{mtls: {mode: UNSET}}");
    assert!(paths(&istio_cluster(&format!("{strict}{unset}"))).is_empty());
    let permissive = peer_authentication("shop", "default", "{mtls: {mode: PERMISSIVE}}");
    assert_eq!(
        paths(&istio_cluster(&format!("{strict}{permissive}"))).len(),
        2
    );
    // A workload policy leaves port 8080 in DISABLE: plaintext from every client there,
    // meshed ones included (automatic mTLS honours DISABLE), STRICT on 9090.
    let port_level = peer_authentication(
        "shop",
        "api",
        "{selector: {matchLabels: {app: api}}, mtls: {mode: UNSET}, portLevelMtls: {8080: {mode: DISABLE}}}",
    );
    assert_eq!(
        paths(&istio_cluster(&format!("{strict}{port_level}"))),
        [
            "jobs/batch -> shop/api:8080 (no sidecar)",
            "shop/web -> shop/api:8080 (the server's mode is DISABLE)",
        ]
    );
    // portLevelMtls without a selector is ignored by Istio.
    let namespace_ports = peer_authentication(
        "shop",
        "default",
        "{mtls: {mode: STRICT}, portLevelMtls: {8080: {mode: DISABLE}}}",
    );
    assert!(paths(&istio_cluster(&namespace_ports)).is_empty());
    // A policy selecting other workloads does not apply.
    let other = peer_authentication(
        "shop",
        "other",
        "{selector: {matchLabels: {app: web}}, mtls: {mode: DISABLE}}",
    );
    assert!(paths(&istio_cluster(&format!("{strict}{other}"))).is_empty());
}

#[test]
fn an_opted_out_workload_receives_plaintext_from_its_meshed_neighbours() {
    let yaml = format!(
        "{}{}{}{}",
        namespace("shop", ISTIO_SHOP, ""),
        pod("shop", "api", "", "", &[]),
        pod(
            "shop",
            "legacy",
            "sidecar.istio.io/inject: \"false\"",
            "",
            &[5432]
        ),
        pod("shop", "host", "", "", &[])
            .replace("    spec:\n", "    spec:\n      hostNetwork: true\n"),
    );
    // The hostNetwork pod gets no sidecar either: with legacy, both ends are outside the mesh.
    assert_eq!(
        paths(&yaml),
        ["shop/api -> shop/legacy:5432 (its mesh is not the server's)"]
    );
}

#[test]
fn network_policies_decide_which_plaintext_connections_exist() {
    let deny = policy("shop", "deny", "{podSelector: {}, policyTypes: [Ingress]}");
    assert!(paths(&istio_cluster(&deny)).is_empty());
    let only_9090 = policy(
        "shop",
        "api",
        "{podSelector: {matchLabels: {app: api}}, ingress: [{ports: [{port: 9090}]}]}",
    );
    assert_eq!(
        paths(&istio_cluster(&only_9090)),
        ["jobs/batch -> shop/api:9090 (no sidecar)"]
    );
    // Admitting only the meshed neighbour leaves no plaintext; admitting the jobs namespace
    // brings batch back on both ports.
    let from_web = policy(
        "shop",
        "api",
        "{podSelector: {matchLabels: {app: api}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}",
    );
    assert!(paths(&istio_cluster(&from_web)).is_empty());
    let from_jobs = policy(
        "shop",
        "api",
        "{podSelector: {matchLabels: {app: api}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: jobs}}}]}]}",
    );
    assert_eq!(paths(&istio_cluster(&from_jobs)).len(), 2);
    // Egress isolation of the client counts too.
    let batch_egress = policy("jobs", "deny", "{podSelector: {}, policyTypes: [Egress]}");
    assert!(paths(&istio_cluster(&batch_egress)).is_empty());
}

#[test]
fn linkerd_skipped_ports_and_inbound_policies() {
    let linkerd = "linkerd.io/inject: enabled";
    let authenticated = "config.linkerd.io/default-inbound-policy: all-authenticated";
    let cluster = |namespace_annotations: &str| {
        format!(
            "{}{}{}{}{}",
            namespace("data", "", namespace_annotations),
            namespace("jobs", "", ""),
            pod(
                "data",
                "db",
                "",
                "config.linkerd.io/skip-inbound-ports: \"5432\"",
                &[5432, 8080]
            ),
            pod("data", "api", "", "", &[]),
            pod("jobs", "batch", "", "", &[]),
        )
    };
    // The install default admits unauthenticated clients on every port.
    assert_eq!(
        paths(&cluster(linkerd)),
        [
            "data/api -> data/db:5432 (the server's proxy skips the port)",
            "jobs/batch -> data/db:5432 (no sidecar)",
            "jobs/batch -> data/db:8080 (no sidecar)",
        ]
    );
    // An authenticated policy closes 8080 but not the skipped port.
    assert_eq!(
        paths(&cluster(&format!("{linkerd}, {authenticated}"))),
        [
            "data/api -> data/db:5432 (the server's proxy skips the port)",
            "jobs/batch -> data/db:5432 (no sidecar)",
        ]
    );
    // No mesh anywhere: nothing to report, however open the network.
    assert!(paths(&cluster("")).is_empty());
}

#[test]
fn client_bypasses_and_destination_rules_make_meshed_clients_send_plaintext() {
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\n\
                   spec: {selector: {app: api}, ports: [{port: 80, targetPort: 8080}]}\n---\n";
    let rule = |namespace: &str, host: &str, export: &str| {
        format!(
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: plain, namespace: {namespace}}}\n\
             spec: {{host: {host}, exportTo: [{export}], trafficPolicy: {{tls: {{mode: DISABLE}}}}}}\n---\n"
        )
    };
    let base = format!(
        "{}{}{}{service}",
        namespace("shop", ISTIO_SHOP, ""),
        pod("shop", "api", "", "", &[8080]),
        pod(
            "shop",
            "web",
            "",
            "traffic.sidecar.istio.io/excludeOutboundPorts: \"9999\"",
            &[]
        ),
    );
    assert!(paths(&base).is_empty());
    assert_eq!(
        paths(&format!("{base}{}", rule("shop", "api", "\"*\""))),
        ["shop/web -> shop/api:8080 (DestinationRule shop/plain disables TLS to Service shop/api)"]
    );
    // The fully qualified name and a wildcard match too; another service's name does not.
    assert_eq!(
        paths(&format!(
            "{base}{}",
            rule("istio-system", "\"*.shop.svc.cluster.local\"", "")
        ))
        .len(),
        1
    );
    assert!(paths(&format!("{base}{}", rule("shop", "db", ""))).is_empty());
    // A rule kept to its own namespace does not reach clients elsewhere.
    assert!(
        paths(&format!(
            "{base}{}",
            rule("istio-system", "api.shop.svc.cluster.local", "\".\"")
        ))
        .is_empty()
    );
    // STRICT refuses what the client sends.
    let strict = peer_authentication("shop", "default", "{mtls: {mode: STRICT}}");
    assert!(paths(&format!("{base}{}{strict}", rule("shop", "api", ""))).is_empty());
    // The client's own outbound bypass.
    let bypassing = base.replace("\"9999\"", "\"8080\"");
    assert_eq!(
        paths(&bypassing),
        [
            "shop/web -> shop/api:8080 (bypasses its proxy: traffic.sidecar.istio.io/excludeOutboundPorts)"
        ]
    );
}
