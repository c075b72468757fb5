//! Vulnerability findings for `palisade image`: each cataloged package looked up in the OSV
//! store by the name and version its advisories are keyed by (the source package for Debian,
//! Ubuntu and Alpine; the package itself elsewhere), one finding per vulnerability per package.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use palisade_core::suppress::{Suppression, SuppressionKind};
use palisade_core::{Finding, Location, Subject};
use palisade_image::catalog::Package;
use palisade_vulndb::Store;
use palisade_vulndb::matcher::{Installed, Match, matches};
use palisade_vulndb::store::{DEFAULT_MAX_AGE, base_ecosystem};
use palisade_vulndb::vex::{ImageIdentity, Vex};
use rayon::prelude::*;
use serde::Serialize;

/// What the JSON report adds to a vulnerability finding.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Details {
    pub advisory: AdvisoryOut,
    pub package: PackageRef,
    /// `null` when no fixed version is known.
    pub fixed_version: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvisoryOut {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: String,
    pub severity: palisade_core::Severity,
    /// The CVSS score and vector the severity comes from, when there is one.
    pub cvss: Option<Cvss>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cvss {
    pub score: f64,
    pub vector: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageRef {
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    pub source_name: String,
    pub source_version: String,
    pub purl: String,
    pub layer: Option<String>,
    pub path: String,
}

/// The name and version advisories of the package's ecosystem are keyed by.
fn advisory_key(package: &Package) -> Installed<'_> {
    // Distributions whose advisories name source packages (Debian's and Ubuntu's source
    // packages, Alpine's origins, the source RPMs of the RHEL rebuilds and SUSE); Red Hat's
    // name binary RPMs.
    const BY_SOURCE: &[&str] = &[
        "Debian",
        "Ubuntu",
        "Alpine",
        "AlmaLinux",
        "Rocky Linux",
        "openSUSE",
        "SUSE",
        "openEuler",
    ];
    let by_source = BY_SOURCE.contains(&base_ecosystem(&package.ecosystem));
    if by_source {
        Installed {
            ecosystem: &package.ecosystem,
            name: &package.source_name,
            version: &package.source_version,
        }
    } else {
        Installed {
            ecosystem: &package.ecosystem,
            name: &package.name,
            version: &package.version,
        }
    }
}

/// Database text made safe for a terminal: control characters dropped, at most `limit`
/// characters.
fn printable(text: &str, limit: usize) -> String {
    let mut out: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(limit)
        .collect();
    if text.chars().filter(|c| !c.is_control()).count() > limit {
        out.push('…');
    }
    out
}

/// The findings and their details (those a VEX statement accepts, with their suppression),
/// and the warnings (a missing or stale database, packages whose versions do not parse).
pub struct Vulnerabilities {
    pub findings: Vec<(Finding, Details, Option<Suppression>)>,
    pub warnings: Vec<String>,
}

/// What `palisade image` matches with.
pub struct Options<'a> {
    pub db: &'a Path,
    pub ignore_unfixed: bool,
    /// OpenVEX documents and the files they came from.
    pub vex: &'a [(String, Vex)],
    /// The image's manifest digest, for VEX statements about an image by digest.
    pub digest: Option<&'a str>,
}

