//! The Dockerfile syntax as BuildKit's `dockerfile/parser` reads it: parser directives at the
//! top (`# syntax=`, `# escape=` with `\` or a backtick), line continuations with comments and
//! blank lines inside them, heredocs on RUN/COPY/ADD (several per instruction, `<<-` stripping
//! tabs, quoted delimiters turning expansion off), exec (JSON) versus shell form, leading
//! `--flags`, and ONBUILD triggers. Every instruction keeps its first and last line. Errors are
//! collected with their line; parsing goes on with the next instruction.

/// The instructions BuildKit knows.
pub const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// `# syntax=` directive.
    pub syntax: Option<String>,
    /// The escape character (`\`, or a backtick from `# escape=`).
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub errors: Vec<ParseError>,
}

/// A problem at a line; the rest of the file is still parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub message: String,
}

/// One instruction, continuation lines joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-case keyword (`RUN`).
    pub keyword: String,
    /// 1-based first and last line (heredoc bodies included).
    pub line: u32,
    pub end_line: u32,
    /// Leading `--name[=value]` flags.
    pub flags: Vec<Flag>,
    pub arguments: Arguments,
    pub heredocs: Vec<Heredoc>,
    /// The trigger of an `ONBUILD`.
    pub trigger: Option<Box<Instruction>>,
    /// The comment lines right above the instruction (for inline suppressions).
    pub comments: Vec<Comment>,
}

/// A comment line, without its `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub line: u32,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
}

/// Exec form (a JSON array of strings) or shell form (the text, continuations joined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arguments {
    Exec(Vec<String>),
    Shell(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub delimiter: String,
    pub body: String,
    /// `<<-`: leading tabs stripped from the body and the delimiter line.
    pub strip_tabs: bool,
    /// False when the delimiter was quoted (`<<"EOF"`): no variable expansion in the body.
    pub expand: bool,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// The shell text of a shell-form instruction.
    pub fn shell(&self) -> Option<&str> {
        match &self.arguments {
            Arguments::Shell(text) => Some(text),
            Arguments::Exec(_) => None,
        }
    }
}

/// A parser directive line: `# key=value` (key of letters and digits).
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim_start().strip_prefix('#')?;
    let (key, value) = rest.split_once('=')?;
    let key = key.trim();
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some((key.to_ascii_lowercase(), value.trim().to_string()))
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// The line without a trailing escape character (and whitespace after it), if it continues.
fn continued(line: &str, escape: char) -> Option<&str> {
    line.trim_end().strip_suffix(escape)
}

/// The words of an instruction line as BuildKit's heredoc detection sees them: split at
/// whitespace outside quotes, quotes kept.
pub(crate) fn quoted_words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push(&text[s..i]);
                }
            }
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        words.push(&text[s..]);
    }
    words
}

