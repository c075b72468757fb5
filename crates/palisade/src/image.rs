//! `palisade image`: what is inside an image (registry, OCI layout or archive, docker archive,
//! or an unpacked root filesystem): its OS, the packages the catalogers find, the minimality
//! summary and the image rules' findings (through the same configuration and suppressions as
//! `palisade scan`), as a table, JSON, SARIF, JUnit, or a CycloneDX or SPDX SBOM.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use palisade_checks::Engine;
use palisade_core::suppress::Suppressed;
use palisade_core::{CheckedObject, Finding, InputError, RuleMeta, ScanResult, Severity};
use palisade_image::catalog::Package;
use palisade_image::minimality::Minimality;
use palisade_image::{
    OpenOptions, Platform, Progress, RegistryOptions, analyze, analyze_rootfs, open_with, rules,
    sbom, spdx,
};
use palisade_report::{FindingOut, ReportContext};

use crate::cli::{
    SuppressionArgs, TOOL, apply_suppressions, input_errors, load_config_and_baseline,
};
use crate::vulns::{self, Details};
use palisade_vulndb::vex::Vex;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImageFormat {
    Table,
    Json,
    /// CycloneDX 1.6 JSON SBOM.
    Cyclonedx,
    /// SPDX 2.3 JSON SBOM.
    Spdx,
    /// SARIF 2.1.0 of the findings (code scanning).
    Sarif,
    /// JUnit XML of the rules run on the image (CI test reports).
    Junit,
}

#[derive(Debug, clap::Args)]
pub struct ImageArgs {
    /// OCI image layout (`DIR` or `DIR:TAG`), `docker save` or OCI archive tarball, or an
    /// image in a registry (`registry/repository:tag` or `…@sha256:…`).
    #[arg(required_unless_present = "rootfs", conflicts_with = "rootfs")]
    target: Option<String>,
    /// Platform to take from a multi-platform image: `os/arch[/variant]`.
    #[arg(long, value_name = "PLATFORM", default_value_t = Platform::host())]
    platform: Platform,
    /// Treat the registry as insecure, as Docker does for loopback registries: HTTPS with
    /// certificate errors accepted, else plain HTTP.
    #[arg(long)]
    insecure: bool,
    /// Registry username (with --password-stdin); default: the Docker client's config.json.
    #[arg(long, requires = "password_stdin")]
    username: Option<String>,
    /// Read the registry password or token from standard input.
    #[arg(long, requires = "username")]
    password_stdin: bool,
    /// No progress bar, even on a terminal.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Catalog an unpacked root filesystem instead of an image.
    #[arg(long, value_name = "DIR")]
    rootfs: Option<PathBuf>,
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    format: ImageFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with code 1 when a finding at or above this severity is reported.
    #[arg(long, value_name = "SEVERITY", value_parser = crate::cli::parse_severity)]
    fail_on: Option<Severity>,
    /// `[[ignore]]` entries match image findings by `kind = "Image"` and the reference as `name`.
    #[command(flatten)]
    suppression: SuppressionArgs,
    /// The vulnerability database. Default: osv.sqlite in $XDG_CACHE_HOME/palisade.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Do not match packages against the vulnerability database.
    #[arg(long)]
    skip_vulnerabilities: bool,
    /// Leave out vulnerabilities that have no fixed version yet.
    #[arg(long)]
    ignore_unfixed: bool,
    /// OpenVEX document whose `not_affected` and `fixed` statements accept vulnerability
    /// findings (repeatable).
    #[arg(long, value_name = "FILE")]
    vex: Vec<PathBuf>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    schema_version: &'static str,
    tool: Tool,
    image: ImageOut<'a>,
    packages: Vec<PackageOut<'a>>,
    /// Files, size, OS packages and the largest, shells and package managers, a minimal base.
    minimality: &'a Minimality,
    /// Image hardening findings (config: user, ports, secrets in env and history, layers).
    findings: Vec<ImageFindingOut<'a>>,
    /// Findings a suppression accepted (with `--show-suppressed`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressed: Vec<ImageFindingOut<'a>>,
    warnings: &'a [String],
}

