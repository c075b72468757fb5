//! Secret detection shared by every analyzer (manifests, Dockerfiles, images): whether a
//! name says it holds a secret, whether a value is one by its content, whether a value is only
//! a placeholder, and how to show a secret in a message without revealing it.
//!
//! False positives are costly (a scanner that cries wolf gets switched off), so the detector
//! errs on the quiet side:
//!
//! - **By name** ([`secret_name`], [`secret_by_name`]): the *last* word of the name must say
//!   "secret" (`DB_PASSWORD`, `clientSecret`, `spring.datasource.password`, `GITHUB_TOKEN`,
//!   `STRIPE_API_KEY`). Names that end in a location or a property of the secret
//!   (`PASSWORD_FILE`, `TOKEN_URL`, `AWS_ACCESS_KEY_ID`, `SECRET_NAME`, `TOKEN_TTL`) point at a
//!   secret or describe it and do not hold one. A value is a secret by its name only when it is
//!   a literal: not a placeholder, a flag (`yes`, `true`), a path, a URL or a secret-manager
//!   reference. `*_KEY` names are ambiguous (`CACHE_KEY`, `GPG_KEY`, `PUBLIC_KEY`), so unless
//!   the word before says which kind of key (`SECRET_KEY`, `API_KEY`, `ENCRYPTION_KEY`) their
//!   value must also look like key material.
//! - **By content** ([`secret_content`], [`find_secret`]): well-known token formats (AWS, GitHub,
//!   GitLab, Slack, Google, Stripe, npm, PyPI, SendGrid), private key blocks, JSON Web Tokens,
//!   passwords embedded in URLs and connection strings, and, for a whole value only, random
//!   strings: at least 24 characters of a base64/base62 alphabet mixing upper case, lower case
//!   and digits, with a Shannon entropy of at least 4 bits per character and the frequent
//!   case/digit changes random text has (which `CamelCaseIdentifiers2` lack). Hex strings are
//!   never secrets by content alone (digests and commit ids look the same), nor are base64
//!   encoded certificates.
//! - **Placeholders** ([`is_placeholder`]): empty values, references (`$(VAR)`, `${VAR}`,
//!   `$VAR`, `{{ .Values.x }}`), `<password>`, masks (`xxxx`, `****`), words such as
//!   `REPLACE_ME`, `TODO`, `your-api-key-here`, and sops-encrypted values (`ENC[…]`). Weak but
//!   real passwords (`changeme`, `admin`, `password`) are *not* placeholders: they work.
//! - **Redaction** ([`redact`]): messages show at most four leading characters (fewer for short
//!   values) and the length, never the secret.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// A secret found in a text: what kind it is and the secret itself (a part of the text), to be
/// shown only through [`redact`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found<'a> {
    pub kind: &'static str,
    pub secret: &'a str,
}

/// The kind of secret `value` holds by its content, if any; see [`find_secret`].
pub fn secret_content(value: &str) -> Option<&'static str> {
    find_secret(value).map(|found| found.kind)
}

/// The first secret in `text` by its content: a well-known token format anywhere in the text,
/// else (for the whole, trimmed text) a base64-encoded private key or a random-looking string.
pub fn find_secret(text: &str) -> Option<Found<'_>> {
    let matched = PATTERN_SET.matches(text);
    for index in matched.iter() {
        let pattern = &PATTERNS[index];
        for m in PATTERN_REGEXES[index].find_iter(text) {
            if let Some(secret) = (pattern.extract)(m.as_str()) {
                return Some(Found {
                    kind: pattern.kind,
                    secret,
                });
            }
        }
    }
    let value = text.trim();
    match base64_pem(value) {
        Some(true) => {
            return Some(Found {
                kind: "base64-encoded private key",
                secret: value,
            });
        }
        Some(false) => return None,
        None => {}
    }
    random_string(value).then_some(Found {
        kind: "high-entropy string",
        secret: value,
    })
}

/// A token format: its kind, its regex, and what of a match is the secret (`None` rejects the
/// match, e.g. a documentation example or a URL whose password is a reference).
struct Pattern {
    kind: &'static str,
    regex: &'static str,
    extract: fn(&str) -> Option<&str>,
}

fn whole(m: &str) -> Option<&str> {
    Some(m)
}

