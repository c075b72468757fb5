//! `palisade.toml`: rule selection and severities, image policy, system namespaces and ignore
//! entries. Unknown keys and bad values are errors that name the file, line and column.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::image::RegistryAllowList;
use crate::suppress::{Date, IgnoreEntry, Selector};
use crate::{InputError, Location, Severity};

pub const FILE_NAME: &str = "palisade.toml";

/// Turns a rule id, kebab-case name or alias into the rule's id; `None` when there is no such
/// rule.
pub type RuleResolver<'a> = dyn Fn(&str) -> Option<&'static str> + 'a;

/// The namespaces whose objects are skipped unless `--include-system-namespaces`.
pub const DEFAULT_SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// A validated configuration. `Config::default()` is what palisade uses without a file.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub file: Option<PathBuf>,
    /// `[rules] enable`: when set, only these rules run.
    pub enable: Option<Vec<String>>,
    /// `[rules] disable`.
    pub disable: Vec<String>,
    /// `[rules.severity]`: severity overrides by rule id.
    pub severity: HashMap<String, Severity>,
    /// `[images] allowed_registries`: `None` when not configured (every registry is allowed).
    pub allowed_registries: Option<RegistryAllowList>,
    /// `[images] digest_pinning`: the severity of unpinned images, `None` when `"off"`.
    pub digest_pinning: Option<Severity>,
    /// `[namespaces] system`.
    pub system_namespaces: Vec<String>,
    /// `[namespaces] include_system`.
    pub include_system_namespaces: bool,
    pub ignores: Vec<IgnoreEntry>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            file: None,
            enable: None,
            disable: Vec::new(),
            severity: HashMap::new(),
            allowed_registries: None,
            digest_pinning: Some(Severity::Low),
            system_namespaces: DEFAULT_SYSTEM_NAMESPACES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            include_system_namespaces: false,
            ignores: Vec::new(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    images: RawImages,
    #[serde(default)]
    namespaces: RawNamespaces,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    enable: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    severity: HashMap<Spanned<String>, Severity>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawImages {
    allowed_registries: Option<Vec<Spanned<String>>>,
    digest_pinning: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawNamespaces {
    system: Option<Vec<String>>,
    #[serde(default)]
    include_system: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    rule: Spanned<String>,
    kind: Option<Spanned<String>>,
    namespace: Option<Spanned<String>>,
    name: Option<Spanned<String>>,
    advisory: Option<Spanned<String>>,
    package: Option<Spanned<String>>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::value::Datetime>>,
}

/// Line and column (1-based) of a byte offset.
fn position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, column as u32)
}

