//! Evaluation: which pods each policy selects, which endpoints each rule's peers match, and the
//! ports a connection is allowed on.
//!
//! Everything that does not depend on the pair is computed once when the model is built: per
//! policy the selected workloads as a bitset, per rule the peer workloads as a bitset (the
//! union of its peers) and its numeric ports, per workload the rules of the policies that
//! isolate it in each direction. A pair then costs a few bit tests and port-set unions per
//! rule that applies to it. A bitset is a window of `u64` words: no crate is worth it for
//! `insert`, `contains` and `or`, and the window keeps it small in clusters of many namespaces.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::cidr::{Cidr, IpBlock};
use crate::model::{Direction, Model, Namespace, PeerKind, Policy, PortSpec, Workload};
use crate::ports::{MAX_PORT, MIN_PORT, PortRange, PortSet, Protocol};
use crate::selector::{LabelSelector, Requirement};

/// A set of workload indexes as the bits of a window of words: a policy's selection lies in
/// one namespace (and workloads are numbered namespace by namespace), so the window stays
/// small however many workloads the cluster has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Bitset {
    /// Index of the first word of the window.
    first: usize,
    words: Vec<u64>,
}

impl Bitset {
    pub(crate) fn new() -> Bitset {
        Bitset::default()
    }

    /// Widens the window to hold words `from..to`.
    fn cover(&mut self, from: usize, to: usize) {
        if self.words.is_empty() {
            self.first = from;
            self.words = vec![0; to - from];
            return;
        }
        if from < self.first {
            let mut words = vec![0; self.first - from];
            words.append(&mut self.words);
            self.words = words;
            self.first = from;
        }
        let end = self.first + self.words.len();
        if to > end {
            self.words.resize(self.words.len() + (to - end), 0);
        }
    }

    pub(crate) fn insert(&mut self, bit: usize) {
        let word = bit / 64;
        self.cover(word, word + 1);
        self.words[word - self.first] |= 1 << (bit % 64);
    }

    pub(crate) fn contains(&self, bit: usize) -> bool {
        (bit / 64)
            .checked_sub(self.first)
            .and_then(|word| self.words.get(word))
            .is_some_and(|word| word & (1 << (bit % 64)) != 0)
    }

    pub(crate) fn union_with(&mut self, other: &Bitset) {
        if other.words.is_empty() {
            return;
        }
        self.cover(other.first, other.first + other.words.len());
        let offset = other.first - self.first;
        for (word, other) in self.words[offset..].iter_mut().zip(&other.words) {
            *word |= other;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|&word| word == 0)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(move |(i, &word)| {
            (0..64)
                .filter(move |bit| word & (1 << bit) != 0)
                .map(move |bit| (self.first + i) * 64 + bit)
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
    /// Per workload and direction: which of `profiles` isolates it.
    profile_of: [Vec<u32>; 2],
    /// The distinct lists of policies isolating a workload in a direction, with all their
    /// rules: workloads of a namespace mostly share one (its default deny), so a cluster of
    /// many workloads and policies keeps a few lists rather than one per workload.
    profiles: Vec<Profile>,
    /// Every CIDR the policies name (`cidr` and `except`), sorted.
    pub(crate) named_cidrs: Vec<Cidr>,
    pub(crate) workloads: WorkloadIndex,
}

fn slot(direction: Direction) -> usize {
    match direction {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

/// Positions of labelled things (workloads, namespaces) by `key=value`.
#[derive(Debug, Default)]
struct LabelIndex(HashMap<(String, String), Vec<usize>>);

impl LabelIndex {
    fn new<'a>(labels: impl Iterator<Item = &'a crate::selector::Labels>) -> LabelIndex {
        let mut index: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, labels) in labels.enumerate() {
            for (key, value) in labels.iter() {
                index
                    .entry((key.to_string(), value.to_string()))
                    .or_default()
                    .push(i);
            }
        }
        LabelIndex(index)
    }

    /// The positions that may match `selector` by one of its `key in (values)` requirements
    /// (the narrowest), in order; `None` when it has none (every position is a candidate).
    fn candidates(&self, selector: &LabelSelector) -> Option<Vec<usize>> {
        let postings = |key: &String, values: &[String]| -> Vec<usize> {
            let mut found: Vec<usize> = values
                .iter()
                .filter_map(|value| self.0.get(&(key.clone(), value.clone())))
                .flatten()
                .copied()
                .collect();
            found.sort_unstable();
            found
        };
        selector
            .requirements
            .iter()
            .filter_map(|requirement| match requirement {
                Requirement::In(key, values) => Some(postings(key, values)),
                _ => None,
            })
            .min_by_key(Vec::len)
    }
}

/// Workloads by namespace and by label, namespaces by label: a selector's candidates without a
/// pass over the whole cluster.
#[derive(Debug, Default)]
pub(crate) struct WorkloadIndex {
    by_namespace: HashMap<String, Vec<usize>>,
    workload_labels: LabelIndex,
    namespace_labels: LabelIndex,
}

impl WorkloadIndex {
    fn new(namespaces: &[Namespace], workloads: &[Workload]) -> WorkloadIndex {
        let mut by_namespace: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, workload) in workloads.iter().enumerate() {
            by_namespace
                .entry(workload.namespace.clone())
                .or_default()
                .push(i);
        }
        WorkloadIndex {
            by_namespace,
            workload_labels: LabelIndex::new(workloads.iter().map(|w| &w.labels)),
            namespace_labels: LabelIndex::new(namespaces.iter().map(|n| &n.labels)),
        }
    }

    /// The workloads of a namespace.
    pub(crate) fn in_namespace(&self, namespace: &str) -> &[usize] {
        self.by_namespace.get(namespace).map_or(&[], Vec::as_slice)
    }

    /// The namespaces (positions) a selector matches.
    fn namespaces<'n>(
        &self,
        namespaces: &'n [Namespace],
        selector: &LabelSelector,
    ) -> Vec<&'n str> {
        let matches = |i: &usize| selector.matches(&namespaces[*i].labels);
        match self.namespace_labels.candidates(selector) {
            Some(candidates) => candidates
                .into_iter()
                .filter(matches)
                .map(|i| namespaces[i].name.as_str())
                .collect(),
            None => (0..namespaces.len())
                .filter(matches)
                .map(|i| namespaces[i].name.as_str())
                .collect(),
        }
    }
}

