//! Registry credentials the way the Docker client stores them: `$DOCKER_CONFIG/config.json`
//! (default `~/.docker/config.json`) with `credHelpers` (per registry) and `credsStore` (for
//! all), which name a `docker-credential-<helper>` program answering `get`, and `auths`, whose
//! entries carry `auth` (base64 of `user:password`), `username`/`password`, or a
//! `registrytoken` (a bearer token). An `identitytoken` (an OAuth refresh token) needs a token
//! exchange `oci-client` does not do: it is reported, not used.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use serde::Deserialize;

/// Credentials for one registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    Basic { username: String, password: String },
    Bearer(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Credential::Bearer(_) => write!(f, "Bearer(<redacted>)"),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: std::collections::BTreeMap<String, String>,
    creds_store: Option<String>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
    registrytoken: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperAnswer {
    username: String,
    secret: String,
}

/// Docker Hub's host names.
const DOCKER_HUB: &[&str] = &["index.docker.io", "docker.io", "registry-1.docker.io"];
/// The key the Docker client files Hub credentials under (in `auths` and with helpers).
const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";
/// How long a credential helper may take (it may be waiting for an unlock prompt).
const HELPER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The host part of a `config.json` key (`https://registry:5000/v1/` → `registry:5000`).
fn key_host(key: &str) -> &str {
    let without_scheme = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    without_scheme.split('/').next().unwrap_or("")
}

fn same_registry(key: &str, registry: &str) -> bool {
    let host = key_host(key);
    host == registry || DOCKER_HUB.contains(&host) && DOCKER_HUB.contains(&registry)
}

fn default_config_path() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) => Some(PathBuf::from(dir).join("config.json")),
        None => {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker/config.json"))
        }
    }
}

/// The credentials the Docker client would use for `registry` (`host[:port]`), from `config`
/// (default: the Docker client's own); what could not be used goes to `warnings`.
pub fn lookup(
    registry: &str,
    config: Option<&Path>,
    warnings: &mut Vec<String>,
) -> Option<Credential> {
    let path = config.map(Path::to_path_buf).or_else(default_config_path)?;
    let text = std::fs::read_to_string(&path).ok()?;
    let config: DockerConfig = match serde_json::from_str(&text) {
        Ok(config) => config,
        Err(e) => {
            warnings.push(format!(
                "{}: not valid JSON ({e}); pulling anonymously",
                path.display()
            ));
            return None;
        }
    };
    from_config(&config, registry, warnings)
}

fn from_config(
    config: &DockerConfig,
    registry: &str,
    warnings: &mut Vec<String>,
) -> Option<Credential> {
    let helper = config
        .cred_helpers
        .iter()
        .find(|(key, _)| same_registry(key, registry))
        .map(|(_, helper)| helper)
        .or(config.creds_store.as_ref());
    if let Some(helper) = helper
        && let Some(credential) = ask_helper(helper, registry, warnings)
    {
        return Some(credential);
    }
    let entry = config
        .auths
        .iter()
        .find(|(key, _)| same_registry(key, registry))
        .map(|(_, entry)| entry)?;
    if let Some(token) = &entry.registrytoken {
        return Some(Credential::Bearer(token.clone()));
    }
    let basic = match (&entry.auth, &entry.username, &entry.password) {
        (Some(encoded), _, _) if !encoded.is_empty() => decode_auth(encoded),
        (_, Some(username), Some(password)) => Some((username.clone(), password.clone())),
        _ => None,
    };
    match basic {
        Some((username, password)) => Some(Credential::Basic { username, password }),
        // `docker login` with a helper leaves an empty entry behind: nothing to use, nothing
        // to warn about.
        None if entry.auth.is_none()
            && entry.username.is_none()
            && entry.identitytoken.is_none() =>
        {
            None
        }
        None if entry.identitytoken.is_some() => {
            warnings.push(format!(
                "the Docker config holds an identity token for {registry}, which palisade cannot exchange; pass --username and --password-stdin"
            ));
            None
        }
        None => {
            warnings.push(format!(
                "the Docker config's credentials for {registry} are not base64 `user:password`; pulling anonymously"
            ));
            None
        }
    }
}

