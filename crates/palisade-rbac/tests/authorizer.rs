//! The authorizer's semantics, case by case (`rbacv1helpers` and `appliesToUser` in
//! kubernetes/kubernetes), and the default bootstrap policy of `../shared/data/rbac/` with its
//! aggregated `admin`, `edit` and `view` roles, as the Kubernetes documentation describes them.

use std::path::Path;
use std::sync::Arc;

use palisade_k8s::load_stream;
use palisade_rbac::authorizer::rule_allows;
use palisade_rbac::{Policy, Request, Rule, User};

fn policy(yaml: &str) -> Policy {
    let loaded = load_stream(&Arc::from("test.yaml"), yaml);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    Policy::from_objects(&loaded.objects)
}

fn resource(
    verb: &str,
    group: &str,
    resource: &str,
    subresource: &str,
    name: &str,
    namespace: &str,
) -> Request {
    Request::Resource {
        verb: verb.into(),
        api_group: group.into(),
        resource: resource.into(),
        subresource: subresource.into(),
        name: name.into(),
        namespace: namespace.into(),
    }
}

fn rule(
    verbs: &[&str],
    groups: &[&str],
    resources: &[&str],
    names: &[&str],
    urls: &[&str],
) -> Rule {
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    Rule {
        verbs: owned(verbs),
        api_groups: owned(groups),
        resources: owned(resources),
        resource_names: owned(names),
        non_resource_urls: owned(urls),
    }
}

#[test]
fn rules_match_as_the_authorizer_does() {
    let pods = rule(&["get", "list"], &[""], &["pods"], &[], &[]);
    assert!(rule_allows(
        &pods,
        &resource("get", "", "pods", "", "web", "shop")
    ));
    assert!(!rule_allows(
        &pods,
        &resource("delete", "", "pods", "", "web", "shop")
    ));
    assert!(
        !rule_allows(&pods, &resource("get", "apps", "pods", "", "web", "shop")),
        "API group"
    );
    // `pods` does not cover its subresources; `pods/exec` and `*` do.
    assert!(!rule_allows(
        &pods,
        &resource("get", "", "pods", "exec", "web", "shop")
    ));
    let exec = rule(&["create"], &[""], &["pods/exec"], &[], &[]);
    assert!(rule_allows(
        &exec,
        &resource("create", "", "pods", "exec", "web", "shop")
    ));
    let everything = rule(&["*"], &["*"], &["*"], &[], &[]);
    assert!(rule_allows(
        &everything,
        &resource("create", "", "pods", "exec", "web", "shop")
    ));
    // `*/scale`: that subresource of any resource, not the resources themselves.
    let scale = rule(&["update"], &["apps"], &["*/scale"], &[], &[]);
    assert!(rule_allows(
        &scale,
        &resource("update", "apps", "deployments", "scale", "web", "shop")
    ));
    assert!(!rule_allows(
        &scale,
        &resource("update", "apps", "deployments", "", "web", "shop")
    ));
    assert!(!rule_allows(
        &scale,
        &resource("update", "apps", "deployments", "status", "web", "shop")
    ));
    // resourceNames: only those objects, and never a request without a name.
    let named = rule(
        &["get", "update", "list"],
        &[""],
        &["configmaps"],
        &["app-config"],
        &[],
    );
    assert!(rule_allows(
        &named,
        &resource("get", "", "configmaps", "", "app-config", "shop")
    ));
    assert!(!rule_allows(
        &named,
        &resource("get", "", "configmaps", "", "other", "shop")
    ));
    assert!(!rule_allows(
        &named,
        &resource("list", "", "configmaps", "", "", "shop")
    ));
    // Non-resource URLs: equal, `*`, or a prefix ending in `*`; resource rules never match them.
    let urls = rule(&["get"], &[], &[], &[], &["/healthz", "/apis/*"]);
    let url = |verb: &str, path: &str| Request::NonResource {
        verb: verb.into(),
        path: path.into(),
    };
    assert!(rule_allows(&urls, &url("get", "/healthz")));
    assert!(!rule_allows(&urls, &url("get", "/healthz/ready")));
    assert!(rule_allows(&urls, &url("get", "/apis/apps/v1")));
    assert!(!rule_allows(&urls, &url("post", "/healthz")));
    assert!(
        !rule_allows(&everything, &url("get", "/healthz")),
        "resource rules are not URL rules"
    );
}

const SHOP: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-reads-secrets, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
- {kind: ServiceAccount, name: deployer}
- {kind: Group, name: "system:serviceaccounts:ci"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dangling, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: does-not-exist}
subjects:
- {kind: User, name: mallory}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: no-namespace}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
- {kind: ServiceAccount, name: orphan}
"#;

