//! Command-line definitions and dispatch.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use palisade_checks::pss::{Level, Version};
use palisade_checks::{Engine, PssSettings, expired_ignore, frameworks};
use palisade_core::config::Config;
use palisade_core::suppress::{self, Baseline, Date, UnusedIgnore};
use palisade_core::{Framework, InputError, RuleMeta, ScanResult, Severity};
use palisade_report::{ReportContext, TableOptions, Tool};

use crate::{docs, rules, scan};

pub const TOOL: Tool = Tool {
    name: "palisade",
    version: env!("CARGO_PKG_VERSION"),
    information_uri: "https://github.com/palisade-dev/palisade",
};

/// One fast, exact, offline Kubernetes security scanner.
#[derive(Debug, Parser)]
#[command(name = "palisade", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan manifests, directories, Kustomizations and Helm charts (`-` reads stdin).
    Scan(Box<ScanArgs>),
    /// Catalog what is inside an image (registry, OCI layout or archive, docker archive,
    /// rootfs): OS, packages, findings (root user, SSH, secrets), CycloneDX or SPDX SBOM.
    Image(Box<crate::image::ImageArgs>),
    /// The OSV vulnerability database: import, update, status.
    Db(crate::db::DbArgs),
    /// Version orderings per ecosystem (`version compare`), for debugging a match.
    Version(crate::db::VersionArgs),
    /// RBAC: who-can, can-i, show, risks, escalation paths, the default policy.
    Rbac(crate::rbac::RbacArgs),
    /// NetworkPolicies: coverage, reach, the connectivity matrix, policy generation.
    Netpol(crate::netpol::NetpolArgs),
    /// List every rule: id, severity, title.
    Checks {
        #[arg(long, short = 'f', value_enum, default_value = "table")]
        format: CatalogFormat,
    },
    /// Show one rule's documentation.
    Explain {
        /// Rule id (e.g. `allowPrivilegeEscalation`) or kebab-case name.
        id: String,
    },
    /// Write the rule documentation pages (docs/checks/) from the registry.
    #[command(hide = true)]
    GenerateDocs {
        #[arg(default_value = "docs/checks")]
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CatalogFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Sarif,
    Junit,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input. Default: the current directory.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with code 1 when a finding at or above this severity is reported.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Only run the rules of these frameworks (pss-baseline, pss-restricted, cis, nsa, mitre)
    /// and end with a compliance summary per framework; `pss-baseline`/`pss-restricted` also set
    /// the Pod Security level pods are evaluated at, overriding namespace labels.
    #[arg(long, value_delimiter = ',', value_name = "FRAMEWORK", value_parser = parse_framework)]
    framework: Vec<Framework>,
    /// Pod Security Standards policy version (`latest` or `v1.N`), overriding namespace labels.
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    pss_version: Option<Version>,
    /// Only run these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub checks: Vec<String>,
    /// Do not run these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    skip_checks: Vec<String>,
    /// Skip paths matching this glob (repeatable), on top of .gitignore files.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    #[command(flatten)]
    suppression: SuppressionArgs,
    /// List palisade.toml ignore entries that matched no finding.
    #[arg(long)]
    show_unused: bool,
    /// Also check objects in the system namespaces (kube-system, kube-public, kube-node-lease,
    /// or [namespaces] system in palisade.toml).
    #[arg(long)]
    include_system_namespaces: bool,
    /// Report the known vulnerabilities of this Kubernetes release's control plane (`1.27.3`),
    /// from the vulnerability database (see `palisade db`).
    #[arg(long, value_name = "VERSION", value_parser = crate::vulns::parse_kube_version)]
    kube_version: Option<(u32, u32)>,
    /// The vulnerability database for --kube-version. Default: osv.sqlite in
    /// $XDG_CACHE_HOME/palisade.
    #[arg(long, value_name = "PATH", requires = "kube_version")]
    db: Option<PathBuf>,
    /// Join Kubernetes' default RBAC policy (`palisade rbac import-defaults`) to the input's
    /// for the RBAC rules: bindings to `admin`, `edit`, `view` then grant what they do.
    #[arg(long)]
    with_default_roles: bool,
    /// Table format: print only errors and the summary.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,
}

