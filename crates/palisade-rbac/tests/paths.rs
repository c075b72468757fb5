//! Escalation paths on small constructed clusters: one test per technique, exact about what
//! each needs (bind without creating bindings is no path), plus ranking by reachability.

use std::sync::Arc;

use palisade_k8s::load_stream;
use palisade_rbac::Policy;
use palisade_rbac::paths::{EscalationPath, Principal, Reach, escalation_paths};

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
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}
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

fn paths_of(yaml: &str) -> Vec<EscalationPath> {
    let loaded = load_stream(&Arc::from("cluster.yaml"), yaml);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    escalation_paths(&Policy::from_objects(&loaded.objects))
}

/// The steps of the path from `from`, as `technique target`.
fn describe(paths: &[EscalationPath], from: &str) -> Vec<String> {
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
}

fn has_path(paths: &[EscalationPath], from: &str) -> bool {
    paths.iter().any(|p| p.from.name == from)
}

/// A ClusterRole with the given rules (flow YAML), bound cluster-wide to user `who`.
fn granted(who: &str, rules: &str) -> String {
    format!(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: {who}-role}}\nrules: {rules}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: {who}}}\nroleRef: {{kind: ClusterRole, name: {who}-role}}\nsubjects: [{{kind: User, name: {who}}}]\n"
    )
}

#[test]
fn shortest_paths_to_cluster_admin() {
    let paths = paths_of(CLUSTER);
    assert_eq!(describe(&paths, "alice"), ["bind cluster-admin"]);
    assert_eq!(
        describe(&paths, "deployer"),
        [
            "create-pod admin-bot",
            "bound-to-cluster-admin cluster-admin"
        ]
    );
    // Through helper's token Secret, then impersonating someone who reaches cluster-admin in
    // one step (alice by bind, or root by binding: equally short).
    let bob = describe(&paths, "bob");
    assert_eq!(bob.len(), 3, "{bob:?}");
    assert_eq!(bob[0], "read-secrets helper");
    assert!(bob[1].starts_with("impersonate "), "{bob:?}");
    // Admins are not paths; a viewer has none.
    assert!(!has_path(&paths, "root") && !has_path(&paths, "admin-bot"));
    assert!(!has_path(&paths, "carol"));
    // Shortest first among equally reachable subjects.
    assert_eq!(paths[0].from.name, "alice");
}

#[test]
fn bind_needs_binding_creation_and_escalate_needs_an_editable_held_role() {
    let yaml = [
        granted(
            "binds-only",
            "[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}]",
        ),
        granted(
            "binds-other",
            "[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [view]}, {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}]",
        ),
        // Escalate and update on its own role: it can grant itself anything.
        granted(
            "self-editor",
            "[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, update], resourceNames: [self-editor-role]}]",
        ),
        // Escalate without update changes nothing.
        granted(
            "escalate-only",
            "[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate]}]",
        ),
        // Update on someone else's role, escalate on its own: no role it holds can change.
        granted(
            "split",
            "[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate], resourceNames: [split-role]}, {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [patch], resourceNames: [view]}]",
        ),
    ]
    .concat();
    let paths = paths_of(&yaml);
    assert!(!has_path(&paths, "binds-only"), "{paths:#?}");
    assert!(!has_path(&paths, "binds-other"), "{paths:#?}");
    assert_eq!(describe(&paths, "self-editor"), ["escalate cluster-admin"]);
    assert!(!has_path(&paths, "escalate-only"));
    assert!(!has_path(&paths, "split"));
}

#[test]
fn impersonating_system_masters_and_csr_approval() {
    let yaml = [
        granted(
            "masters",
            "[{apiGroups: [\"\"], resources: [groups], verbs: [impersonate], resourceNames: [system:masters]}]",
        ),
        granted(
            "devs-only",
            "[{apiGroups: [\"\"], resources: [groups], verbs: [impersonate], resourceNames: [developers]}]",
        ),
        granted(
            "approver",
            "[{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create]}, {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}, {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: [kubernetes.io/kube-apiserver-client]}]",
        ),
        // Approval alone, without creating the request: no certificate of its own.
        granted(
            "approve-only",
            "[{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}, {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]}]",
        ),
    ]
    .concat();
    let paths = paths_of(&yaml);
    assert_eq!(describe(&paths, "masters"), ["impersonate cluster-admin"]);
    assert!(!has_path(&paths, "devs-only"));
    assert_eq!(describe(&paths, "approver"), ["csr-approve cluster-admin"]);
    assert!(!has_path(&paths, "approve-only"));
}

const WORKLOADS: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: locked
  labels: {pod-security.kubernetes.io/enforce: baseline}
---
apiVersion: v1
kind: Namespace
metadata: {name: open}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: controller, namespace: ops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: controller}
roleRef: {kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: controller, namespace: ops}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: operator, namespace: ops}
spec:
  template:
    spec:
      serviceAccountName: controller
      containers: [{name: op, image: op}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: quiet, namespace: ops}
