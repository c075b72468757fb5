use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, NetpolRule};
use crate::coverage::empty_peers;
use crate::model::Model;

pub static RULE: NetpolRule = NetpolRule {
    meta: RuleMeta {
        id: "netpolPeerMatchesNothing",
        name: "netpol-peer-matches-nothing",
        severity: Severity::Low,
        category: CATEGORY,
        title: "A NetworkPolicy peer matches no pod",
        doc: r#"A `from`/`to` peer whose selectors match no pod allows nothing.

**What it finds.** A `podSelector` / `namespaceSelector` peer of an ingress or egress rule that
matches no workload of the input (`podSelector` alone looks in the policy's namespace,
`namespaceSelector` alone takes every pod of the selected namespaces, both together take the
selected pods of the selected namespaces). Informational when the namespaces it looks in hold
no workload of the input, or none matches its namespaceSelector: namespaces that are not
declared carry only their `kubernetes.io/metadata.name` label here.

**Why it matters.** A connection the application needs is then blocked, or, worse, someone
"fixes" it by opening the rule wide. Often a typo, or a namespaceSelector on a label the
namespaces do not carry.

**Failing**: `from: [{namespaceSelector: {matchLabels: {team: web}}}]` while no namespace is
labelled `team: web`.

**Passing**: `from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}}]`."#,
        remediation: "Fix the selector to match the labels of the intended pods and namespaces (every namespace carries kubernetes.io/metadata.name), or remove the peer.",
        aliases: &[],
        frameworks: &[],
        references: &[],
    },
    check,
};

fn check(model: &Model) -> Vec<Hit> {
    empty_peers(model)
        .into_iter()
        .map(|peer| Hit {
            object: model.policies[peer.policy].source.object.clone(),
            location: peer.location,
            message: format!(
                "{} {} rule {} peer {} ({}) matches no pod{}",
                peer.id,
                peer.direction.as_str(),
                peer.rule,
                peer.peer,
                peer.selector,
                if peer.has_candidates {
                    ""
                } else {
                    "; the namespaces it looks in hold no workload of the input"
                }
            ),
            severity: (!peer.has_candidates).then_some(Severity::Info),
        })
        .collect()
}
