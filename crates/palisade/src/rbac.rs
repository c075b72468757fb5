//! `palisade rbac who-can|can-i`: the RBAC authorizer's answers on the RBAC objects of the same
//! inputs `scan` reads, optionally with Kubernetes' default bootstrap policy.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use palisade_k8s::{Input, discover, load_stream};
use palisade_rbac::paths::{EscalationPath, Principal, escalation_paths};
use palisade_rbac::{Grant, Policy, Request, User};
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct RbacArgs {
    #[command(subcommand)]
    command: RbacCommand,
}

/// What every question takes: inputs, the namespace, the default roles, the output format.
#[derive(Debug, clap::Args)]
struct Common {
    /// Namespace of the request (none: a cluster-wide request).
    #[arg(long, short = 'n')]
    namespace: Option<String>,
    /// The object's name, for rules limited by `resourceNames`.
    #[arg(long)]
    name: Option<String>,
    /// Also load Kubernetes' default RBAC policy from DIR (the upstream bootstrap policy's YAML
    /// files, as in kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata).
    #[arg(long, value_name = "DIR")]
    default_roles: Option<PathBuf>,
    /// Files or directories with the RBAC objects; `-` reads standard input.
    #[arg(long = "from", value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    format: RbacFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RbacFormat {
    Table,
    Json,
    /// Graphviz (escalation paths).
    Dot,
    /// Mermaid flowchart (escalation paths).
    Mermaid,
}