/// AWS documents its examples with keys ending in `EXAMPLE`.
fn not_example(m: &str) -> Option<&str> {
    (!m.contains("EXAMPLE")).then_some(m)
}

/// The password of `scheme://user:password@`, unless it is a placeholder.
fn url_password(m: &str) -> Option<&str> {
    let userinfo = m.split_once("://")?.1.strip_suffix('@')?;
    let password = userinfo.split_once(':')?.1;
    literal(password)
}

/// The value of `password=value` (the last `=`-separated part), unless it is a placeholder.
fn assigned_value(m: &str) -> Option<&str> {
    literal(m.split_once('=')?.1)
}

fn literal(value: &str) -> Option<&str> {
    (!is_placeholder(value)).then_some(value)
}

static PATTERNS: &[Pattern] = &[
    Pattern {
        kind: "private key",
        // The whole block when it is complete, else from the header to the end of the text.
        regex: r"(?s)-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z)",
        extract: whole,
    },
    Pattern {
        kind: "AWS access key ID",
        regex: r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
        extract: not_example,
    },
    Pattern {
        kind: "GitHub token",
        regex: r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{50,255})\b",
        extract: whole,
    },
    Pattern {
        kind: "GitLab token",
        regex: r"\bgl(?:pat|dt|ptt|rt)-[A-Za-z0-9_-]{20,}",
        extract: whole,
    },
    Pattern {
        kind: "Slack token",
        regex: r"\bxox[baprs]-[A-Za-z0-9]+-[A-Za-z0-9-]{8,}",
        extract: whole,
    },
    Pattern {
        kind: "Slack webhook URL",
        regex: r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{20,}",
        extract: whole,
    },
    Pattern {
        kind: "Google API key",
        regex: r"\bAIza[0-9A-Za-z_-]{35}",
        extract: whole,
    },
    Pattern {
        kind: "Stripe live key",
        regex: r"\b(?:sk|rk)_live_[0-9A-Za-z]{20,}",
        extract: whole,
    },
    Pattern {
        kind: "npm token",
        regex: r"\bnpm_[A-Za-z0-9]{36}\b",
        extract: whole,
    },
    Pattern {
        kind: "PyPI token",
        regex: r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
        extract: whole,
    },
    Pattern {
        kind: "SendGrid API key",
        regex: r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
        extract: whole,
    },
    Pattern {
        kind: "JSON Web Token",
        regex: r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        extract: whole,
    },
    Pattern {
        kind: "password in a URL",
        regex: r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:[^\s/@]+@",
        extract: url_password,
    },
    Pattern {
        kind: "password in a connection string",
        regex: r"(?i)(?:^|[?&;])\s*(?:password|passwd|pwd)=[^&;\s]+",
        extract: assigned_value,
    },
    Pattern {
        kind: "Azure storage account key",
        regex: r"(?:^|;)\s*AccountKey=[A-Za-z0-9+/]{40,}={0,2}",
        extract: assigned_value,
    },
];

static PATTERN_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(PATTERNS.iter().map(|p| p.regex)).expect("secret patterns compile")
});

static PATTERN_REGEXES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .map(|p| Regex::new(p.regex).expect("secret patterns compile"))
        .collect()
});