/// The workloads a pod peer selects, seen from a policy in `policy_namespace`.
pub(crate) fn peer_pods(
    namespaces: &[Namespace],
    workloads: &[Workload],
    index: &WorkloadIndex,
    policy_namespace: &str,
    namespace_selector: Option<&LabelSelector>,
    pod_selector: Option<&LabelSelector>,
) -> Bitset {
    let mut pods = Bitset::new();
    let selects = |i: usize| {
        let workload = &workloads[i];
        !workload.host_network && pod_selector.is_none_or(|s| s.matches(&workload.labels))
    };
    let in_namespaces: Vec<&str> = match namespace_selector {
        None => vec![policy_namespace],
        Some(selector) => index.namespaces(namespaces, selector),
    };
    // Start from the fewer: the workloads of those namespaces, or those carrying a label the
    // podSelector requires.
    let namespace_size: usize = in_namespaces
        .iter()
        .map(|n| index.in_namespace(n).len())
        .sum();
    let by_label = pod_selector
        .and_then(|selector| index.workload_labels.candidates(selector))
        .filter(|candidates| candidates.len() < namespace_size);
    match by_label {
        Some(candidates) => {
            let wanted: HashSet<&str> = in_namespaces.into_iter().collect();
            for i in candidates {
                if wanted.contains(workloads[i].namespace.as_str()) && selects(i) {
                    pods.insert(i);
                }
            }
        }
        None => {
            for namespace in in_namespaces {
                for &i in index.in_namespace(namespace) {
                    if selects(i) {
                        pods.insert(i);
                    }
                }
            }
        }
    }
    pods
}

/// The policies isolating a workload in one direction, and their rules (ids in
/// [`Index::rules`]).
#[derive(Debug, Default, PartialEq, Eq, Hash)]
struct Profile {
    policies: Vec<usize>,
    rules: Vec<usize>,
}

