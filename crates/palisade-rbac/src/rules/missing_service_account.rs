use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, Hit, RbacRule, subject_hits};
use crate::authorizer::Policy;
use crate::model::SubjectKind;

pub static RULE: RbacRule = RbacRule {
    meta: RuleMeta {
        id: "rbacMissingServiceAccount",
        name: "rbac-missing-service-account",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "A binding grants a role to a ServiceAccount that does not exist",
        doc: r#"A binding to a ServiceAccount nobody created waits for whoever creates it.

**What it finds.** A RoleBinding or ClusterRoleBinding whose ServiceAccount subject (other than
`default`, which every namespace gets) is not among the ServiceAccounts the input declares in
that namespace — checked only for namespaces
where the input declares some ServiceAccounts, so that an input of RBAC files alone is not
flagged wholesale.

**Why it matters.** Anyone allowed to create ServiceAccounts in the namespace inherits the
grant by creating one with that name; it is also the mark of a typo that left the intended
account without its permissions.

**Failing**: `subjects: [{kind: ServiceAccount, name: deployr, namespace: ci}]` where `ci` declares `deployer`.

**Passing**: every bound ServiceAccount declared beside its binding."#,
        remediation: "Fix the subject's name, or create the ServiceAccount with the binding (and delete bindings of accounts that are gone).",
        aliases: &[],
        frameworks: &[],
        references: &[],
    },
    check,
};

fn check(policy: &Policy) -> Vec<Hit> {
    let declaring: std::collections::HashSet<&str> = policy
        .service_accounts
        .keys()
        .map(|(namespace, _)| namespace.as_str())
        .collect();
    let declares = |namespace: &str| declaring.contains(namespace);
    subject_hits(policy, &|_, subject| {
        let namespace = subject.namespace.as_deref()?;
        // Every namespace gets its `default` account from the controller manager.
        let missing = subject.kind == SubjectKind::ServiceAccount
            && subject.name != "default"
            && declares(namespace)
            && !policy
                .service_accounts
                .contains_key(&(namespace.to_string(), subject.name.clone()));
        missing.then_some((Severity::Medium, "which the input does not declare"))
    })
}