/// `Some(true)` for a base64-encoded PEM private key, `Some(false)` for another base64-encoded
/// PEM block (a certificate, a public key: not secret), `None` for anything else.
fn base64_pem(value: &str) -> Option<bool> {
    // "-----BEGIN" in base64.
    if !value.starts_with("LS0tLS1CRUdJTi") {
        return None;
    }
    let mut decoded = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for byte in value.bytes().take(96) {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => break,
        };
        acc = (acc << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            decoded.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    let header = String::from_utf8_lossy(&decoded);
    let header = header.lines().next().unwrap_or("");
    Some(header.contains("PRIVATE KEY"))
}

/// A whole value that looks randomly generated (see the module documentation).
fn random_string(value: &str) -> bool {
    let length = value.len();
    if length < 24 {
        return false;
    }
    let body = value.trim_end_matches('=');
    if !body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-'))
    {
        return false;
    }
    // Subresource Integrity hashes (`sha512-…` in lock files) are digests, not secrets.
    if ["sha1-", "sha256-", "sha384-", "sha512-"]
        .iter()
        .any(|p| body.starts_with(p))
    {
        return false;
    }
    // Mixed case, and digits unless long enough for a digit-free random string to be likely
    // (UUIDs and hex digests have one case only).
    let has = |f: fn(&u8) -> bool| body.bytes().any(|b| f(&b));
    if !(has(u8::is_ascii_uppercase)
        && has(u8::is_ascii_lowercase)
        && (has(u8::is_ascii_digit) || length >= 32))
    {
        return false;
    }
    let class = |b: u8| match b {
        b'a'..=b'z' => 0,
        b'A'..=b'Z' => 1,
        b'0'..=b'9' => 2,
        _ => 3,
    };
    let bytes = body.as_bytes();
    let changes = bytes
        .windows(2)
        .filter(|w| class(w[0]) != class(w[1]))
        .count();
    // Random base64 changes class at ~65% of positions; identifiers and words far less.
    if (changes as f64) < 0.3 * (bytes.len() - 1) as f64 {
        return false;
    }
    shannon_entropy(value) >= 4.0
}

/// Shannon entropy of `text`, in bits per character.
fn shannon_entropy(text: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0usize;
    for c in text.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}

/// How strongly a name says "secret".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameKind {
    /// A password, token, secret or credential: any literal value is one.
    Secret,
    /// A `*_KEY` of unknown kind: only key material is one.
    Key,
}

