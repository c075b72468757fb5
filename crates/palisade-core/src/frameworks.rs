//! The compliance frameworks rules map to — CIS Kubernetes Benchmark (sections 1.2–1.4, 2, 3.2, 4.2
//! and 5), the NSA/CISA
//! Kubernetes Hardening Guide, MITRE ATT&CK for Containers, and the Pod Security Standards —
//! with the titles of their controls, and the compliance summary a `--framework` scan ends
//! with: per control, passed, failed or not applicable.
//!
//! Rules declare their controls as [`Reference`]s built with [`cis`], [`nsa`] and [`mitre!`];
//! a test of the binary checks that every reference of every rule names a control listed here.

use std::collections::HashSet;

use crate::{
    CIS, Compliance, ControlResult, ControlStatus, Finding, Framework, NSA, Reference, RuleMeta,
};

pub const CIS_URL: &str = "https://www.cisecurity.org/benchmark/kubernetes";
pub const NSA_URL: &str = "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF";

/// A CIS Kubernetes Benchmark (v1.10) recommendation, e.g. `cis("5.2.2")`.
pub const fn cis(id: &'static str) -> Reference {
    Reference {
        framework: CIS,
        id,
        url: CIS_URL,
    }
}

/// A section of the NSA/CISA Kubernetes Hardening Guide (v1.2), by the slug in [`NSA_CONTROLS`].
pub const fn nsa(id: &'static str) -> Reference {
    Reference {
        framework: NSA,
        id,
        url: NSA_URL,
    }
}

/// A MITRE ATT&CK technique: `mitre!("T1611")`, or a sub-technique `mitre!("T1552", "001")`.
#[macro_export]
macro_rules! mitre {
    ($technique:literal) => {
        $crate::Reference {
            framework: $crate::MITRE,
            id: $technique,
            url: concat!("https://attack.mitre.org/techniques/", $technique, "/"),
        }
    };
    ($technique:literal, $sub:literal) => {
        $crate::Reference {
            framework: $crate::MITRE,
            id: concat!($technique, ".", $sub),
            url: concat!(
                "https://attack.mitre.org/techniques/",
                $technique,
                "/",
                $sub,
                "/"
            ),
        }
    };
}

