//! The scan pipeline: inputs → documents → objects → findings, in parallel, holding one input's
//! text at a time per worker.
//!
//! Pod Security levels come from the Namespace objects of the whole input, wherever they are,
//! and token rules need the ServiceAccounts and bindings, so a first pass builds the inventory
//! from only the documents that can hold those (their text must contain the kind's name) before
//! the main pass checks every object.

use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use palisade_checks::{Engine, Inventory};
use palisade_core::{CheckedObject, InputError, RuleMeta, ScanResult};
use palisade_dockerfile::{Selection, analyze};
use palisade_k8s::schema::check_types;
use palisade_k8s::yaml::split_documents;
use palisade_k8s::{Input, discover, load_document};
use palisade_netpol::ModelBuilder;
use palisade_rbac::{Policy, model::Workload};
use rayon::prelude::*;

pub struct Options {
    /// Keep the list of checked objects and the rules that ran on them (for JUnit).
    pub record_objects: bool,
    pub progress: bool,
    /// Kubernetes' default RBAC policy, joined to the input's for the RBAC rules.
    pub default_policy: Option<Policy>,
}

/// One input's text: files are read again in each pass; rendered and piped input is kept.
enum Text {
    File(Input),
    Kept(Input, Result<String, InputError>),
}

impl Text {
    fn read(&self) -> Result<std::borrow::Cow<'_, str>, InputError> {
        match self {
            Text::File(input) => input.read().map(Into::into),
            Text::Kept(_, text) => text.as_deref().map(Into::into).map_err(Clone::clone),
        }
    }

    fn input(&self) -> &Input {
        match self {
            Text::File(input) | Text::Kept(input, _) => input,
        }
    }
}

pub fn scan(
    paths: &[std::path::PathBuf],
    excludes: &[String],
    engine: &mut Engine,
    options: Options,
) -> ScanResult {
    let (inputs, discovery_errors) = discover(paths, excludes);
    let texts: Vec<Text> = inputs
        .into_par_iter()
        .map(|input| match input {
            Input::File(_) | Input::Dockerfile(_) => Text::File(input),
            other => {
                let text = other.read();
                Text::Kept(other, text)
            }
        })
        .collect();

    // The RBAC rules judge the whole policy of the input: its Roles and bindings are gathered
    // in the inventory pass.
    let rbac_enabled = palisade_rbac::rules::all().any(|rule| engine.enabled(&rule.meta));
    let inventory_inputs = if engine.needs_inventory() || rbac_enabled {
        &texts[..]
    } else {
        &[]
    };
    let engine_view = &*engine;
    let (inventory, mut policy) = inventory_inputs
        .par_iter()
        .filter(|text| !matches!(text.input(), Input::Dockerfile(_)))
        .map(|text| {
            let file: Arc<str> = Arc::from(text.input().display_name());
            let Ok(content) = text.read() else {
                return (Inventory::default(), Policy::default());
            };
            let objects: Vec<_> = split_documents(&content)
                .iter()
                .filter(|doc| {
                    Inventory::may_contribute(doc.text)
                        || rbac_enabled && Policy::may_contribute(doc.text)
                })
                .flat_map(|doc| load_document(&file, doc).objects)
                .collect();
            // The policy keeps compact roles and bindings, not the objects.
            let mut policy = Policy::default();
            if rbac_enabled {
                for object in objects.iter().filter(|o| !engine_view.is_skipped(o)) {
                    policy.add(object);
                }
            }
            (Inventory::from_objects(&objects), policy)
        })
        .reduce(
            || (Inventory::default(), Policy::default()),
            |(a, p), (b, q)| (a.merge(b), p.merge(q)),
        );
    engine.inventory = inventory;

    let dockerfile_settings = palisade_dockerfile::rules::Settings {
        allowed_registries: engine.settings.allowed_registries.clone(),
    };
    let bar = if options.progress {
        let bar = ProgressBar::new(texts.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} scanning {pos}/{len} inputs {wide_bar} {elapsed}",
            )
            .expect("valid template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let netpol_enabled = palisade_netpol::rules::all().any(|rule| engine.enabled(&rule.meta));
    let wanted = Wanted {
        workloads: rbac_enabled,
        network: netpol_enabled,
    };
    let (mut result, gathered) = texts
        .par_iter()
        .map(|text| {
            let scanned = match text.input() {
                Input::Dockerfile(_) => (
                    scan_dockerfile(text, engine, &dockerfile_settings),
                    Gathered::default(),
                ),
                _ => scan_input(text, engine, &options, wanted),
            };
            bar.inc(1);
            scanned
        })
        .reduce(
            || (ScanResult::default(), Gathered::default()),
            merge_scanned,
        );
    bar.finish_and_clear();
    result.errors.extend(discovery_errors);
    // The two whole-input analyses are independent: side by side.
    let enabled = |rule: &RuleMeta| engine.enabled(rule);
    let Gathered { workloads, network } = gathered;
    let (rbac, netpol) = rayon::join(
        || {
            rbac_enabled.then(|| {
                policy.workloads = workloads;
                if let Some(defaults) = options.default_policy {
                    policy = policy.merge(defaults);
                }
                policy.complete();
                let applies = !policy.roles.is_empty() || !policy.bindings.is_empty();
                (palisade_rbac::rules::check(&policy, &enabled), applies)
            })
        },
        || {
            netpol_enabled.then(|| {
                let model = network.finish();
                let applies = !model.workloads.is_empty() || !model.policies.is_empty();
                (palisade_netpol::rules::check(&model, &enabled), applies)
            })
        },
    );
    if let Some((findings, applies)) = rbac {
        let rules = palisade_rbac::rules::all().map(|rule| &rule.meta);
        add_whole_input_findings(&mut result, engine, findings, applies.then_some(rules));
    }
    if let Some((findings, applies)) = netpol {
        let rules = palisade_netpol::rules::all().map(|rule| &rule.meta);
        add_whole_input_findings(&mut result, engine, findings, applies.then_some(rules));
    }
    result.sort();
    result
}

/// One Dockerfile: the Dockerfile rules with the scan's rule selection and severities.
fn scan_dockerfile(
    text: &Text,
    engine: &Engine,
    settings: &palisade_dockerfile::rules::Settings,
) -> ScanResult {
    let file: Arc<str> = Arc::from(text.input().display_name());
    let content = match text.read() {
        Ok(content) => content,
        Err(error) => return ScanResult::unreadable(error),
    };
    let enabled = |rule: &RuleMeta| engine.enabled(rule);
    let severity = |rule: &RuleMeta| engine.severity.get(rule.id).copied();
    let selection = Selection {
        enabled: &enabled,
        severity: &severity,
    };
    let analysis = analyze(&file, &content, settings, &selection);
    let mut result = ScanResult {
        findings: analysis.findings,
        suppressed: analysis.suppressed,
        errors: analysis.errors,
        ..Default::default()
    };
    result.rules_applied.extend(analysis.ran);
    result.summary.files = 1;
    result.summary.objects = 1;
    result
}

/// The findings of a whole-input analysis (RBAC, NetworkPolicies) join the scan's, with the
/// configured severities; its enabled rules count as applied when the input had something for
/// them to judge.
fn add_whole_input_findings<'r>(
    result: &mut ScanResult,
    engine: &Engine,
    mut findings: Vec<palisade_core::Finding>,
    applied: Option<impl Iterator<Item = &'r RuleMeta>>,
) {
    for finding in &mut findings {
        if let Some(severity) = engine.severity.get(finding.rule.id) {
            finding.severity = *severity;
        }
    }
    if let Some(rules) = applied {
        result.rules_applied.extend(
            rules
                .filter(|rule| engine.enabled(rule))
                .map(|rule| rule.id),
        );
    }
    result.findings.extend(findings);
}

