//! Evaluation: which pods each policy selects, which endpoints each rule's peers match, and the
//! ports a connection is allowed on.
//!
//! Everything that does not depend on the pair is computed once when the model is built: per
//! policy the selected workloads as a bitset, per rule the peer workloads as a bitset (the
//! union of its peers) and its numeric ports, per workload the rules of the policies that
//! isolate it in each direction. A pair then costs a few bit tests and port-set unions per
//! rule that applies to it. A bitset is a `Vec<u64>`: no crate is worth it for `insert`,
//! `contains` and `or`.

use std::borrow::Cow;

use crate::cidr::{Cidr, IpBlock};
use crate::model::{Direction, Model, Namespace, PeerKind, Policy, PortSpec, Workload};
use crate::ports::{MAX_PORT, MIN_PORT, PortRange, PortSet, Protocol};
use crate::selector::LabelSelector;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Bitset(Vec<u64>);

impl Bitset {
    pub(crate) fn new(len: usize) -> Bitset {
        Bitset(vec![0; len.div_ceil(64)])
    }

    pub(crate) fn insert(&mut self, bit: usize) {
        self.0[bit / 64] |= 1 << (bit % 64);
    }

    pub(crate) fn contains(&self, bit: usize) -> bool {
        self.0
            .get(bit / 64)
            .is_some_and(|word| word & (1 << (bit % 64)) != 0)
    }

    pub(crate) fn union_with(&mut self, other: &Bitset) {
        for (word, other) in self.0.iter_mut().zip(&other.0) {
            *word |= other;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.iter().all(|&word| word == 0)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &word)| {
            (0..64)
                .filter(move |bit| word & (1 << bit) != 0)
                .map(move |bit| i * 64 + bit)
        })
    }
}

/// Something a connection starts or ends at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// The pods of `model.workloads[i]`.
    Workload(usize),
    /// Addresses outside the cluster: those of the CIDR that lie outside every narrower CIDR
    /// the policies name (so a `/32` or `/128` is exactly that address, and `0.0.0.0/0` the
    /// IPv4 internet no policy singles out).
    External(Cidr),
}

/// One rule of one policy, ready for pair queries.
#[derive(Debug)]
pub(crate) struct CompiledRule {
    pub(crate) policy: usize,
    pub(crate) direction: Direction,
    pub(crate) index: usize,
    /// No `from`/`to`: every peer, inside the cluster or not.
    pub(crate) any_peer: bool,
    /// Workloads its pod peers select (hostNetwork pods never: their traffic carries the
    /// node's address).
    pub(crate) pods: Bitset,
    blocks: Vec<IpBlock>,
    /// Its numeric ports (all ports when it has no `ports`).
    numeric: PortSet,
    /// Its named ports, resolved on each destination.
    pub(crate) named: Vec<(Protocol, String)>,
}

impl CompiledRule {
    fn matches_peer(&self, peer: Endpoint) -> bool {
        self.any_peer
            || match peer {
                Endpoint::Workload(w) => self.pods.contains(w),
                Endpoint::External(region) => {
                    self.blocks.iter().any(|b| b.contains_region(&region))
                }
            }
    }

    /// The ports this rule allows to a destination (`None`: outside the cluster, where no
    /// named port resolves).
    fn ports_for(&self, destination: Option<&Workload>) -> Cow<'_, PortSet> {
        if self.named.is_empty() {
            return Cow::Borrowed(&self.numeric);
        }
        let mut ports = self.numeric.clone();
        if let Some(workload) = destination {
            for (protocol, name) in &self.named {
                for port in workload.named_ports(name, *protocol) {
                    ports.insert(PortRange {
                        protocol: *protocol,
                        start: port,
                        end: port,
                    });
                }
            }
        }
        Cow::Owned(ports)
    }
}

/// The precomputed selection of a model.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// Per policy: the workloads its podSelector selects in its namespace.
    pub(crate) selected: Vec<Bitset>,
    pub(crate) rules: Vec<CompiledRule>,
    /// Per workload and direction: the policies isolating it, and all their rules.
    isolating: [Vec<Vec<usize>>; 2],
    rules_of: [Vec<Vec<usize>>; 2],
    /// Every CIDR the policies name (`cidr` and `except`), sorted.
    pub(crate) named_cidrs: Vec<Cidr>,
}

