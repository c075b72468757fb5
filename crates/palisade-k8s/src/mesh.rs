//! Service mesh settings as Istio and Linkerd read them from Kubernetes metadata: which
//! namespaces and pods get a sidecar, the ports a pod lets bypass its proxy, Linkerd's default
//! inbound policy, and the scope of Istio's policies. The mesh rules and the network analysis
//! (plaintext paths) both judge by these, so they live here once.

use crate::node::Node;

/// Istio's root namespace: a policy there without a workload selector applies mesh-wide.
pub const ISTIO_ROOT_NAMESPACE: &str = "istio-system";

/// Linkerd's default inbound policy when nothing overrides it (its install default).
pub const LINKERD_DEFAULT_INBOUND_POLICY: &str = "all-unauthenticated";

/// A service mesh that injects sidecar proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mesh {
    Istio,
    Linkerd,
}

impl Mesh {
    pub fn name(self) -> &'static str {
        match self {
            Mesh::Istio => "Istio",
            Mesh::Linkerd => "Linkerd",
        }
    }

    /// The mesh a Namespace's metadata enables: Istio's `istio-injection: enabled` label or an
    /// `istio.io/rev` label (revision-based injection), Linkerd's `linkerd.io/inject: enabled`
    /// annotation.
    pub fn of_namespace(metadata: Option<&Node>) -> Option<Mesh> {
        let settings = MeshSettings::of_namespace(metadata);
        if settings.istio_injection == Some(true) {
            Some(Mesh::Istio)
        } else if settings.linkerd_injection == Some(true) {
            Some(Mesh::Linkerd)
        } else {
            None
        }
    }
}

/// Whether an Istio policy's `spec` selects workloads: a `selector` with `matchLabels` (a
/// missing or empty selector makes it namespace-wide, or mesh-wide in the root namespace).
pub fn istio_selects_workloads(spec: Option<&Node>) -> bool {
    spec.and_then(|s| s.get("selector"))
        .and_then(|s| s.get("matchLabels"))
        .is_some_and(|labels| !labels.entries().is_empty())
}

/// Ports a pod lets past its proxy, as one annotation lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bypass {
    /// The annotation, for messages.
    pub annotation: &'static str,
    /// Inclusive port ranges; single ports are ranges of one.
    pub ports: Vec<(u16, u16)>,
}

impl Bypass {
    pub fn contains(&self, port: u16) -> bool {
        self.ports
            .iter()
            .any(|&(low, high)| low <= port && port <= high)
    }
}

/// The annotations by which a pod lets inbound or outbound ports bypass its proxy.
pub const INBOUND_BYPASSES: &[&str] = &[
    "config.linkerd.io/skip-inbound-ports",
    "traffic.sidecar.istio.io/excludeInboundPorts",
];
pub const OUTBOUND_BYPASSES: &[&str] = &[
    "config.linkerd.io/skip-outbound-ports",
    "traffic.sidecar.istio.io/excludeOutboundPorts",
];

/// The mesh settings that a Namespace's or a pod template's metadata carries. `None` is "not
/// said here", so a pod's choice can override its namespace's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeshSettings {
    /// Istio injection: the namespace's `istio-injection` (or `istio.io/rev`) label; a pod's
    /// `sidecar.istio.io/inject` label (or, to opt out, the older annotation).
    pub istio_injection: Option<bool>,
    /// Linkerd injection: `linkerd.io/inject` (`enabled` or `ingress`, or `disabled`).
    pub linkerd_injection: Option<bool>,
    /// Linkerd's `config.linkerd.io/default-inbound-policy`.
    pub linkerd_inbound_policy: Option<String>,
    /// Ports the pod's proxy does not intercept (pods only).
    pub inbound_bypass: Vec<Bypass>,
    pub outbound_bypass: Vec<Bypass>,
}

/// A `labels` or `annotations` value of a metadata node.
fn metadata_value<'a>(metadata: Option<&'a Node>, kind: &str, key: &str) -> Option<&'a str> {
    metadata?.get(kind)?.get(key)?.as_str()
}

fn linkerd_injection(metadata: Option<&Node>) -> Option<bool> {
    match metadata_value(metadata, "annotations", "linkerd.io/inject")? {
        "enabled" | "ingress" => Some(true),
        "disabled" => Some(false),
        _ => None,
    }
}