/// CIS Kubernetes Benchmark v1.10: the control-plane recommendations of sections 1.2–1.4, 2
/// (etcd) and 3.2 (audit), the kubelet recommendations of section 4.2 that rules check so far,
/// and section 5 (Policies).
pub static CIS_CONTROLS: &[(&str, &str)] = &[
    (
        "1.2.1",
        "Ensure that the --anonymous-auth argument is set to false",
    ),
    (
        "1.2.2",
        "Ensure that the --token-auth-file parameter is not set",
    ),
    (
        "1.2.4",
        "Ensure that the --kubelet-client-certificate and --kubelet-client-key arguments are set as appropriate",
    ),
    (
        "1.2.5",
        "Ensure that the --kubelet-certificate-authority argument is set as appropriate",
    ),
    (
        "1.2.6",
        "Ensure that the --authorization-mode argument is not set to AlwaysAllow",
    ),
    (
        "1.2.7",
        "Ensure that the --authorization-mode argument includes Node",
    ),
    (
        "1.2.8",
        "Ensure that the --authorization-mode argument includes RBAC",
    ),
    (
        "1.2.10",
        "Ensure that the admission control plugin AlwaysAdmit is not set",
    ),
    (
        "1.2.14",
        "Ensure that the admission control plugin NodeRestriction is set",
    ),
    (
        "1.2.15",
        "Ensure that the --profiling argument is set to false",
    ),
    ("1.2.16", "Ensure that the --audit-log-path argument is set"),
    (
        "1.2.21",
        "Ensure that the --service-account-lookup argument is set to true",
    ),
    (
        "1.2.22",
        "Ensure that the --service-account-key-file argument is set as appropriate",
    ),
    (
        "1.2.23",
        "Ensure that the --etcd-certfile and --etcd-keyfile arguments are set as appropriate",
    ),
    (
        "1.2.24",
        "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate",
    ),
    (
        "1.2.25",
        "Ensure that the --client-ca-file argument is set as appropriate",
    ),
    (
        "1.2.26",
        "Ensure that the --etcd-cafile argument is set as appropriate",
    ),
    (
        "1.2.27",
        "Ensure that the --encryption-provider-config argument is set as appropriate",
    ),
    (
        "1.2.28",
        "Ensure that encryption providers are appropriately configured",
    ),
    (
        "1.2.29",
        "Ensure that the API Server only makes use of Strong Cryptographic Ciphers",
    ),
    (
        "1.3.2",
        "Ensure that the --profiling argument is set to false",
    ),
    (
        "1.3.3",
        "Ensure that the --use-service-account-credentials argument is set to true",
    ),
    (
        "1.3.4",
        "Ensure that the --service-account-private-key-file argument is set as appropriate",
    ),
    (
        "1.3.5",
        "Ensure that the --root-ca-file argument is set as appropriate",
    ),
    (
        "1.3.6",
        "Ensure that the RotateKubeletServerCertificate argument is set to true",
    ),
    (
        "1.3.7",
        "Ensure that the --bind-address argument is set to 127.0.0.1",
    ),
    (
        "1.4.1",
        "Ensure that the --profiling argument is set to false",
    ),
    (
        "1.4.2",
        "Ensure that the --bind-address argument is set to 127.0.0.1",
    ),
    (
        "2.1",
        "Ensure that the --cert-file and --key-file arguments are set as appropriate",
    ),
    (
        "2.2",
        "Ensure that the --client-cert-auth argument is set to true",
    ),
    (
        "2.3",
        "Ensure that the --auto-tls argument is not set to true",
    ),
    (
        "2.4",
        "Ensure that the --peer-cert-file and --peer-key-file arguments are set as appropriate",
    ),
    (
        "2.5",
        "Ensure that the --peer-client-cert-auth argument is set to true",
    ),
    (
        "2.6",
        "Ensure that the --peer-auto-tls argument is not set to true",
    ),
    ("3.2.1", "Ensure that a minimal audit policy is created"),
    (
        "3.2.2",
        "Ensure that the audit policy covers key security concerns",
    ),
    (
        "4.2.1",
        "Ensure that the --anonymous-auth argument is set to false",
    ),
    (
        "4.2.2",
        "Ensure that the --authorization-mode argument is not set to AlwaysAllow",
    ),
    (
        "4.2.3",
        "Ensure that the --client-ca-file argument is set as appropriate",
    ),
    (
        "4.2.4",
        "Verify that the --read-only-port argument is set to 0",
    ),
    (
        "4.2.5",
        "Ensure that the --streaming-connection-idle-timeout argument is not set to 0",
    ),
    (
        "4.2.6",
        "Ensure that the --make-iptables-util-chains argument is set to true",
    ),
    (
        "4.2.10",
        "Ensure that the --rotate-certificates argument is not set to false",
    ),
    (
        "4.2.11",
        "Verify that the RotateKubeletServerCertificate argument is set to true",
    ),
    (
        "4.2.12",
        "Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers",
    ),
    ("4.2.13", "Ensure that a limit is set on pod PIDs"),
    (
        "5.1.1",
        "Ensure that the cluster-admin role is only used where required",
    ),
    ("5.1.2", "Minimize access to secrets"),
    ("5.1.3", "Minimize wildcard use in Roles and ClusterRoles"),
    ("5.1.4", "Minimize access to create pods"),
    (
        "5.1.5",
        "Ensure that default service accounts are not actively used",
    ),
    (
        "5.1.6",
        "Ensure that Service Account Tokens are only mounted where necessary",
    ),
    ("5.1.7", "Avoid use of system:masters group"),
    (
        "5.1.8",
        "Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster",
    ),
    (
        "5.2.1",
        "Ensure that the cluster has at least one active policy control mechanism in place",
    ),
    ("5.2.2", "Minimize the admission of privileged containers"),
    (
        "5.2.3",
        "Minimize the admission of containers wishing to share the host process ID namespace",
    ),
    (
        "5.2.4",
        "Minimize the admission of containers wishing to share the host IPC namespace",
    ),
    (
        "5.2.5",
        "Minimize the admission of containers wishing to share the host network namespace",
    ),
    (
        "5.2.6",
        "Minimize the admission of containers with allowPrivilegeEscalation",
    ),
    ("5.2.7", "Minimize the admission of root containers"),
    (
        "5.2.8",
        "Minimize the admission of containers with the NET_RAW capability",
    ),
    (
        "5.2.9",
        "Minimize the admission of containers with added capabilities",
    ),
    (
        "5.2.10",
        "Minimize the admission of containers with capabilities assigned",
    ),
    (
        "5.2.11",
        "Minimize the admission of Windows HostProcess containers",
    ),
    ("5.2.12", "Minimize the admission of HostPath volumes"),
    (
        "5.2.13",
        "Minimize the admission of containers which use HostPorts",
    ),
    (
        "5.3.1",
        "Ensure that the CNI in use supports NetworkPolicies",
    ),
    (
        "5.3.2",
        "Ensure that all Namespaces have NetworkPolicies defined",
    ),
    (
        "5.4.1",
        "Prefer using Secrets as files over Secrets as environment variables",
    ),
    ("5.4.2", "Consider external secret storage"),
    (
        "5.5.1",
        "Configure Image Provenance using ImagePolicyWebhook admission controller",
    ),
    (
        "5.7.1",
        "Create administrative boundaries between resources using namespaces",
    ),
    (
        "5.7.2",
        "Ensure that the seccomp profile is set to docker/default in your Pod definitions",
    ),
    ("5.7.3", "Apply SecurityContext to your Pods and Containers"),
    ("5.7.4", "The default namespace should not be used"),
];

