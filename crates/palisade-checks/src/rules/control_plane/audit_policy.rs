//! The API server's audit policy (`audit.k8s.io/v1` `Policy`), evaluated as the API server
//! does: the first rule whose every constraint matches a request decides its level.

use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::CATEGORY;
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "auditPolicyCoverage",
        name: "audit-policy-coverage",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "Audit policy misses key requests or records Secret contents",
        doc: r#"The audit policy should record who touched Secrets, exec'd into pods and changed RBAC —
without writing the Secrets themselves into the log.

**What it finds.** An audit `Policy` (`audit.k8s.io/v1`) evaluated as the API server does (rules
in order, the first whose `users`, `userGroups`, `verbs`, `resources` (group, resources with
`*` and subresources, `resourceNames`), `namespaces` and `nonResourceURLs` all match decides
the level) for an ordinary authenticated user's key requests: reading Secrets, `pods/exec`,
writing ClusterRoleBindings, requesting service-account tokens. It reports:
- a policy without rules (nothing is recorded: **high**);
- a key request at level `None` (not recorded);
- Secret (or ConfigMap, TokenReview) requests at `Request` or `RequestResponse`: their contents,
  keys and tokens included, are written to the log (**high**).

**Failing**
```yaml
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: RequestResponse
```

**Passing**
```yaml
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: Metadata
  resources:
  - group: ""
    resources: [secrets, configmaps]
  - group: authentication.k8s.io
    resources: [tokenreviews]
- level: RequestResponse
  resources:
  - group: rbac.authorization.k8s.io
- level: Metadata
```"#,
        remediation: "Record Secrets, ConfigMaps and TokenReviews at `Metadata` in a rule placed before any broader one, and every other request at `Metadata` or above (RBAC and pods/exec at `Request`).",
        aliases: &[],
        frameworks: &[],
        references: &[cis("3.2.1"), cis("3.2.2"), nsa("audit-logging")],
    },
    applies: |object| object.group() == "audit.k8s.io" && object.kind == "Policy",
    check,
};

/// A request the policy is asked about.
struct Request {
    what: &'static str,
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
    /// Whether its body carries secret values.
    secret_body: bool,
}

const KEY_REQUESTS: &[Request] = &[
    Request {
        what: "reading Secrets",
        verb: "get",
        group: "",
        resource: "secrets",
        secret_body: true,
    },
    Request {
        what: "writing ConfigMaps",
        verb: "update",
        group: "",
        resource: "configmaps",
        secret_body: true,
    },
    Request {
        what: "TokenReviews",
        verb: "create",
        group: "authentication.k8s.io",
        resource: "tokenreviews",
        secret_body: true,
    },
    Request {
        what: "exec into pods",
        verb: "create",
        group: "",
        resource: "pods/exec",
        secret_body: false,
    },
    Request {
        what: "writing ClusterRoleBindings",
        verb: "create",
        group: "rbac.authorization.k8s.io",
        resource: "clusterrolebindings",
        secret_body: false,
    },
    Request {
        what: "requesting service-account tokens",
        verb: "create",
        group: "",
        resource: "serviceaccounts/token",
        secret_body: false,
    },
];

fn strings(node: &Node, key: &str) -> Vec<String> {
    node.get(key)
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// Whether a constraint list (empty: no constraint) admits `value`.
fn admits(list: &[String], value: &str) -> bool {
    list.is_empty() || list.iter().any(|v| v == value)
}

/// `GroupResources` matching of `ruleMatchesResource`: the group equal; a resource equal,
/// `*`, `*/sub` or `res/*`; no `resourceNames` (a named rule does not cover every object).
fn resources_match(rule: &Node, request: &Request) -> bool {
    let Some(groups) = rule.get("resources") else {
        return true;
    };
    let (resource, subresource) = request
        .resource
        .split_once('/')
        .unwrap_or((request.resource, ""));
    groups.items().iter().any(|group| {
        let group_name = group.get("group").and_then(Node::as_str).unwrap_or("");
        let names = strings(group, "resourceNames");
        let resources = strings(group, "resources");
        group_name == request.group
            && names.is_empty()
            && (resources.is_empty()
                || resources.iter().any(|r| {
                    r == "*"
                        || r == request.resource
                        || (!subresource.is_empty() && r == &format!("*/{subresource}"))
                        || (!subresource.is_empty() && r == &format!("{resource}/*"))
                }))
    })
}

/// The level an ordinary authenticated user's request gets, and the rule that decides it.
fn level_of(rules: &[Node], request: &Request) -> Option<(usize, String)> {
    rules.iter().enumerate().find_map(|(i, rule)| {
        let matches = strings(rule, "users").is_empty()
            && admits(&strings(rule, "userGroups"), "system:authenticated")
            && admits(&strings(rule, "verbs"), request.verb)
            && strings(rule, "namespaces").is_empty()
            && strings(rule, "nonResourceURLs").is_empty()
            && resources_match(rule, request);
        matches.then(|| {
            let level = rule.get("level").and_then(Node::as_str).unwrap_or("None");
            (i, level.to_string())
        })
    })
}

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let rules = object.root.get("rules").map_or(&[][..], Node::items);
    let rules_path = JsonPath::root().key("rules");
    if rules.is_empty() {
        return vec![
            Violation::at(
                rules_path,
                format!(
                    "audit policy {} has no rules: nothing is recorded",
                    object.name
                ),
            )
            .with_severity(Severity::High),
        ];
    }
    KEY_REQUESTS
        .iter()
        .filter_map(|request| match level_of(rules, request) {
            None => Some(Violation::at(
                rules_path.clone(),
                format!("{} is not recorded: no rule matches it", request.what),
            )),
            Some((i, level)) if level == "None" => Some(Violation::at(
                rules_path.index(i).key("level"),
                format!("{} is not recorded (rule {i}: level None)", request.what),
            )),
            Some((i, level))
                if request.secret_body && matches!(level.as_str(), "Request" | "RequestResponse") =>
            {
                Some(
                    Violation::at(
                        rules_path.index(i).key("level"),
                        format!(
                            "{} is recorded at {level} (rule {i}): secret values are written to the audit log",
                            request.what
                        ),
                    )
                    .with_severity(Severity::High),
                )
            }
            Some(_) => None,
        })
        .collect()
}