/// A finding as `palisade scan` writes it, plus the advisory, package and fixed version of a
/// vulnerability finding.
#[derive(Serialize)]
struct ImageFindingOut<'a> {
    #[serde(flatten)]
    finding: FindingOut<'a>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    vulnerability: Option<&'a Details>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImageOut<'a> {
    reference: &'a str,
    digest: Option<&'a str>,
    os: OsOut<'a>,
    layers: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OsOut<'a> {
    id: &'a str,
    version_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PackageOut<'a> {
    ecosystem: &'a str,
    name: &'a str,
    version: &'a str,
    source_name: &'a str,
    source_version: &'a str,
    purl: &'a str,
    /// Digest of the layer that installed it (`null` for a root filesystem).
    layer: Option<&'a str>,
    path: &'a str,
}

pub fn run(args: ImageArgs) -> anyhow::Result<std::process::ExitCode> {
    let (settings, baseline) = match load_config_and_baseline(
        args.suppression.config.as_deref(),
        &[PathBuf::from(".")],
        args.suppression.baseline.as_deref(),
    ) {
        Ok(loaded) => loaded,
        Err(errors) => return Ok(input_errors(&errors)),
    };
    let (reference, digest, layers, analysis, config) = match (&args.target, &args.rootfs) {
        (_, Some(root)) => {
            let analysis = analyze_rootfs(root)?;
            (root.display().to_string(), None, Vec::new(), analysis, None)
        }
        (Some(target), None) => {
            let options = OpenOptions {
                platform: args.platform.clone(),
                registry: RegistryOptions {
                    insecure: args.insecure,
                    credentials: match &args.username {
                        Some(username) => Some((username.clone(), read_password()?)),
                        None => None,
                    },
                    docker_config: None,
                },
            };
            let image = open_with(target, &options)?;
            let bar = LayerProgress::new(!args.quiet && std::io::stderr().is_terminal());
            let analysis = analyze(&image, Some(&bar))?;
            bar.done();
            let layers: Vec<String> = image.layers.iter().map(|l| l.digest.clone()).collect();
            (
                image.reference,
                image.manifest_digest,
                layers,
                analysis,
                Some(image.config),
            )
        }
        (None, None) => unreachable!("clap requires a target or --rootfs"),
    };
    let (os, packages) = (&analysis.os, &analysis.packages);
    let mut engine = Engine::default();
    engine.configure(&settings);
    let mut result = ScanResult::default();
    if let Some(config) = &config {
        let facts = rules::ImageFacts {
            config,
            layers: &layers,
            layer_secrets: &analysis.layer_secrets,
            minimality: &analysis.minimality,
        };
        let enabled = |rule: &RuleMeta| engine.enabled(rule);
        result.findings = rules::check(&reference, &facts, &enabled);
        for finding in &mut result.findings {
            if let Some(severity) = engine.severity.get(finding.rule.id) {
                finding.severity = *severity;
            }
        }
        let ran: Vec<&'static str> = rules::all()
            .filter(|rule| enabled(&rule.meta))
            .map(|rule| rule.meta.id)
            .collect();
        result.rules_applied.extend(&ran);
        result.objects.push(CheckedObject {
            file: reference.clone(),
            object: rules::object(&reference),
            rules: ran,
        });
    }
    let mut vulnerability_details: HashMap<String, Details> = HashMap::new();
    let mut warnings = analysis.warnings.clone();
    if !args.skip_vulnerabilities && engine.enabled(&palisade_vulndb::rule::RULE) {
        let db = crate::db::db_path(args.db.as_deref())?;
        let mut vex = Vec::new();
        for path in &args.vex {
            let parsed = std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|text| Vex::parse(&text));
            match parsed {
                Ok(document) => vex.push((path.display().to_string(), document)),
                Err(message) => {
                    return Ok(input_errors(&[InputError {
                        file: path.display().to_string(),
                        line: None,
                        column: None,
                        message,
                    }]));
                }
            }
        }
        let options = vulns::Options {
            db: &db,
            ignore_unfixed: args.ignore_unfixed,
            vex: &vex,
            digest: digest.as_deref(),
        };
        let found = vulns::find(&options, &reference, packages, &layers);
        warnings.extend(found.warnings);
        for (finding, details, accepted) in found.findings {
            vulnerability_details.insert(finding.fingerprint(), details);
            match accepted {
                Some(suppression) => result.suppressed.push(Suppressed {
                    finding,
                    suppression,
                }),
                None => result.findings.push(finding),
            }
        }
        result.rules_applied.insert(palisade_vulndb::rule::RULE.id);
        if let Some(object) = result.objects.first_mut() {
            object.rules.push(palisade_vulndb::rule::RULE.id);
        }
    }
    result.summary.files = 1;
    result.summary.objects = 1;
    apply_suppressions(
        &mut result,
        &settings,
        baseline.as_ref(),
        &engine,
        args.suppression.write_baseline.as_deref(),
    )?;
    result.sort();
    let findings = &result.findings;
    let suppressed: &[Suppressed] = if args.suppression.show_suppressed {
        &result.suppressed
    } else {
        &[]
    };
    let report = Report {
        schema_version: "1.0",
        tool: Tool {
            name: "palisade",
            version: env!("CARGO_PKG_VERSION"),
        },
        image: ImageOut {
            reference: &reference,
            digest: digest.as_deref(),
            os: OsOut {
                id: &os.id,
                version_id: &os.version_id,
            },
            layers: layers.iter().map(String::as_str).collect(),
        },
        packages: packages
            .iter()
            .map(|p| PackageOut {
                ecosystem: &p.ecosystem,
                name: &p.name,
                version: &p.version,
                source_name: &p.source_name,
                source_version: &p.source_version,
                purl: &p.purl,
                layer: layers.get(p.layer).map(String::as_str),
                path: &p.path,
            })
            .collect(),
        minimality: &analysis.minimality,
        findings: findings
            .iter()
            .map(|f| ImageFindingOut {
                vulnerability: vulnerability_details.get(&f.fingerprint()),
                finding: FindingOut::new(f, None),
            })
            .collect(),
        suppressed: suppressed
            .iter()
            .map(|s| ImageFindingOut {
                vulnerability: vulnerability_details.get(&s.finding.fingerprint()),
                finding: FindingOut::new(&s.finding, Some(&s.suppression)),
            })
            .collect(),
        warnings: &warnings,
    };
    let text = match args.format {
        ImageFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        ImageFormat::Cyclonedx | ImageFormat::Spdx => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let subject = sbom::Subject {
                reference: &reference,
                digest: digest.as_deref(),
                layers: &layers,
                os,
                packages,
            };
            let document = if args.format == ImageFormat::Spdx {
                spdx::spdx(&subject, env!("CARGO_PKG_VERSION"), now)
            } else {
                sbom::cyclonedx(&subject, env!("CARGO_PKG_VERSION"), now)
            };
            serde_json::to_string_pretty(&document)? + "\n"
        }
        ImageFormat::Sarif => {
            let mut out = Vec::new();
            palisade_report::render_sarif(&result, &report_context(), &mut out)?;
            String::from_utf8(out)?
        }
        ImageFormat::Junit => palisade_report::render_junit(&result, &report_context()),
        ImageFormat::Table => table(
            &reference,
            &os.pretty_name,
            packages,
            &analysis.minimality,
            findings,
            &warnings,
        ),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(text.as_bytes())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(e).context("cannot write to standard output");
            }
        }
    }
    let failed = args
        .fail_on
        .is_some_and(|threshold| findings.iter().any(|f| f.severity >= threshold));
    Ok(if failed {
        std::process::ExitCode::from(1)
    } else {
        std::process::ExitCode::SUCCESS
    })
}

