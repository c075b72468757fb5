use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, NetpolRule, REFERENCES, default_deny_hits};
use crate::model::{Direction, Model};

pub static RULE: NetpolRule = NetpolRule {
    meta: RuleMeta {
        id: "netpolNamespaceNoDefaultDenyEgress",
        name: "netpol-namespace-no-default-deny-egress",
        severity: Severity::Low,
        category: CATEGORY,
        title: "A namespace has no default-deny egress NetworkPolicy",
        doc: r#"Without a default-deny egress policy, every pod of the namespace that no other egress policy selects can connect anywhere, inside the cluster or out.

**What it finds.** A namespace of the input where no NetworkPolicy has an empty `podSelector`,
lists `Egress` in its `policyTypes` and allows only listed peers.

**Why it matters.** Open egress is what lets a compromised pod scan the cluster, reach the
cloud metadata service, pull tooling and exfiltrate data. Limiting egress per workload (plus
DNS) confines an intruder to the connections the application really makes.

**Failing**: namespace `shop` whose only policy isolates ingress.

**Passing**:
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
```
together with a policy allowing egress to the cluster DNS (`k8s-app: kube-dns` in
`kube-system`, port 53 UDP and TCP)."#,
        remediation: "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Egress]` to the namespace, plus one allowing DNS to kube-dns on port 53 (UDP and TCP), then allow the egress each workload needs; `palisade netpol generate` writes them.",
        aliases: &[],
        frameworks: &[],
        references: REFERENCES,
    },
    check,
};

fn check(model: &Model) -> Vec<Hit> {
    default_deny_hits(model, Direction::Egress)
}