/// Which whole-input analyses want objects gathered in the per-object pass.
#[derive(Clone, Copy)]
struct Wanted {
    /// Who workloads run as (RBAC escalation paths).
    workloads: bool,
    /// Namespaces, workloads, Services and NetworkPolicies (the network model).
    network: bool,
}

/// What the per-object pass gathers for the whole-input analyses.
#[derive(Default)]
struct Gathered {
    workloads: Vec<Workload>,
    network: ModelBuilder,
}

/// Two partial scans, with what they gathered, together.
fn merge_scanned(
    (result, gathered): (ScanResult, Gathered),
    (other, other_gathered): (ScanResult, Gathered),
) -> (ScanResult, Gathered) {
    let mut workloads = gathered.workloads;
    workloads.extend(other_gathered.workloads);
    let gathered = Gathered {
        workloads,
        network: gathered.network.merge(other_gathered.network),
    };
    (result.merge(other), gathered)
}

/// One manifest file: the object rules, and what the whole-input analyses want gathered.
fn scan_input(
    text: &Text,
    engine: &Engine,
    options: &Options,
    wanted: Wanted,
) -> (ScanResult, Gathered) {
    let file: Arc<str> = Arc::from(text.input().display_name());
    let content = match text.read() {
        Ok(content) => content,
        Err(error) => return (ScanResult::unreadable(error), Gathered::default()),
    };
    let (mut result, gathered) = split_documents(&content)
        .par_iter()
        .map(|doc| {
            let loaded = load_document(&file, doc);
            let mut result = ScanResult {
                errors: loaded.errors,
                ..Default::default()
            };
            result.summary.documents = loaded.documents;
            result.summary.skipped_documents = loaded.skipped_documents;
            result.summary.objects = loaded.objects.len();
            let mut gathered = Gathered::default();
            for object in &loaded.objects {
                if engine.is_skipped(object) {
                    result.summary.skipped_system_objects += 1;
                    // The cluster's own configuration (control-plane static pods) lives there.
                    let checked = engine.check_configuration(object);
                    if wanted.network {
                        gathered.network.add_mesh_policy(object);
                    }
                    result.findings.extend(checked.findings);
                    result.suppressed.extend(checked.suppressed);
                    result.rules_applied.extend(&checked.ran);
                    continue;
                }
                if wanted.workloads {
                    gathered.workloads.extend(Workload::from_object(object));
                }
                if wanted.network {
                    gathered.network.add(object);
                }
                result.errors.extend(check_types(object));
                let checked = engine.check(object);
                result.findings.extend(checked.findings);
                result.suppressed.extend(checked.suppressed);
                result.errors.extend(checked.errors);
                result.rules_applied.extend(&checked.ran);
                if options.record_objects {
                    result.objects.push(CheckedObject {
                        file: file.to_string(),
                        object: object.object_ref(),
                        rules: checked.ran,
                    });
                }
            }
            (result, gathered)
        })
        .reduce(
            || (ScanResult::default(), Gathered::default()),
            merge_scanned,
        );
    result.summary.files = 1;
    (result, gathered)
}
