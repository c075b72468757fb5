//! Runs the Dockerfile rules on one file and turns their violations into findings: the object
//! is the Dockerfile, the location the instruction's first line, and the path names the
//! instruction by stage and keyword (`stages[1].RUN[2]`), so that fingerprints survive edits
//! elsewhere in the file. Inline pragmas above an instruction suppress findings on it:
//! `# palisade ignore=<rule>[,<rule>]: <reason>` and hadolint's `# hadolint ignore=DL3008,…`.

use std::sync::Arc;

use palisade_core::{
    Finding, InputError, Location, ObjectRef, RuleMeta, Severity, Suppressed, Suppression,
    SuppressionKind,
};

use crate::parser::{Comment, Dockerfile, parse};
use crate::rules::{self, Context, Settings};
use crate::stages::stages;

/// What analysing one Dockerfile gave.
#[derive(Debug, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    /// Parse errors and malformed pragmas.
    pub errors: Vec<InputError>,
    /// The rules that ran.
    pub ran: Vec<&'static str>,
}

/// How the scan selects and grades rules (the manifest engine's settings, shared).
pub struct Selection<'a> {
    pub enabled: &'a dyn Fn(&RuleMeta) -> bool,
    /// A severity override for a rule, if configured.
    pub severity: &'a dyn Fn(&RuleMeta) -> Option<Severity>,
}

/// A Dockerfile rule by id, kebab-case name or alias (hadolint code).
pub fn find(id: &str) -> Option<&'static RuleMeta> {
    rules::all().map(|r| &r.meta).find(|m| {
        m.id.eq_ignore_ascii_case(id)
            || m.name.eq_ignore_ascii_case(id)
            || m.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    })
}

/// The path of every instruction: `preamble.ARG[0]` before the first FROM, `stages[i].FROM`,
/// then `stages[i].<KEYWORD>[n]` counting that keyword within the stage.
fn instruction_paths(file: &Dockerfile) -> Vec<String> {
    let mut paths = Vec::with_capacity(file.instructions.len());
    let mut stage: Option<usize> = None;
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for instruction in &file.instructions {
        let keyword = instruction.keyword.as_str();
        if keyword == "FROM" {
            stage = Some(stage.map_or(0, |s| s + 1));
            counts.clear();
            paths.push(format!("stages[{}].FROM", stage.unwrap_or(0)));
            continue;
        }
        let n = match counts.iter_mut().find(|(k, _)| *k == keyword) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                counts.push((keyword, 0));
                0
            }
        };
        match stage {
            Some(s) => paths.push(format!("stages[{s}].{keyword}[{n}]")),
            None => paths.push(format!("preamble.{keyword}[{n}]")),
        }
    }
    paths
}

/// One pragma above an instruction: what it accepts and why.
struct Pragma {
    /// `# palisade ignore=`: rule ids.
    rules: Vec<&'static str>,
    /// `# hadolint ignore=`: hadolint codes, matched per violation.
    codes: Vec<String>,
    justification: String,
    line: u32,
}

impl Pragma {
    fn accepts(&self, rule: &RuleMeta, code: Option<&str>) -> bool {
        self.rules.contains(&rule.id)
            || match code {
                Some(code) => self.codes.iter().any(|c| c.eq_ignore_ascii_case(code)),
                None => rule
                    .aliases
                    .iter()
                    .any(|a| self.codes.iter().any(|c| c.eq_ignore_ascii_case(a))),
            }
    }
}

/// `<tool> ignore=<rest>` with any spacing (`# hadolint  ignore=DL3008`).
fn ignore_pragma<'t>(text: &'t str, tool: &str) -> Option<&'t str> {
    text.strip_prefix(tool)?
        .trim_start()
        .strip_prefix("ignore=")
}

/// The pragmas in the comments above an instruction; malformed ones are errors `(line, why)`.
fn pragmas(comments: &[Comment]) -> (Vec<Pragma>, Vec<(u32, String)>) {
    let mut pragmas = Vec::new();
    let mut problems = Vec::new();
    for comment in comments {
        if let Some(rest) = ignore_pragma(&comment.text, "palisade") {
            let Some((ids, reason)) = rest.split_once(':').filter(|(_, r)| !r.trim().is_empty())
            else {
                problems.push((
                    comment.line,
                    format!(
                        "\"# palisade ignore={rest}\" must read \"# palisade ignore=<rule>[,<rule>]: <reason>\""
                    ),
                ));
                continue;
            };
            let mut rules = Vec::new();
            for id in ids.split(',').map(str::trim) {
                match find(id) {
                    Some(rule) => rules.push(rule.id),
                    None => problems.push((
                        comment.line,
                        format!(
                            "unknown rule {id:?} in a palisade ignore pragma; `palisade checks` lists them"
                        ),
                    )),
                }
            }
            pragmas.push(Pragma {
                rules,
                codes: Vec::new(),
                justification: reason.trim().to_string(),
                line: comment.line,
            });
        } else if let Some(codes) = ignore_pragma(&comment.text, "hadolint") {
            // Codes palisade has no rule for are hadolint's business, not an error.
            pragmas.push(Pragma {
                rules: Vec::new(),
                codes: codes.split(',').map(|c| c.trim().to_string()).collect(),
                justification: format!("hadolint ignore={}", codes.trim()),
                line: comment.line,
            });
        }
    }
    (pragmas, problems)
}

