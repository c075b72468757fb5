//! The RBAC analysis at cluster scale: a generated cluster of 10,000 roles and 50,000 bindings
//! (issue 7's target: `who-can` in ≤ 50 ms, the risk rules with escalation paths in ≤ 2 s).
//!
//!     cargo bench -p palisade-rbac --bench analysis
//!
//! The cluster: 200 namespaces; 2,000 ClusterRoles and 8,000 Roles drawn from a mix of
//! realistic rule sets (read-only, deployers, secret readers, exec, wildcards, token creators);
//! 45,000 RoleBindings and 5,000 ClusterRoleBindings to 5,000 users, 200 groups and 20,000
//! service accounts; 5,000 Deployments; a few cluster-admin accounts so that paths exist.
//! Loaded from YAML as `palisade rbac` loads it. Prints the best of 5 runs of each question.

use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade_k8s::load_stream;
use palisade_rbac::paths::escalation_paths;
use palisade_rbac::{Policy, Request, rules};

const NAMESPACES: usize = 200;
const CLUSTER_ROLES: usize = 2_000;
const ROLES: usize = 8_000;
const ROLE_BINDINGS: usize = 45_000;
const CLUSTER_ROLE_BINDINGS: usize = 5_000;
const USERS: usize = 5_000;
const GROUPS: usize = 200;
const ACCOUNTS: usize = 20_000;
const WORKLOADS: usize = 5_000;

/// Rule sets, from harmless to risky; roles cycle through them.
const RULE_SETS: &[&str] = &[
    r#"[{apiGroups: [""], resources: [pods, services, configmaps], verbs: [get, list, watch]}]"#,
    r#"[{apiGroups: [apps], resources: [deployments, statefulsets], verbs: [get, list, create, update, patch]}]"#,
    r#"[{apiGroups: [""], resources: [secrets], verbs: [get, list]}]"#,
    r#"[{apiGroups: [""], resources: [pods/exec, pods/log], verbs: [create, get]}]"#,
    r#"[{apiGroups: [""], resources: [configmaps], verbs: [get], resourceNames: [settings]}]"#,
    r#"[{apiGroups: ["*"], resources: ["*"], verbs: [get, list, watch]}]"#,
    r#"[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]"#,
    r#"[{apiGroups: [batch], resources: [jobs, cronjobs], verbs: ["*"]}]"#,
    r#"[{apiGroups: [""], resources: [events], verbs: [create, patch]}]"#,
    r#"[{apiGroups: [networking.k8s.io], resources: [networkpolicies, ingresses], verbs: [get, list]}]"#,
];

fn subject(i: usize) -> String {
    match i % 10 {
        0..=2 => format!("{{kind: User, name: user-{}}}", (i * 7) % USERS),
        3 => format!("{{kind: Group, name: group-{}}}", (i * 13) % GROUPS),
        _ => {
            let account = (i * 31) % ACCOUNTS;
            format!(
                "{{kind: ServiceAccount, name: sa-{account}, namespace: ns-{}}}",
                account % NAMESPACES
            )
        }
    }
}

fn cluster() -> String {
    let mut yaml = String::with_capacity(40 << 20);
    let rbac = "apiVersion: rbac.authorization.k8s.io/v1";
    for i in 0..CLUSTER_ROLES {
        let rules = RULE_SETS[i % RULE_SETS.len()];
        writeln!(
            yaml,
            "---\n{rbac}\nkind: ClusterRole\nmetadata: {{name: cr-{i}}}\nrules: {rules}"
        )
        .unwrap();
    }
    for i in 0..ROLES {
        // Vary the rule sets within a namespace too.
        let rules = RULE_SETS[(i * 3 + i / NAMESPACES) % RULE_SETS.len()];
        let namespace = i % NAMESPACES;
        writeln!(yaml, "---\n{rbac}\nkind: Role\nmetadata: {{name: role-{i}, namespace: ns-{namespace}}}\nrules: {rules}").unwrap();
    }
    for i in 0..ROLE_BINDINGS {
        let namespace = i % NAMESPACES;
        // Bind a Role of the namespace, or a ClusterRole scoped down, one to three subjects.
        let role_ref = if i % 3 == 0 {
            format!(
                "{{kind: ClusterRole, name: cr-{}}}",
                (i * 7) % CLUSTER_ROLES
            )
        } else {
            let role = (i / NAMESPACES * NAMESPACES + namespace) % ROLES;
            format!("{{kind: Role, name: role-{role}}}")
        };
        let subjects: Vec<String> = (0..1 + i % 3).map(|k| subject(i * 3 + k)).collect();
        writeln!(yaml, "---\n{rbac}\nkind: RoleBinding\nmetadata: {{name: rb-{i}, namespace: ns-{namespace}}}\nroleRef: {role_ref}\nsubjects: [{}]", subjects.join(", ")).unwrap();
    }
    for i in 0..CLUSTER_ROLE_BINDINGS {
        // Every rule set cluster-wide; every 500th binding is cluster-admin.
        let role = if i % 500 == 0 {
            "cluster-admin".to_string()
        } else {
            format!("cr-{}", (i * 7) % CLUSTER_ROLES)
        };
        writeln!(yaml, "---\n{rbac}\nkind: ClusterRoleBinding\nmetadata: {{name: crb-{i}}}\nroleRef: {{kind: ClusterRole, name: {role}}}\nsubjects: [{}]", subject(i * 11 + 5)).unwrap();
    }
    for i in 0..WORKLOADS {
        let account = (i * 17) % ACCOUNTS;
        writeln!(yaml, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}, namespace: ns-{}}}\nspec:\n  template:\n    spec:\n      serviceAccountName: sa-{account}\n      containers: [{{name: app, image: app}}]", account % NAMESPACES).unwrap();
    }
    yaml
}

/// The best of 5 runs of `work`, and its last result.
fn best<T>(work: impl Fn() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut result = None;
    for _ in 0..5 {
        let start = Instant::now();
        let value = work();
        best = best.min(start.elapsed());
        result = Some(value);
    }
    (best, result.expect("five runs"))
}

fn main() {
    let yaml = cluster();
    let start = Instant::now();
    let loaded = load_stream(&Arc::from("cluster.yaml"), &yaml);
    assert!(loaded.errors.is_empty(), "{:?}", &loaded.errors[..1]);
    let policy = Policy::from_objects(&loaded.objects);
    println!(
        "load and build: {:.3} s ({} MB of YAML, {} roles, {} bindings, {} workloads)",
        start.elapsed().as_secs_f64(),
        yaml.len() >> 20,
        policy.roles.len(),
        policy.bindings.len(),
        policy.workloads.len()
    );
    drop(loaded);

    let secrets_in = Request::resource("get", "", "secrets", "", "ns-7");
    let (time, who) = best(|| policy.who_can(&secrets_in));
    println!(
        "who-can get secrets -n ns-7: {:.1} ms ({} subjects)",
        time.as_secs_f64() * 1e3,
        who.len()
    );
    let nodes = Request::resource("delete", "", "nodes", "", "");
    let (time, who) = best(|| policy.who_can(&nodes));
    println!(
        "who-can delete nodes: {:.1} ms ({} subjects)",
        time.as_secs_f64() * 1e3,
        who.len()
    );
    let (time, paths) = best(|| escalation_paths(&policy));
    println!(
        "escalation paths: {:.3} s ({} paths)",
        time.as_secs_f64(),
        paths.len()
    );
    let (time, findings) = best(|| rules::check(&policy, &|_| true));
    println!(
        "risk rules with paths: {:.3} s ({} findings)",
        time.as_secs_f64(),
        findings.len()
    );
}