impl Index {
    pub(crate) fn build(
        namespaces: &[Namespace],
        workloads: &[Workload],
        policies: &[Policy],
    ) -> Index {
        let mut index = Index {
            workloads: WorkloadIndex::new(namespaces, workloads),
            ..Index::default()
        };
        // Per direction and policy: the ids of its compiled rules (empty when it does not
        // isolate that direction).
        let mut rules_of_policy: [Vec<std::ops::Range<usize>>; 2] = Default::default();
        for (p, policy) in policies.iter().enumerate() {
            let mut selected = Bitset::new();
            for &w in index.workloads.in_namespace(&policy.namespace) {
                if policy.pod_selector.matches(&workloads[w].labels) {
                    selected.insert(w);
                }
            }
            for direction in [Direction::Ingress, Direction::Egress] {
                let first_rule = index.rules.len();
                if !policy.isolates(direction) {
                    rules_of_policy[slot(direction)].push(first_rule..first_rule);
                    continue;
                }
                for (r, rule) in policy.rules(direction).iter().enumerate() {
                    let compiled = compile_rule(
                        namespaces,
                        workloads,
                        &index.workloads,
                        policy,
                        p,
                        direction,
                        r,
                        rule,
                    );
                    index.rules.push(compiled);
                }
                rules_of_policy[slot(direction)].push(first_rule..index.rules.len());
            }
            index.selected.push(selected);
        }
        let mut policies_in: HashMap<&str, Vec<usize>> = HashMap::new();
        for (p, policy) in policies.iter().enumerate() {
            policies_in
                .entry(policy.namespace.as_str())
                .or_default()
                .push(p);
        }
        let mut profile_ids: HashMap<(usize, Vec<usize>), u32> = HashMap::new();
        for direction in [Direction::Ingress, Direction::Egress] {
            let slot = slot(direction);
            for (w, workload) in workloads.iter().enumerate() {
                // NetworkPolicies do not apply to hostNetwork pods.
                let isolating: Vec<usize> = if workload.host_network {
                    Vec::new()
                } else {
                    policies_in
                        .get(workload.namespace.as_str())
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(|&p| {
                            policies[p].isolates(direction) && index.selected[p].contains(w)
                        })
                        .collect()
                };
                // The same policies isolate with different rules in each direction.
                let key = (slot, isolating);
                let id = match profile_ids.get(&key) {
                    Some(&id) => id,
                    None => {
                        let id = index.profiles.len() as u32;
                        let rules = key
                            .1
                            .iter()
                            .flat_map(|&p| rules_of_policy[slot][p].clone())
                            .collect();
                        index.profiles.push(Profile {
                            policies: key.1.clone(),
                            rules,
                        });
                        profile_ids.insert(key, id);
                        id
                    }
                };
                index.profile_of[slot].push(id);
            }
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

#[allow(clippy::too_many_arguments)]
fn compile_rule(
    namespaces: &[Namespace],
    workloads: &[Workload],
    workload_index: &WorkloadIndex,
    policy: &Policy,
    policy_index: usize,
    direction: Direction,
    index: usize,
    rule: &crate::model::Rule,
) -> CompiledRule {
    let mut pods = Bitset::new();
    let mut blocks = Vec::new();
    for peer in rule.peers.iter().flatten() {
        match &peer.kind {
            PeerKind::Pods {
                namespace_selector,
                pod_selector,
            } => pods.union_with(&peer_pods(
                namespaces,
                workloads,
                workload_index,
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
        &self.profile(direction, workload).policies
    }

    /// Which shared isolation profile a workload has in a direction: workloads with the same
    /// one are isolated by the same policies, so as sources they reach a given destination on
    /// the same ports when the destination is not isolated for ingress.
    pub(crate) fn profile_id(&self, direction: Direction, workload: usize) -> u32 {
        self.index.profile_of[slot(direction)][workload]
    }

    /// The workloads whose connections `destination`'s ingress policies let in: `None` when
    /// that is any (it is not isolated, or a rule allows every peer), else the pods its rules'
    /// peers select.
    pub(crate) fn ingress_candidates(&self, destination: usize) -> Option<Bitset> {
        let profile = self.profile(Direction::Ingress, destination);
        if profile.policies.is_empty() {
            return None;
        }
        let mut candidates = Bitset::new();
        for &id in &profile.rules {
            let rule = &self.index.rules[id];
            if rule.any_peer {
                return None;
            }
            candidates.union_with(&rule.pods);
        }
        Some(candidates)
    }

    fn profile(&self, direction: Direction, workload: usize) -> &Profile {
        let id = self.index.profile_of[slot(direction)][workload];
        &self.index.profiles[id as usize]
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
        let profile = self.profile(direction, subject);
        if profile.policies.is_empty() {
            return None;
        }
        let destination = match to {
            Endpoint::Workload(w) => Some(&self.workloads[w]),
            Endpoint::External(_) => None,
        };
        let mut allowed = PortSet::empty();
        for &id in &profile.rules {
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