/// The words of a name, lower case: split at anything but letters and digits and at camelCase
/// boundaries (`apiKey`, `APIKey`), trailing digits dropped (`PASSWORD2`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if cur.is_ascii_uppercase()
                && (prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next_lower))
            {
                words.push(chars[start..i].iter().collect::<String>());
                start = i;
            }
        }
        words.push(chars[start..].iter().collect::<String>());
    }
    words
        .into_iter()
        .map(|w| {
            w.to_ascii_lowercase()
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Trailing words that say how a secret is encoded, not what the name is about.
const QUALIFIERS: &[&str] = &[
    "value",
    "b64",
    "base64",
    "encoded",
    "base",
    "hash",
    "raw",
    "plain",
    "plaintext",
    "pem",
    "der",
    "data",
    "content",
    "contents",
    "json",
    "material",
];

/// Last words (or their endings, `dbpassword`, `clientsecret`) that name a secret.
const SECRET_ENDINGS: &[&str] = &[
    "password",
    "passwords",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
];

/// Abbreviations that name a secret only after another word (`DB_PASS`, `MYSQL_PWD`;
/// `PWD` alone is the shell's working directory). `AUTH` is not one: `SMTP_AUTH=login`,
/// `KAFKA_SASL_AUTH=PLAIN` name a mechanism far more often than a credential.
/// `passwd` alone is the Unix account database (`passwd: files` in nsswitch.conf). A plural
/// `secrets` names references to Secrets (`imagePullSecrets`), never a value.
const SECRET_ABBREVIATIONS: &[&str] = &["pass", "pwd", "pw", "passwd"];

/// Words that make a name about a quantity, not a secret (`MAX_TOKENS`, `MIN_PASSWORD_LENGTH`).
const QUANTITIES: &[&str] = &[
    "max", "min", "num", "count", "limit", "length", "len", "size", "ttl", "timeout",
];

/// One-word key names (`apikey`, `secretkey`).
const KEY_WORDS: &[&str] = &[
    "apikey",
    "secretkey",
    "privatekey",
    "accesskey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "authkey",
    "clientkey",
    "licensekey",
];

/// Words before `KEY` that make it a secret key whatever its value looks like.
const SECRET_KEY_KINDS: &[&str] = &[
    "secret",
    "private",
    "api",
    "access",
    "encryption",
    "signing",
    "master",
    "auth",
    "client",
    "app",
    "license",
    "hmac",
    "jwt",
    "session",
    "cookie",
    "crypto",
    "cipher",
    "aes",
    "shared",
];

/// Words before `KEY` that make it something other than a secret.
const PUBLIC_KEY_KINDS: &[&str] = &[
    "public",
    "pub",
    "gpg",
    "pgp",
    "cache",
    "routing",
    "partition",
    "sort",
    "primary",
    "foreign",
    "lookup",
    "idempotency",
    "dedup",
    "dedupe",
    "deduplication",
    "shard",
    "hash",
    "range",
    "group",
    "label",
    "object",
    "bucket",
    "message",
    "metric",
    "map",
    "index",
    "unique",
    "composite",
    "row",
    "column",
    "feature",
    "flag",
    "trace",
    "redis",
];

fn name_kind(name: &str) -> Option<NameKind> {
    let mut words = words(name);
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| QUALIFIERS.contains(&w.as_str()))
    {
        words.pop();
    }
    if words.iter().any(|w| QUANTITIES.contains(&w.as_str())) {
        return None;
    }
    let last = words.last()?.as_str();
    let previous = words.len().checked_sub(2).map(|i| words[i].as_str());
    if SECRET_ENDINGS.iter().any(|e| last.ends_with(e))
        || (previous.is_some() && SECRET_ABBREVIATIONS.contains(&last))
        || KEY_WORDS.iter().any(|k| last.ends_with(k))
    {
        return Some(NameKind::Secret);
    }
    match (last, previous) {
        ("key" | "keys", Some(kind)) if SECRET_KEY_KINDS.contains(&kind) => Some(NameKind::Secret),
        ("key" | "keys", Some(kind)) if !PUBLIC_KEY_KINDS.contains(&kind) => Some(NameKind::Key),
        _ => None,
    }
}

/// Whether a name (an environment variable, a configuration key, a build argument) says its
/// value is a secret: `DB_PASSWORD`, `GITHUB_TOKEN`, `clientSecret`, `STRIPE_API_KEY`,
/// `spring.datasource.password`, but not `PASSWORD_FILE`, `TOKEN_URL`, `AWS_ACCESS_KEY_ID`,
/// `SECRET_NAME`, `PUBLIC_KEY` or `GPG_KEY`.
pub fn secret_name(name: &str) -> bool {
    name_kind(name).is_some()
}

/// Whether `value`, held by `name`, is a literal secret by the name: the name says secret
/// ([`secret_name`]) and the value is neither a placeholder, a flag, a path, a URL nor a
/// secret-manager reference; for a `*_KEY` of unknown kind, the value must also look like key
/// material (16 or more characters without spaces mixing digits or cases, or a PEM block).
pub fn secret_by_name(name: &str, value: &str) -> bool {
    let Some(kind) = name_kind(name) else {
        return false;
    };
    let value = value.trim();
    if is_placeholder(value) || is_flag(value) || is_location(value) {
        return false;
    }
    match kind {
        NameKind::Secret => true,
        NameKind::Key => value.contains("-----BEGIN") || key_material(value),
    }
}

fn is_flag(value: &str) -> bool {
    [
        "true", "false", "yes", "no", "on", "off", "y", "n", "enabled", "disabled", "enable",
        "disable", "0", "1",
    ]
    .iter()
    .any(|f| value.eq_ignore_ascii_case(f))
}

/// A path, a URL (whose password, if any, [`find_secret`] judges) or a reference to a secret
/// manager.
fn is_location(value: &str) -> bool {
    let bytes = value.as_bytes();
    ["/", "./", "../", "~/", "file:", "arn:", "vault:", "ref+"]
        .iter()
        .any(|p| value.starts_with(p))
        || value.contains("://")
        || (bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":\\")
}

fn key_material(value: &str) -> bool {
    value.chars().count() >= 16
        && !value.chars().any(char::is_whitespace)
        && (value.bytes().any(|b| b.is_ascii_digit())
            || (value.bytes().any(|b| b.is_ascii_uppercase())
                && value.bytes().any(|b| b.is_ascii_lowercase())))
}

/// Words that stand for a value to be filled in (compared ignoring case, `_`, `-`, `.`, `/` and
/// spaces).
const PLACEHOLDER_WORDS: &[&str] = &[
    "replaceme",
    "todo",
    "tbd",
    "fixme",
    "placeholder",
    "redacted",
    "none",
    "null",
    "nil",
    "undefined",
    "na",
    "dummy",
    "notset",
    "unset",
];

/// Whether `value` is no secret but a stand-in for one: empty (also `[]`, `{}`, `""`); a
/// reference that something expands later (`$(VAR)`, `${VAR}`, `$VAR`, `%VAR%`, `{{ … }}`) or
/// code reads at run time (`os.environ[…]`, `getenv(…)`, `process.env.X`); `<password>`; a mask
/// (`xxxx`, `****`, `....`); a word such as `REPLACE_ME`, `TODO`, `TBD`, `redacted`, `none`,
/// `your-api-key`, `insert-token-here`; or a sops-encrypted value (`ENC[AES256_GCM,…]`). Weak
/// but real passwords such as `changeme` are not placeholders: they work.
pub fn is_placeholder(value: &str) -> bool {
    static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\$\([^)]*\)|\$\{[^}]*\}|\{\{.*\}\}|^\$[A-Za-z_][A-Za-z0-9_]*$|^%[A-Za-z_][A-Za-z0-9_]*%$|os\.environ|getenv\(|process\.env\.|ENV\[")
            .expect("placeholder regex compiles")
    });
    let value = value.trim();
    if value.is_empty()
        || matches!(value, "[]" | "{}" | "\"\"" | "''" | "~")
        || REFERENCE.is_match(value)
        || value.starts_with("ENC[")
        || (value.starts_with('<') && value.ends_with('>'))
        || value
            .chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '•' | '.' | '#' | '-' | '_' | '?'))
    {
        return true;
    }
    let word: String = value
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | '/' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    if PLACEHOLDER_WORDS.contains(&word.as_str()) {
        return true;
    }
    // `your-api-key`, `insert_token_here`, `REPLACE_WITH_YOUR_SECRET`.
    let says_what = ["key", "token", "pass", "secret", "credential", "value"]
        .iter()
        .any(|w| word.contains(w));
    word.chars().all(|c| c.is_ascii_lowercase())
        && says_what
        && (["your", "insert", "replacewith", "enter", "put"]
            .iter()
            .any(|p| word.starts_with(p))
            || word.ends_with("here"))
}