/// NSA/CISA Kubernetes Hardening Guide v1.2 sections. The guide numbers none of them, so
/// palisade names each by a stable slug.
pub static NSA_CONTROLS: &[(&str, &str)] = &[
    (
        "pod-non-root",
        "Kubernetes Pod security: Non-root containers and rootless container engines",
    ),
    (
        "pod-immutable-filesystem",
        "Kubernetes Pod security: Immutable container file systems",
    ),
    (
        "pod-secure-images",
        "Kubernetes Pod security: Building secure container images",
    ),
    (
        "pod-security-enforcement",
        "Kubernetes Pod security: Pod security enforcement",
    ),
    (
        "pod-service-account-tokens",
        "Kubernetes Pod security: Protecting Pod service account tokens",
    ),
    (
        "pod-hardening",
        "Kubernetes Pod security: Hardening container environments",
    ),
    (
        "network-namespaces",
        "Network separation and hardening: Namespaces",
    ),
    (
        "network-policies",
        "Network separation and hardening: Network policies",
    ),
    (
        "network-resource-policies",
        "Network separation and hardening: Resource policies",
    ),
    (
        "network-control-plane",
        "Network separation and hardening: Control plane hardening",
    ),
    (
        "network-secrets",
        "Network separation and hardening: Secrets",
    ),
    (
        "network-exposure",
        "Network separation and hardening: limiting exposed services and encrypting traffic",
    ),
    (
        "authentication-authorization",
        "Authentication and authorization",
    ),
    ("audit-logging", "Audit logging and threat detection"),
    ("upgrading", "Upgrading and application security practices"),
];

