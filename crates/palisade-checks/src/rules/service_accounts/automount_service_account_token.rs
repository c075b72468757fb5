use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{Node, Object, pod_view};

use super::{CATEGORY, service_account};
use crate::frameworks::{cis, nsa};
use crate::rules::{Context, Rule, workloads};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "automountServiceAccountToken",
        name: "automount-service-account-token",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "API token mounted into the pod",
        doc: r#"Pods that do not talk to the Kubernetes API should not carry a token for it.

**What it finds.** Pods (and pod templates) into which Kubernetes mounts a service account
token. The effective setting is, as the API server decides it:
1. the pod's `spec.automountServiceAccountToken`, when set;
2. else the `automountServiceAccountToken` of the pod's ServiceAccount, when that
   ServiceAccount is in the input and sets it;
3. else `true`.

A pod whose service account is named as a subject by a RoleBinding or ClusterRoleBinding in the
input is not reported: it was granted a role, so it plausibly needs the API and its token. This
is a heuristic — palisade only sees the bindings in its input, and cannot know whether the
application really calls the API.

**Why it matters.** The token is mounted at
`/var/run/secrets/kubernetes.io/serviceaccount/token` in every container. Anyone who gets code
execution or a file read in the pod can use it against the API server with the service
account's permissions — and learn about the cluster even with none. A pod that never calls the
API gives an attacker that credential for nothing.

**Failing**
```yaml
apiVersion: v1
kind: Pod
spec:
  serviceAccountName: shop-api
  containers:
  - name: app
    image: registry.corp.example/app:1.4
```

**Passing**
```yaml
apiVersion: v1
kind: Pod
spec:
  serviceAccountName: shop-api
  automountServiceAccountToken: false
  containers:
  - name: app
    image: registry.corp.example/app:1.4
```"#,
        remediation: "Set `automountServiceAccountToken: false` on the pod spec, or on its ServiceAccount so that every pod using it inherits it; a pod that needs the API can mount a short-lived, audience-bound token through a projected `serviceAccountToken` volume.",
        aliases: &[],
        frameworks: &[],
        references: &[
            cis("5.1.6"),
            nsa("pod-service-account-tokens"),
            crate::mitre!("T1528"),
            crate::mitre!("T1552", "007"),
        ],
    },
    applies: workloads,
    check,
};

fn check(context: &Context<'_>, object: &Object) -> Vec<Violation> {
    let Some(pod) = pod_view(object) else {
        return Vec::new();
    };
    let (account, _) = service_account(&pod);
    let key = (
        object
            .namespace
            .clone()
            .filter(|ns| !ns.is_empty())
            .unwrap_or_else(|| "default".to_string()),
        account.to_string(),
    );
    let (path, source) = match pod
        .get("automountServiceAccountToken")
        .and_then(Node::as_bool)
    {
        Some(false) => return Vec::new(),
        Some(true) => (
            pod.spec_path.key("automountServiceAccountToken"),
            "the pod sets automountServiceAccountToken=true".to_string(),
        ),
        None => match context.inventory.service_accounts.get(&key) {
            Some(Some(false)) => return Vec::new(),
            Some(Some(true)) => (
                pod.spec_path.clone(),
                format!("ServiceAccount \"{account}\" sets automountServiceAccountToken=true"),
            ),
            Some(None) => (
                pod.spec_path.clone(),
                format!(
                    "automountServiceAccountToken is set on neither the pod nor ServiceAccount \"{account}\": defaults to true"
                ),
            ),
            None => (
                pod.spec_path.clone(),
                format!(
                    "automountServiceAccountToken is not set on the pod, and ServiceAccount \"{account}\" is not in the input: defaults to true"
                ),
            ),
        },
    };
    if context.inventory.bound_service_accounts.contains(&key) {
        return Vec::new();
    }
    vec![Violation::at(
        path,
        format!("the pod mounts the API token of service account \"{account}\" ({source})"),
    )]
}