fn slot(direction: Direction) -> usize {
    match direction {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

/// The workloads a pod peer selects, seen from a policy in `policy_namespace`.
pub(crate) fn peer_pods(
    namespaces: &[Namespace],
    workloads: &[Workload],
    policy_namespace: &str,
    namespace_selector: Option<&LabelSelector>,
    pod_selector: Option<&LabelSelector>,
) -> Bitset {
    let mut pods = Bitset::new(workloads.len());
    let in_namespaces: Vec<&str> = match namespace_selector {
        None => vec![policy_namespace],
        Some(selector) => namespaces
            .iter()
            .filter(|n| selector.matches(&n.labels))
            .map(|n| n.name.as_str())
            .collect(),
    };
    for (i, workload) in workloads.iter().enumerate() {
        if !workload.host_network
            && in_namespaces.contains(&workload.namespace.as_str())
            && pod_selector.is_none_or(|s| s.matches(&workload.labels))
        {
            pods.insert(i);
        }
    }
    pods
}

impl Index {
    pub(crate) fn build(
        namespaces: &[Namespace],
        workloads: &[Workload],
        policies: &[Policy],
    ) -> Index {
        let mut index = Index {
            isolating: [
                vec![Vec::new(); workloads.len()],
                vec![Vec::new(); workloads.len()],
            ],
            rules_of: [
                vec![Vec::new(); workloads.len()],
                vec![Vec::new(); workloads.len()],
            ],
            ..Index::default()
        };
        for (p, policy) in policies.iter().enumerate() {
            let mut selected = Bitset::new(workloads.len());
            for (w, workload) in workloads.iter().enumerate() {
                if workload.namespace == policy.namespace
                    && policy.pod_selector.matches(&workload.labels)
                {
                    selected.insert(w);
                }
            }
            for direction in [Direction::Ingress, Direction::Egress] {
                if !policy.isolates(direction) {
                    continue;
                }
                let first_rule = index.rules.len();
                for (r, rule) in policy.rules(direction).iter().enumerate() {
                    index.rules.push(compile_rule(
                        namespaces, workloads, policy, p, direction, r, rule,
                    ));
                }
                let rule_ids = first_rule..index.rules.len();
                for w in selected.iter() {
                    // NetworkPolicies do not apply to hostNetwork pods.
                    if workloads[w].host_network {
                        continue;
                    }
                    index.isolating[slot(direction)][w].push(p);
                    index.rules_of[slot(direction)][w].extend(rule_ids.clone());
                }
            }
            index.selected.push(selected);
        }
        let mut cidrs: Vec<Cidr> = index
            .rules
            .iter()
            .flat_map(|r| r.blocks.iter())
            .flat_map(|b| std::iter::once(b.cidr).chain(b.except.iter().copied()))
            .collect();
        cidrs.sort_unstable();
        cidrs.dedup();
        index.named_cidrs = cidrs;
        index
    }
}

fn compile_rule(
    namespaces: &[Namespace],
    workloads: &[Workload],
    policy: &Policy,
    policy_index: usize,
    direction: Direction,
    index: usize,
    rule: &crate::model::Rule,
) -> CompiledRule {
    let mut pods = Bitset::new(workloads.len());
    let mut blocks = Vec::new();
    for peer in rule.peers.iter().flatten() {
        match &peer.kind {
            PeerKind::Pods {
                namespace_selector,
                pod_selector,
            } => pods.union_with(&peer_pods(
                namespaces,
                workloads,
                &policy.namespace,
                namespace_selector.as_ref(),
                pod_selector.as_ref(),
            )),
            PeerKind::IpBlock(block) => blocks.push(block.clone()),
        }
    }
    let mut numeric = PortSet::empty();
    let mut named = Vec::new();
    match &rule.ports {
        None => numeric = PortSet::all(),
        Some(ports) => {
            for port in ports {
                match &port.spec {
                    PortSpec::All => numeric.insert(PortRange {
                        protocol: port.protocol,
                        start: MIN_PORT,
                        end: MAX_PORT,
                    }),
                    PortSpec::Range(start, end) => numeric.insert(PortRange {
                        protocol: port.protocol,
                        start: *start,
                        end: *end,
                    }),
                    PortSpec::Named(name) => named.push((port.protocol, name.clone())),
                }
            }
        }
    }
    CompiledRule {
        policy: policy_index,
        direction,
        index,
        any_peer: rule.peers.is_none(),
        pods,
        blocks,
        numeric,
        named,
    }
}

impl Model {
    /// The policies isolating a workload in a direction (none for hostNetwork pods).
    pub(crate) fn isolating(&self, direction: Direction, workload: usize) -> &[usize] {
        &self.index.isolating[slot(direction)][workload]
    }

    /// One side of a connection `from` → `to`: the egress of `from` or the ingress of `to`.
    /// `None` when that end is not isolated in that direction (or is not a pod); else the
    /// ports its rules allow. `on_match` sees every rule that matches the other end, with the
    /// ports it allows there.
    pub(crate) fn side(
        &self,
        direction: Direction,
        from: Endpoint,
        to: Endpoint,
        on_match: &mut dyn FnMut(&CompiledRule, &PortSet),
    ) -> Option<PortSet> {
        let (subject, peer) = match direction {
            Direction::Egress => (from, to),
            Direction::Ingress => (to, from),
        };
        let Endpoint::Workload(subject) = subject else {
            return None;
        };
        if self.index.isolating[slot(direction)][subject].is_empty() {
            return None;
        }
        let destination = match to {
            Endpoint::Workload(w) => Some(&self.workloads[w]),
            Endpoint::External(_) => None,
        };
        let mut allowed = PortSet::empty();
        for &id in &self.index.rules_of[slot(direction)][subject] {
            let rule = &self.index.rules[id];
            if rule.matches_peer(peer) {
                let ports = rule.ports_for(destination);
                on_match(rule, &ports);
                allowed.union_with(&ports);
            }
        }
        Some(allowed)
    }

    /// The ports a connection from `from` to `to` is allowed on: what the source's egress and
    /// the destination's ingress both allow.
    pub fn allowed_ports(&self, from: Endpoint, to: Endpoint) -> PortSet {
        let egress = self.side(Direction::Egress, from, to, &mut |_, _| {});
        if egress.as_ref().is_some_and(PortSet::is_empty) {
            return PortSet::empty();
        }
        let ingress = self.side(Direction::Ingress, from, to, &mut |_, _| {});
        match (egress, ingress) {
            (None, None) => PortSet::all(),
            (Some(one), None) | (None, Some(one)) => one,
            (Some(egress), Some(ingress)) => egress.intersection(&ingress),
        }
    }
}