impl Config {
    /// The config file that applies to a scan of `paths`: the first `palisade.toml` found in
    /// the first path's directory (the path itself when it is one) or its parents.
    pub fn discover(paths: &[PathBuf]) -> Option<PathBuf> {
        let start = paths
            .iter()
            .find(|p| p.as_os_str() != "-")
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        // Canonical, so that `../other` climbs from `other`'s real parents, not from here.
        let start = std::fs::canonicalize(&start)
            .or_else(|_| std::path::absolute(&start))
            .unwrap_or(start);
        let dir = if start.is_dir() {
            start.as_path()
        } else {
            start.parent()?
        };
        let found = dir
            .ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|candidate| candidate.is_file())?;
        // Shown in findings and errors: relative to the working directory when inside it.
        let relative = std::env::current_dir()
            .and_then(std::fs::canonicalize)
            .ok()
            .and_then(|cwd| found.strip_prefix(cwd).ok().map(Path::to_path_buf));
        Some(relative.unwrap_or(found))
    }

    /// Reads and validates a config file. `resolve_rule` turns a rule id, name or alias into
    /// the rule's id (`None`: no such rule).
    pub fn load(path: &Path, resolve_rule: &RuleResolver<'_>) -> Result<Config, Vec<InputError>> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![InputError {
                file: file.clone(),
                line: None,
                column: None,
                message: format!("cannot read the configuration: {e}"),
            }]
        })?;
        Config::parse(&file, &text, resolve_rule).map(|mut config| {
            config.file = Some(path.to_path_buf());
            config
        })
    }

    /// Parses and validates configuration text read from `file`.
    pub fn parse(
        file: &str,
        text: &str,
        resolve_rule: &RuleResolver<'_>,
    ) -> Result<Config, Vec<InputError>> {
        let error_at = |offset: usize, message: String| {
            let (line, column) = position(text, offset);
            InputError {
                file: file.to_string(),
                line: Some(line),
                column: Some(column),
                message,
            }
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            vec![error_at(offset, e.message().trim().to_string())]
        })?;
        let mut errors = Vec::new();
        let check_rule = |rule: &Spanned<String>, errors: &mut Vec<InputError>| match resolve_rule(
            rule.get_ref(),
        ) {
            Some(id) => id.to_string(),
            None => {
                errors.push(error_at(
                    rule.span().start,
                    format!(
                        "unknown rule {:?}; `palisade checks` lists them",
                        rule.get_ref()
                    ),
                ));
                rule.get_ref().clone()
            }
        };
        if let Some(enable) = raw.rules.enable.as_ref().filter(|e| e.get_ref().is_empty()) {
            errors.push(error_at(
                enable.span().start,
                "[rules] enable = [] would run no rule; list the rules to run, or remove the key"
                    .to_string(),
            ));
        }
        let enable = raw.rules.enable.map(|ids| {
            ids.get_ref()
                .iter()
                .map(|id| check_rule(id, &mut errors))
                .collect()
        });
        let disable = raw
            .rules
            .disable
            .iter()
            .map(|id| check_rule(id, &mut errors))
            .collect();
        let mut config = Config {
            enable,
            disable,
            ..Config::default()
        };
        for (id, severity) in raw.rules.severity {
            config
                .severity
                .insert(check_rule(&id, &mut errors), severity);
        }
        if let Some(patterns) = raw.images.allowed_registries {
            for pattern in &patterns {
                if let Err(problem) = RegistryAllowList::new(&[pattern.get_ref()]) {
                    errors.push(error_at(pattern.span().start, problem));
                }
            }
            let patterns: Vec<&String> = patterns.iter().map(Spanned::get_ref).collect();
            config.allowed_registries = RegistryAllowList::new(&patterns).ok();
        }
        if let Some(pinning) = raw.images.digest_pinning {
            match pinning.get_ref().as_str() {
                "off" => config.digest_pinning = None,
                value => match value.parse::<Severity>() {
                    Ok(severity) => config.digest_pinning = Some(severity),
                    Err(_) => errors.push(error_at(
                        pinning.span().start,
                        format!(
                            "digest_pinning must be \"off\" or a severity (info, low, medium, high, critical), found {value:?}"
                        ),
                    )),
                },
            }
        }
        if let Some(system) = raw.namespaces.system {
            config.system_namespaces = system;
        }
        config.include_system_namespaces = raw.namespaces.include_system;
        for entry in raw.ignore {
            let (line, column) = position(text, entry.span().start);
            let entry = entry.into_inner();
            let rule = check_rule(&entry.rule, &mut errors);
            let mut selector = |field: Option<Spanned<String>>| {
                field.and_then(|value| match Selector::new(value.get_ref()) {
                    Ok(selector) => Some(selector),
                    Err(problem) => {
                        errors.push(error_at(value.span().start, problem));
                        None
                    }
                })
            };
            let (kind, namespace, name, advisory, package) = (
                selector(entry.kind),
                selector(entry.namespace),
                selector(entry.name),
                selector(entry.advisory),
                selector(entry.package),
            );
            if entry.reason.get_ref().trim().is_empty() {
                errors.push(error_at(
                    entry.reason.span().start,
                    "reason must say why the risk is accepted".to_string(),
                ));
            }
            let expires = entry.expires.and_then(|value| match value.get_ref() {
                toml::value::Datetime {
                    date: Some(date),
                    time: None,
                    offset: None,
                } => Some(Date {
                    year: date.year,
                    month: date.month,
                    day: date.day,
                }),
                other => {
                    errors.push(error_at(
                        value.span().start,
                        format!("expires must be a date like 2027-01-31, found {other}"),
                    ));
                    None
                }
            });
            config.ignores.push(IgnoreEntry {
                rule,
                kind,
                namespace,
                name,
                advisory,
                package,
                reason: entry.reason.into_inner(),
                expires,
                location: Location {
                    file: file.into(),
                    line,
                    column,
                    path: "".into(),
                    object_path_start: 0,
                },
            });
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// Whether objects in `namespace` are skipped.
    pub fn skips_namespace(&self, namespace: &str) -> bool {
        !self.include_system_namespaces && self.system_namespaces.iter().any(|n| n == namespace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<InputError>> {
        Config::parse("palisade.toml", text, &|id| {
            ["privileged", "imageDigest", "hostPathVolumes"]
                .into_iter()
                .find(|known| *known == id)
        })
    }

    fn errors(text: &str) -> Vec<String> {
        parse(text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn the_documented_example_parses() {
        let config = parse(
            r#"
[images]
allowed_registries = ["registry.corp.example/*"]

[[ignore]]
rule = "privileged"
kind = "DaemonSet"        # kind, namespace, name: optional, globs allowed
namespace = "net"
name = "cni-*"
reason = "the CNI agent needs it"   # required
expires = 2027-01-31                # optional TOML date
"#,
        )
        .unwrap();
        let entry = &config.ignores[0];
        assert_eq!(entry.rule, "privileged");
        assert_eq!(entry.location.line, 5);
        assert_eq!(entry.expires.unwrap().to_string(), "2027-01-31");
        assert_eq!(entry.name.as_ref().unwrap().pattern, "cni-*");
        assert!(config.allowed_registries.is_some());
        assert_eq!(config.digest_pinning, Some(Severity::Low));
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_line() {
        assert_eq!(
            errors("[rules]\ndisabled = [\"privileged\"]\n"),
            vec![
                "palisade.toml:2:1: unknown field `disabled`, expected one of `enable`, `disable`, `severity`"
            ]
        );
        let e = errors("[rules.severity]\nprivileged = \"urgent\"\n");
        assert!(
            e[0].starts_with("palisade.toml:2:14: unknown variant `urgent`"),
            "{e:?}"
        );
        assert_eq!(
            errors("[rules]\ndisable = [\"nope\"]\n"),
            vec!["palisade.toml:2:12: unknown rule \"nope\"; `palisade checks` lists them"]
        );
        let e = errors(
            "[[ignore]]\nrule = \"privileged\"\nreason = \" \"\nexpires = 2027-01-31T10:00:00\n",
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].starts_with("palisade.toml:3:10: reason must say"));
        assert!(e[1].starts_with("palisade.toml:4:11: expires must be a date"));
        let e = errors("[[ignore]]\nrule = \"privileged\"\n");
        assert!(e[0].contains("missing field `reason`"), "{e:?}");
        assert_eq!(
            errors("[rules]\nenable = []\n"),
            vec![
                "palisade.toml:2:10: [rules] enable = [] would run no rule; list the rules to run, or remove the key"
            ]
        );
        let e = errors("[images]\ndigest_pinning = \"sometimes\"\n");
        assert!(
            e[0].starts_with("palisade.toml:2:18: digest_pinning must be"),
            "{e:?}"
        );
    }

    #[test]
    fn system_namespaces() {
        let config = Config::default();
        assert!(config.skips_namespace("kube-system") && !config.skips_namespace("shop"));
        let config = parse("[namespaces]\nsystem = [\"infra\"]\n").unwrap();
        assert!(config.skips_namespace("infra") && !config.skips_namespace("kube-system"));
        let config = parse("[namespaces]\ninclude_system = true\n").unwrap();
        assert!(!config.skips_namespace("kube-system"));
    }

    #[test]
    fn digest_pinning_off_and_severity() {
        assert_eq!(
            parse("[images]\ndigest_pinning = \"off\"\n")
                .unwrap()
                .digest_pinning,
            None
        );
        assert_eq!(
            parse("[images]\ndigest_pinning = \"high\"\n")
                .unwrap()
                .digest_pinning,
            Some(Severity::High)
        );
    }
}
