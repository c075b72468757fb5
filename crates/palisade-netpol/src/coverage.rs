//! How well the policies cover the input, as data: per namespace whether a default-deny policy
//! isolates every pod in each direction, per workload the policies isolating it, policies that
//! select nothing, peers whose selectors match nothing, and named ports that resolve on no pod
//! they apply to. The registry rules ([`crate::rules`]) report from the same functions.
//!
//! A namespace has a *default deny* in a direction when one of its policies has an empty
//! `podSelector` (so it isolates every pod, present and future), isolates that direction, and
//! has no rule that allows every peer.

use std::collections::HashMap;

use palisade_core::Location;
use serde::Serialize;

use crate::eval::peer_pods;
use crate::model::{Direction, Model, NamespaceOrigin, PeerKind, Policy, PortSpec};
use crate::ports::Protocol;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceCoverage {
    pub name: String,
    /// Not declared in the input (see the model's notes).
    pub assumed: bool,
    pub workloads: usize,
    pub policies: usize,
    /// The policy giving the namespace a default deny for ingress, if any.
    pub default_deny_ingress: Option<String>,
    pub default_deny_egress: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadCoverage {
    #[serde(skip)]
    pub workload: usize,
    pub namespace: String,
    pub name: String,
    pub kind: String,
    pub host_network: bool,
    /// `namespace/name` of the policies isolating it; empty: anything may connect to it.
    pub ingress_policies: Vec<String>,
    pub egress_policies: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadPolicy {
    #[serde(skip)]
    pub policy: usize,
    pub id: String,
    pub selector: String,
    /// Whether the input holds workloads in the policy's namespace at all (if not, the input
    /// may just be partial).
    pub namespace_has_workloads: bool,
    pub location: Location,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmptyPeer {
    #[serde(skip)]
    pub policy: usize,
    pub id: String,
    pub direction: Direction,
    pub rule: usize,
    pub peer: usize,
    /// The peer as `namespaceSelector` / `podSelector` text.
    pub selector: String,
    /// Whether the namespaces the peer looks in hold workloads of the input (if not, the input
    /// may just be partial).
    pub has_candidates: bool,
    pub location: Location,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnresolvedPort {
    #[serde(skip)]
    pub policy: usize,
    pub id: String,
    pub direction: Direction,
    pub rule: usize,
    pub name: String,
    pub protocol: Protocol,
    /// How many workloads the port had to resolve on.
    pub candidates: usize,
    pub location: Location,
}

/// The whole coverage report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    pub namespaces: Vec<NamespaceCoverage>,
    pub workloads: Vec<WorkloadCoverage>,
    pub dead_policies: Vec<DeadPolicy>,
    pub empty_peers: Vec<EmptyPeer>,
    pub unresolved_named_ports: Vec<UnresolvedPort>,
}

impl Coverage {
    pub fn of(model: &Model) -> Coverage {
        Coverage {
            namespaces: namespaces(model),
            workloads: workloads(model),
            dead_policies: dead_policies(model),
            empty_peers: empty_peers(model),
            unresolved_named_ports: unresolved_named_ports(model),
        }
    }
}

/// Whether `policy` gives its namespace a default deny in `direction`.
pub fn is_default_deny(policy: &Policy, direction: Direction) -> bool {
    policy.pod_selector.is_empty()
        && policy.isolates(direction)
        && policy.rules(direction).iter().all(|r| r.peers.is_some())
}

/// Whether the input (not the synthetic DNS endpoint) has workloads in `namespace`.
fn has_workloads(model: &Model, namespace: &str) -> bool {
    workloads_in(model, namespace) > 0
}

/// How many workloads of the input (not synthetic) run in `namespace`.
fn workloads_in(model: &Model, namespace: &str) -> usize {
    model
        .index
        .workloads
        .in_namespace(namespace)
        .iter()
        .filter(|&&w| model.workloads[w].source.is_some())
        .count()
}

/// Every namespace of the input (the synthetic DNS one left out).
pub fn namespaces(model: &Model) -> Vec<NamespaceCoverage> {
    let mut policies_in: HashMap<&str, Vec<&Policy>> = HashMap::new();
    for policy in &model.policies {
        policies_in
            .entry(policy.namespace.as_str())
            .or_default()
            .push(policy);
    }
    model
        .namespaces
        .iter()
        .filter(|n| n.origin != NamespaceOrigin::Synthetic)
        .map(|namespace| {
            let policies: &[&Policy] = policies_in
                .get(namespace.name.as_str())
                .map_or(&[], Vec::as_slice);
            let default_deny = |direction| {
                policies
                    .iter()
                    .find(|p| is_default_deny(p, direction))
                    .map(|p| p.name.clone())
            };
            NamespaceCoverage {
                name: namespace.name.clone(),
                assumed: matches!(namespace.origin, NamespaceOrigin::Assumed(_)),
                workloads: workloads_in(model, &namespace.name),
                policies: policies.len(),
                default_deny_ingress: default_deny(Direction::Ingress),
                default_deny_egress: default_deny(Direction::Egress),
            }
        })
        .collect()
}

/// Every workload of the input with the policies isolating it.
pub fn workloads(model: &Model) -> Vec<WorkloadCoverage> {
    let ids = |direction, w| -> Vec<String> {
        model
            .isolating(direction, w)
            .iter()
            .map(|&p| model.policies[p].id())
            .collect()
    };
    model
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| w.source.is_some())
        .map(|(i, w)| WorkloadCoverage {
            workload: i,
            namespace: w.namespace.clone(),
            name: w.name.clone(),
            kind: w.kind.clone(),
            host_network: w.host_network,
            ingress_policies: ids(Direction::Ingress, i),
            egress_policies: ids(Direction::Egress, i),
        })
        .collect()
}

/// Policies whose podSelector selects no workload of the input.
pub fn dead_policies(model: &Model) -> Vec<DeadPolicy> {
    model
        .policies
        .iter()
        .enumerate()
        .filter(|(p, _)| model.index.selected[*p].is_empty())
        .map(|(p, policy)| DeadPolicy {
            policy: p,
            id: policy.id(),
            selector: policy.pod_selector.to_string(),
            namespace_has_workloads: has_workloads(model, &policy.namespace),
            location: policy.source.location.clone(),
        })
        .collect()
}

/// Pod peers (`podSelector` / `namespaceSelector`) that match no workload of the input.
pub fn empty_peers(model: &Model) -> Vec<EmptyPeer> {
    let mut empty = Vec::new();
    for (p, policy) in model.policies.iter().enumerate() {
        for direction in [Direction::Ingress, Direction::Egress] {
            for (r, rule) in policy.rules(direction).iter().enumerate() {
                for (index, peer) in rule.peers.iter().flatten().enumerate() {
                    let PeerKind::Pods {
                        namespace_selector,
                        pod_selector,
                    } = &peer.kind
                    else {
                        continue;
                    };
                    let pods = peer_pods(
                        &model.namespaces,
                        &model.workloads,
                        &model.index.workloads,
                        &policy.namespace,
                        namespace_selector.as_ref(),
                        pod_selector.as_ref(),
                    );
                    if !pods.is_empty() {
                        continue;
                    }
                    let has_candidates = match namespace_selector {
                        None => has_workloads(model, &policy.namespace),
                        Some(selector) => model
                            .namespaces
                            .iter()
                            .any(|n| selector.matches(&n.labels) && has_workloads(model, &n.name)),
                    };
                    let mut parts = Vec::new();
                    if let Some(selector) = namespace_selector {
                        parts.push(format!("namespaceSelector {selector}"));
                    }
                    if let Some(selector) = pod_selector {
                        parts.push(format!("podSelector {selector}"));
                    }
                    empty.push(EmptyPeer {
                        policy: p,
                        id: policy.id(),
                        direction,
                        rule: r,
                        peer: index,
                        selector: parts.join(" and "),
                        has_candidates,
                        location: peer.location.clone(),
                    });
                }
            }
        }
    }
    empty
}

/// Named ports of a rule that no pod it applies to declares (with that protocol): the
/// destination pods, which are the selected pods for ingress and the peer pods for egress.
pub fn unresolved_named_ports(model: &Model) -> Vec<UnresolvedPort> {
    let mut unresolved = Vec::new();
    for rule in &model.index.rules {
        if rule.named.is_empty() {
            continue;
        }
        let candidates: Vec<usize> = match rule.direction {
            Direction::Ingress => model.index.selected[rule.policy].iter().collect(),
            Direction::Egress if rule.any_peer => (0..model.workloads.len()).collect(),
            Direction::Egress => rule.pods.iter().collect(),
        };
        if candidates.is_empty() {
            continue;
        }
        let policy = &model.policies[rule.policy];
        let source_rule = &policy.rules(rule.direction)[rule.index];
        for port in source_rule.ports.iter().flatten() {
            let PortSpec::Named(name) = &port.spec else {
                continue;
            };
            let resolves = candidates.iter().any(|&w| {
                model.workloads[w]
                    .named_ports(name, port.protocol)
                    .next()
                    .is_some()
            });
            if !resolves {
                unresolved.push(UnresolvedPort {
                    policy: rule.policy,
                    id: policy.id(),
                    direction: rule.direction,
                    rule: rule.index,
                    name: name.clone(),
                    protocol: port.protocol,
                    candidates: candidates.len(),
                    location: port.location.clone(),
                });
            }
        }
    }
    unresolved
}
