use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, PssCheck, RESTRICTED, Revision, pss_reference};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "procMount_restricted",
        name: "proc-mount-restricted",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "/proc mount type (restricted)",
        doc: r#"Pod Security Standards, **restricted**, policy **v1.35 and later**: `/proc` must keep its default
masks, even in a user namespace.

**What it finds.** `securityContext.procMount` other than `Default` on any container, whether or
not the pod sets `hostUsers: false`. From v1.35 the baseline `procMount` control relaxes for
user-namespaced pods; at the restricted level this control replaces it and keeps the
unconditional rule, so a violation is reported once, under this id.

**Failing**
```yaml
spec:
  hostUsers: false
  containers:
  - name: app
    securityContext:
      procMount: Unmasked
```

**Passing**
```yaml
spec:
  hostUsers: false
  containers:
  - name: app
```"#,
        remediation: "Remove `securityContext.procMount` or set it to `Default`.",
        aliases: &[],
        frameworks: RESTRICTED,
        references: &[
            pss_reference(
                "baseline/proc-mount-type",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            nsa("pod-hardening"),
        ],
    },
    level: super::Level::Restricted,
    revisions: &[Revision {
        min_minor: 35,
        check: super::proc_mount::unmasked_proc_mounts,
        overrides: &["procMount"],
    }],
};