/// The heredocs an instruction line opens, in order: `(delimiter, strip_tabs, expand)`. As
/// BuildKit, a heredoc is a whole word matching `[0-9]*<<-?NAME`, where a quoted NAME
/// (`"EOF"`, `'EOF'`) turns expansion off; `<<` inside a word or quotes (`"s/<<X>>/"`,
/// `$((1<<2))`) and here-strings (`<<<`) are not heredocs.
fn heredoc_markers(arguments: &str) -> Vec<(String, bool, bool)> {
    quoted_words(arguments)
        .into_iter()
        .filter_map(|word| {
            let rest = word.trim_start_matches(|c: char| c.is_ascii_digit());
            let rest = rest.strip_prefix("<<")?;
            let (strip_tabs, name) = match rest.strip_prefix('-') {
                Some(name) => (true, name),
                None => (false, rest),
            };
            if name.is_empty() || name.contains('<') {
                return None;
            }
            let unquoted = name
                .strip_prefix('"')
                .and_then(|n| n.strip_suffix('"'))
                .or_else(|| name.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')));
            let delimiter = unquoted.unwrap_or(name);
            if delimiter.is_empty() || delimiter.contains(['"', '\'']) {
                return None;
            }
            Some((delimiter.to_string(), strip_tabs, unquoted.is_none()))
        })
        .collect()
}

/// Leading `--name[=value]` words of an instruction's arguments, and the rest.
fn split_flags(arguments: &str) -> (Vec<Flag>, &str) {
    let mut flags = Vec::new();
    let mut rest = arguments.trim_start();
    while let Some(flag) = rest.strip_prefix("--") {
        let end = flag.find(char::is_whitespace).unwrap_or(flag.len());
        let word = &flag[..end];
        if word.is_empty() {
            break;
        }
        let (name, value) = match word.split_once('=') {
            Some((name, value)) => (name.to_string(), Some(value.to_string())),
            None => (word.to_string(), None),
        };
        flags.push(Flag { name, value });
        rest = flag[end..].trim_start();
    }
    (flags, rest)
}

/// Exec form when the text is a JSON array of strings, shell form otherwise (as BuildKit).
fn arguments_of(text: &str) -> Arguments {
    let trimmed = text.trim();
    if trimmed.starts_with('[')
        && let Ok(words) = serde_json::from_str::<Vec<String>>(trimmed)
    {
        return Arguments::Exec(words);
    }
    Arguments::Shell(trimmed.to_string())
}

/// Parses a Dockerfile. Never fails: problems are in [`Dockerfile::errors`].
pub fn parse(text: &str) -> Dockerfile {
    // Editors on Windows save a byte-order mark; BuildKit drops it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut file = Dockerfile {
        syntax: None,
        escape: '\\',
        instructions: Vec::new(),
        errors: Vec::new(),
    };
    let mut index = 0;
    // Parser directives: only at the very top, before any comment, blank line or instruction.
    let mut seen = Vec::new();
    while let Some((key, value)) = lines.get(index).and_then(|l| directive(l)) {
        if seen.contains(&key) {
            file.errors.push(ParseError {
                line: index as u32 + 1,
                message: format!("only one {key} parser directive can be used"),
            });
        }
        match key.as_str() {
            "escape" => match value.as_str() {
                "\\" => file.escape = '\\',
                "`" => file.escape = '`',
                other => file.errors.push(ParseError {
                    line: index as u32 + 1,
                    message: format!("invalid escape token {other:?}: it must be \\ or `"),
                }),
            },
            "syntax" => file.syntax = Some(value),
            "check" => {}
            // An unknown directive is a comment, and ends the directives (BuildKit).
            _ => break,
        }
        seen.push(key);
        index += 1;
    }
    let mut comments: Vec<Comment> = Vec::new();
    while index < lines.len() {
        let line = lines[index];
        if line.trim().is_empty() {
            comments.clear();
            index += 1;
            continue;
        }
        if is_comment(line) {
            comments.push(Comment {
                line: index as u32 + 1,
                text: line.trim_start()[1..].trim().to_string(),
            });
            index += 1;
            continue;
        }
        let start = index;
        // Join continuation lines; comment and blank lines inside a continuation are dropped.
        let mut logical = String::new();
        let mut current = line;
        loop {
            match continued(current, file.escape) {
                Some(head) => {
                    logical.push_str(head);
                    index += 1;
                    while index < lines.len()
                        && (is_comment(lines[index]) || lines[index].trim().is_empty())
                    {
                        index += 1;
                    }
                    match lines.get(index) {
                        Some(next) => current = next,
                        None => break,
                    }
                }
                None => {
                    logical.push_str(current);
                    index += 1;
                    break;
                }
            }
        }
        let mut instruction = instruction_from(&logical, start as u32 + 1, &mut file.errors);
        if let Some(ref mut instruction) = instruction {
            // As BuildKit's canContainHeredoc: RUN/COPY/ADD (also as ONBUILD triggers), shell form.
            let target = instruction.trigger.as_deref().unwrap_or(instruction);
            let markers = if matches!(target.keyword.as_str(), "RUN" | "COPY" | "ADD")
                && matches!(target.arguments, Arguments::Shell(_))
            {
                heredoc_markers(&logical)
            } else {
                Vec::new()
            };
            for (delimiter, strip_tabs, expand) in markers {
                let mut body = String::new();
                let mut closed = false;
                while index < lines.len() {
                    let raw = lines[index];
                    index += 1;
                    let body_line = if strip_tabs {
                        raw.trim_start_matches('\t')
                    } else {
                        raw
                    };
                    if body_line == delimiter {
                        closed = true;
                        break;
                    }
                    body.push_str(body_line);
                    body.push('\n');
                }
                if !closed {
                    file.errors.push(ParseError {
                        line: start as u32 + 1,
                        message: format!("heredoc <<{delimiter} is not terminated"),
                    });
                }
                instruction.heredocs.push(Heredoc {
                    delimiter,
                    body,
                    strip_tabs,
                    expand,
                });
            }
            instruction.end_line = index as u32;
            instruction.comments = std::mem::take(&mut comments);
        }
        comments.clear();
        file.instructions.extend(instruction);
    }
    file
}

