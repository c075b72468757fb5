use palisade_core::secrets::{find_secret, redact, secret_by_name};
use palisade_core::{RuleMeta, Severity};
use palisade_k8s::{JsonPath, Node, Object};

use super::{CATEGORY, is_core};
use crate::frameworks::nsa;
use crate::rules::{Context, Rule};
use crate::violation::Violation;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "secretInConfigMap",
        name: "secret-in-config-map",
        severity: Severity::High,
        category: CATEGORY,
        title: "Secret stored in a ConfigMap",
        doc: r#"Secrets should not be stored in ConfigMaps.

**What it finds.** A ConfigMap `data` entry that is a secret by its content (a cloud or SaaS
token format, a private key, a JSON Web Token, a password inside a URL or connection string,
a long random string) or by its key (`db-password`, `API_TOKEN`) with a literal value. Values
that are files (several lines: `.env`, `.properties`, YAML, JSON, INI) are read line by line:
each `KEY=value` or `key: value` line is judged by its name and content, and the finding
names the line. Certificates and other non-private PEM blocks, comments' names, placeholders
(`${VAR}`, `{{ … }}`, `<password>`, `REPLACE_ME`), flags, paths and URLs without credentials
are not secrets. Messages show the value redacted.

**Why it matters.** ConfigMaps are not meant for secrets: RBAC roles commonly grant read on
them to everyone (`view` does), they are never encrypted at rest, they are printed by
`kubectl describe`, and the manifest puts the value in the repository and its history.

**Failing**
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  LOG_LEVEL: info
  app.properties: |
    spring.datasource.url=jdbc:postgresql://db:5432/shop
    spring.datasource.password=hunter2
```

**Passing**
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  LOG_LEVEL: info
  app.properties: |
    spring.datasource.url=jdbc:postgresql://db:5432/shop
    spring.datasource.password=${DB_PASSWORD}
```"#,
        remediation: "Rotate the exposed secret, move it into a Secret managed outside the repository (External Secrets, Sealed Secrets, a CSI secrets driver), and have the configuration reference it (`${DB_PASSWORD}` filled from a Secret-backed environment variable or file).",
        aliases: &[],
        frameworks: &[],
        references: &[
            nsa("network-secrets"),
            crate::mitre!("T1552", "001"),
            crate::mitre!("T1552", "007"),
        ],
    },
    applies: |object| is_core(object, "ConfigMap"),
    check,
};

fn check(_: &Context<'_>, object: &Object) -> Vec<Violation> {
    let data_path = JsonPath::root().key("data");
    let entries = object.root.get("data").map_or(&[][..], Node::entries);
    let mut violations = Vec::new();
    for entry in entries {
        let Some(value) = entry.value.as_str() else {
            continue;
        };
        let key = entry.key.as_str();
        let path = data_path.key(key);
        let single = !value.trim().contains('\n');
        let whole = if !single {
            None
        } else if let Some(found) = find_secret(value) {
            Some((found.kind.to_string(), found.secret))
        } else if secret_by_name(key, value) {
            Some(("by its name".to_string(), value))
        } else {
            None
        };
        if let Some((how, secret)) = whole {
            violations.push(Violation::at(
                path,
                format!(
                    "ConfigMap key {key:?} holds a literal secret ({how}): {}",
                    redact(secret)
                ),
            ));
            continue;
        }
        // Several secrets in one value share its path: number each kind of secret so that
        // baselines tell them apart without hashing line numbers (or the secrets).
        let mut seen: Vec<String> = Vec::new();
        for (line, how, secret) in file_secrets(value) {
            let occurrence = seen.iter().filter(|h| **h == how).count();
            let discriminator = format!("{how}#{occurrence}");
            seen.push(how.clone());
            violations.push(
                Violation::at(
                    path.clone(),
                    format!(
                        "ConfigMap key {key:?} line {line} holds a literal secret ({how}): {}",
                        redact(secret)
                    ),
                )
                .with_discriminator(discriminator),
            );
        }
    }
    violations
}

