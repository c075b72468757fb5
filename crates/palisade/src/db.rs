//! `palisade db import|update|status` (the OSV vulnerability database) and `palisade version
//! compare` (the per-ecosystem version orderings matching uses, for debugging a match).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use palisade_vulndb::store::{DEFAULT_MAX_AGE, default_db_path, human_duration};
use palisade_vulndb::{Store, update, version};

#[derive(Debug, clap::Args)]
pub struct DbArgs {
    /// The database file. Default: osv.sqlite in $XDG_CACHE_HOME/palisade (~/.cache/palisade).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DbCommand {
    /// Import OSV advisories: JSON files, directories of them, osv.dev `all.zip` archives.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Download osv.dev's archives for these ecosystems (default: the ones palisade matches)
    /// and import them, atomically.
    Update {
        /// Ecosystems as OSV spells them (`Debian`, `PyPI`, `crates.io`, …), comma-separated.
        #[arg(long, value_delimiter = ',')]
        ecosystems: Vec<String>,
        /// Base URL of the archives (repeatable: mirrors, tried in order).
        #[arg(long = "base-url", value_name = "URL")]
        base_urls: Vec<String>,
    },
    /// Sources, counts, last update and age.
    Status,
}

/// The database path: `--db`, else the user cache's.
pub fn db_path(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    match explicit {
        Some(path) => Ok(path.to_path_buf()),
        None => default_db_path()
            .context("no cache directory (set HOME or XDG_CACHE_HOME), and no --db given"),
    }
}

pub fn run(args: DbArgs) -> anyhow::Result<ExitCode> {
    let path = db_path(args.db.as_deref())?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    match args.command {
        DbCommand::Import { paths } => {
            let report = palisade_vulndb::import(&path, &paths)?;
            for error in &report.errors {
                eprintln!("palisade: skipped: {error}");
            }
            println!(
                "{}: {} added, {} updated, {} unchanged, {} skipped; {} advisories in {:.1} s",
                path.display(),
                report.added,
                report.updated,
                report.unchanged,
                report.skipped,
                report.advisories,
                report.elapsed.as_secs_f64()
            );
        }
        DbCommand::Update {
            ecosystems,
            base_urls,
        } => {
            let cache = path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            let ecosystems: Vec<&str> = ecosystems.iter().map(String::as_str).collect();
            let report = update::update(&path, &base_urls, &ecosystems, &cache)?;
            for download in &report.downloads {
                println!(
                    "{}: {} bytes from {}{}",
                    download.ecosystem,
                    download.bytes,
                    download.url,
                    if download.checksum_verified {
                        " (checksum verified)"
                    } else {
                        ""
                    }
                );
            }
            println!(
                "{}: {} advisories",
                path.display(),
                report.import.advisories
            );
        }
        DbCommand::Status => {
            let status = Store::open(&path)?.status()?;
            println!("database: {}", status.path.display());
            println!(
                "advisories: {} ({} withdrawn), packages: {}",
                status.advisories, status.withdrawn, status.packages
            );
            for ecosystem in &status.ecosystems {
                println!(
                    "  {}: {} advisories, {} packages",
                    ecosystem.ecosystem, ecosystem.advisories, ecosystem.packages
                );
            }
            for source in &status.sources {
                println!(
                    "source: {} ({} imported, {} skipped)",
                    source.location, source.imported, source.skipped
                );
            }
            match status.age {
                Some(age) => println!("last update: {} ago", human_duration(age)),
                None => println!("last update: unknown"),
            }
            if let Some(warning) = status.staleness_warning(DEFAULT_MAX_AGE) {
                eprintln!("palisade: warning: {warning}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct VersionArgs {
    #[command(subcommand)]
    command: VersionCommand,
}

#[derive(Debug, clap::Subcommand)]
enum VersionCommand {
    /// Compare two versions (prints <, = or >), or with --batch each `a<TAB>b` line of standard
    /// input (prints -1, 0 or 1).
    Compare {
        /// The OSV ecosystem whose ordering applies (`Debian`, `PyPI`, `Go`, …).
        #[arg(long)]
        ecosystem: String,
        #[arg(long, conflicts_with_all = ["a", "b"])]
        batch: bool,
        #[arg(required_unless_present = "batch")]
        a: Option<String>,
        #[arg(required_unless_present = "batch")]
        b: Option<String>,
    },
}

pub fn run_version(args: VersionArgs) -> anyhow::Result<ExitCode> {
    let VersionCommand::Compare {
        ecosystem,
        batch,
        a,
        b,
    } = args.command;
    if !batch {
        let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
        let symbol = match version::compare(&ecosystem, &a, &b)? {
            std::cmp::Ordering::Less => "<",
            std::cmp::Ordering::Equal => "=",
            std::cmp::Ordering::Greater => ">",
        };
        println!("{symbol}");
        return Ok(ExitCode::SUCCESS);
    }
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (number, line) in stdin.lines().enumerate() {
        let line = line.context("cannot read standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let Some((a, b)) = line.split_once('\t') else {
            bail!("line {}: expected `a<TAB>b`", number + 1);
        };
        let ordering =
            version::compare(&ecosystem, a, b).with_context(|| format!("line {}", number + 1))?;
        writeln!(out, "{}", ordering as i8)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