/// One instruction from its logical line, or an error.
fn instruction_from(logical: &str, line: u32, errors: &mut Vec<ParseError>) -> Option<Instruction> {
    let text = logical.trim();
    let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let keyword = word.to_ascii_uppercase();
    if !KEYWORDS.contains(&keyword.as_str()) {
        errors.push(ParseError {
            line,
            message: format!("unknown instruction: {word}"),
        });
        return None;
    }
    let rest = rest.trim();
    if rest.is_empty() {
        errors.push(ParseError {
            line,
            message: format!("{keyword} requires at least one argument"),
        });
        return None;
    }
    let (flags, rest) = if keyword == "ONBUILD" {
        (Vec::new(), rest)
    } else {
        split_flags(rest)
    };
    let trigger = if keyword == "ONBUILD" {
        let trigger = instruction_from(rest, line, errors)?;
        if matches!(trigger.keyword.as_str(), "ONBUILD" | "FROM" | "MAINTAINER") {
            errors.push(ParseError {
                line,
                message: format!("{} isn't allowed as an ONBUILD trigger", trigger.keyword),
            });
            return None;
        }
        Some(Box::new(trigger))
    } else {
        None
    };
    Some(Instruction {
        keyword,
        line,
        end_line: line,
        flags,
        arguments: arguments_of(rest),
        heredocs: Vec::new(),
        trigger,
        comments: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(text: &str) -> Instruction {
        let file = parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(file.instructions.len(), 1, "{:?}", file.instructions);
        file.instructions.into_iter().next().unwrap()
    }

    #[test]
    fn directives_only_at_the_top() {
        let file = parse("# syntax=docker/dockerfile:1\n# escape=`\nFROM alpine\n# escape=\\\n");
        assert_eq!(file.syntax.as_deref(), Some("docker/dockerfile:1"));
        assert_eq!(file.escape, '`');
        let late = parse("FROM alpine\n# escape=`\nRUN echo \\\n  hi\n");
        assert_eq!(
            late.escape, '\\',
            "a directive after an instruction is a comment"
        );
        assert_eq!(late.instructions[1].shell(), Some("echo   hi"));
        let after_unknown = parse("# foo=bar\n# escape=`\nFROM alpine\n");
        assert_eq!(
            after_unknown.escape, '\\',
            "an unknown directive ends the directives"
        );
        let after_comment = parse("# a comment\n# escape=`\nFROM alpine\n");
        assert_eq!(after_comment.escape, '\\');
        let bad = parse("# escape=x\nFROM a\n");
        assert_eq!(bad.errors[0].line, 1);
    }

    #[test]
    fn backtick_escape_continues_lines_and_leaves_backslashes_alone() {
        let file =
            parse("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir c:\\ `\n  && echo done\n");
        assert!(file.errors.is_empty());
        assert_eq!(
            file.instructions[1].shell(),
            Some("dir c:\\   && echo done")
        );
        assert_eq!(
            (file.instructions[1].line, file.instructions[1].end_line),
            (3, 4)
        );
    }

    #[test]
    fn continuations_skip_comments_and_blank_lines() {
        let run = only("RUN apt-get update \\\n  # install\n\n  && apt-get install -y curl\n");
        assert_eq!(
            run.shell(),
            Some("apt-get update   && apt-get install -y curl")
        );
        assert_eq!((run.line, run.end_line), (1, 4));
    }

    #[test]
    fn exec_and_shell_forms() {
        assert_eq!(
            only("CMD [\"nginx\", \"-g\", \"daemon off;\"]").arguments,
            Arguments::Exec(vec!["nginx".into(), "-g".into(), "daemon off;".into()])
        );
        // Not valid JSON (single quotes): shell form, as BuildKit falls back.
        assert_eq!(
            only("CMD ['nginx']").arguments,
            Arguments::Shell("['nginx']".into())
        );
    }

    #[test]
    fn flags_are_split_off() {
        let copy = only("COPY --from=build --chown=app:app --link /out /app");
        assert_eq!(copy.flag("from").unwrap().value.as_deref(), Some("build"));
        assert_eq!(copy.flag("link").unwrap().value, None);
        assert_eq!(copy.shell(), Some("/out /app"));
        let run = only("RUN --mount=type=secret,id=npm --network=none npm ci");
        assert_eq!(
            run.flag("mount").unwrap().value.as_deref(),
            Some("type=secret,id=npm")
        );
        let from = only("FROM --platform=$BUILDPLATFORM golang:1.22 AS build");
        assert_eq!(from.shell(), Some("golang:1.22 AS build"));
    }

    #[test]
    fn heredocs() {
        let file = parse(
            "RUN <<EOF\napt-get update\napt-get install -y curl\nEOF\nCOPY <<-\"CONF\" <<'TWO' /etc/\n\tkey=$VALUE\n\tCONF\nsecond\nTWO\nUSER app\n",
        );
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let run = &file.instructions[0];
        assert_eq!(
            run.heredocs[0].body,
            "apt-get update\napt-get install -y curl\n"
        );
        assert_eq!((run.line, run.end_line), (1, 4));
        let copy = &file.instructions[1];
        assert_eq!(copy.heredocs.len(), 2);
        assert!(copy.heredocs[0].strip_tabs && !copy.heredocs[0].expand);
        assert_eq!(copy.heredocs[0].body, "key=$VALUE\n");
        assert_eq!(copy.heredocs[1].body, "second\n");
        assert_eq!(file.instructions[2].keyword, "USER");
        assert_eq!(file.instructions[2].line, 10);
        // `<<` inside quotes or a word is no heredoc; ONBUILD RUN can have one; a BOM is dropped.
        let quoted = parse("RUN sed -i \"s/<<VERSION>>/1/\" f && echo $((1<<3))\nUSER app\n");
        assert!(quoted.errors.is_empty(), "{:?}", quoted.errors);
        assert!(quoted.instructions[0].heredocs.is_empty());
        let onbuild = parse("ONBUILD RUN <<EOF\napt-get install -y curl\nEOF\nUSER app\n");
        assert!(onbuild.errors.is_empty(), "{:?}", onbuild.errors);
        assert_eq!(
            onbuild.instructions[0].heredocs[0].body,
            "apt-get install -y curl\n"
        );
        assert_eq!(
            parse("\u{feff}FROM alpine:3.20\n").instructions[0].keyword,
            "FROM"
        );
        assert_eq!(
            only("RUN 3<<-EOF-1 cat\nx\nEOF-1").heredocs[0].delimiter,
            "EOF-1"
        );
        // A here-string is not a heredoc; an unterminated heredoc is an error.
        assert!(only("RUN cat <<<\"x\"").heredocs.is_empty());
        assert_eq!(
            parse("RUN <<EOF\necho\n").errors[0].message,
            "heredoc <<EOF is not terminated"
        );
    }

    #[test]
    fn onbuild_triggers_and_errors() {
        let onbuild = only("ONBUILD RUN make");
        assert_eq!(onbuild.trigger.as_ref().unwrap().keyword, "RUN");
        let file = parse("FROM a\nFORM b\nONBUILD FROM c\nRUN\nUSER x\n");
        let lines: Vec<u32> = file.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 4]);
        assert_eq!(file.errors[0].message, "unknown instruction: FORM");
        assert_eq!(file.instructions.len(), 2, "the rest is still parsed");
    }

    #[test]
    fn comments_above_an_instruction_are_kept() {
        let file = parse("FROM a\n# palisade ignore=rootUser: reason\nUSER root\n\nRUN x\n");
        assert_eq!(
            file.instructions[1].comments,
            vec![Comment {
                line: 2,
                text: "palisade ignore=rootUser: reason".to_string()
            }]
        );
        assert!(file.instructions[2].comments.is_empty());
    }
}