/// The secrets in a file-like value, line by line: (1-based line, how it was recognised, the
/// secret).
fn file_secrets(text: &str) -> Vec<(usize, String, &str)> {
    let mut found = Vec::new();
    let mut offset = 0;
    let mut in_pem = false;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let number = index + 1;
        // PEM blocks: report private keys once, at their header; skip the base64 body of
        // every block (certificates are public).
        if in_pem {
            in_pem = !line.contains("-----END ");
            continue;
        }
        if line.contains("-----BEGIN ") && !line.contains("-----END ") {
            in_pem = true;
            if line.contains("PRIVATE KEY")
                && let Some(secret) = find_secret(&text[start..])
                && secret.kind == "private key"
            {
                found.push((number, secret.kind.to_string(), secret.secret));
            }
            continue;
        }
        let comment = ["#", "// ", "/*", ";", "!", "<!--"]
            .iter()
            .any(|c| line.starts_with(c));
        let by_assignment = if comment {
            None
        } else {
            assignment_secret(line)
        };
        if let Some((how, secret)) =
            by_assignment.or_else(|| find_secret(line).map(|s| (s.kind.to_string(), s.secret)))
        {
            found.push((number, how, secret));
        }
    }
    found
}

/// A secret in a `KEY=value` or `key: value` line (env files, properties, YAML, JSON, INI,
/// TOML), by the value's content or else by the key's name. Both separators are tried, first
/// the earlier one, so that `url: jdbc:…?password=…` and `//registry/:_authToken=…` both read
/// right.
fn assignment_secret(line: &str) -> Option<(String, &str)> {
    let mut separators: Vec<usize> = ['=', ':'].iter().filter_map(|c| line.find(*c)).collect();
    separators.sort_unstable();
    for at in separators {
        let key = clean_key(&line[..at]);
        if key.is_empty() || key.contains(char::is_whitespace) {
            continue;
        }
        let Some(value) = clean_value(&line[at + 1..]) else {
            continue;
        };
        if let Some(found) = find_secret(value) {
            return Some((found.kind.to_string(), found.secret));
        }
        if secret_by_name(key, value) {
            return Some((format!("by the name {key:?}"), value));
        }
    }
    None
}

fn clean_key(key: &str) -> &str {
    let key = key.trim();
    let key = key.strip_prefix("export ").unwrap_or(key);
    let key = key.strip_prefix("- ").unwrap_or(key).trim();
    key.trim_matches(|c| c == '"' || c == '\'')
}

/// The value of an assignment without quotes, a trailing JSON comma or a trailing comment;
/// `None` when the line only opens a block (`key: |`, `"key": {`) or names a YAML alias.
fn clean_value(value: &str) -> Option<&str> {
    let value = value.trim();
    let value = value.strip_suffix(',').unwrap_or(value).trim_end();
    if matches!(value, "|" | "|-" | "|+" | ">" | ">-" | ">+" | "{" | "[")
        || (value.starts_with(['*', '&'])
            && value[1..].starts_with(|c: char| c.is_ascii_alphanumeric()))
    {
        return None;
    }
    for quote in ['"', '\''] {
        if let Some(rest) = value.strip_prefix(quote) {
            return Some(rest.find(quote).map_or(rest, |end| &rest[..end]));
        }
    }
    Some(value.split(" #").next().unwrap_or(value).trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_lines() {
        let text = "\
# a comment naming password=x is skipped
export DB_PASSWORD=\"hunter2\"
spring.datasource.password=${DB_PASSWORD}
url: jdbc:mysql://db/shop?user=app&password=Tr0ub4dor
  \"clientSecret\": \"s3cr3t-value\",
private_key: |
  -----BEGIN RSA PRIVATE KEY-----
  MIIEpAIBAAKCAQEAs3cr3t
  -----END RSA PRIVATE KEY-----
ca.crt: |
  -----BEGIN CERTIFICATE-----
  MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ
  -----END CERTIFICATE-----
token_url = https://auth.example.com/token
//registry.npmjs.org/:_authToken=abcdef123456
";
        let found: Vec<(usize, String)> = file_secrets(text)
            .into_iter()
            .map(|(line, how, _)| (line, how))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, "by the name \"DB_PASSWORD\"".to_string()),
                (4, "password in a connection string".to_string()),
                (5, "by the name \"clientSecret\"".to_string()),
                (7, "private key".to_string()),
                (
                    15,
                    "by the name \"//registry.npmjs.org/:_authToken\"".to_string()
                ),
            ]
        );
    }

    #[test]
    fn values() {
        assert_eq!(clean_value(" \"x\", "), Some("x"));
        assert_eq!(clean_value(" abc # note"), Some("abc"));
        assert_eq!(clean_value(" |"), None);
        assert_eq!(clean_value(" *anchor"), None);
        assert_eq!(clean_value(" ***"), Some("***"));
    }
}
