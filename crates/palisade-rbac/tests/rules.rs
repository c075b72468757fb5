//! The risky-grant rules, judged with their bindings: cluster-wide, namespaced, unbound.

use std::sync::Arc;

use palisade_core::Severity;
use palisade_k8s::load_stream;
use palisade_rbac::{Policy, rules};

fn findings(yaml: &str) -> Vec<(String, Severity, String)> {
    let loaded = load_stream(&Arc::from("rbac.yaml"), yaml);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let policy = Policy::from_objects(&loaded.objects);
    let mut found: Vec<(String, Severity, String)> = rules::check(&policy, &|_| true)
        .into_iter()
        .map(|f| (f.rule.id.to_string(), f.severity, f.message.to_string()))
        .collect();
    found.sort();
    found
}

const ROLES: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [db]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: binder}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}
- {apiGroups: [""], resources: [users], verbs: [impersonate]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debugger, namespace: shop}
rules:
- {apiGroups: [""], resources: ["*/exec", pods/portforward], verbs: [create]}
"#;

#[test]
fn severity_follows_the_bindings() {
    // Nothing bound: informational.
    let unbound = findings(ROLES);
    assert!(
        unbound
            .iter()
            .all(|(_, severity, _)| *severity == Severity::Info),
        "{unbound:?}"
    );
    assert!(
        unbound
            .iter()
            .any(|(_, _, m)| m.contains("nothing binds it"))
    );
    let bound = format!(
        "{ROLES}---\n{}",
        r#"apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-db, namespace: shop}
roleRef: {kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: app}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: binders}
roleRef: {kind: ClusterRole, name: binder}
subjects: [{kind: Group, name: platform}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: debug, namespace: shop}
roleRef: {kind: Role, name: debugger}
subjects: [{kind: User, name: alice}]
"#
    );
    let found = findings(&bound);
    let of = |rule: &str| {
        found
            .iter()
            .find(|(id, _, _)| id == rule)
            .unwrap_or_else(|| panic!("{rule}: {found:?}"))
    };
    // Reading one named Secret is still reading Secrets; in a namespace: medium.
    let secrets = of("rbacSecretsRead");
    assert_eq!(secrets.1, Severity::Medium);
    assert!(
        secrets
            .2
            .contains("ServiceAccount shop/app in namespace shop via RoleBinding read-db"),
        "{}",
        secrets.2
    );
    // One finding per rule of the role: bind, then impersonate.
    let escalation: Vec<&(String, Severity, String)> = found
        .iter()
        .filter(|(id, _, _)| id == "rbacEscalationVerbs")
        .collect();
    assert_eq!(escalation.len(), 2);
    assert!(
        escalation
            .iter()
            .all(|(_, severity, _)| *severity == Severity::Critical)
    );
    assert!(
        escalation
            .iter()
            .any(|(_, _, m)| m.contains("grants bind;"))
    );
    assert!(
        escalation
            .iter()
            .any(|(_, _, m)| m.contains("impersonate (users)"))
    );
    let exec = of("rbacPodExec");
    assert!(
        exec.2.contains("pods/exec") && exec.2.contains("pods/portforward"),
        "{}",
        exec.2
    );
    assert!(found.iter().all(|(id, _, _)| id != "rbacWildcard"));
}

#[test]
fn cluster_admin_outside_system() {
    let found = findings(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: Group, name: "system:masters"}
- {kind: User, name: alice}
- {kind: ServiceAccount, name: ci, namespace: build}
"#,
    );
    let admins: Vec<&(String, Severity, String)> = found
        .iter()
        .filter(|(id, _, _)| id == "rbacClusterAdminBinding")
        .collect();
    assert_eq!(admins.len(), 2, "{found:?}");
    assert!(
        admins
            .iter()
            .all(|(_, severity, _)| *severity == Severity::Critical)
    );
    assert!(admins.iter().any(|(_, _, m)| m.contains("User alice")));
    assert!(
        admins
            .iter()
            .any(|(_, _, m)| m.contains("ServiceAccount build/ci"))
    );
}

#[test]
fn subjects_everyone_and_default_accounts() {
    let found = findings(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: deployer}
rules:
- {apiGroups: [apps], resources: [deployments], verbs: [create, update]}
- {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-deploys}
roleRef: {kind: ClusterRole, name: deployer}
subjects:
- {kind: Group, name: "system:unauthenticated"}
- {kind: Group, name: "system:authenticated"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: default-deploys, namespace: shop}
roleRef: {kind: ClusterRole, name: deployer}
subjects:
- {kind: ServiceAccount, name: default}
"#,
    );
    let with = |rule: &str| -> Vec<&(String, Severity, String)> {
        found.iter().filter(|(id, _, _)| id == rule).collect()
    };
    let anonymous = with("rbacAnonymousBinding");
    assert_eq!(anonymous.len(), 2);
    assert!(
        anonymous
            .iter()
            .any(|(_, s, m)| *s == Severity::High && m.contains("system:unauthenticated"))
    );
    assert!(
        anonymous
            .iter()
            .any(|(_, s, m)| *s == Severity::Medium && m.contains("system:authenticated"))
    );
    let default = with("rbacDefaultServiceAccountBinding");
    assert_eq!(default.len(), 1);
    assert!(
        default[0].2.contains("ServiceAccount shop/default"),
        "{}",
        default[0].2
    );
    // Cluster-wide pod-controller creation is high; minting tokens too.
    assert_eq!(with("rbacPodCreate")[0].1, Severity::High);
    assert!(with("rbacPodCreate")[0].2.contains("create on deployments"));
    assert_eq!(with("rbacTokenCreate")[0].1, Severity::High);
}

#[test]
fn admission_csr_and_unused_roles() {
    let found = findings(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: platform}
rules:
- {apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], verbs: [delete]}
- {apiGroups: [""], resources: [namespaces], verbs: [patch]}
- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: platform}
roleRef: {kind: ClusterRole, name: platform}
subjects: [{kind: Group, name: platform-team}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: old-debugger, namespace: shop}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
"#,
    );
    let messages = |rule: &str| -> Vec<String> {
        found
            .iter()
            .filter(|(id, _, _)| id == rule)
            .map(|(_, _, m)| m.clone())
            .collect()
    };
    let admission = messages("rbacAdmissionControlWrite");
    assert!(
        admission
            .iter()
            .any(|m| m.contains("validatingwebhookconfigurations"))
    );
    assert!(admission.iter().any(|m| m.contains("namespaces (labels)")));
    assert!(messages("rbacCsrApproval")[0].contains("CSR approval"));
    assert_eq!(
        messages("rbacUnusedRole"),
        ["Role old-debugger in namespace shop is bound by nothing"]
    );
}

#[test]
fn missing_accounts_and_persistent_volumes() {
    let found = findings(
        r#"
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: storage}
rules: [{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: storage}
roleRef: {kind: ClusterRole, name: storage}
subjects:
- {kind: ServiceAccount, name: deployer, namespace: ci}
- {kind: ServiceAccount, name: deployr, namespace: ci}
- {kind: ServiceAccount, name: elsewhere, namespace: undeclared}
"#,
    );
    let missing: Vec<&String> = found
        .iter()
        .filter(|(id, _, _)| id == "rbacMissingServiceAccount")
        .map(|(_, _, m)| m)
        .collect();
    // The typo in a namespace that declares accounts; not the namespace the input says nothing of.
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains("ServiceAccount ci/deployr"));
    assert!(
        found
            .iter()
            .any(|(id, s, _)| id == "rbacPersistentVolumeCreate" && *s == Severity::High)
    );
}
