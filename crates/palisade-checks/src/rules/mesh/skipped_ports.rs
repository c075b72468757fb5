use palisade_core::{RuleMeta, Severity};
use palisade_k8s::mesh::{INBOUND_BYPASSES, OUTBOUND_BYPASSES};
use palisade_k8s::{Object, pod_view};

use super::CATEGORY;
use crate::frameworks::nsa;
use crate::mitre;
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

/// Istio's annotation for outbound addresses that bypass the sidecar (beside the port lists).
const EXCLUDED_OUTBOUND_RANGES: &str = "traffic.sidecar.istio.io/excludeOutboundIPRanges";

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "meshSkippedPorts",
        name: "mesh-skipped-ports",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Workload lets ports bypass its mesh proxy",
        doc: r#"Traffic that bypasses the sidecar bypasses mTLS and the mesh's authorization.

**What it finds.** A workload whose pod template sets Linkerd's
`config.linkerd.io/skip-inbound-ports` / `skip-outbound-ports`, or Istio's
`traffic.sidecar.istio.io/excludeInboundPorts` / `excludeOutboundPorts` /
`excludeOutboundIPRanges`: connections on those ports (or to those addresses) are plaintext.

**Failing**
```yaml
template:
  metadata:
    annotations:
      config.linkerd.io/skip-inbound-ports: "5432"
```

**Passing**: no bypass annotations; a protocol the proxy cannot handle is declared opaque
(`config.linkerd.io/opaque-ports`) so it is still encrypted."#,
        remediation: "Remove the bypass; for server-speaks-first or non-HTTP protocols use opaque ports (Linkerd) or declare the port's protocol (Istio) so the proxy still encrypts it.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("network-policies"), mitre!("T1040")],
    },
    applies: workloads,
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    let annotations = pod.metadata_path.key("annotations");
    let inbound = INBOUND_BYPASSES.iter().map(|key| (*key, "inbound"));
    let outbound = OUTBOUND_BYPASSES
        .iter()
        .chain([&EXCLUDED_OUTBOUND_RANGES])
        .map(|key| (*key, "outbound"));
    inbound
        .chain(outbound)
        .filter_map(|(key, direction)| {
            let value = pod.annotation(key)?.as_str()?;
            let value = value.trim();
            (!value.is_empty()).then(|| {
                Violation::at(
                    annotations.key(key),
                    format!(
                        "{direction} traffic on {value} bypasses the mesh proxy ({key}): plaintext"
                    ),
                )
            })
        })
        .collect()
}
