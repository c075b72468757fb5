use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, NetpolRule, REFERENCES, default_deny_hits};
use crate::model::{Direction, Model};

pub static RULE: NetpolRule = NetpolRule {
    meta: RuleMeta {
        id: "netpolNamespaceNoDefaultDenyIngress",
        name: "netpol-namespace-no-default-deny-ingress",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "A namespace has no default-deny ingress NetworkPolicy",
        doc: r#"Without a default-deny ingress policy, every pod of the namespace that no other policy selects accepts connections from anywhere.

**What it finds.** A namespace of the input where no NetworkPolicy has an empty `podSelector`,
lists `Ingress` in its policy types (given or defaulted) and allows only listed peers. Such a
policy isolates every pod of the namespace, present and future, for ingress.

**Why it matters.** Kubernetes pods are non-isolated by default: any pod in the cluster, and
anything that can route to the pod network, can connect to them. One compromised pod can then
reach every service. A default deny turns allow-listing into the default, so a new workload
is closed until a policy opens it.

**Failing**: namespace `shop` with a Deployment and no NetworkPolicy, or only policies that
select some pods.

**Passing**:
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
```"#,
        remediation: "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress]` (and no ingress rules) to the namespace, then allow what each workload needs; `palisade netpol generate` writes both.",
        aliases: &[],
        frameworks: &[],
        references: REFERENCES,
    },
    check,
};

fn check(model: &Model) -> Vec<Hit> {
    default_deny_hits(model, Direction::Ingress)
}