/// dotenv templates, not secrets (`.env.example`).
const ENV_TEMPLATES: &[&str] = &["example", "sample", "template", "dist", "tmpl", "tpl"];

/// Whether the name of a `.pem` or `.key` file says it holds a certificate or a public key.
fn looks_public(stem: &str) -> bool {
    [
        "cert", "crt", "chain", "bundle", "public", "pub", "cacert", "rootca", "root-ca", "gpg",
        "pgp", "trust",
    ]
    .iter()
    .any(|w| stem.contains(w))
        || stem == "ca"
        || ["ca-", "ca_", "ca."].iter().any(|p| stem.starts_with(p))
        || ["-ca", "_ca", ".ca"].iter().any(|s| stem.ends_with(s))
}

/// What kind of credential file a path names, by its name (and parent folder), if any: SSH
/// private keys, dotenv files (not their templates), npm/PyPI/netrc/Git credential stores,
/// Docker and AWS credentials, key stores and private key files (not certificates). Shared by
/// the Dockerfile rule on copied files and the image layer secret scan.
pub fn credential_file(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/').to_ascii_lowercase();
    let mut components = path.rsplit('/').filter(|c| !c.is_empty());
    let name = components.next()?;
    let parent = components.next().unwrap_or("");
    if let Some(rest) = name.strip_prefix(".env") {
        let suffix = rest.trim_start_matches('.');
        let is_env = rest.is_empty() || rest.starts_with('.') || rest.starts_with('*');
        if is_env && !ENV_TEMPLATES.iter().any(|t| suffix.starts_with(t)) {
            return Some("a dotenv file");
        }
    }
    match (parent, name) {
        (_, "id_rsa" | "id_ed25519" | "id_ecdsa" | "id_dsa" | "id_ecdsa_sk" | "id_ed25519_sk") => {
            return Some("an SSH private key");
        }
        (_, ".npmrc") => return Some("an npm configuration (registry tokens)"),
        (_, ".pypirc") => return Some("a PyPI credentials file"),
        (_, ".netrc") => return Some("a netrc credentials file"),
        (_, ".git-credentials") => return Some("a Git credentials store"),
        (_, "credentials.json") => return Some("a credentials file"),
        (".aws", "credentials") => return Some("an AWS credentials file"),
        (".docker", "config.json") => return Some("a Docker credentials file"),
        _ => {}
    }
    let (stem, extension) = name.rsplit_once('.')?;
    match extension {
        "p12" | "pfx" => Some("a PKCS#12 key store"),
        "key" if !looks_public(stem) => Some("a private key file"),
        "pem" if !looks_public(stem) => Some("a PEM key file"),
        _ => None,
    }
}