/// MITRE ATT&CK techniques of the Containers matrix (and the Enterprise techniques it uses).
pub static MITRE_CONTROLS: &[(&str, &str)] = &[
    ("T1021.004", "Remote Services: SSH"),
    ("T1040", "Network Sniffing"),
    (
        "T1053.007",
        "Scheduled Task/Job: Container Orchestration Job",
    ),
    ("T1068", "Exploitation for Privilege Escalation"),
    ("T1078.001", "Valid Accounts: Default Accounts"),
    ("T1133", "External Remote Services"),
    ("T1190", "Exploit Public-Facing Application"),
    ("T1204.003", "User Execution: Malicious Image"),
    ("T1496", "Resource Hijacking"),
    ("T1498", "Network Denial of Service"),
    ("T1499", "Endpoint Denial of Service"),
    ("T1525", "Implant Internal Image"),
    ("T1528", "Steal Application Access Token"),
    ("T1552.001", "Unsecured Credentials: Credentials In Files"),
    ("T1552.007", "Unsecured Credentials: Container API"),
    ("T1557", "Adversary-in-the-Middle"),
    ("T1609", "Container Administration Command"),
    ("T1610", "Deploy Container"),
    ("T1611", "Escape to Host"),
    ("T1612", "Build Image on Host"),
    ("T1613", "Container and Resource Discovery"),
];

/// The controls of a reference-based framework, `None` for the Pod Security levels (whose
/// controls are the rules themselves).
pub fn controls(framework: Framework) -> Option<&'static [(&'static str, &'static str)]> {
    match framework {
        Framework::Cis => Some(CIS_CONTROLS),
        Framework::Nsa => Some(NSA_CONTROLS),
        Framework::Mitre => Some(MITRE_CONTROLS),
        Framework::PssBaseline | Framework::PssRestricted => None,
    }
}

/// The compliance summary of one framework, over every rule of the registry that maps to it.
/// A control is *failed* when one of its rules reported an (unsuppressed) finding, *passed*
/// when its rules ran on at least one object without findings, *not applicable* when no object
/// in the input was subject to any of its enabled rules, and *not checked* when every rule of
/// it was turned off (`--skip-checks`, `[rules] disable`, …), so that skipping a rule never
/// makes a control vanish from the summary.
pub fn compliance(
    framework: Framework,
    rules: &[&'static RuleMeta],
    enabled: impl Fn(&RuleMeta) -> bool,
    ran: &HashSet<&'static str>,
    findings: &[Finding],
) -> Compliance {
    let failing: HashSet<&str> = findings.iter().map(|f| f.rule.id).collect();
    let mut results: Vec<ControlResult> = Vec::new();
    let mut add = |id: &'static str, title: &'static str, rule: &'static RuleMeta| {
        let index = match results.iter().position(|c| c.id == id) {
            Some(index) => index,
            None => {
                results.push(ControlResult {
                    id,
                    title,
                    status: ControlStatus::NotChecked,
                    rules: Vec::new(),
                    findings: 0,
                });
                results.len() - 1
            }
        };
        let control = &mut results[index];
        control.rules.push(rule.id);
        control.findings += findings.iter().filter(|f| f.rule.id == rule.id).count();
        let status = if failing.contains(rule.id) {
            ControlStatus::Failed
        } else if ran.contains(rule.id) {
            ControlStatus::Passed
        } else if enabled(rule) {
            ControlStatus::NotApplicable
        } else {
            ControlStatus::NotChecked
        };
        control.status = control.status.max(status);
    };
    for rule in rules.iter().copied().filter(|r| r.in_framework(framework)) {
        match controls(framework) {
            Some(table) => {
                for id in rule.controls(framework) {
                    let title = table.iter().find(|(c, _)| *c == id).map_or("", |(_, t)| *t);
                    add(id, title, rule);
                }
            }
            None => add(rule.id, rule.title, rule),
        }
    }
    let order = |id: &str| controls(framework).and_then(|t| t.iter().position(|(c, _)| *c == id));
    results.sort_by_key(|c| order(c.id));
    Compliance::new(framework, results)
}

#[cfg(test)]
mod tests {
    #[test]
    fn mitre_macro_builds_technique_urls() {
        let sub = crate::mitre!("T1552", "001");
        assert_eq!(sub.id, "T1552.001");
        assert_eq!(sub.url, "https://attack.mitre.org/techniques/T1552/001/");
        assert_eq!(
            crate::mitre!("T1611").url,
            "https://attack.mitre.org/techniques/T1611/"
        );
    }
}
