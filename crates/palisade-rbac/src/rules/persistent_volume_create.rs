use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, covers, role_rule_hits};
use crate::authorizer::Policy;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacPersistentVolumeCreate",
        name: "rbac-persistent-volume-create",
        severity: Severity::High,
        category: CATEGORY,
        title: "A role can create PersistentVolumes",
        doc: r#"A PersistentVolume can be a `hostPath`: a node's filesystem, claimable by any pod.

**What it finds.** A rule granting `create` on `persistentvolumes`, judged with its bindings.

**Why it matters.** A `hostPath` PersistentVolume of `/` bound to a claim gives the pods that use
it the node's filesystem, past Pod Security's `hostPath` checks on the pod itself.

**Failing**: `rules: [{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}]` for a team.

**Passing**: volumes provisioned dynamically from StorageClasses; PersistentVolumes created by the storage provisioner only."#,
        remediation: "Provision volumes through StorageClasses; keep PersistentVolume creation to the provisioner and administrators.",
        aliases: &[],
        frameworks: &[],
        references: &[palisade_core::mitre!("T1611")],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    let grants = |rule: &crate::model::Rule| {
        covers(rule, "create", "", "persistentvolumes")
            .then(|| "create on persistentvolumes".to_string())
    };
    role_rule_hits(policy, &grants, Severity::High, Severity::High)
}
