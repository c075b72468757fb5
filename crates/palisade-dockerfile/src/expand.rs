//! Variable substitution in instruction words, as BuildKit's shell lexer does it for `FROM`,
//! `COPY`, `ENV`, `USER`, …: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
//! `${VAR:+alternative}`, `${VAR+alternative}`; the escape character makes a `$` literal;
//! single quotes keep their content literal; unknown variables expand to nothing.

/// Expands `word` with the variables `lookup` knows (`None`: unset; `Some("")`: set, empty).
pub fn expand(word: &str, escape: char, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    let mut in_single = false;
    let mut in_double = false;
    while i < chars.len() {
        let c = chars[i];
        if in_single {
            if c == '\'' {
                in_single = false;
            } else {
                out.push(c);
            }
            i += 1;
            continue;
        }
        match c {
            '\'' if !in_double => {
                in_single = true;
                i += 1;
            }
            '"' => {
                in_double = !in_double;
                i += 1;
            }
            c if c == escape && i + 1 < chars.len() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '$' => {
                let (text, used) = variable(&chars[i + 1..], escape, lookup);
                out.push_str(&text);
                i += 1 + used;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The expansion of the variable reference after a `$`, and how many characters it used.
fn variable(
    rest: &[char],
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> (String, usize) {
    if rest.first() == Some(&'{') {
        let Some(close) = matching_brace(rest) else {
            // No closing brace: the text stays as written.
            return ("$".to_string(), 0);
        };
        let inner: String = rest[1..close].iter().collect();
        let name_len = inner.chars().take_while(|c| is_name_char(*c)).count();
        let (name, modifier) = inner.split_at(name_len);
        let value = lookup(name);
        let expanded = match modifier {
            "" => value.unwrap_or_default(),
            m if m.starts_with(":-") => match value {
                Some(v) if !v.is_empty() => v,
                _ => expand(&m[2..], escape, lookup),
            },
            m if m.starts_with('-') => value.unwrap_or_else(|| expand(&m[1..], escape, lookup)),
            m if m.starts_with(":+") => match value {
                Some(v) if !v.is_empty() => expand(&m[2..], escape, lookup),
                _ => String::new(),
            },
            m if m.starts_with('+') => match value {
                Some(_) => expand(&m[1..], escape, lookup),
                None => String::new(),
            },
            _ => value.unwrap_or_default(),
        };
        return (expanded, close + 1);
    }
    let name: String = rest.iter().take_while(|c| is_name_char(**c)).collect();
    if name.is_empty() {
        return ("$".to_string(), 0);
    }
    let used = name.chars().count();
    (lookup(&name).unwrap_or_default(), used)
}

/// Index of the `}` closing the `{` at `rest[0]` (nested `${…}` allowed in defaults).
fn matching_brace(rest: &[char]) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in rest.iter().enumerate() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(word: &str) -> String {
        expand(word, '\\', &|name| match name {
            "VERSION" => Some("1.22".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        })
    }

    #[test]
    fn substitution_forms() {
        assert_eq!(with("golang:$VERSION"), "golang:1.22");
        assert_eq!(with("golang:${VERSION}-alpine"), "golang:1.22-alpine");
        assert_eq!(with("${MISSING:-3.19}"), "3.19");
        assert_eq!(with("${EMPTY:-dflt}"), "dflt");
        assert_eq!(
            with("${EMPTY-dflt}"),
            "",
            "set but empty keeps the empty value"
        );
        assert_eq!(with("${MISSING-dflt}"), "dflt");
        assert_eq!(with("${VERSION:+set}"), "set");
        assert_eq!(with("${EMPTY:+set}"), "");
        assert_eq!(with("${EMPTY+set}"), "set");
        assert_eq!(with("${MISSING+set}"), "");
        assert_eq!(with("${MISSING:-${VERSION}}"), "1.22", "nested default");
        assert_eq!(with("$MISSING"), "");
    }

    #[test]
    fn escapes_and_quotes() {
        assert_eq!(with("\\$VERSION"), "$VERSION");
        assert_eq!(with("'$VERSION'"), "$VERSION");
        assert_eq!(with("\"$VERSION\""), "1.22");
        assert_eq!(with("cost: $"), "cost: $");
        assert_eq!(with("${unclosed"), "${unclosed");
        assert_eq!(expand("`$X", '`', &|_| Some("y".into())), "$X");
    }
}