/// Configuration and accepted risks, the same for `scan` and `image`.
#[derive(Debug, Args)]
pub struct SuppressionArgs {
    /// Configuration file. Default: the first palisade.toml in the scanned directory (the
    /// current one for images) or its parents.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Accept the findings recorded in this baseline file (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings' fingerprints in FILE, to pass to --baseline later.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// List suppressed findings (config, annotation, baseline) with their justification
    /// (SARIF always carries them).
    #[arg(long)]
    pub show_suppressed: bool,
}

pub fn parse_severity(value: &str) -> Result<Severity, String> {
    value.parse().map_err(|e| format!("{e}"))
}

fn parse_framework(value: &str) -> Result<Framework, String> {
    value.parse()
}

fn parse_version(value: &str) -> Result<Version, String> {
    value.parse()
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => run_scan(*args),
        Command::Image(args) => crate::image::run(*args),
        Command::Db(args) => crate::db::run(args),
        Command::Version(args) => crate::db::run_version(args),
        Command::Rbac(args) => crate::rbac::run(args),
        Command::Netpol(args) => crate::netpol::run(args),
        Command::Checks { format } => {
            let rules = rules::all();
            let text = match format {
                CatalogFormat::Table => docs::catalog_table(&rules),
                CatalogFormat::Json => docs::catalog_json(&rules),
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { id } => match rules::find(&id) {
            Some(rule) => {
                print(&docs::explain(rule))?;
                Ok(ExitCode::SUCCESS)
            }
            None => bail!("no rule {id:?}; `palisade checks` lists them"),
        },
        Command::GenerateDocs { dir } => {
            docs::write_pages(&dir, &rules::all())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reports input errors that stop a scan before it starts (configuration, baseline): exit 2.
pub fn input_errors(errors: &[InputError]) -> ExitCode {
    for error in errors {
        eprintln!("palisade: input error: {error}");
    }
    ExitCode::from(2)
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// The configuration (`--config`, else the first palisade.toml found from `paths`) and the
/// `--baseline` file; their errors are input errors.
pub fn load_config_and_baseline(
    config: Option<&Path>,
    paths: &[PathBuf],
    baseline: Option<&Path>,
) -> Result<(Config, Option<Baseline>), Vec<InputError>> {
    let config_path = config
        .map(Path::to_path_buf)
        .or_else(|| Config::discover(paths));
    let config = match &config_path {
        Some(path) => Config::load(path, &|id| rules::find(id).map(|r| r.id))?,
        None => Config::default(),
    };
    let baseline = baseline
        .map(Baseline::read)
        .transpose()
        .map_err(|e| vec![e])?;
    Ok((config, baseline))
}

/// Moves the findings that `[[ignore]]` entries, annotations or the baseline accept to
/// `result.suppressed`, adds `expiredIgnore` findings for lapsed entries (unless the rule
/// selection leaves that rule out), writes `--write-baseline`, and returns the ignore entries
/// that matched nothing.
pub fn apply_suppressions(
    result: &mut ScanResult,
    config: &Config,
    baseline: Option<&Baseline>,
    engine: &Engine,
    write_baseline: Option<&Path>,
) -> anyhow::Result<Vec<UnusedIgnore>> {
    let mut applied = suppress::apply(
        std::mem::take(&mut result.findings),
        &result.suppressed,
        &config.ignores,
        baseline,
        Date::today(),
        &expired_ignore::RULE,
    );
    // Expired entries are reported whatever --framework says (they belong to none); only an
    // explicit rule selection turns them off.
    let expired = expired_ignore::RULE.id;
    let report_expired =
        !engine.skip.contains(expired) && (engine.only.is_empty() || engine.only.contains(expired));
    if !report_expired {
        applied.kept.retain(|f| f.rule.id != expired);
    }
    if let Some(severity) = engine.severity.get(expired) {
        for finding in applied.kept.iter_mut().filter(|f| f.rule.id == expired) {
            finding.severity = *severity;
        }
    }
    result.findings = applied.kept;
    result.suppressed.extend(applied.suppressed);
    if let Some(path) = write_baseline {
        let reported = result.findings.iter().filter(|f| f.rule.id != expired);
        std::fs::write(path, Baseline::render(reported, baseline))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    result.summary.suppressed = result.suppressed.len();
    Ok(applied.unused)
}

pub fn run_scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let resolve = |ids: &[String]| -> anyhow::Result<HashSet<String>> {
        ids.iter()
            .map(|id| match rules::find(id) {
                Some(rule) => Ok(rule.id.to_string()),
                None => bail!(
                    "unknown rule {id:?} in --checks/--skip-checks; `palisade checks` lists them"
                ),
            })
            .collect()
    };
    let (checks, skip_checks) = (resolve(&args.checks)?, resolve(&args.skip_checks)?);
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (config, baseline) = match load_config_and_baseline(
        args.suppression.config.as_deref(),
        &paths,
        args.suppression.baseline.as_deref(),
    ) {
        Ok(loaded) => loaded,
        Err(errors) => return Ok(input_errors(&errors)),
    };
    let level = if args.framework.contains(&Framework::PssRestricted) {
        Some(Level::Restricted)
    } else if args.framework.contains(&Framework::PssBaseline) {
        Some(Level::Baseline)
    } else {
        None
    };
    let mut engine = Engine {
        pss: PssSettings {
            level,
            version: args.pss_version,
        },
        frameworks: args.framework.clone(),
        ..Default::default()
    };
    engine.configure(&config);
    if !checks.is_empty() {
        engine.only = checks;
    }
    engine.skip.extend(skip_checks);
    if args.include_system_namespaces {
        engine.skip_namespaces.clear();
    }
    let progress = !args.no_progress && std::io::stderr().is_terminal();
    let default_policy = if args.with_default_roles {
        Some(crate::rbac::imported_default_policy()?)
    } else {
        None
    };
    let mut result = scan::scan(
        &paths,
        &args.exclude,
        &mut engine,
        scan::Options {
            record_objects: args.format == Format::Junit,
            progress,
            default_policy,
        },
    );

    if let Some(release) = args.kube_version
        && engine.enabled(&palisade_vulndb::rule::RULE)
    {
        let db = crate::db::db_path(args.db.as_deref())?;
        let (findings, warnings) = crate::vulns::kubernetes(&db, release);
        for warning in warnings {
            eprintln!("palisade: warning: {warning}");
        }
        result.findings.extend(findings);
        result.rules_applied.insert(palisade_vulndb::rule::RULE.id);
    }
    let unused = apply_suppressions(
        &mut result,
        &config,
        baseline.as_ref(),
        &engine,
        args.suppression.write_baseline.as_deref(),
    )?;
    // SARIF always carries suppressed results (with their `suppressions`), so that code
    // scanning shows them as accepted rather than closing them as fixed.
    if !args.suppression.show_suppressed && args.format != Format::Sarif {
        result.suppressed.clear();
    }
    if args.show_unused {
        result.unused_ignores = unused;
    }
    let rules = rules::all();
    result.compliance = args
        .framework
        .iter()
        .map(|f| {
            let enabled = |rule: &RuleMeta| engine.enabled(rule);
            frameworks::compliance(*f, &rules, enabled, &result.rules_applied, &result.findings)
        })
        .collect();
    result.sort();

    let rules = rules::all();
    let context = ReportContext {
        tool: TOOL,
        rules: &rules,
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let written = match args.format {
        Format::Json => palisade_report::render_json(&result, &context, &mut out),
        Format::Table => out.write_all(
            palisade_report::render_table(
                &result,
                &context,
                TableOptions {
                    styled: to_terminal,
                    quiet: args.quiet,
                },
            )
            .as_bytes(),
        ),
        Format::Sarif => palisade_report::render_sarif(&result, &context, &mut out),
        Format::Junit => out.write_all(palisade_report::render_junit(&result, &context).as_bytes()),
    }
    .and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write the report")?,
    }
    if !result.errors.is_empty() {
        if args.format != Format::Table || args.output.is_some() {
            for error in &result.errors {
                eprintln!("palisade: input error: {error}");
            }
        }
        return Ok(ExitCode::from(2));
    }
    let failed = args
        .fail_on
        .is_some_and(|threshold| result.max_severity().is_some_and(|s| s >= threshold));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
