//! Escalation paths on a small constructed cluster: pod creation to a privileged service
//! account, bind, and a three-step chain through secrets and impersonation.

use std::sync::Arc;

use palisade_k8s::load_stream;
use palisade_rbac::Policy;
use palisade_rbac::paths::{Principal, escalation_paths};

const CLUSTER: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
- {nonResourceURLs: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admin-bot}
roleRef: {kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: ServiceAccount, name: admin-bot, namespace: shop}
- {kind: User, name: root}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: shop}
roleRef: {kind: Role, name: deployer}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: binder}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-binds}
roleRef: {kind: ClusterRole, name: binder}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: tools}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bob-reads, namespace: tools}
roleRef: {kind: Role, name: secret-reader}
subjects: [{kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: impersonator}
rules: [{apiGroups: [""], resources: [users], verbs: [impersonate]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: helper-impersonates}
roleRef: {kind: ClusterRole, name: impersonator}
subjects: [{kind: ServiceAccount, name: helper, namespace: tools}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: viewer}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: carol-views}
roleRef: {kind: ClusterRole, name: viewer}
subjects: [{kind: User, name: carol}]
"#;

#[test]
fn shortest_paths_to_cluster_admin() {
    let loaded = load_stream(&Arc::from("cluster.yaml"), CLUSTER);
    let policy = Policy::from_objects(&loaded.objects);
    let paths = escalation_paths(&policy);
    let describe = |from: &str| -> Vec<String> {
        paths
            .iter()
            .find(|p| p.from.name == from)
            .unwrap_or_else(|| panic!("no path from {from}: {paths:#?}"))
            .steps
            .iter()
            .map(|s| {
                let to = match &s.to {
                    Principal::Subject(subject) => subject.name.clone(),
                    Principal::Node => "node".to_string(),
                    Principal::ClusterAdmin => "cluster-admin".to_string(),
                };
                format!("{} {to}", s.technique)
            })
            .collect()
    };
    assert_eq!(describe("alice"), ["bind cluster-admin"]);
    assert_eq!(
        describe("deployer"),
        [
            "create-pod admin-bot",
            "bound-to-cluster-admin cluster-admin"
        ]
    );
    // Through helper's token Secret, then impersonating someone who reaches cluster-admin in
    // one step (alice by bind, or root by binding: equally short).
    let bob = describe("bob");
    assert_eq!(bob.len(), 3, "{bob:?}");
    assert_eq!(bob[0], "read-secrets helper");
    assert!(bob[1].starts_with("impersonate "), "{bob:?}");
    // Admins are not paths; a viewer has none.
    assert!(
        paths
            .iter()
            .all(|p| p.from.name != "root" && p.from.name != "admin-bot")
    );
    assert!(paths.iter().all(|p| p.from.name != "carol"));
    // Shortest first.
    assert_eq!(paths[0].from.name, "alice");
}
