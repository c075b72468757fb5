use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity, mitre};

use super::{Hit, NetpolRule};
use crate::model::Model;

/// How many clients a finding names before it counts the rest.
const NAMED_CLIENTS: usize = 5;

pub static RULE: NetpolRule = NetpolRule {
    meta: RuleMeta {
        id: "meshPlaintextPath",
        name: "mesh-plaintext-path",
        severity: Severity::Medium,
        category: "mesh",
        title: "Allowed connections travel in plaintext despite the service mesh",
        doc: r#"The mesh gaps that the other mesh rules point at, as the connections they leave in plaintext.

**What it finds.** For each workload port, the workloads the NetworkPolicies allow to connect
whose traffic there is unencrypted although one end runs a sidecar. The server takes
plaintext when it has no sidecar (it opted out, or its namespace is not meshed), when its
proxy skips the port (`config.linkerd.io/skip-inbound-ports`,
`traffic.sidecar.istio.io/excludeInboundPorts`), when Istio's effective PeerAuthentication
mode for the port is PERMISSIVE (Istio's default) or DISABLE, or when Linkerd's default
inbound policy admits unauthenticated clients (`all-unauthenticated`, Linkerd's default). A
client sends plaintext when it has no sidecar, skips the port outbound, is in no mesh or in
another mesh than the server, talks to an Istio server in DISABLE mode, talks to a port a
Linkerd server skips, or follows a DestinationRule with `tls.mode: DISABLE` for the Service in
between. One finding per server port names the clients (the first five) and why each sends
plaintext.

**Why it matters.** Plaintext between pods can be read and altered by anyone on the path
(a compromised node, a pod with host networking) and carries no workload identity, so the
mesh's authorization cannot tell the clients apart.

**Failing**: namespace `shop` meshed by Istio with no PeerAuthentication, and a Deployment
`batch` in unmeshed `jobs` that the NetworkPolicies let reach `shop/api` on 8080: `batch`
connects in plaintext, which PERMISSIVE accepts.

**Passing**: a mesh-wide `STRICT` PeerAuthentication in `istio-system` (or `batch` meshed
too, or a NetworkPolicy that keeps it out)."#,
        remediation: "Give both ends a sidecar and require mTLS (Istio: STRICT PeerAuthentication; Linkerd: an authenticated default inbound policy); remove port bypasses and TLS-disabling DestinationRules; where a client must stay outside the mesh, restrict it with a NetworkPolicy.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("network-policies"), mitre!("T1040"), mitre!("T1557")],
    },
    check,
};

fn check(model: &Model) -> Vec<Hit> {
    let mut hits = Vec::new();
    model.plaintext_paths(|paths| {
        let workload = &model.workloads[paths.server];
        let Some(source) = workload.source.as_ref() else {
            return;
        };
        let clients: Vec<String> = paths
            .clients
            .iter()
            .take(NAMED_CLIENTS)
            .map(|(client, side)| format!("{} ({})", model.workloads[*client].id(), side.describe()))
            .collect();
        let more = match paths.clients.len().saturating_sub(NAMED_CLIENTS) {
            0 => String::new(),
            more => format!(" and {more} more"),
        };
        let count = match paths.clients.len() {
            1 => "1 workload".to_string(),
            n => format!("{n} workloads"),
        };
        hits.push(Hit {
            object: source.object.clone(),
            location: source.location.clone(),
            message: format!(
                "{} {} port {}/TCP {}: the NetworkPolicies let {count} connect in plaintext: {}{more}",
                workload.kind,
                workload.id(),
                paths.port,
                paths.server_side.describe(workload),
                clients.join(", ")
            ),
            severity: None,
        });
    });
    hits
}
