//! The shell part of a `RUN`, split into simple commands (POSIX `sh` word rules) so that rules
//! look at commands and their arguments, not at raw text: words with single and double quotes
//! and backslash escapes, the operators `|`, `||`, `&&`, `;`, `&`, newlines, subshells and
//! groups (`( … )`, `{ …; }`), redirections, `$( … )` and backquote substitutions kept inside
//! their word, and comments. Written by hand: no crate splits POSIX shell into commands with
//! their connecting operators (`shell-words` only splits one command line into words).

/// How a command is connected to the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    /// `|`: the output feeds the next command.
    Pipe,
    /// `&&`.
    And,
    /// `||`.
    Or,
    /// `;`, `&`, a newline, or the end of the script.
    Sequence,
}

/// One simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The words, quotes removed (`apt-get`, `install`, `-y`, `curl`); leading `VAR=value`
    /// assignments are in `assignments`, redirections are dropped.
    pub words: Vec<String>,
    pub assignments: Vec<String>,
    pub connector: Connector,
    /// Inside `( … )`, `{ …; }` or a substitution depth > 0.
    pub nested: bool,
}

impl Command {
    /// The program name without a path (`/usr/bin/curl` → `curl`).
    pub fn program(&self) -> Option<&str> {
        self.words
            .first()
            .map(|w| w.rsplit('/').next().unwrap_or(w))
    }

    pub fn has_word(&self, word: &str) -> bool {
        self.words.iter().any(|w| w == word)
    }
}

/// Shell reserved words that can stand where a command starts.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "case", "esac",
    "select", "!",
];

#[derive(Debug, PartialEq)]
enum Token {
    Word(String),
    Operator(&'static str),
}

fn tokenize(script: &str) -> Vec<Token> {
    let chars: Vec<char> = script.chars().collect();
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut i = 0;
    let flush = |word: &mut String, in_word: &mut bool, tokens: &mut Vec<Token>| {
        if *in_word {
            tokens.push(Token::Word(std::mem::take(word)));
            *in_word = false;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                if let Some(&next) = chars.get(i + 1)
                    && next != '\n'
                {
                    word.push(next);
                    in_word = true;
                }
                i += 2;
            }
            '\'' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    word.push(chars[i]);
                    i += 1;
                }
                i += 1;
            }
            '"' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && matches!(chars.get(i + 1), Some('"' | '\\' | '$' | '`'))
                    {
                        i += 1;
                    }
                    word.push(chars[i]);
                    i += 1;
                }
                i += 1;
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                // Command substitution: kept whole inside the word.
                let end = closing(&chars, i + 1, '(', ')');
                word.extend(&chars[i..end]);
                in_word = true;
                i = end;
            }
            '`' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '`')
                    .map_or(chars.len(), |p| i + 2 + p);
                word.extend(&chars[i..end]);
                in_word = true;
                i = end;
            }
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ' ' | '\t' => {
                flush(&mut word, &mut in_word, &mut tokens);
                i += 1;
            }
            '\n' | ';' | '(' | ')' => {
                flush(&mut word, &mut in_word, &mut tokens);
                tokens.push(Token::Operator(match c {
                    '\n' => "\n",
                    ';' => ";",
                    '(' => "(",
                    _ => ")",
                }));
                i += 1;
            }
            '|' | '&' => {
                flush(&mut word, &mut in_word, &mut tokens);
                let double = chars.get(i + 1) == Some(&c);
                tokens.push(Token::Operator(match (c, double) {
                    ('|', true) => "||",
                    ('|', false) => "|",
                    ('&', true) => "&&",
                    _ => "&",
                }));
                i += if double { 2 } else { 1 };
            }
            '<' | '>' => {
                // A redirection: the operator (with its fd prefix) and its target are dropped.
                if word.chars().all(|c| c.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                }
                flush(&mut word, &mut in_word, &mut tokens);
                i += 1;
                while i < chars.len() && matches!(chars[i], '<' | '>' | '&' | '|') {
                    i += 1;
                }
                tokens.push(Token::Operator("redirect"));
            }
            c => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    flush(&mut word, &mut in_word, &mut tokens);
    tokens
}