#[derive(Debug, clap::Subcommand)]
enum RbacCommand {
    /// Shortest escalation paths from each subject to cluster-admin-equivalent power
    /// (`-f table|json|dot|mermaid`).
    Paths {
        #[command(flatten)]
        common: Common,
    },
    /// What SUBJECT holds (`alice`, `serviceaccount:ci:deployer`): each binding, its scope and
    /// its role's rules.
    Show {
        subject: String,
        /// Groups the user belongs to (repeatable), besides `system:authenticated`.
        #[arg(long = "group")]
        groups: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Who can VERB RESOURCE (`secrets`, `pods/exec`, `deployments.apps`, `/healthz`).
    WhoCan {
        verb: String,
        resource: String,
        #[command(flatten)]
        common: Common,
    },
    /// Whether SUBJECT (`alice`, `system:serviceaccount:ci:deployer`) can VERB RESOURCE; exit
    /// 0 when allowed, 1 when not.
    CanI {
        subject: String,
        verb: String,
        resource: String,
        /// Groups the user belongs to (repeatable), besides `system:authenticated`.
        #[arg(long = "group")]
        groups: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
}

/// The API group of the well-known resources (without discovery, `kubectl`'s way to know).
const GROUPS: &[(&str, &[&str])] = &[
    (
        "apps",
        &[
            "deployments",
            "statefulsets",
            "daemonsets",
            "replicasets",
            "controllerrevisions",
        ],
    ),
    ("batch", &["jobs", "cronjobs"]),
    (
        "rbac.authorization.k8s.io",
        &[
            "roles",
            "rolebindings",
            "clusterroles",
            "clusterrolebindings",
        ],
    ),
    (
        "networking.k8s.io",
        &["networkpolicies", "ingresses", "ingressclasses"],
    ),
    ("policy", &["poddisruptionbudgets"]),
    (
        "admissionregistration.k8s.io",
        &[
            "validatingwebhookconfigurations",
            "mutatingwebhookconfigurations",
            "validatingadmissionpolicies",
            "validatingadmissionpolicybindings",
        ],
    ),
    ("apiextensions.k8s.io", &["customresourcedefinitions"]),
    ("certificates.k8s.io", &["certificatesigningrequests"]),
    (
        "storage.k8s.io",
        &[
            "storageclasses",
            "csidrivers",
            "csinodes",
            "volumeattachments",
        ],
    ),
    ("autoscaling", &["horizontalpodautoscalers"]),
    ("coordination.k8s.io", &["leases"]),
];

/// `VERB RESOURCE` as a request: `resource[.group][/subresource]`, or a non-resource URL.
fn request(verb: &str, resource: &str, common: &Common) -> Request {
    if resource.starts_with('/') {
        return Request::NonResource {
            verb: verb.to_string(),
            path: resource.to_string(),
        };
    }
    let (resource_group, subresource) = resource.split_once('/').unwrap_or((resource, ""));
    let (name, group) = resource_group.split_once('.').unwrap_or_else(|| {
        let group = GROUPS
            .iter()
            .find(|(_, resources)| resources.contains(&resource_group))
            .map_or("", |(group, _)| group);
        (resource_group, group)
    });
    let resource = if subresource.is_empty() {
        name.to_string()
    } else {
        format!("{name}/{subresource}")
    };
    Request::resource(
        verb,
        group,
        &resource,
        common.name.as_deref().unwrap_or_default(),
        common.namespace.as_deref().unwrap_or_default(),
    )
}

/// [`load_policy`] for the questions whose answers are lists: graphs are for `rbac paths` only.
fn load_for_answers(common: &Common) -> anyhow::Result<Result<Policy, ExitCode>> {
    anyhow::ensure!(
        !matches!(common.format, RbacFormat::Dot | RbacFormat::Mermaid),
        "-f dot and -f mermaid draw escalation paths: use them with `palisade rbac paths`"
    );
    load_policy(common)
}

/// The policy of the inputs (and the default roles); input errors are reported, and exit 2.
fn load_policy(common: &Common) -> anyhow::Result<Result<Policy, ExitCode>> {
    let mut paths = common.paths.clone();
    if let Some(dir) = &common.default_roles {
        anyhow::ensure!(
            dir.is_dir(),
            "--default-roles {}: not a directory",
            dir.display()
        );
        paths.push(dir.clone());
    }
    let (inputs, mut errors) = discover(&paths, &[]);
    let mut objects = Vec::new();
    for input in inputs {
        if matches!(input, Input::Dockerfile(_)) {
            continue;
        }
        let file: Arc<str> = Arc::from(input.display_name());
        match input.read() {
            Ok(text) => {
                let loaded = load_stream(&file, &text);
                errors.extend(loaded.errors);
                objects.extend(loaded.objects);
            }
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        for error in &errors {
            eprintln!("palisade: input error: {error}");
        }
        return Ok(Err(ExitCode::from(2)));
    }
    Ok(Ok(Policy::from_objects(&objects)))
}

#[derive(Serialize)]
struct SubjectOut<'a> {
    kind: &'static str,
    name: &'a str,
    namespace: Option<&'a str>,
    via: Vec<GrantOut<'a>>,
}

#[derive(Serialize)]
struct GrantOut<'a> {
    binding: String,
    role: String,
    rule: RuleOut<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleOut<'a> {
    verbs: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    api_groups: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    resources: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    resource_names: &'a [String],
    #[serde(
        rename = "nonResourceURLs",
        skip_serializing_if = "<[String]>::is_empty"
    )]
    non_resource_urls: &'a [String],
}

fn grant_out(grant: &Grant) -> GrantOut<'_> {
    GrantOut {
        binding: match &grant.binding_namespace {
            Some(namespace) => format!("{}/{namespace}/{}", grant.binding_kind, grant.binding),
            None => format!("{}/{}", grant.binding_kind, grant.binding),
        },
        role: format!("{}/{}", grant.role.kind, grant.role.name),
        rule: RuleOut {
            verbs: &grant.rule.verbs,
            api_groups: &grant.rule.api_groups,
            resources: &grant.rule.resources,
            resource_names: &grant.rule.resource_names,
            non_resource_urls: &grant.rule.non_resource_urls,
        },
    }
}

