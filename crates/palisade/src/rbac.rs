//! `palisade rbac who-can|can-i|show|risks|paths|import-defaults`: the RBAC authorizer's answers
//! on the RBAC objects of the same inputs `scan` reads, optionally with Kubernetes' default
//! bootstrap policy (imported once into the user's cache, as the vulnerability database is).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use palisade_rbac::paths::{EscalationPath, Principal, escalation_paths};
use palisade_rbac::rules::escalation_path::principal_name;
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
    /// Also load Kubernetes' default RBAC policy (cluster-admin, admin, edit, view, system:*),
    /// as imported by `palisade rbac import-defaults`.
    #[arg(long, conflicts_with = "default_roles")]
    with_default_roles: bool,
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
    /// Shortest escalation paths from each subject to cluster-admin-equivalent power, most
    /// reachable subjects first (`-f table|json|dot|mermaid`).
    Paths {
        /// Files or directories (instead of --from).
        targets: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// The risky grants and escalation paths: `palisade scan` with only the RBAC rules (takes
    /// the same options).
    Risks(Box<crate::cli::ScanArgs>),
    /// Import Kubernetes' default RBAC policy (the bootstrap policy's YAML files: upstream
    /// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata) for --with-default-roles.
    ImportDefaults {
        /// Directory with the policy's YAML files.
        dir: PathBuf,
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

/// Where `import-defaults` keeps the default policy: `rbac-defaults` in the user's cache.
fn imported_defaults_dir() -> anyhow::Result<PathBuf> {
    palisade_vulndb::update::user_cache_dir()
        .map(|dir| dir.join("rbac-defaults"))
        .context("no cache directory (set HOME or XDG_CACHE_HOME)")
}

/// Checks that DIR holds Kubernetes' bootstrap policy and copies its YAML files into the cache
/// (replacing an earlier import as a whole).
fn import_defaults(dir: &Path) -> anyhow::Result<ExitCode> {
    let policy = match load_policy_from(&[dir.to_path_buf()])? {
        Ok(policy) => policy,
        Err(code) => return Ok(code),
    };
    let roles = policy.roles.values().filter(|r| r.is_default()).count();
    let bindings = policy.bindings.iter().filter(|b| b.is_default).count();
    // The built-in cluster-admin is always there; an import must bring more.
    anyhow::ensure!(
        roles > 1 && bindings > 0,
        "{}: no default roles and bindings (objects labelled kubernetes.io/bootstrapping: rbac-defaults)",
        dir.display()
    );
    let target = imported_defaults_dir()?;
    let parent = target.parent().context("cache directory has no parent")?;
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".rbac-defaults")
        .tempdir_in(parent)?;
    let mut files = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            std::fs::copy(
                &path,
                staging.path().join(path.file_name().unwrap_or_default()),
            )
            .with_context(|| format!("cannot copy {}", path.display()))?;
            files += 1;
        }
    }
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .with_context(|| format!("cannot replace {}", target.display()))?;
    }
    std::fs::rename(staging.keep(), &target)
        .with_context(|| format!("cannot write {}", target.display()))?;
    println!(
        "imported {roles} default roles and {bindings} bindings ({files} files) into {}",
        target.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The imported default policy's directory, for `--with-default-roles`.
fn imported_defaults() -> anyhow::Result<PathBuf> {
    let dir = imported_defaults_dir()?;
    anyhow::ensure!(
        dir.is_dir(),
        "--with-default-roles: no default policy imported yet; run `palisade rbac import-defaults DIR` with the YAML files of Kubernetes' bootstrap policy"
    );
    Ok(dir)
}

/// The imported default policy, for `palisade scan --with-default-roles`.
pub fn imported_default_policy() -> anyhow::Result<Policy> {
    let dir = imported_defaults()?;
    match load_policy_from(&[dir])? {
        Ok(policy) => Ok(policy),
        Err(_) => anyhow::bail!("the imported default policy does not load: import it again"),
    }
}

/// The policy of the inputs (and the default roles); input errors are reported, and exit 2.
fn load_policy(common: &Common) -> anyhow::Result<Result<Policy, ExitCode>> {
    let mut paths = common.paths.clone();
    let defaults = if common.with_default_roles {
        Some(imported_defaults()?)
    } else {
        common.default_roles.clone()
    };
    if let Some(dir) = defaults {
        anyhow::ensure!(
            dir.is_dir(),
            "--default-roles {}: not a directory",
            dir.display()
        );
        paths.push(dir);
    }
    load_policy_from(&paths)
}

fn load_policy_from(paths: &[PathBuf]) -> anyhow::Result<Result<Policy, ExitCode>> {
    Ok(crate::inputs::load_objects(paths).map(|objects| Policy::from_objects(&objects)))
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

/// `RoleBinding/shop/name` or `ClusterRoleBinding/name`.
fn binding_name(binding: &palisade_rbac::Binding) -> String {
    match &binding.namespace {
        Some(namespace) => format!("{}/{namespace}/{}", binding.kind(), binding.name),
        None => format!("{}/{}", binding.kind(), binding.name),
    }
}

/// Escalation paths as a table, JSON, Graphviz or Mermaid.
fn render_paths(
    policy: &Policy,
    paths: &[EscalationPath],
    format: RbacFormat,
) -> anyhow::Result<String> {
    let via = |step: &palisade_rbac::paths::Step| {
        step.via
            .map(|position| binding_name(&policy.bindings[position]))
    };
    let mut out = String::new();
    match format {
        RbacFormat::Json => {
            let paths: Vec<serde_json::Value> = paths
                .iter()
                .map(|path| {
                    serde_json::json!({
                        "from": principal_json(&Principal::Subject(path.from.clone())),
                        "reach": path.reach.describe(),
                        "steps": path.steps.iter().map(|step| serde_json::json!({
                            "technique": step.technique,
                            "to": principal_json(&step.to),
                            "via": via(step),
                        })).collect::<Vec<_>>(),
                        "length": path.steps.len(),
                    })
                })
                .collect();
            out = serde_json::to_string_pretty(&serde_json::json!({ "paths": paths }))? + "\n";
        }
        RbacFormat::Table => {
            for path in paths {
                out.push_str(&format!("{} ({})\n", path.from, path.reach.describe()));
                for step in &path.steps {
                    out.push_str(&format!(
                        "  --{}--> {}{}\n",
                        step.technique,
                        principal_name(&step.to),
                        via(step).map_or(String::new(), |b| format!("   [{b}]"))
                    ));
                }
            }
            out.push_str(&format!("{} escalation paths\n", paths.len()));
        }
        RbacFormat::Dot | RbacFormat::Mermaid => {
            let mut edges: Vec<(String, String, &str)> = Vec::new();
            for path in paths {
                let mut from = principal_name(&Principal::Subject(path.from.clone()));
                for step in &path.steps {
                    let to = principal_name(&step.to);
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
        RbacCommand::Paths {
            targets,
            mut common,
        } => {
            if !targets.is_empty() {
                common.paths = targets;
            }
            let policy = match load_policy(&common)? {
                Ok(policy) => policy,
                Err(code) => return Ok(code),
            };
            print!(
                "{}",
                render_paths(&policy, &escalation_paths(&policy), common.format)?
            );
            Ok(ExitCode::SUCCESS)
        }
        RbacCommand::Risks(mut scan) => {
            if scan.checks.is_empty() {
                scan.checks = palisade_rbac::rules::all()
                    .map(|rule| rule.meta.id.to_string())
                    .collect();
            }
            crate::cli::run_scan(*scan)
        }
        RbacCommand::ImportDefaults { dir } => import_defaults(&dir),
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
                    serde_json::json!({
                        "binding": binding_name(binding),
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