/// The index after the bracket closing the one at `start`.
fn closing(chars: &[char], start: usize, open: char, close: char) -> usize {
    let mut depth = 0;
    for (i, c) in chars.iter().enumerate().skip(start) {
        if *c == open {
            depth += 1;
        } else if *c == close {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
    }
    chars.len()
}

/// Splits a shell script into its simple commands, in order.
pub fn commands(script: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut current = Command {
        words: Vec::new(),
        assignments: Vec::new(),
        connector: Connector::Sequence,
        nested: false,
    };
    let mut depth = 0usize;
    let mut skip_target = false;
    // In a `for NAME in …; do` / `case WORD in` header: its words are no command. Holds the
    // word that ends it.
    let mut header: Option<&str> = None;
    let finish =
        |current: &mut Command, connector: Connector, nested: bool, commands: &mut Vec<Command>| {
            if !current.words.is_empty() || !current.assignments.is_empty() {
                current.connector = connector;
                commands.push(std::mem::replace(
                    current,
                    Command {
                        words: Vec::new(),
                        assignments: Vec::new(),
                        connector: Connector::Sequence,
                        nested,
                    },
                ));
            } else {
                current.nested = nested;
            }
        };
    for token in tokenize(script) {
        match token {
            Token::Word(word) => {
                if skip_target {
                    skip_target = false;
                } else if let Some(end) = header {
                    if word == end {
                        header = None;
                    }
                } else if current.words.is_empty()
                    && current.assignments.is_empty()
                    && RESERVED.contains(&word.as_str())
                {
                    // `if`, `then`, `do`, `!`, … introduce the next command; they run nothing.
                    header = match word.as_str() {
                        "for" | "select" => Some("do"),
                        "case" => Some("in"),
                        _ => None,
                    };
                } else if current.words.is_empty()
                    && word.split_once('=').is_some_and(|(name, _)| {
                        !name.is_empty()
                            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
                {
                    current.assignments.push(word);
                } else if current.words.is_empty() && (word == "{" || word == "}") {
                    // A group's braces are words in sh; they only nest.
                    depth = if word == "{" {
                        depth + 1
                    } else {
                        depth.saturating_sub(1)
                    };
                    current.nested = depth > 0;
                } else {
                    current.words.push(word);
                }
            }
            Token::Operator("redirect") => skip_target = true,
            Token::Operator(op) => {
                let connector = match op {
                    "|" => Connector::Pipe,
                    "&&" => Connector::And,
                    "||" => Connector::Or,
                    _ => Connector::Sequence,
                };
                match op {
                    "(" => depth += 1,
                    ")" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                finish(&mut current, connector, depth > 0, &mut commands);
            }
        }
    }
    finish(&mut current, Connector::Sequence, false, &mut commands);
    commands
}

/// Whether some command's output is piped into another one.
pub fn has_pipe(commands: &[Command]) -> bool {
    commands.iter().any(|c| c.connector == Connector::Pipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(script: &str) -> Vec<Vec<String>> {
        commands(script).into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn operators_split_commands() {
        let cmds = commands(
            "apt-get update && apt-get install -y curl; rm -rf /var/lib/apt/lists/* || true",
        );
        let programs: Vec<_> = cmds.iter().map(|c| c.program().unwrap()).collect();
        assert_eq!(programs, vec!["apt-get", "apt-get", "rm", "true"]);
        let connectors: Vec<_> = cmds.iter().map(|c| c.connector).collect();
        assert_eq!(
            connectors,
            vec![
                Connector::And,
                Connector::Sequence,
                Connector::Or,
                Connector::Sequence
            ]
        );
    }

    #[test]
    fn pipes_quotes_and_escapes() {
        let cmds = commands("curl -fsSL 'https://x.example/install.sh' | sh -s -- --yes");
        assert!(has_pipe(&cmds));
        assert_eq!(cmds[0].words[2], "https://x.example/install.sh");
        assert_eq!(cmds[1].program(), Some("sh"));
        assert_eq!(
            words(r#"echo "a | b" 'c && d' e\ f"#),
            vec![vec!["echo", "a | b", "c && d", "e f"]]
        );
        assert!(!has_pipe(&commands("test a || b")));
    }

    #[test]
    fn assignments_redirections_substitutions_comments() {
        let cmds = commands("DEBIAN_FRONTEND=noninteractive apt-get install -y x > /dev/null 2>&1");
        assert_eq!(cmds[0].assignments, vec!["DEBIAN_FRONTEND=noninteractive"]);
        assert_eq!(cmds[0].words, vec!["apt-get", "install", "-y", "x"]);
        assert_eq!(
            words("echo $(uname -m | tr a b) `date` # trailing comment"),
            vec![vec!["echo", "$(uname -m | tr a b)", "`date`"]]
        );
    }

    #[test]
    fn subshells_and_groups_nest() {
        let cmds = commands("(cd /src && make) && { echo ok; }");
        assert_eq!(cmds.len(), 3);
        assert!(cmds[0].nested && cmds[1].nested);
        assert_eq!(cmds[1].program(), Some("make"));
        assert_eq!(cmds[2].words, vec!["echo", "ok"]);
        assert_eq!(commands("/usr/bin/curl x")[0].program(), Some("curl"));
    }

    #[test]
    fn reserved_words_and_loop_headers_are_no_commands() {
        assert_eq!(
            words("if [ -n \"$X\" ]; then curl -fsSL https://x/i.sh | sh; fi"),
            vec![
                vec!["[", "-n", "$X", "]"],
                vec!["curl", "-fsSL", "https://x/i.sh"],
                vec!["sh"]
            ]
        );
        assert_eq!(
            words("for d in /data /logs; do chmod 777 \"$d\"; done; ! grep -q x f"),
            vec![vec!["chmod", "777", "$d"], vec!["grep", "-q", "x", "f"]]
        );
        assert_eq!(words("while true; do sleep 1; done")[1], vec!["sleep", "1"]);
    }

    #[test]
    fn set_o_pipefail_is_a_command_like_any_other() {
        let cmds = commands("set -eux -o pipefail; wget -qO- https://x | tar xz");
        assert_eq!(cmds[0].words, vec!["set", "-eux", "-o", "pipefail"]);
        assert!(has_pipe(&cmds));
    }
}