/// Matches `packages` against the database at `db`. A missing database is a warning, not an
/// error: the rest of the report stands.
pub fn find(
    options: &Options<'_>,
    reference: &str,
    packages: &[Package],
    layers: &[String],
) -> Vulnerabilities {
    let db = options.db;
    let mut warnings = Vec::new();
    let image = ImageIdentity {
        digest: options.digest,
        reference,
    };
    if !db.exists() {
        warnings.push(format!(
            "no vulnerability database at {}: run `palisade db update` (or `palisade db import`); vulnerabilities were not checked",
            db.display()
        ));
        return Vulnerabilities {
            findings: Vec::new(),
            warnings,
        };
    }
    let store = match Store::open(db) {
        Ok(store) => store,
        Err(e) => {
            warnings.push(format!("{e}; vulnerabilities were not checked"));
            return Vulnerabilities {
                findings: Vec::new(),
                warnings,
            };
        }
    };
    if let Ok(Some(warning)) = store.staleness_warning(DEFAULT_MAX_AGE) {
        warnings.push(warning);
    }
    let object = Arc::new(palisade_image::rules::object(reference));
    let file: Arc<str> = Arc::from(reference);
    // One lookup per distinct (ecosystem, name, version) — many packages share a source —
    // in parallel, each worker with its own read-only connection.
    let keys: BTreeSet<Installed<'_>> = packages.iter().map(advisory_key).collect();
    let looked_up: Vec<(Installed<'_>, Result<Vec<Match>, String>)> = keys
        .into_par_iter()
        .map_init(
            || Store::open(db),
            |store, key| {
                let found = match store {
                    Ok(store) => matches(store, &key).map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                (key, found)
            },
        )
        .collect();
    let mut cache: HashMap<Installed<'_>, Vec<Match>> = HashMap::new();
    for (key, found) in looked_up {
        let found = found.unwrap_or_else(|e| {
            warnings.push(format!(
                "{} {} ({}): {e}; not matched",
                key.name, key.version, key.ecosystem
            ));
            Vec::new()
        });
        cache.insert(key, found);
    }
    let mut findings = Vec::new();
    for package in packages {
        for hit in &cache[&advisory_key(package)] {
            if options.ignore_unfixed && hit.fixed.is_none() {
                continue;
            }
            let ids: Vec<&str> = std::iter::once(hit.id.as_str())
                .chain(hit.aliases.iter().map(String::as_str))
                .collect();
            let accepted = options.vex.iter().find_map(|(file, vex)| {
                vex.accepts(&ids, &package.purl, &image)
                    .map(|justification| Suppression {
                        kind: SuppressionKind::Vex,
                        justification,
                        source: file.clone(),
                    })
            });
            let source = if package.source_name != package.name {
                format!(
                    " (source {} {})",
                    package.source_name, package.source_version
                )
            } else {
                String::new()
            };
            let fix = match &hit.fixed {
                Some(fixed) => format!("fixed in {fixed}"),
                None => "no fix available".to_string(),
            };
            let aliases = if hit.aliases.is_empty() {
                String::new()
            } else {
                format!(" ({})", hit.aliases.join(", "))
            };
            let message = format!(
                "{} {}{source} is affected by {}{aliases}: {}; {fix}",
                package.name,
                package.version,
                hit.id,
                printable(&hit.summary, 160)
            );
            let finding = Finding {
                rule: &palisade_vulndb::rule::RULE,
                severity: hit.severity.severity,
                message: message.into_boxed_str(),
                object: object.clone(),
                location: Location {
                    file: file.clone(),
                    line: 0,
                    column: 0,
                    // Without the version: an upgrade that is still affected keeps the
                    // fingerprint baselines and ignore decisions refer to.
                    path: format!(
                        "packages[{}]{}/{}",
                        package.purl.split('@').next().unwrap_or(&package.purl),
                        package.path,
                        hit.id
                    )
                    .into(),
                    object_path_start: 0,
                },
                discriminator: 0,
                subject: Some(Arc::new(Subject {
                    identifiers: ids.iter().map(|id| id.to_string()).collect(),
                    package: package.name.clone(),
                    purl: package.purl.clone(),
                })),
            };
            let details = Details {
                advisory: AdvisoryOut {
                    id: hit.id.clone(),
                    aliases: hit.aliases.clone(),
                    summary: hit.summary.clone(),
                    severity: hit.severity.severity,
                    cvss: hit
                        .severity
                        .score
                        .zip(hit.severity.vector.clone())
                        .map(|(score, vector)| Cvss { score, vector }),
                },
                package: PackageRef {
                    ecosystem: package.ecosystem.clone(),
                    name: package.name.clone(),
                    version: package.version.clone(),
                    source_name: package.source_name.clone(),
                    source_version: package.source_version.clone(),
                    purl: package.purl.clone(),
                    layer: layers.get(package.layer).cloned(),
                    path: package.path.clone(),
                },
                fixed_version: hit.fixed.clone(),
            };
            findings.push((finding, details, accepted));
        }
    }
    Vulnerabilities { findings, warnings }
}

/// The Go modules a Kubernetes release is built from that advisories name: the main module at
/// `v1.X.Y` and the staging libraries the control plane links, at `v0.X.Y`.
const KUBERNETES_STAGING: &[&str] = &[
    "k8s.io/apiserver",
    "k8s.io/apimachinery",
    "k8s.io/client-go",
    "k8s.io/kubelet",
    "k8s.io/kube-proxy",
    "k8s.io/kube-scheduler",
    "k8s.io/kube-controller-manager",
    "k8s.io/kube-aggregator",
    "k8s.io/cloud-provider",
    "k8s.io/mount-utils",
];

/// `1.27.3` or `v1.27.3`: the minor and patch of a Kubernetes release.
pub fn parse_kube_version(text: &str) -> Result<(u32, u32), String> {
    let bare = text.strip_prefix('v').unwrap_or(text);
    let parts: Vec<&str> = bare.split('.').collect();
    match parts.as_slice() {
        ["1", minor, patch] => match (minor.parse(), patch.parse()) {
            (Ok(minor), Ok(patch)) => Ok((minor, patch)),
            _ => Err(format!("{text:?} is not a Kubernetes version like 1.27.3")),
        },
        _ => Err(format!("{text:?} is not a Kubernetes version like 1.27.3")),
    }
}

/// Vulnerability findings for a Kubernetes control plane at `1.minor.patch`, from the Go
/// advisories of the database at `db`; warnings as for images.
pub fn kubernetes(db: &Path, (minor, patch): (u32, u32)) -> (Vec<Finding>, Vec<String>) {
    let release = format!("1.{minor}.{patch}");
    let main_module = format!("v{release}");
    let staging = format!("v0.{minor}.{patch}");
    let packages: Vec<Package> = std::iter::once(("k8s.io/kubernetes", main_module.as_str()))
        .chain(KUBERNETES_STAGING.iter().map(|m| (*m, staging.as_str())))
        .map(|(module, version)| Package {
            ecosystem: "Go".to_string(),
            name: module.to_string(),
            version: version.to_string(),
            source_name: module.to_string(),
            source_version: version.to_string(),
            purl: format!("pkg:golang/{module}@{version}"),
            layer: 0,
            path: String::new(),
            installed_size: None,
        })
        .collect();
    let options = Options {
        db,
        ignore_unfixed: false,
        vex: &[],
        digest: None,
    };
    let reference = format!("kubernetes v{release}");
    let found = find(&options, &reference, &packages, &[]);
    let cluster = Arc::new(palisade_core::ObjectRef {
        api_version: String::new(),
        kind: "Cluster".to_string(),
        namespace: None,
        name: reference,
    });
    let findings = found
        .findings
        .into_iter()
        .map(|(mut finding, _, _)| {
            finding.object = cluster.clone();
            finding.location.file = Arc::from("--kube-version");
            finding
        })
        .collect();
    (findings, found.warnings)
}