fn rule_json(rule: &palisade_rbac::Rule) -> serde_json::Value {
    serde_json::to_value(RuleOut {
        verbs: &rule.verbs,
        api_groups: &rule.api_groups,
        resources: &rule.resources,
        resource_names: &rule.resource_names,
        non_resource_urls: &rule.non_resource_urls,
    })
    .unwrap_or_default()
}

fn principal_json(principal: &Principal) -> serde_json::Value {
    match principal {
        Principal::Subject(subject) => serde_json::json!({
            "kind": subject.kind.as_str(),
            "name": subject.name,
            "namespace": subject.namespace,
        }),
        Principal::Node => {
            serde_json::json!({"kind": "Node", "name": "any node", "namespace": null})
        }
        Principal::ClusterAdmin => {
            serde_json::json!({"kind": "ClusterRole", "name": "cluster-admin", "namespace": null})
        }
    }
}

fn principal_label(principal: &Principal) -> String {
    match principal {
        Principal::Subject(subject) => subject.to_string(),
        Principal::Node => "Node (any)".to_string(),
        Principal::ClusterAdmin => "cluster-admin".to_string(),
    }
}

/// Escalation paths as a table, JSON, Graphviz or Mermaid.
fn render_paths(paths: &[EscalationPath], format: RbacFormat) -> anyhow::Result<String> {
    let mut out = String::new();
    match format {
        RbacFormat::Json => {
            let paths: Vec<serde_json::Value> = paths
                .iter()
                .map(|path| {
                    serde_json::json!({
                        "from": principal_json(&Principal::Subject(path.from.clone())),
                        "steps": path.steps.iter().map(|step| serde_json::json!({
                            "technique": step.technique,
                            "to": principal_json(&step.to),
                        })).collect::<Vec<_>>(),
                        "length": path.steps.len(),
                    })
                })
                .collect();
            out = serde_json::to_string_pretty(&serde_json::json!({ "paths": paths }))? + "\n";
        }
        RbacFormat::Table => {
            for path in paths {
                out.push_str(&path.from.to_string());
                for step in &path.steps {
                    out.push_str(&format!(
                        " --{}--> {}",
                        step.technique,
                        principal_label(&step.to)
                    ));
                }
                out.push('\n');
            }
            out.push_str(&format!("{} escalation paths\n", paths.len()));
        }
        RbacFormat::Dot | RbacFormat::Mermaid => {
            let mut edges: Vec<(String, String, &str)> = Vec::new();
            for path in paths {
                let mut from = principal_label(&Principal::Subject(path.from.clone()));
                for step in &path.steps {
                    let to = principal_label(&step.to);
                    if !edges.contains(&(from.clone(), to.clone(), step.technique)) {
                        edges.push((from.clone(), to.clone(), step.technique));
                    }
                    from = to;
                }
            }
            if format == RbacFormat::Dot {
                out.push_str("digraph escalation {\n  rankdir=LR;\n");
                for (from, to, technique) in &edges {
                    out.push_str(&format!("  {from:?} -> {to:?} [label={technique:?}];\n"));
                }
                out.push_str("}\n");
            } else {
                out.push_str("flowchart LR\n");
                let id = |label: &str| {
                    let id: String = label
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                        .collect();
                    format!("{id}[\"{}\"]", label.replace('"', "'"))
                };
                for (from, to, technique) in &edges {
                    out.push_str(&format!("  {} -->|{technique}| {}\n", id(from), id(to)));
                }
            }
        }
    }
    Ok(out)
}