#[test]
fn bindings_scope_and_subjects() {
    let policy = policy(SHOP);
    let get_secret = |namespace: &str| resource("get", "", "secrets", "", "db", namespace);
    // A RoleBinding scopes a ClusterRole to its namespace; a service account subject without a
    // namespace is in the binding's.
    let deployer = User::parse("system:serviceaccount:shop:deployer");
    let decision = policy.authorize(&deployer, &get_secret("shop"));
    assert!(decision.allowed);
    assert_eq!(decision.via[0].binding, "deployer-reads-secrets");
    assert_eq!(decision.via[0].role.name, "secret-reader");
    assert!(!policy.authorize(&deployer, &get_secret("prod")).allowed);
    assert!(
        !policy.authorize(&deployer, &get_secret("")).allowed,
        "not cluster-wide"
    );
    // Groups: every service account of `ci` is in system:serviceaccounts:ci.
    assert!(
        policy
            .authorize(
                &User::parse("serviceaccount:ci:builder"),
                &get_secret("shop")
            )
            .allowed
    );
    assert!(
        !policy
            .authorize(
                &User::parse("serviceaccount:qa:builder"),
                &get_secret("shop")
            )
            .allowed
    );
    // A binding to a missing role grants nothing; deny by default.
    assert!(
        !policy
            .authorize(&User::parse("mallory"), &get_secret("shop"))
            .allowed
    );
    // A ClusterRoleBinding's service account needs a namespace: this one matches nobody.
    assert!(
        !policy
            .authorize(
                &User::parse("serviceaccount:default:orphan"),
                &get_secret("shop")
            )
            .allowed
    );
    // who-can lists subjects as bound, with the grant.
    let who = policy.who_can(&get_secret("shop"));
    let names: Vec<&str> = who.iter().map(|(s, _)| s.name.as_str()).collect();
    assert_eq!(names, ["system:serviceaccounts:ci", "deployer", "orphan"]);
    assert!(
        policy
            .who_can(&get_secret("prod"))
            .iter()
            .all(|(s, _)| s.name == "orphan")
    );
}

/// The upstream bootstrap policy: `admin`, `edit` and `view` are aggregated from the
/// `system:aggregate-to-*` roles (and each other), as the documentation's user-facing roles.
#[test]
fn default_roles_aggregate_as_documented() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/rbac");
    if !dir.is_dir() {
        eprintln!("skipping: no {}", dir.display());
        return;
    }
    let mut text = String::new();
    for file in ["cluster-roles.yaml", "cluster-role-bindings.yaml"] {
        text.push_str(&std::fs::read_to_string(dir.join(file)).unwrap());
        text.push_str("\n---\n");
    }
    text.push_str(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crontab-reader
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules:
- {apiGroups: [stable.example.com], resources: [crontabs], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: lead, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: auditors, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: auditors}]
"#,
    );
    let policy = policy(&text);
    let alice = User::parse("alice");
    let bob = User::parse("bob");
    let auditor = User {
        name: "carol".into(),
        groups: vec!["auditors".into(), "system:authenticated".into()],
    };
    let can = |user: &User, request: Request| policy.authorize(user, &request).allowed;
    // edit: workloads and secrets, but no roles or bindings.
    assert!(can(
        &alice,
        resource("create", "apps", "deployments", "", "", "shop")
    ));
    assert!(can(
        &alice,
        resource("get", "", "secrets", "", "db", "shop")
    ));
    assert!(!can(
        &alice,
        resource(
            "create",
            "rbac.authorization.k8s.io",
            "rolebindings",
            "",
            "",
            "shop"
        )
    ));
    assert!(!can(
        &alice,
        resource("create", "apps", "deployments", "", "", "prod")
    ));
    // admin: also roles and bindings in the namespace, but not the namespace object itself.
    assert!(can(
        &bob,
        resource(
            "create",
            "rbac.authorization.k8s.io",
            "rolebindings",
            "",
            "",
            "shop"
        )
    ));
    assert!(!can(
        &bob,
        resource("delete", "", "namespaces", "", "shop", "")
    ));
    // view: no secrets; and the custom role aggregated into view reaches edit and admin too.
    assert!(!can(
        &auditor,
        resource("get", "", "secrets", "", "db", "shop")
    ));
    assert!(can(
        &auditor,
        resource("list", "stable.example.com", "crontabs", "", "", "shop")
    ));
    assert!(can(
        &alice,
        resource("list", "stable.example.com", "crontabs", "", "", "shop")
    ));
    assert!(can(
        &bob,
        resource("list", "stable.example.com", "crontabs", "", "", "shop")
    ));
    // system:discovery and system:public-info-viewer are bound to every authenticated user.
    let url = |path: &str| Request::NonResource {
        verb: "get".into(),
        path: path.into(),
    };
    assert!(can(&alice, url("/api")));
    assert!(can(&alice, url("/healthz")));
    assert!(!can(&alice, url("/metrics")));
    // cluster-admin is bound to system:masters.
    let master = User {
        name: "root".into(),
        groups: vec!["system:masters".into()],
    };
    assert!(can(&master, resource("delete", "", "nodes", "", "n1", "")));
    assert!(can(&master, url("/metrics")));
}