/// `minimality: 12,345 files, 301.2 MB, 90 OS packages (largest: …); shells: …`.
fn minimality_line(m: &Minimality) -> String {
    let megabytes = |bytes: u64| format!("{:.1} MB", bytes as f64 / 1e6);
    let mut line = format!(
        "minimality: {} files, {}, {} OS packages",
        m.files,
        megabytes(m.size),
        m.os_packages
    );
    if !m.largest_packages.is_empty() {
        let largest: Vec<String> = m
            .largest_packages
            .iter()
            .map(|p| format!("{} {}", p.name, megabytes(p.installed_size)))
            .collect();
        line.push_str(&format!(" (largest: {})", largest.join(", ")));
    }
    if m.is_minimal() {
        line.push_str("; no shell, no package manager");
    } else {
        for (what, paths) in [
            ("shells", &m.shells),
            ("package managers", &m.package_managers),
        ] {
            if !paths.is_empty() {
                line.push_str(&format!("; {what}: {}", paths.join(" ")));
            }
        }
    }
    if let Some(base) = &m.minimal_alternative {
        line.push_str(&format!("; minimal base: {base}"));
    }
    line.push('\n');
    line
}

/// The rule catalogue SARIF and JUnit reports describe.
fn report_context() -> ReportContext<'static> {
    static RULES: std::sync::OnceLock<Vec<&'static RuleMeta>> = std::sync::OnceLock::new();
    ReportContext {
        tool: TOOL,
        rules: RULES.get_or_init(crate::rules::all),
    }
}

