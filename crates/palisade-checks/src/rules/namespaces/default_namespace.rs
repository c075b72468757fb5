use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Object};

use super::CATEGORY;
use crate::frameworks::{cis, nsa};
use crate::rules::workload::nearest;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "defaultNamespace",
        name: "default-namespace",
        severity: Severity::Low,
        category: CATEGORY,
        title: "Object in the default namespace",
        doc: r#"Workloads and their objects should live in a namespace of their own, not in `default`.

**What it finds.** Every namespaced object with `metadata.namespace: default` (**low**), or
with no `metadata.namespace` at all (**info**: it lands in the namespace of whoever applies it —
the current context's namespace, `default` unless one is set).

Cluster-scoped objects are exempt, and so are component configuration files (audit policies,
kubelet and API server configurations, kubeadm configurations, kubeconfigs), which are files on
a node rather than API objects. palisade knows the cluster-scoped kinds of the built-in API
groups exactly (by group and kind: `Namespace`, `Node`, `PersistentVolume`, `ClusterRole`,
`StorageClass`, `CustomResourceDefinition`, the admission webhook and policy configurations,
`PriorityClass`, `RuntimeClass`, `IngressClass`, `CertificateSigningRequest`, `FlowSchema`,
`DeviceClass`, the access and token reviews, and the rest). For kinds it does not know — custom
resources — it cannot read the CustomResourceDefinition's `scope` from a manifest alone, so it
assumes they are namespaced unless the kind starts with `Cluster` followed by a capital letter
(`ClusterIssuer`, `ClusterPolicy`, `ClusterSecretStore`), the common convention for
cluster-scoped custom resources. Accept the findings on objects of a kind that breaks the
convention with a `palisade.dev/ignore` annotation.

Configuration files that load like objects but never reach the API server — kubeconfig files,
`KubeletConfiguration`, `EncryptionConfiguration` — have no namespace and are exempt.

**Why it matters.** Namespaces are the unit of RBAC, network policy, resource quota and Pod
Security enforcement. `default` is where everything without a home ends up and where
permissions tend to be granted broadly, so objects there share a boundary with whatever else
lands there; an object without a namespace goes wherever its installer's context points.

**Failing**
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: default
```

**Passing**
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
```"#,
        remediation: "Create a namespace per application or team, set `metadata.namespace` explicitly on every namespaced object, and give the namespace its own RBAC, network policies, quotas and Pod Security labels.",
        aliases: &[],
        frameworks: &[],
        references: &[cis("5.7.1"), cis("5.7.4"), nsa("network-namespaces")],
    },
    applies: is_namespaced,
    check,
};

/// The cluster-scoped kinds of the built-in API groups, by group (`""` for core) and kind.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("", "ComponentStatus"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "MutatingAdmissionPolicyBinding",
    ),
    ("scheduling.k8s.io", "PriorityClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("networking.k8s.io", "ClusterCIDR"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("resource.k8s.io", "DeviceClass"),
    ("resource.k8s.io", "ResourceSlice"),
    ("resource.k8s.io", "DeviceTaintRule"),
    ("authentication.k8s.io", "TokenReview"),
    ("authentication.k8s.io", "SelfSubjectReview"),
    ("authorization.k8s.io", "SubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectRulesReview"),
    ("internal.apiserver.k8s.io", "StorageVersion"),
    ("storagemigration.k8s.io", "StorageVersionMigration"),
    ("policy", "PodSecurityPolicy"),
    ("extensions", "PodSecurityPolicy"),
];

/// The API groups palisade knows every kind of: a kind of theirs missing from
/// [`CLUSTER_SCOPED`] is namespaced.
const BUILT_IN_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "extensions",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "admissionregistration.k8s.io",
    "scheduling.k8s.io",
    "node.k8s.io",
    "networking.k8s.io",
    "discovery.k8s.io",
    "coordination.k8s.io",
    "events.k8s.io",
    "certificates.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "internal.apiserver.k8s.io",
    "storagemigration.k8s.io",
];

/// The groups of component configuration files (the audit policy, kubelet and API server
/// configuration, …): files on a node, not API objects, so without a namespace.
const CONFIGURATION_GROUPS: &[&str] = &[
    "audit.k8s.io",
    "abac.authorization.kubernetes.io",
    "palisade.dev",
    "apiserver.config.k8s.io",
    "apiserver.k8s.io",
    "kubelet.config.k8s.io",
    "kubeproxy.config.k8s.io",
    "kubescheduler.config.k8s.io",
    "kubeadm.k8s.io",
    "pod-security.admission.config.k8s.io",
];

/// Whether objects of this kind live in a namespace: built-in kinds by the table, component
/// configuration files and kubeconfigs never, other kinds unless they are called
/// `Cluster<Something>`.
fn is_namespaced(object: &Object) -> bool {
    let (group, kind) = (object.group(), object.kind.as_str());
    // Configuration files (kubeconfigs, component configurations) are no API objects.
    if crate::rules::cluster_files::is_configuration_file(object)
        || CONFIGURATION_GROUPS.contains(&group)
        || CLUSTER_SCOPED.contains(&(group, kind))
    {
        return false;
    }
    if BUILT_IN_GROUPS.contains(&group) {
        return true;
    }
    !kind
        .strip_prefix("Cluster")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
}

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    match object.namespace.as_deref() {
        Some("default") => vec![Violation::at(
            JsonPath::root().keys(&["metadata", "namespace"]),
            "namespace \"default\": the object shares the catch-all namespace instead of a boundary of its own",
        )],
        Some(namespace) if !namespace.is_empty() => Vec::new(),
        _ => {
            let path = nearest(&object.root, &JsonPath::root(), &["metadata", "namespace"]);
            let path = if path.segments().is_empty() {
                JsonPath::root().key("metadata")
            } else {
                path
            };
            vec![
                Violation::at(
                    path,
                    "no namespace: the object lands in the namespace of whoever applies it, \"default\" unless set",
                )
                .with_severity(Severity::Info),
            ]
        }
    }
}