fn decode_auth(encoded: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (username, password) = text.split_once(':')?;
    Some((username.to_string(), password.to_string()))
}

/// Runs `docker-credential-<helper> get` with the registry (for Docker Hub, the key the Docker
/// client uses) on standard input, for at most [`HELPER_TIMEOUT`].
fn ask_helper(helper: &str, registry: &str, warnings: &mut Vec<String>) -> Option<Credential> {
    if helper.is_empty() || helper.contains(['/', '\\']) {
        warnings.push(format!(
            "credential helper name {helper:?} is not a plain name; ignoring it"
        ));
        return None;
    }
    let program = format!("docker-credential-{helper}");
    let server = if DOCKER_HUB.contains(&registry) {
        DOCKER_HUB_KEY
    } else {
        registry
    };
    let child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            warnings.push(format!(
                "credential helper {program} for {registry} could not run ({e}); trying the config's auths"
            ));
            return None;
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut answer = Vec::new();
        let _ = (&mut stdout).take(1 << 20).read_to_end(&mut answer);
        answer
    });
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < HELPER_TIMEOUT => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                warnings.push(format!(
                    "credential helper {program} did not answer within {} s; pulling anonymously",
                    HELPER_TIMEOUT.as_secs()
                ));
                return None;
            }
        }
    };
    let answer = reader.join().ok()?;
    if !status.success() {
        // "credentials not found" is the helper's normal answer for other registries.
        return None;
    }
    let answer: HelperAnswer = serde_json::from_slice(&answer).ok()?;
    if answer.username == "<token>" {
        warnings.push(format!(
            "credential helper {program} holds an identity token for {registry}, which palisade cannot exchange; pass --username and --password-stdin"
        ));
        return None;
    }
    Some(Credential::Basic {
        username: answer.username,
        password: answer.secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> DockerConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn auths_by_host_with_or_without_scheme() {
        let mut warnings = Vec::new();
        // base64("ci:s3cret")
        let c = config(
            r#"{"auths": {"https://registry.example.com:5000/v1/": {"auth": "Y2k6czNjcmV0"}}}"#,
        );
        assert_eq!(
            from_config(&c, "registry.example.com:5000", &mut warnings),
            Some(Credential::Basic {
                username: "ci".into(),
                password: "s3cret".into()
            })
        );
        assert_eq!(from_config(&c, "registry.example.com", &mut warnings), None);
        let hub = config(
            r#"{"auths": {"https://index.docker.io/v1/": {"username": "u", "password": "p"}}}"#,
        );
        assert!(from_config(&hub, "index.docker.io", &mut warnings).is_some());
        let bearer = config(r#"{"auths": {"r.io": {"registrytoken": "tok"}}}"#);
        assert_eq!(
            from_config(&bearer, "r.io", &mut warnings),
            Some(Credential::Bearer("tok".into()))
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn unusable_entries_warn_without_leaking() {
        let mut warnings = Vec::new();
        let c = config(
            r#"{"auths": {"r.io": {"identitytoken": "refresh-secret"}, "bad.io": {"auth": "!!"}}}"#,
        );
        assert_eq!(from_config(&c, "r.io", &mut warnings), None);
        assert_eq!(from_config(&c, "bad.io", &mut warnings), None);
        assert_eq!(warnings.len(), 2);
        assert!(!warnings.iter().any(|w| w.contains("refresh-secret")));
        let missing_helper = config(r#"{"credsStore": "palisade-test-no-such-helper"}"#);
        assert_eq!(from_config(&missing_helper, "r.io", &mut warnings), None);
        assert!(warnings[2].contains("docker-credential-palisade-test-no-such-helper"));
        let path_helper = config(r#"{"credsStore": "../../tmp/x"}"#);
        assert_eq!(from_config(&path_helper, "r.io", &mut warnings), None);
        assert!(warnings[3].contains("not a plain name"));
        // What `docker login` leaves in `auths` when a helper holds the secret.
        let empty = config(r#"{"auths": {"r.io": {}}}"#);
        assert_eq!(from_config(&empty, "r.io", &mut warnings), None);
        assert_eq!(warnings.len(), 4);
    }
}