/// The password or token for `--password-stdin`, without its trailing newline.
fn read_password() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\n', '\r']).to_string();
    anyhow::ensure!(
        !password.is_empty(),
        "--password-stdin: standard input was empty"
    );
    Ok(password)
}

/// A progress bar over the compressed bytes of the layer being read (hidden off a terminal).
struct LayerProgress {
    bar: indicatif::ProgressBar,
}

impl LayerProgress {
    fn new(visible: bool) -> LayerProgress {
        let bar = if visible {
            indicatif::ProgressBar::new(0)
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} {wide_bar} {bytes}/{total_bytes} {bytes_per_sec}",
            )
            .expect("valid template"),
        );
        LayerProgress { bar }
    }

    fn done(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for LayerProgress {
    fn layer(&self, index: usize, count: usize, digest: &str, size: Option<u64>) {
        let short = digest.strip_prefix("sha256:").unwrap_or(digest);
        self.bar.set_prefix(format!(
            "layer {}/{count} {}",
            index + 1,
            short.chars().take(12).collect::<String>()
        ));
        self.bar.set_position(0);
        self.bar.set_length(size.unwrap_or(0));
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }
}

fn table(
    reference: &str,
    os: &str,
    packages: &[Package],
    minimality: &Minimality,
    findings: &[Finding],
    warnings: &[String],
) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(["PACKAGE", "VERSION", "SOURCE", "ECOSYSTEM"]);
    for p in packages {
        let source = if p.source_name == p.name && p.source_version == p.version {
            String::new()
        } else {
            format!("{} {}", p.source_name, p.source_version)
        };
        table.add_row([
            p.name.as_str(),
            p.version.as_str(),
            source.as_str(),
            p.ecosystem.as_str(),
        ]);
    }
    let mut out = format!(
        "{reference}  ({})\n{table}\n",
        if os.is_empty() { "unknown OS" } else { os }
    );
    for finding in findings {
        out.push_str(&format!(
            "{} {} {}: {}\n",
            finding.severity.as_str().to_uppercase(),
            finding.rule.id,
            finding.location.path,
            finding.message
        ));
    }
    out.push_str(&minimality_line(minimality));
    for warning in warnings {
        out.push_str(&format!("warning: {warning}\n"));
    }
    out.push_str(&format!(
        "{} packages, {} findings\n",
        packages.len(),
        findings.len()
    ));
    out
}