spec:
  template:
    spec:
      serviceAccountName: quiet
      automountServiceAccountToken: false
      containers: [{name: q, image: q}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pods, namespace: locked}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: locked-pods, namespace: locked}
roleRef: {kind: Role, name: pods}
subjects: [{kind: User, name: in-locked}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployments, namespace: open}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: open-deployments, namespace: open}
roleRef: {kind: Role, name: deployments}
subjects: [{kind: User, name: in-open}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: ops}
rules: [{apiGroups: [""], resources: [pods/exec], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ops-exec, namespace: ops}
roleRef: {kind: Role, name: exec}
subjects: [{kind: Group, name: system:serviceaccounts}]
"#;

#[test]
fn pods_reach_the_node_where_pod_security_admits_privileged_pods() {
    let paths = paths_of(WORKLOADS);
    // A Deployment in an unlabelled namespace: a privileged pod owns the node, and the node
    // holds the operator's mounted token.
    assert_eq!(
        describe(&paths, "in-open"),
        [
            "privileged-pod node",
            "node-tokens controller",
            "bound-to-cluster-admin cluster-admin"
        ]
    );
    // Baseline forbids privileged pods, and nothing powerful runs as a `locked` account.
    assert!(!has_path(&paths, "in-locked"), "{paths:#?}");
    // Exec (a WebSocket exec is authorized as get) into the operator's pod; any service
    // account can.
    let everyone = paths
        .iter()
        .find(|p| p.from.name == "system:serviceaccounts")
        .expect("path from system:serviceaccounts");
    assert_eq!(everyone.reach, Reach::AnyAccount);
    assert_eq!(
        describe(&paths, "system:serviceaccounts"),
        ["exec controller", "bound-to-cluster-admin cluster-admin"]
    );
    // Ranked by reachability before length.
    assert_eq!(paths[0].from.name, "system:serviceaccounts");
}

#[test]
fn unmounted_tokens_are_not_on_the_node() {
    let yaml = WORKLOADS.replace(
        "      serviceAccountName: controller\n",
        "      serviceAccountName: controller\n      automountServiceAccountToken: false\n",
    );
    let paths = paths_of(&yaml);
    assert!(!has_path(&paths, "in-open"), "{paths:#?}");
    assert!(!has_path(&paths, "system:serviceaccounts"), "{paths:#?}");
}

#[test]
fn token_requests_limited_by_name_reach_only_those_accounts() {
    let yaml = [
        CLUSTER.to_string(),
        granted(
            "token-for-bot",
            "[{apiGroups: [\"\"], resources: [serviceaccounts/token], verbs: [create], resourceNames: [admin-bot]}]",
        ),
        granted(
            "token-for-other",
            "[{apiGroups: [\"\"], resources: [serviceaccounts/token], verbs: [create], resourceNames: [nobody]}]",
        ),
    ]
    .concat();
    let paths = paths_of(&yaml);
    assert_eq!(
        describe(&paths, "token-for-bot"),
        [
            "create-token admin-bot",
            "bound-to-cluster-admin cluster-admin"
        ]
    );
    assert!(!has_path(&paths, "token-for-other"), "{paths:#?}");
}

#[test]
fn anonymous_paths_rank_first() {
    let yaml = [
        CLUSTER.to_string(),
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: anon, namespace: tools}\nroleRef: {kind: Role, name: secret-reader}\nsubjects: [{kind: User, name: system:anonymous}]\n".to_string(),
    ]
    .concat();
    let paths = paths_of(&yaml);
    assert_eq!(paths[0].from.name, "system:anonymous");
    assert_eq!(paths[0].reach, Reach::Anyone);
    assert_eq!(paths[0].steps.len(), 3);
}

/// An admission configuration enforcing baseline by default closes the node to pods in
/// unlabelled namespaces; an exemption opens it again.
#[test]
fn admission_configuration_defaults_decide_unlabelled_namespaces() {
    let admission = |exempt: &str| {
        format!(
            "---\napiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  configuration:\n    apiVersion: pod-security.admission.config.k8s.io/v1\n    kind: PodSecurityConfiguration\n    defaults: {{enforce: baseline}}\n    exemptions: {{namespaces: [{exempt}]}}\n"
        )
    };
    let paths = paths_of(&format!("{WORKLOADS}{}", admission("kube-system")));
    assert!(!has_path(&paths, "in-open"), "{paths:#?}");
    let paths = paths_of(&format!("{WORKLOADS}{}", admission("open")));
    assert_eq!(
        describe(&paths, "in-open"),
        [
            "privileged-pod node",
            "node-tokens controller",
            "bound-to-cluster-admin cluster-admin"
        ]
    );
}
