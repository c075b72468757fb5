use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, PodView};

use super::{
    BASELINE, CATEGORY, PssCheck, Revision, Violation, container_subject, pod_sc_path,
    pss_reference, quote, sc_path,
};
use crate::frameworks::nsa;

pub static CHECK: PssCheck = PssCheck {
    meta: RuleMeta {
        id: "seLinuxOptions",
        name: "selinux-options",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "SELinux options",
        doc: r#"Pod Security Standards, **baseline**: setting a custom SELinux user or role is forbidden, and the
SELinux type may only be one of the container types.

**What it finds.** In `seLinuxOptions` of the pod or any container:
- `type` other than empty, `container_t`, `container_init_t`, `container_kvm_t`, and from policy
  **v1.31** also `container_engine_t`;
- a non-empty `user` or `role`.
`level` is not restricted.

**Why it matters.** SELinux types and users decide what a process may touch on the node; a
custom type such as `spc_t` (super-privileged container) escapes SELinux confinement.

**Failing**
```yaml
securityContext:
  seLinuxOptions:
    type: spc_t
```

**Passing**
```yaml
securityContext:
  seLinuxOptions:
    level: "s0:c123,c456"
```"#,
        remediation: "Remove `seLinuxOptions.user`/`role` and use one of the container SELinux types (or leave `type` unset).",
        aliases: &[],
        frameworks: BASELINE,
        references: &[
            pss_reference(
                "baseline/selinux",
                "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            ),
            nsa("pod-hardening"),
        ],
    },
    level: super::Level::Baseline,
    revisions: &[
        Revision {
            min_minor: 0,
            check: check_1_0,
            overrides: &[],
        },
        Revision {
            min_minor: 31,
            check: check_1_31,
            overrides: &[],
        },
    ],
};

const TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn check_1_0(pod: &PodView<'_>) -> Vec<Violation> {
    check(pod, TYPES_1_0)
}

fn check_1_31(pod: &PodView<'_>) -> Vec<Violation> {
    check(pod, TYPES_1_31)
}

fn check(pod: &PodView<'_>, allowed: &[&str]) -> Vec<Violation> {
    let mut violations = Vec::new();
    let mut inspect = |options: Option<&Node>, path: JsonPath, setter: String| {
        let Some(options) = options else { return };
        let text = |key: &str| options.get(key).and_then(Node::as_str).unwrap_or("");
        let mut problems = Vec::new();
        let mut field = None;
        let kind = text("type");
        if !allowed.contains(&kind) {
            problems.push(format!("type {}", quote(kind)));
            field = Some("type");
        }
        for key in ["user", "role"] {
            if !text(key).is_empty() {
                problems.push(format!("{key} may not be set"));
                field.get_or_insert(key);
            }
        }
        if let Some(field) = field {
            violations.push(Violation::new(
                path.key(field),
                "seLinuxOptions",
                format!(
                    "{setter} set forbidden securityContext.seLinuxOptions: {}",
                    problems.join("; ")
                ),
            ));
        }
    };
    inspect(
        pod.security_context("seLinuxOptions"),
        pod_sc_path(pod, &["seLinuxOptions"]),
        "pod".to_string(),
    );
    for container in pod.containers() {
        inspect(
            container.security_context("seLinuxOptions"),
            sc_path(&container, &["seLinuxOptions"]),
            container_subject(&container),
        );
    }
    violations
}