pub fn run(args: RbacArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        RbacCommand::Paths { common } => {
            let policy = match load_policy(&common)? {
                Ok(policy) => policy,
                Err(code) => return Ok(code),
            };
            print!(
                "{}",
                render_paths(&escalation_paths(&policy), common.format)?
            );
            Ok(ExitCode::SUCCESS)
        }
        RbacCommand::Show {
            subject,
            groups,
            common,
        } => {
            let policy = match load_for_answers(&common)? {
                Ok(policy) => policy,
                Err(code) => return Ok(code),
            };
            let mut user = User::parse(&subject);
            user.groups.extend(groups);
            let held = policy.permissions(&user);
            let out: Vec<serde_json::Value> = held
                .iter()
                .map(|(binding, role)| {
                    let kind = if binding.namespace.is_some() {
                        "RoleBinding"
                    } else {
                        "ClusterRoleBinding"
                    };
                    serde_json::json!({
                        "binding": match &binding.namespace {
                            Some(namespace) => format!("{kind}/{namespace}/{}", binding.name),
                            None => format!("{kind}/{}", binding.name),
                        },
                        "namespace": binding.namespace,
                        "role": format!("{}/{}", binding.role_ref.kind, binding.role_ref.name),
                        "missingRole": role.is_none(),
                        "rules": role.map(|r| r.rules.iter().map(rule_json).collect::<Vec<_>>()).unwrap_or_default(),
                    })
                })
                .collect();
            match common.format {
                RbacFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "subject": user.name,
                        "groups": user.groups,
                        "permissions": out,
                    }))?
                ),
                RbacFormat::Table | RbacFormat::Dot | RbacFormat::Mermaid => {
                    for entry in &out {
                        let scope = entry["namespace"]
                            .as_str()
                            .map_or("cluster-wide".to_string(), |n| format!("in {n}"));
                        println!(
                            "{} → {} ({scope})",
                            entry["binding"].as_str().unwrap_or(""),
                            entry["role"].as_str().unwrap_or("")
                        );
                        if entry["missingRole"] == true {
                            println!("  (the role does not exist: grants nothing)");
                        }
                        for rule in entry["rules"].as_array().into_iter().flatten() {
                            println!("  {rule}");
                        }
                    }
                    println!("{} bindings", out.len());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        RbacCommand::WhoCan {
            verb,
            resource,
            common,
        } => {
            let policy = match load_for_answers(&common)? {
                Ok(policy) => policy,
                Err(code) => return Ok(code),
            };
            let who = policy.who_can(&request(&verb, &resource, &common));
            match common.format {
                RbacFormat::Json => {
                    let subjects: Vec<SubjectOut<'_>> = who
                        .iter()
                        .map(|(subject, grants)| SubjectOut {
                            kind: subject.kind.as_str(),
                            name: &subject.name,
                            namespace: subject.namespace.as_deref(),
                            via: grants.iter().map(grant_out).collect(),
                        })
                        .collect();
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&serde_json::json!({ "subjects": subjects }))?
                    );
                }
                RbacFormat::Table | RbacFormat::Dot | RbacFormat::Mermaid => {
                    for (subject, grants) in &who {
                        let via: Vec<String> = grants
                            .iter()
                            .map(|g| {
                                let out = grant_out(g);
                                format!("{} → {}", out.binding, out.role)
                            })
                            .collect();
                        println!("{subject}  via {}", via.join(", "));
                    }
                    println!("{} subjects", who.len());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        RbacCommand::CanI {
            subject,
            verb,
            resource,
            groups,
            common,
        } => {
            let policy = match load_for_answers(&common)? {
                Ok(policy) => policy,
                Err(code) => return Ok(code),
            };
            let mut user = User::parse(&subject);
            user.groups.extend(groups);
            let decision = policy.authorize(&user, &request(&verb, &resource, &common));
            match common.format {
                RbacFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "allowed": decision.allowed,
                        "via": decision.via.iter().map(grant_out).collect::<Vec<_>>(),
                    }))?
                ),
                RbacFormat::Table | RbacFormat::Dot | RbacFormat::Mermaid => {
                    println!("{}", if decision.allowed { "yes" } else { "no" });
                    for grant in &decision.via {
                        let out = grant_out(grant);
                        println!("  via {} → {}", out.binding, out.role);
                    }
                }
            }
            Ok(if decision.allowed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
