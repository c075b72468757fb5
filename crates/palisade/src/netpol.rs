//! `palisade netpol coverage|reach|matrix|plaintext|generate`: NetworkPolicy analysis of the same inputs
//! `scan` reads (files, directories, Kustomize, Helm, `-`).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use palisade_netpol::{
    Coverage, Matrix, MatrixOptions, Model, NoteKind, PortQuery, Reach, RequiredConnection,
    Verdict, generate,
};

#[derive(Debug, clap::Args)]
pub struct NetpolArgs {
    #[command(subcommand)]
    command: NetpolCommand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MatrixFormat {
    /// One line per allowed connection.
    Table,
    Json,
    /// `from,to,ports`.
    Csv,
    /// Graphviz: an edge per allowed connection, labelled with its ports.
    Dot,
    /// A self-contained page with the workload × workload grid.
    Html,
}

#[derive(Debug, clap::Subcommand)]
enum NetpolCommand {
    /// Namespaces without a default deny (ingress, egress), workloads no policy selects, policies
    /// that select nothing, peers and named ports that match nothing.
    Coverage {
        /// Files or directories; `-` reads standard input. Default: the current directory.
        paths: Vec<PathBuf>,
        #[arg(long, short = 'f', value_enum, default_value = "table")]
        format: ReportFormat,
    },
    /// Whether FROM may connect to TO (`namespace/name`, `namespace/kind/name`, an IP address,
    /// a CIDR or `external`), with the policy rules that allow it or the isolation that denies
    /// it; exit 0 when allowed, 1 when not.
    Reach {
        from: String,
        to: String,
        /// The port: `5432`, `5432/TCP`, `53/UDP` (none: any port).
        #[arg(long)]
        port: Option<PortQuery>,
        /// Files or directories with the manifests; `-` reads standard input.
        #[arg(long = "from", value_name = "PATH", default_value = ".")]
        paths: Vec<PathBuf>,
        #[arg(long, short = 'f', value_enum, default_value = "table")]
        format: ReportFormat,
    },
    /// Who may connect to whom on which ports: every workload, the cluster DNS and the
    /// internet (`--ip-blocks`: and every CIDR the policies name).
    Matrix {
        paths: Vec<PathBuf>,
        #[arg(long, short = 'f', value_enum, default_value = "table")]
        format: MatrixFormat,
        /// An endpoint for every CIDR the policies name.
        #[arg(long)]
        ip_blocks: bool,
    },
    /// The connections the policies allow that travel in plaintext although one end runs a
    /// service mesh sidecar (Istio, Linkerd), with why each end speaks plaintext.
    Plaintext {
        paths: Vec<PathBuf>,
        #[arg(long, short = 'f', value_enum, default_value = "table")]
        format: ReportFormat,
    },
    /// NetworkPolicies: a default deny per namespace with DNS egress, plus least-privilege
    /// allow policies for the required connections (`--connections`, lines of
    /// `from,to,port/protocol`).
    Generate {
        paths: Vec<PathBuf>,
        /// The required connections (CSV: `shop/frontend,shop/api,8080/TCP`).
        #[arg(long, value_name = "FILE")]
        connections: Option<PathBuf>,
        /// Write the policies to FILE instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// The model of the inputs (the current directory when none are given).
fn load_model(paths: &[PathBuf]) -> Result<Model, ExitCode> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    crate::inputs::load_objects(&paths).map(|objects| Model::from_objects(&objects))
}

/// The model's notes (assumptions, caveats, rejected input) for people.
fn notes_text(model: &Model) -> String {
    notes_of_kinds(
        model,
        &[NoteKind::Assumption, NoteKind::Caveat, NoteKind::Problem],
    )
}

/// The model's notes of some kinds, one line each.
fn notes_of_kinds(model: &Model, kinds: &[NoteKind]) -> String {
    let mut out = String::new();
    for note in model.notes.iter().filter(|n| kinds.contains(&n.kind)) {
        let kind = match note.kind {
            NoteKind::Assumption => "assumed",
            NoteKind::Caveat => "caveat",
            NoteKind::Problem => "rejected",
        };
        let at = note
            .location
            .as_ref()
            .map_or(String::new(), |l| format!(" ({l})"));
        let _ = writeln!(out, "note: {kind}: {}{at}", note.message);
    }
    out
}

/// The plaintext paths, one line (or JSON object) per client, server and port.
fn render_plaintext(model: &Model, format: ReportFormat) -> anyhow::Result<String> {
    let mut rows = Vec::new();
    model.plaintext_paths(|paths| {
        let server = &model.workloads[paths.server];
        let server_side = paths.server_side.describe(server);
        for (client, client_side) in &paths.clients {
            rows.push((
                model.workloads[*client].id(),
                server.id(),
                paths.port,
                client_side.describe(),
                server_side.clone(),
            ));
        }
    });
    Ok(match format {
        ReportFormat::Json => {
            let paths: Vec<serde_json::Value> = rows
                .into_iter()
                .map(|(from, to, port, client, server)| {
                    serde_json::json!({
                        "from": from, "to": to, "port": port, "protocol": "TCP",
                        "client": client, "server": server,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({ "paths": paths }))? + "\n"
        }
        ReportFormat::Table if rows.is_empty() => {
            "no plaintext paths: every allowed connection with a meshed end is mutual TLS\n"
                .to_string()
        }
        ReportFormat::Table => {
            let mut out = String::new();
            for (from, to, port, client, server) in rows {
                let _ = writeln!(
                    out,
                    "{from} -> {to}:{port}/TCP  client: {client}; server: {server}"
                );
            }
            out
        }
    })
}

fn coverage_table(model: &Model, coverage: &Coverage) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "NAMESPACE            WORKLOADS  POLICIES  DEFAULT-DENY INGRESS  DEFAULT-DENY EGRESS"
    );
    for namespace in &coverage.namespaces {
        let deny = |policy: &Option<String>| policy.clone().unwrap_or_else(|| "none".into());
        let _ = writeln!(
            out,
            "{:<20} {:>9}  {:>8}  {:<20}  {}",
            namespace.name,
            namespace.workloads,
            namespace.policies,
            deny(&namespace.default_deny_ingress),
            deny(&namespace.default_deny_egress)
        );
    }
    let unprotected: Vec<_> = coverage
        .workloads
        .iter()
        .filter(|w| w.ingress_policies.is_empty() || w.egress_policies.is_empty())
        .collect();
    if !unprotected.is_empty() {
        let _ = writeln!(out, "\nworkloads not isolated:");
        for workload in unprotected {
            let missing: Vec<&str> = [
                (workload.ingress_policies.is_empty(), "ingress"),
                (workload.egress_policies.is_empty(), "egress"),
            ]
            .into_iter()
            .filter_map(|(missing, direction)| missing.then_some(direction))
            .collect();
            let host = if workload.host_network {
                " (hostNetwork: policies never apply)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {}/{} {}: no {} policy{host}",
                workload.namespace,
                workload.name,
                workload.kind,
                missing.join(" or ")
            );
        }
    }
    for dead in &coverage.dead_policies {
        let _ = writeln!(
            out,
            "policy {} selects no workload ({}) at {}",
            dead.id, dead.selector, dead.location
        );
    }
    for peer in &coverage.empty_peers {
        let _ = writeln!(
            out,
            "policy {} {} rule {} peer {} matches nothing ({}) at {}",
            peer.id,
            peer.direction.as_str(),
            peer.rule,
            peer.peer,
            peer.selector,
            peer.location
        );
    }
    for port in &coverage.unresolved_named_ports {
        let _ = writeln!(
            out,
            "policy {} {} rule {}: named port {}/{} is declared by none of {} candidate pods at {}",
            port.id,
            port.direction.as_str(),
            port.rule,
            port.name,
            port.protocol,
            port.candidates,
            port.location
        );
    }
    out + &notes_text(model)
}

fn verdict_text(side: &str, verdict: &Verdict) -> String {
    match verdict {
        Verdict::NotIsolated { reason } => format!("{side}: not isolated ({reason})"),
        Verdict::Allowed { rules } => {
            let rules: Vec<String> = rules
                .iter()
                .map(|r| {
                    format!(
                        "{} {} rule {} on {} ({})",
                        r.policy,
                        r.direction.as_str(),
                        r.rule,
                        r.ports,
                        r.location
                    )
                })
                .collect();
            format!("{side}: allowed by {}", rules.join("; "))
        }
        Verdict::Denied {
            isolated_by,
            other_ports,
        } => {
            let policies: Vec<String> = isolated_by
                .iter()
                .map(|p| format!("{} ({})", p.policy, p.location))
                .collect();
            let mut text = format!(
                "{side}: denied: isolated by {} and no rule allows it",
                policies.join(", ")
            );
            for rule in other_ports {
                let _ = write!(
                    text,
                    "; {} rule {} allows only {}",
                    rule.policy, rule.rule, rule.ports
                );
            }
            text
        }
    }
}

fn reach_table(model: &Model, reach: &Reach) -> String {
    let mut out = format!("{}\n", reach.summary);
    let _ = writeln!(
        out,
        "  {}",
        verdict_text("egress of the source", &reach.egress)
    );
    let _ = writeln!(
        out,
        "  {}",
        verdict_text("ingress of the destination", &reach.ingress)
    );
    // Only rejected input changes this answer; `coverage` lists the rest.
    out + &notes_of_kinds(model, &[NoteKind::Problem])
}

/// An HTML-escaped text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn render_matrix(model: &Model, matrix: &Matrix, format: MatrixFormat) -> anyhow::Result<String> {
    let mut out = String::new();
    match format {
        MatrixFormat::Json => {
            let mut value = serde_json::to_value(matrix)?;
            value["notes"] = serde_json::to_value(&model.notes)?;
            out = serde_json::to_string_pretty(&value)? + "\n";
        }
        MatrixFormat::Csv => {
            out.push_str("from,to,ports\n");
            for connection in &matrix.connections {
                let _ = writeln!(
                    out,
                    "{},{},\"{}\"",
                    matrix.endpoints[connection.from],
                    matrix.endpoints[connection.to],
                    connection.ports
                );
            }
        }
        MatrixFormat::Table => {
            for connection in &matrix.connections {
                let _ = writeln!(
                    out,
                    "{} → {}  {}",
                    matrix.endpoints[connection.from],
                    matrix.endpoints[connection.to],
                    connection.ports
                );
            }
            let _ = writeln!(
                out,
                "{} allowed connections between {} endpoints ({} pairs denied)",
                matrix.connections.len(),
                matrix.endpoints.len(),
                matrix.endpoints.len() * matrix.endpoints.len().saturating_sub(1)
                    - matrix.connections.iter().filter(|c| c.from != c.to).count()
            );
            out.push_str(&notes_text(model));
        }
        MatrixFormat::Dot => {
            out.push_str("digraph connectivity {\n  rankdir=LR;\n");
            for connection in &matrix.connections {
                let _ = writeln!(
                    out,
                    "  {:?} -> {:?} [label={:?}];",
                    matrix.endpoints[connection.from].to_string(),
                    matrix.endpoints[connection.to].to_string(),
                    connection.ports.to_string()
                );
            }
            out.push_str("}\n");
        }
        MatrixFormat::Html => {
            out.push_str(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>palisade netpol matrix</title>\n\
                 <style>body{font-family:sans-serif}table{border-collapse:collapse;font-size:12px}\
                 td,th{border:1px solid #ccc;padding:2px 4px}td.allow{background:#f8d7a8}\
                 td.deny{background:#d4edda}th.from{text-align:right}</style></head><body>\n\
                 <h1>Who may connect to whom</h1>\n<p>Rows: source; columns: destination. \
                 Orange cells are allowed (with their ports), green cells denied.</p>\n<table>\n<tr><th></th>",
            );
            for endpoint in &matrix.endpoints {
                let _ = write!(out, "<th>{}</th>", escape(&endpoint.to_string()));
            }
            out.push_str("</tr>\n");
            for (from, endpoint) in matrix.endpoints.iter().enumerate() {
                let _ = write!(
                    out,
                    "<tr><th class=\"from\">{}</th>",
                    escape(&endpoint.to_string())
                );
                for to in 0..matrix.endpoints.len() {
                    match matrix.ports(from, to) {
                        Some(ports) => {
                            let _ = write!(
                                out,
                                "<td class=\"allow\">{}</td>",
                                escape(&ports.to_string())
                            );
                        }
                        None => out.push_str("<td class=\"deny\"></td>"),
                    }
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</table>\n");
            for note in &model.notes {
                let _ = writeln!(out, "<p>{}</p>", escape(&note.message));
            }
            out.push_str("</body></html>\n");
        }
    }
    Ok(out)
}

pub fn run(args: NetpolArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        NetpolCommand::Coverage { paths, format } => {
            let model = match load_model(&paths) {
                Ok(model) => model,
                Err(code) => return Ok(code),
            };
            let coverage = Coverage::of(&model);
            match format {
                ReportFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "coverage": coverage,
                        "notes": model.notes,
                    }))?
                ),
                ReportFormat::Table => print!("{}", coverage_table(&model, &coverage)),
            }
            Ok(ExitCode::SUCCESS)
        }
        NetpolCommand::Reach {
            from,
            to,
            port,
            paths,
            format,
        } => {
            let model = match load_model(&paths) {
                Ok(model) => model,
                Err(code) => return Ok(code),
            };
            let endpoint = |text: &str| {
                model
                    .parse_endpoint(text)
                    .map_err(|error| anyhow::anyhow!(error))
            };
            let reach = model.reach(endpoint(&from)?, endpoint(&to)?, port);
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&reach)?),
                ReportFormat::Table => print!("{}", reach_table(&model, &reach)),
            }
            Ok(if reach.allowed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        NetpolCommand::Matrix {
            paths,
            format,
            ip_blocks,
        } => {
            let model = match load_model(&paths) {
                Ok(model) => model,
                Err(code) => return Ok(code),
            };
            let matrix = model.matrix(MatrixOptions { ip_blocks });
            print!("{}", render_matrix(&model, &matrix, format)?);
            Ok(ExitCode::SUCCESS)
        }
        NetpolCommand::Plaintext { paths, format } => {
            let model = match load_model(&paths) {
                Ok(model) => model,
                Err(code) => return Ok(code),
            };
            print!("{}", render_plaintext(&model, format)?);
            Ok(ExitCode::SUCCESS)
        }
        NetpolCommand::Generate {
            paths,
            connections,
            output,
        } => {
            let model = match load_model(&paths) {
                Ok(model) => model,
                Err(code) => return Ok(code),
            };
            let required = match &connections {
                Some(file) => {
                    let text = std::fs::read_to_string(file)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    RequiredConnection::parse_list(&text)
                        .map_err(|error| anyhow::anyhow!("{}: {error}", file.display()))?
                }
                None => Vec::new(),
            };
            let generated = generate(&model, &required).map_err(|error| anyhow::anyhow!(error))?;
            for note in &generated.notes {
                eprintln!("palisade: note: {note}");
            }
            match output {
                Some(file) => std::fs::write(&file, generated.to_yaml())
                    .with_context(|| format!("cannot write {}", file.display()))?,
                None => print!("{}", generated.to_yaml()),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