fn linkerd_inbound_policy(metadata: Option<&Node>) -> Option<String> {
    metadata_value(
        metadata,
        "annotations",
        "config.linkerd.io/default-inbound-policy",
    )
    .map(|policy| policy.trim().to_string())
}

/// The bypasses among a pod's annotations: comma-separated ports and `low-high` ranges, as both
/// meshes write them; entries that are neither are ignored.
fn bypasses(metadata: Option<&Node>, annotations: &[&'static str]) -> Vec<Bypass> {
    annotations
        .iter()
        .filter_map(|&annotation| {
            let value = metadata_value(metadata, "annotations", annotation)?;
            let ports: Vec<(u16, u16)> = value.split(',').filter_map(port_range).collect();
            (!ports.is_empty()).then_some(Bypass { annotation, ports })
        })
        .collect()
}

fn port_range(entry: &str) -> Option<(u16, u16)> {
    let entry = entry.trim();
    let (low, high) = entry.split_once('-').unwrap_or((entry, entry));
    let (low, high) = (low.trim().parse().ok()?, high.trim().parse().ok()?);
    (low <= high).then_some((low, high))
}

impl MeshSettings {
    pub fn of_namespace(metadata: Option<&Node>) -> MeshSettings {
        let injection = metadata_value(metadata, "labels", "istio-injection");
        // A revision label counts only where `istio-injection` is absent.
        let istio_injection = match injection {
            Some("enabled") => Some(true),
            Some("disabled") => Some(false),
            Some(_) => None,
            None => metadata_value(metadata, "labels", "istio.io/rev")
                .is_some_and(|revision| !revision.is_empty())
                .then_some(true),
        };
        MeshSettings {
            istio_injection,
            linkerd_injection: linkerd_injection(metadata),
            linkerd_inbound_policy: linkerd_inbound_policy(metadata),
            ..MeshSettings::default()
        }
    }

    pub fn of_pod(metadata: Option<&Node>) -> MeshSettings {
        let label = metadata_value(metadata, "labels", "sidecar.istio.io/inject");
        let annotation = metadata_value(metadata, "annotations", "sidecar.istio.io/inject");
        // Istio's webhooks select pods that opt in by the label; the injector also honours the
        // older annotation, but only to opt out.
        let istio_injection = match (label, annotation) {
            (Some("false"), _) | (_, Some("false")) => Some(false),
            (Some("true"), _) => Some(true),
            _ => None,
        };
        MeshSettings {
            istio_injection,
            linkerd_injection: linkerd_injection(metadata),
            linkerd_inbound_policy: linkerd_inbound_policy(metadata),
            inbound_bypass: bypasses(metadata, INBOUND_BYPASSES),
            outbound_bypass: bypasses(metadata, OUTBOUND_BYPASSES),
        }
    }

    /// Whether the metadata says anything about a mesh.
    pub fn is_empty(&self) -> bool {
        *self == MeshSettings::default()
    }

    /// The mesh whose sidecar a pod with these settings gets in a namespace with
    /// `namespace`'s. Istio injects where the namespace enables it unless the pod opts out, and
    /// where a pod opts in unless the namespace disables injection; Linkerd where the pod's
    /// annotation, else the namespace's, enables it. Neither injects hostNetwork pods.
    pub fn sidecar(&self, namespace: &MeshSettings, host_network: bool) -> Option<Mesh> {
        if host_network {
            return None;
        }
        let istio = match (namespace.istio_injection, self.istio_injection) {
            (_, Some(false)) | (Some(false), _) => false,
            (Some(true), _) | (_, Some(true)) => true,
            (None, None) => false,
        };
        if istio {
            return Some(Mesh::Istio);
        }
        self.linkerd_injection
            .or(namespace.linkerd_injection)
            .unwrap_or(false)
            .then_some(Mesh::Linkerd)
    }

    /// The bypass that lets `port` past the proxy in a direction, if any.
    pub fn bypass(&self, inbound: bool, port: u16) -> Option<&Bypass> {
        let bypasses = if inbound {
            &self.inbound_bypass
        } else {
            &self.outbound_bypass
        };
        bypasses.iter().find(|b| b.contains(port))
    }
}

/// Linkerd's default inbound policies that accept connections without a mesh identity.
pub fn linkerd_policy_accepts_plaintext(policy: &str) -> bool {
    matches!(
        policy,
        "all-unauthenticated" | "cluster-unauthenticated" | "audit"
    )
}

/// Istio's mutual TLS modes (`PeerAuthentication.MutualTLS.Mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MtlsMode {
    /// Inherit from the parent scope.
    Unset,
    /// Accept mTLS and plaintext.
    Permissive,
    /// Accept mTLS only.
    Strict,
    /// Plaintext only; clients' automatic mTLS sends plaintext too.
    Disable,
}

