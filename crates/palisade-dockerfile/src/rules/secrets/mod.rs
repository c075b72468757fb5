//! Secrets: secret-looking `ENV`/`ARG`, sensitive files copied into the image, secrets used in
//! `RUN` without a secret mount.

mod secret_in_env_or_arg;
mod secret_without_mount;
mod sensitive_file_copy;

use super::Rule;
use super::supply_chain::split_words;
use crate::parser::{Arguments, Instruction};

const CATEGORY: &str = "dockerfile-secrets";

pub static RULES: &[&Rule] = &[
    &secret_in_env_or_arg::RULE,
    &sensitive_file_copy::RULE,
    &secret_without_mount::RULE,
];

/// One variable an `ENV` or `ARG` declares, with its value (`None`: an `ARG` without default).
#[derive(Debug, PartialEq, Eq)]
struct Declaration {
    name: String,
    value: Option<String>,
}

/// The variables of an `ENV` (`ENV a=b c="d e"`, legacy `ENV a b c`) or `ARG` (`ARG a b=c`),
/// quotes removed, as BuildKit reads them.
fn declarations(instruction: &Instruction, escape: char) -> Vec<Declaration> {
    let Arguments::Shell(text) = &instruction.arguments else {
        return Vec::new();
    };
    let words = split_words(text, escape);
    let legacy = instruction.keyword == "ENV" && words.first().is_some_and(|w| !w.contains('='));
    if legacy {
        // `ENV NAME value with spaces`: the rest of the line is the value.
        let (name, rest) = text
            .trim()
            .split_once(char::is_whitespace)
            .unwrap_or((text.trim(), ""));
        return vec![Declaration {
            name: name.to_string(),
            value: Some(split_words(rest, escape).join(" ")),
        }];
    }
    words
        .into_iter()
        .filter(|w| !w.is_empty())
        .map(|word| match word.split_once('=') {
            Some((name, value)) => Declaration {
                name: name.to_string(),
                value: Some(value.to_string()),
            },
            None => Declaration {
                name: word,
                value: None,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    fn declared(text: &str) -> Vec<(String, Option<String>)> {
        let file = parse(text);
        declarations(&file.instructions[0], file.escape)
            .into_iter()
            .map(|d| (d.name, d.value))
            .collect()
    }

    #[test]
    fn env_and_arg_forms() {
        let pair = |n: &str, v: Option<&str>| (n.to_string(), v.map(str::to_string));
        assert_eq!(
            declared("ENV A=1 B=\"two words\" C='x' D=e\\ f"),
            vec![
                pair("A", Some("1")),
                pair("B", Some("two words")),
                pair("C", Some("x")),
                pair("D", Some("e f"))
            ]
        );
        assert_eq!(
            declared("ENV MSG hello  \"big\" world"),
            vec![pair("MSG", Some("hello big world"))]
        );
        assert_eq!(
            declared("ARG TOKEN VERSION=1.2 EMPTY="),
            vec![
                pair("TOKEN", None),
                pair("VERSION", Some("1.2")),
                pair("EMPTY", Some(""))
            ]
        );
        assert!(declared("ENV [\"A\"]").is_empty());
    }
}
