use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule};
use crate::authorizer::{Policy, subject_is};
use crate::paths::{EscalationPath, Principal, Reach, escalation_paths};

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacEscalationPath",
        name: "rbac-escalation-path",
        severity: Severity::High,
        category: CATEGORY,
        title: "A subject can escalate to cluster-admin",
        doc: r#"A chain of ordinary-looking grants that ends in cluster-admin is cluster-admin.

**What it finds.** The shortest path from each subject that is not already an admin to power
equal to `cluster-admin`, through the standard techniques: creating pods (or pod controllers) to
run as any service account of a namespace, privileged pods where Pod Security admits them (the
node, and every token its pods mount), reading token Secrets, requesting tokens, exec into pods,
impersonation (`system:masters` included), `bind` with binding creation, `escalate` on a role
the subject holds, approving its own certificate requests, and `nodes/proxy`. One finding per
subject, on the binding that grants the first step (paths whose first step is a grant of
Kubernetes' default policy, such as its controllers', are left to `palisade rbac paths`).
`palisade rbac paths` draws the same paths as a graph.

**Severity.** Critical when the starting subject is easy to get: anonymous users, every
authenticated account, or a service account whose token a running workload mounts (one
compromised pod); high otherwise.

**Failing**
```yaml
kind: RoleBinding            # shop/default can read Secrets in platform,
metadata: {name: read-platform-secrets, namespace: platform}
roleRef: {kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: default, namespace: shop}]
---
kind: ClusterRoleBinding     # where the deploy bot's token Secret lives
metadata: {name: deploy-bot}
roleRef: {kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deploy-bot, namespace: platform}]
```

**Passing**: the deploy bot bound to purpose-built roles, and no Secret access across
namespaces."#,
        remediation: "Break the path at its first step: remove the grant the finding points at, or move the powerful account out of the namespace it reaches (run `palisade rbac paths` for the whole chain).",
        aliases: &[],
        frameworks: &[],
        references: &[palisade_core::mitre!("T1528")],
    },
    check,
};

/// A path's steps as `technique → target; …`.
pub fn describe_steps(path: &EscalationPath) -> String {
    let steps: Vec<String> = path
        .steps
        .iter()
        .map(|step| format!("{} → {}", step.technique, principal_name(&step.to)))
        .collect();
    steps.join("; ")
}

/// `ServiceAccount shop/api`, `the node`, `cluster-admin`.
pub fn principal_name(principal: &Principal) -> String {
    match principal {
        Principal::Subject(subject) => subject.to_string(),
        Principal::Node => "the node".to_string(),
        Principal::ClusterAdmin => "cluster-admin".to_string(),
    }
}

fn check(policy: &Policy) -> Vec<Hit> {
    escalation_paths(policy)
        .into_iter()
        .filter_map(|path| {
            let binding = &policy.bindings[path.steps.first()?.via?];
            // Paths that start with Kubernetes' own grants (its controllers) are its design.
            if binding.is_default {
                return None;
            }
            // The subject entry of the binding that names the start (or a group of it).
            let user = crate::paths::user_of(&path.from);
            let location = binding
                .subjects
                .iter()
                .position(|s| subject_is(s, &user))
                .and_then(|index| binding.source.items.get(index))
                .unwrap_or(&binding.source.location)
                .clone();
            let severity = match path.reach {
                Reach::Holder => Severity::High,
                Reach::Anyone | Reach::AnyAccount | Reach::RunningWorkload => Severity::Critical,
            };
            Some(Hit {
                object: binding.source.object.clone(),
                location,
                message: format!(
                    "{} reaches cluster-admin in {} steps (its credentials: {}): {}",
                    path.from,
                    path.steps.len(),
                    path.reach.describe(),
                    describe_steps(&path)
                ),
                severity: Some(severity),
            })
        })
        .collect()
}