impl MtlsMode {
    /// A mode as written; `None` for anything Istio would reject.
    pub fn parse(mode: &str) -> Option<MtlsMode> {
        Some(match mode {
            "UNSET" => MtlsMode::Unset,
            "PERMISSIVE" => MtlsMode::Permissive,
            "STRICT" => MtlsMode::Strict,
            "DISABLE" => MtlsMode::Disable,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MtlsMode::Unset => "UNSET",
            MtlsMode::Permissive => "PERMISSIVE",
            MtlsMode::Strict => "STRICT",
            MtlsMode::Disable => "DISABLE",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load_stream;
    use std::sync::Arc;

    fn settings(metadata: &str, pod: bool) -> MeshSettings {
        let text = format!("apiVersion: v1\nkind: X\nmetadata: {{name: x, {metadata}}}\n");
        let loaded = load_stream(&Arc::from("m.yaml"), &text);
        let metadata = loaded.objects[0].root.get("metadata");
        if pod {
            MeshSettings::of_pod(metadata)
        } else {
            MeshSettings::of_namespace(metadata)
        }
    }

    #[test]
    fn injection_follows_namespace_and_pod_as_the_injectors_do() {
        let enabled = settings("labels: {istio-injection: enabled}", false);
        let disabled = settings(
            "labels: {istio-injection: disabled, istio.io/rev: x}",
            false,
        );
        let revision = settings("labels: {istio.io/rev: canary}", false);
        let plain = MeshSettings::default();
        let opt_out = settings("labels: {sidecar.istio.io/inject: \"false\"}", true);
        let opt_out_annotation =
            settings("annotations: {sidecar.istio.io/inject: \"false\"}", true);
        let opt_in = settings("labels: {sidecar.istio.io/inject: \"true\"}", true);
        // The annotation cannot opt in: the webhook never sees the pod.
        let annotation_in = settings("annotations: {sidecar.istio.io/inject: \"true\"}", true);
        assert_eq!(plain.sidecar(&enabled, false), Some(Mesh::Istio));
        assert_eq!(plain.sidecar(&revision, false), Some(Mesh::Istio));
        assert_eq!(plain.sidecar(&enabled, true), None);
        assert_eq!(opt_out.sidecar(&enabled, false), None);
        assert_eq!(opt_out_annotation.sidecar(&enabled, false), None);
        assert_eq!(opt_in.sidecar(&plain, false), Some(Mesh::Istio));
        assert_eq!(opt_in.sidecar(&disabled, false), None);
        assert_eq!(annotation_in.sidecar(&plain, false), None);

        let linkerd = settings("annotations: {linkerd.io/inject: enabled}", false);
        let linkerd_off = settings("annotations: {linkerd.io/inject: disabled}", true);
        let linkerd_ingress = settings("annotations: {linkerd.io/inject: ingress}", true);
        assert_eq!(plain.sidecar(&linkerd, false), Some(Mesh::Linkerd));
        assert_eq!(linkerd_off.sidecar(&linkerd, false), None);
        assert_eq!(linkerd_ingress.sidecar(&plain, false), Some(Mesh::Linkerd));
        assert_eq!(Mesh::of_namespace(None), None);
    }

    #[test]
    fn bypass_lists_take_ports_and_ranges() {
        let pod = settings(
            "annotations: {config.linkerd.io/skip-inbound-ports: \"5432, 4190-4191,x,9-1\", \
             traffic.sidecar.istio.io/excludeOutboundPorts: \"6379\"}",
            true,
        );
        let inbound = pod.bypass(true, 4191).expect("in the range");
        assert_eq!(inbound.annotation, "config.linkerd.io/skip-inbound-ports");
        assert_eq!(inbound.ports, vec![(5432, 5432), (4190, 4191)]);
        assert!(pod.bypass(true, 6379).is_none());
        assert!(pod.bypass(false, 6379).is_some());
        assert!(!pod.is_empty() && MeshSettings::of_pod(None).is_empty());
    }
}
