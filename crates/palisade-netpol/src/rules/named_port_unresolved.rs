use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, NetpolRule};
use crate::coverage::unresolved_named_ports;
use crate::model::{Direction, Model};

pub static RULE: NetpolRule = NetpolRule {
    meta: RuleMeta {
        id: "netpolNamedPortUnresolved",
        name: "netpol-named-port-unresolved",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "A NetworkPolicy names a port no destination pod declares",
        doc: r#"A named port in a NetworkPolicy resolves on each destination pod, against its containers' ports of that name and protocol; where no pod declares it, the port allows nothing.

**What it finds.** A named `port` of an ingress rule that none of the policy's selected pods
declares, or of an egress rule that none of the rule's peer pods declares, with the rule's
protocol (TCP unless given).

**Why it matters.** The connection the rule was written for is blocked, and the policy reads
as if it were allowed. Common after renaming a container port, or when the port is declared
with another protocol.

**Failing**: `ports: [{port: http}]` while the pods declare `containerPort: 8080` without a
name, or name it `web`.

**Passing**: the pods declare `ports: [{name: http, containerPort: 8080}]`."#,
        remediation: "Name the container port as the policy does (same protocol), or use the port number in the policy.",
        aliases: &[],
        frameworks: &[],
        references: &[],
    },
    check,
};

fn check(model: &Model) -> Vec<Hit> {
    unresolved_named_ports(model)
        .into_iter()
        .map(|port| {
            let whose = match port.direction {
                Direction::Ingress => "the pods it selects",
                Direction::Egress => "the rule's peer pods",
            };
            Hit {
                object: model.policies[port.policy].source.object.clone(),
                location: port.location,
                message: format!(
                    "{} {} rule {}: port {}/{} is declared by none of {whose} ({} workloads): it allows nothing",
                    port.id,
                    port.direction.as_str(),
                    port.rule,
                    port.name,
                    port.protocol,
                    port.candidates
                ),
                severity: None,
            }
        })
        .collect()
}
