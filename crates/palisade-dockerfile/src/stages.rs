//! Build stages: each `FROM` with its base (`ARG`s declared before the first `FROM` resolved,
//! as BuildKit does), its `AS` name, its platform, and whether the base is an earlier stage.

use std::collections::HashMap;

use crate::expand::expand;
use crate::parser::{Dockerfile, Instruction, quoted_words};

/// One stage of a (multi-stage) build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage<'a> {
    pub from: &'a Instruction,
    /// The base as written, and with the global `ARG`s substituted.
    pub base: String,
    pub resolved_base: String,
    /// `AS name`, lower-cased (stage names are case-insensitive).
    pub name: Option<String>,
    /// The index of the earlier stage the base names (`FROM build`), if any.
    pub base_stage: Option<usize>,
    /// The stage's instructions after its `FROM`.
    pub instructions: &'a [Instruction],
}

/// The stages of a Dockerfile, in order.
pub fn stages(file: &Dockerfile) -> Vec<Stage<'_>> {
    // ARGs before the first FROM are the only ones FROM lines can use.
    let mut global: HashMap<String, Option<String>> = HashMap::new();
    for instruction in file.instructions.iter().take_while(|i| i.keyword != "FROM") {
        if instruction.keyword == "ARG"
            && let Some(text) = instruction.shell()
        {
            for declaration in quoted_words(text) {
                // A default may use the ARGs declared before it, and quotes (expand removes them).
                let value = declaration.split_once('=').map(|(_, value)| {
                    expand(value, file.escape, &|n| global.get(n).cloned().flatten())
                });
                let name = declaration.split('=').next().unwrap_or(declaration);
                global.insert(name.to_string(), value);
            }
        }
    }
    let lookup = |name: &str| global.get(name).cloned().flatten();
    let froms: Vec<usize> = file
        .instructions
        .iter()
        .enumerate()
        .filter(|(_, i)| i.keyword == "FROM")
        .map(|(index, _)| index)
        .collect();
    let mut stages: Vec<Stage<'_>> = Vec::new();
    for (n, &at) in froms.iter().enumerate() {
        let from = &file.instructions[at];
        let end = froms.get(n + 1).copied().unwrap_or(file.instructions.len());
        let words: Vec<&str> = from.shell().unwrap_or("").split_whitespace().collect();
        let base = words.first().copied().unwrap_or("").to_string();
        let name = match words.as_slice() {
            [_, r#as, name, ..] if r#as.eq_ignore_ascii_case("as") => {
                Some(name.to_ascii_lowercase())
            }
            _ => None,
        };
        let resolved_base = expand(&base, file.escape, &lookup);
        let base_stage = stages
            .iter()
            .position(|s| s.name.as_deref() == Some(resolved_base.to_ascii_lowercase().as_str()));
        stages.push(Stage {
            from,
            base,
            resolved_base,
            name,
            base_stage,
            instructions: &file.instructions[at + 1..end],
        });
    }
    stages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    #[test]
    fn multi_stage_builds() {
        let file = parse(
            "ARG GO=1.22\nARG BASE\nFROM golang:${GO}-alpine AS Build\nRUN go build\nFROM build AS test\nFROM ${BASE:-gcr.io/distroless/static}\nCOPY --from=build /out /\n",
        );
        let stages = stages(&file);
        assert_eq!(stages.len(), 3);
        assert_eq!(stages[0].resolved_base, "golang:1.22-alpine");
        assert_eq!(stages[0].name.as_deref(), Some("build"));
        assert_eq!(stages[0].instructions.len(), 1);
        assert_eq!(stages[1].base_stage, Some(0));
        assert_eq!(stages[2].resolved_base, "gcr.io/distroless/static");
        assert_eq!(stages[2].base_stage, None);
        assert_eq!(stages[2].instructions[0].keyword, "COPY");
        let more = parse(
            "ARG PY=3.12\nARG NESTED=python:${PY} QUOTED='node:latest'\nFROM $NESTED\nFROM ${QUOTED}\n",
        );
        let more = super::stages(&more);
        assert_eq!(
            more[0].resolved_base, "python:3.12",
            "defaults use earlier ARGs"
        );
        assert_eq!(more[1].resolved_base, "node:latest", "quotes are removed");
    }
}