/// Parses and checks one Dockerfile shown as `file`.
pub fn analyze(
    file: &Arc<str>,
    text: &str,
    settings: &Settings,
    selection: &Selection<'_>,
) -> Analysis {
    let parsed = parse(text);
    let mut analysis = Analysis {
        errors: parsed
            .errors
            .iter()
            .map(|e| InputError {
                file: file.to_string(),
                line: Some(e.line),
                column: None,
                message: e.message.clone(),
            })
            .collect(),
        ..Default::default()
    };
    let context = Context {
        file: &parsed,
        stages: stages(&parsed),
        settings,
    };
    let object = Arc::new(ObjectRef {
        api_version: String::new(),
        kind: "Dockerfile".to_string(),
        namespace: None,
        name: file.to_string(),
    });
    let paths = instruction_paths(&parsed);
    let mut instruction_pragmas = Vec::with_capacity(parsed.instructions.len());
    for instruction in &parsed.instructions {
        let (found, problems) = pragmas(&instruction.comments);
        analysis
            .errors
            .extend(problems.into_iter().map(|(line, message)| InputError {
                file: file.to_string(),
                line: Some(line),
                column: None,
                message,
            }));
        instruction_pragmas.push(found);
    }
    for rule in rules::all().filter(|r| (selection.enabled)(&r.meta)) {
        analysis.ran.push(rule.meta.id);
        for violation in (rule.check)(&context) {
            let instruction = &parsed.instructions[violation.instruction];
            let finding = Finding {
                rule: &rule.meta,
                severity: (selection.severity)(&rule.meta)
                    .or(violation.severity)
                    .unwrap_or(rule.meta.severity),
                // Rules quote commands and URLs: whatever they quote, no secret gets through.
                message: palisade_core::secrets::redact_all(&violation.message).into_boxed_str(),
                object: object.clone(),
                location: Location {
                    file: file.clone(),
                    line: instruction.line,
                    column: 1,
                    path: paths[violation.instruction].as_str().into(),
                    object_path_start: 0,
                },
                discriminator: 0,
                subject: None,
            };
            let pragma = instruction_pragmas[violation.instruction]
                .iter()
                .find(|p| p.accepts(&rule.meta, violation.code));
            match pragma {
                Some(pragma) => analysis.suppressed.push(Suppressed {
                    finding,
                    suppression: Suppression {
                        kind: SuppressionKind::Annotation,
                        justification: pragma.justification.clone(),
                        source: format!("{file}:{}", pragma.line),
                    },
                }),
                None => analysis.findings.push(finding),
            }
        }
    }
    analysis
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruction_paths_count_per_stage_and_keyword() {
        let file = parse("ARG A\nFROM a AS x\nRUN one\nRUN two\nFROM b\nRUN three\nUSER app\n");
        assert_eq!(
            instruction_paths(&file),
            vec![
                "preamble.ARG[0]",
                "stages[0].FROM",
                "stages[0].RUN[0]",
                "stages[0].RUN[1]",
                "stages[1].FROM",
                "stages[1].RUN[0]",
                "stages[1].USER[0]",
            ]
        );
    }

    #[test]
    fn pragmas_suppress_and_bad_ones_are_errors() {
        let two = |rule: &RuleMeta| matches!(rule.id, "rootUser" | "baseImageTag");
        let none = |_: &RuleMeta| None;
        let selection = Selection {
            enabled: &two,
            severity: &none,
        };
        let file: Arc<str> = Arc::from("Dockerfile");
        let text = "# hadolint ignore=DL3007\nFROM node:latest\n# palisade ignore=root-user: the init system drops privileges\nUSER root\n";
        let analysis = analyze(&file, text, &Settings::default(), &selection);
        assert!(analysis.findings.is_empty(), "{:?}", analysis.findings);
        assert_eq!(analysis.suppressed.len(), 2);
        let bad = analyze(
            &file,
            "FROM node:22\n# palisade ignore=rootUser\nUSER root\n",
            &Settings::default(),
            &selection,
        );
        assert_eq!(bad.errors.len(), 1);
        assert_eq!(
            bad.findings.len(),
            1,
            "a malformed pragma suppresses nothing"
        );

        // A hadolint code accepts only its own part of a rule that bundles several codes.
        let unpinned = |rule: &RuleMeta| rule.id == "unpinnedPackages";
        let selection = Selection {
            enabled: &unpinned,
            severity: &none,
        };
        let text = "FROM debian:12\n#  hadolint  ignore=DL3008\n# a note\nRUN apt-get install -y curl && pip install flask\n";
        let analysis = analyze(&file, text, &Settings::default(), &selection);
        assert_eq!(analysis.suppressed.len(), 1);
        assert_eq!(analysis.suppressed[0].suppression.source, "Dockerfile:2");
        assert_eq!(analysis.findings.len(), 1);
        assert!(analysis.findings[0].message.contains("flask"));
        let text = "FROM a:1\n# palisade ignore=rootUser\n# more\nUSER root\n";
        let typo = analyze(&file, text, &Settings::default(), &selection);
        assert_eq!(typo.errors[0].line, Some(2), "the pragma's own line");
    }
}