/// `text` with every secret [`find_secret`] recognises in it replaced by its [`redact`]ion:
/// for messages that quote commands or URLs (`pip install --index-url https://u:pw@host/…`).
pub fn redact_all(text: &str) -> String {
    let mut shown = text.to_string();
    // Bounded: each round replaces one secret; a text with more is cut short, not leaked.
    for _ in 0..16 {
        let Some(found) = find_secret(&shown) else {
            return shown;
        };
        let secret = found.secret.to_string();
        shown = shown.replace(&secret, &redact(&secret));
    }
    if find_secret(&shown).is_some() {
        return "(message withheld: it quotes secrets)".to_string();
    }
    shown
}

/// A secret as messages may show it: at most its first four characters (a quarter of it when
/// shorter than 16 characters, so nothing of a short password) and its length in characters,
/// e.g. `"AKIA…" (20 chars)`.
pub fn redact(value: &str) -> String {
    let length = value.chars().count();
    let shown: String = value.chars().take((length / 4).min(4)).collect();
    let unit = if length == 1 { "char" } else { "chars" };
    format!("{:?} ({length} {unit})", format!("{shown}…"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Fake credentials of the right shape, built at run time so that no secret scanner
    // mistakes this file for a leak.
    fn fake(prefix: &str, body_len: usize) -> String {
        let alphabet = b"A1b2C3d4E5f6G7h8J9k0LmNpQrStUvWxYz";
        let body: String = (0..body_len)
            .map(|i| alphabet[(i * 7 + 3) % alphabet.len()] as char)
            .collect();
        format!("{prefix}{body}")
    }

    /// Deterministic pseudo-random strings over an alphabet.
    fn random(seed: u64, alphabet: &[u8], len: usize) -> String {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..len)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                alphabet[((state >> 33) % alphabet.len() as u64) as usize] as char
            })
            .collect()
    }

    const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    #[test]
    fn names_that_hold_secrets() {
        for name in [
            "DB_PASSWORD",
            "POSTGRES_PASSWORD",
            "password",
            "dbPassword",
            "dbpassword",
            "spring.datasource.password",
            "MYSQL_ROOT_PASSWORD",
            "KEYSTORE_PASSWD",
            "SSH_PASSPHRASE",
            "DB_PASS",
            "MYSQL_PWD",
            "GITHUB_TOKEN",
            "accessToken",
            "auth.token",
            "JWT_SECRET",
            "clientSecret",
            "client-secret",
            "AWS_SECRET_ACCESS_KEY",
            "SECRET_KEY",
            "SECRET_KEY_BASE",
            "STRIPE_API_KEY",
            "apiKey",
            "APIKey",
            "APIKEY",
            "PRIVATE_KEY",
            "private_key_pem",
            "ENCRYPTION_KEY",
            "OPENAI_KEY",
            "DB_CREDENTIALS",
            "ADMIN_PASSWORD_HASH",
            "PASSWORD2",
        ] {
            assert!(secret_name(name), "{name} names a secret");
        }
    }

    #[test]
    fn names_that_do_not_hold_secrets() {
        for name in [
            "PASSWORD_FILE",
            "DB_PASSWORD_PATH",
            "TOKEN_URL",
            "OAUTH_TOKEN_ENDPOINT",
            "AWS_ACCESS_KEY_ID",
            "KMS_KEY_ARN",
            "SECRET_NAME",
            "TOKEN_TTL",
            "PASSWORD_MIN_LENGTH",
            "AUTH_TYPE",
            "PWD",
            "PASS",
            "passwd",
            "custom_secrets",
            "imagePullSecrets",
            "KEY",
            "PUBLIC_KEY",
            "GPG_KEY",
            "GPG_KEYS",
            "CACHE_KEY",
            "ROUTING_KEY",
            "TOKENIZER",
            "MONKEY",
            "HOME",
            "SECRETS_DIR",
            "bearer_token_file",
            "KEY_PASSWORD_ENV",
            "MAX_TOKENS",
            "OPENAI_MAX_TOKENS",
            "MAX_NEW_TOKENS",
            "SMTP_AUTH",
            "MIN_PASSWORD",
        ] {
            assert!(!secret_name(name), "{name} does not name a secret");
        }
    }

    #[test]
    fn values_of_secret_names() {
        assert!(secret_by_name("DB_PASSWORD", "hunter2"));
        assert!(secret_by_name("GF_SECURITY_ADMIN_PASSWORD", "changeme"));
        assert!(secret_by_name("SECRET_KEY", "dev"));
        assert!(secret_by_name("OPENAI_KEY", &fake("", 32)));
        assert!(secret_by_name(
            "SIGNING_KEY",
            "-----BEGIN EC PRIVATE KEY-----\n…"
        ));
        // Flags, locations, references and placeholders are not secrets.
        assert!(!secret_by_name("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"));
        assert!(!secret_by_name(
            "DB_CREDENTIALS",
            "/var/run/secrets/db.json"
        ));
        assert!(!secret_by_name(
            "GOOGLE_APPLICATION_CREDENTIALS",
            "/secrets/key.json"
        ));
        assert!(!secret_by_name(
            "VAULT_TOKEN",
            "vault:secret/data/app#token"
        ));
        assert!(!secret_by_name("DB_PASSWORD", "$(POSTGRES_PASSWORD)"));
        assert!(!secret_by_name("DB_PASSWORD", ""));
        assert!(!secret_by_name("DB_PASSWORD", "<password>"));
        assert!(!secret_by_name("AUTH_ISSUER", "https://auth.example.com"));
        // A `*_KEY` of unknown kind needs key material.
        assert!(!secret_by_name("S3_KEY", "reports/daily.csv"));
        assert!(!secret_by_name(
            "SSH_KEY",
            "ssh-ed25519 AAAAC3Nza user@host"
        ));
        assert!(!secret_by_name("HOME", "hunter2"));
    }

    #[test]
    fn well_known_token_formats() {
        let cases = [
            (fake("AKIA", 0) + "Z7QK4LMN2PX5RT8W", "AWS access key ID"),
            (fake("ghp_", 36), "GitHub token"),
            (fake("gho_", 36), "GitHub token"),
            (fake("github_pat_", 82), "GitHub token"),
            (fake("glpat-", 20), "GitLab token"),
            (format!("xoxb-1234567890-{}", fake("", 24)), "Slack token"),
            (
                format!(
                    "https://hooks.slack.com/services/T0000FAKE/B0000FAKE/{}",
                    fake("", 24)
                ),
                "Slack webhook URL",
            ),
            (fake("AIza", 35), "Google API key"),
            (fake("sk_live_", 24), "Stripe live key"),
            (fake("npm_", 36), "npm token"),
            (
                format!("SG.{}.{}", fake("", 22), fake("", 43)),
                "SendGrid API key",
            ),
            (
                format!("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcHAifQ.{}", fake("", 43)),
                "JSON Web Token",
            ),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
                    .to_string(),
                "private key",
            ),
            (
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA".to_string(),
                "private key",
            ),
            (
                "postgres://app:s3cr3t-pass@db.shop.svc:5432/shop".to_string(),
                "password in a URL",
            ),
            (
                "redis://:Tr0ub4dor@redis:6379/0".to_string(),
                "password in a URL",
            ),
            (
                "Server=db;Database=shop;User Id=app;Password=Tr0ub4dor;".to_string(),
                "password in a connection string",
            ),
            (
                format!(
                    "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey={}==",
                    fake("", 86)
                ),
                "Azure storage account key",
            ),
        ];
        for (value, kind) in cases {
            assert_eq!(secret_content(&value), Some(kind), "{value}");
        }
    }

    #[test]
    fn found_secret_is_the_sensitive_part() {
        let found = find_secret("postgres://app:s3cr3t@db:5432/shop").unwrap();
        assert_eq!(found.secret, "s3cr3t");
        let token = fake("ghp_", 36);
        let line = format!("curl -H 'Authorization: token {token}' https://api.github.com");
        assert_eq!(find_secret(&line).unwrap().secret, token);
    }

    #[test]
    fn values_that_are_not_secrets_by_content() {
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "postgres://app:${DB_PASSWORD}@db:5432/shop",
            "postgres://app:$(DB_PASSWORD)@db:5432/shop",
            "https://user@example.com/path",
            "ssh://git@github.com:22/org/repo.git",
            "Password=;",
            "hunter2",
            "registry.corp.example/team/api:1.4.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            // Digests, commit ids, UUIDs.
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "123e4567-e89b-12d3-a456-426614174000",
            "123E4567-E89B-12D3-A456-426614174000",
            // Identifiers, paths, prose, versions.
            "MyApplicationConfigurationV2Settings",
            "/usr/local/lib/python3.12/site-packages",
            "-Xmx512m -XX:+UseG1GC -Dspring.profiles.active=prod",
            "frontend-7d4b9c8f6-x2v9k-abcdefgh",
            "v1.28.3-eks-4f4795d-20240101",
            "sha512-dGhpcyBpcyBub3QgYSBzZWNyZXQgYnV0IGFuIGludGVncml0eSBoYXNo",
            // A base64-encoded certificate (kubeconfig certificate-authority-data).
            "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM1ekNDQWMrZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKY201bGRHVnpNQjRYRFRJd01ERXdNVEF3TURBd01Gb1hEVE13TURFd01UQXdNREF3TUZvd0ZURVRNQkVHQTFVRQ==",
        ] {
            assert_eq!(secret_content(value), None, "{value}");
        }
    }

    #[test]
    fn base64_encoded_private_keys_are_secrets() {
        // "-----BEGIN RSA PRIVATE KEY-----\nMIIE" in base64.
        let encoded = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlF";
        assert_eq!(secret_content(encoded), Some("base64-encoded private key"));
    }

    #[test]
    fn random_strings_are_secrets() {
        for seed in 0..500 {
            let value = random(seed, BASE64, 40);
            assert_eq!(
                secret_content(&value),
                Some("high-entropy string"),
                "{value}"
            );
        }
        let base62 = &BASE64[..62];
        let flagged = (0..500)
            .filter(|&seed| secret_content(&random(seed, base62, 32)).is_some())
            .count();
        assert!(flagged >= 480, "{flagged} of 500 random 32-char strings");
        // Short strings are not judged by entropy.
        assert_eq!(secret_content(&random(1, BASE64, 20)), None);
    }

    #[test]
    fn placeholders() {
        for value in [
            "",
            "  ",
            "$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "${DB_PASSWORD:-default}",
            "$DB_PASSWORD",
            "%DB_PASSWORD%",
            "{{ .Values.db.password }}",
            "<password>",
            "<YOUR_TOKEN>",
            "[]",
            "{}",
            "os.environ[\"HUGGING_FACE_HUB_TOKEN\"]",
            "process.env.API_TOKEN",
            "xxx",
            "XXXXXXXX",
            "****",
            "REPLACE_ME",
            "replace-me",
            "TODO",
            "tbd",
            "redacted",
            "none",
            "your-api-key",
            "your_password_here",
            "insert-token-here",
            "ENC[AES256_GCM,data:Zm9v,iv:YmFy,tag:YmF6,type:str]",
        ] {
            assert!(is_placeholder(value), "{value:?} is a placeholder");
        }
        for value in [
            "changeme", "admin", "password", "hunter2", "s3cr3t", "letmein",
        ] {
            assert!(
                !is_placeholder(value),
                "{value:?} is a real (weak) password"
            );
        }
    }

    #[test]
    fn redaction_reveals_at_most_a_short_prefix() {
        let key = fake("AKIA", 16);
        assert_eq!(redact(&key), "\"AKIA…\" (20 chars)");
        assert_eq!(redact("hunter2"), "\"h…\" (7 chars)");
        assert_eq!(redact("abc"), "\"…\" (3 chars)");
        assert_eq!(redact("x"), "\"…\" (1 char)");
        assert_eq!(redact(""), "\"…\" (0 chars)");
        assert_eq!(redact("pässwörd"), "\"pä…\" (8 chars)");
        assert_eq!(redact("\n-----BEGIN"), "\"\\n-…\" (11 chars)");
    }
}
