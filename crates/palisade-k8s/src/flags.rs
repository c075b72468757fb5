//! Command lines as the Kubernetes components' flag libraries read them (spf13/pflag, and Go's
//! `flag` for etcd): `--name=value`, `--name value`, and a bare `--name` (a boolean set to
//! true); Go's `flag` also takes one dash. Only the splitting lives here, shared by the static
//! pod rules and the kubelet's systemd units; which flags repeat, add up or default to what is
//! the components' business. Written here because no crate parses Go flag command lines.

/// One flag as written, with what the caller attached to the word that named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFlag<'a, T> {
    pub name: &'a str,
    /// `None` for a bare `--name`.
    pub value: Option<&'a str>,
    pub at: T,
}

/// The flags among `words` (each with where it is). A word after a bare flag is its value
/// unless it starts with `-` or `takes_value` refuses it (a systemd `$VARIABLE` stands for
/// flags, not a value); words that are not flags are skipped (the components take no
/// positional arguments).
pub fn split_flags<'a, T: Clone>(
    words: &[(&'a str, T)],
    takes_value: impl Fn(&str) -> bool,
) -> Vec<WrittenFlag<'a, T>> {
    let mut flags = Vec::new();
    let mut index = 0;
    while index < words.len() {
        let (word, at) = &words[index];
        index += 1;
        let Some(flag) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) else {
            continue;
        };
        let (name, value) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => match words.get(index) {
                Some((next, _)) if !next.starts_with('-') && takes_value(next) => {
                    index += 1;
                    (flag, Some(*next))
                }
                _ => (flag, None),
            },
        };
        flags.push(WrittenFlag {
            name,
            value,
            at: at.clone(),
        });
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_flag() {
        let words: Vec<(&str, usize)> = "--a=1 --b 2 --c --d -e=5 -f 6 positional --g $VARS"
            .split(' ')
            .zip(0..)
            .collect();
        let flags = split_flags(&words, |word| !word.starts_with('$'));
        let written: Vec<(&str, Option<&str>, usize)> =
            flags.iter().map(|f| (f.name, f.value, f.at)).collect();
        assert_eq!(
            written,
            [
                ("a", Some("1"), 0),
                ("b", Some("2"), 1),
                ("c", None, 3),
                ("d", None, 4),
                ("e", Some("5"), 5),
                ("f", Some("6"), 6),
                ("g", None, 9),
            ]
        );
    }
}
