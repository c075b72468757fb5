//! Secrets in image layers: credential files (private keys, `.env`, `.docker/config.json`,
//! `.npmrc`, `.pypirc`, `.git-credentials`, cloud credentials) and token patterns in the text
//! files where applications and users keep configuration — in every layer, so that a secret a
//! later layer deletes (still in the image) is found too. Shares its detectors with the
//! manifest and Dockerfile rules; values are only ever shown redacted.

use palisade_core::secrets::{credential_file, find_secret, redact, secret_by_name};

/// One secret found in a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSecret {
    pub layer: usize,
    /// Path in the image, without a leading `/`.
    pub path: String,
    /// What kind of secret, or by which name.
    pub kind: String,
    /// The secret, redacted.
    pub shown: String,
}

/// The largest file looked at (configuration files are small; archives and binaries are not).
const MAX_SIZE: u64 = 1 << 20;

/// Trees of installed software, whose test fixtures and documentation are full of fake keys.
const SOFTWARE: &[&str] = &[
    "usr/",
    "lib/",
    "lib64/",
    "bin/",
    "sbin/",
    "var/lib/dpkg/",
    "var/cache/",
    "proc/",
    "sys/",
];

/// Whether a file is worth looking at: credential files anywhere, other files outside the
/// installed-software trees and package directories, up to 1 MiB.
pub fn wants(path: &str, size: u64) -> bool {
    if size == 0 || size > MAX_SIZE {
        return false;
    }
    credential_file(path).is_some()
        || !(SOFTWARE.iter().any(|prefix| path.starts_with(prefix))
            || path.contains("/node_modules/")
            || path.contains("/site-packages/")
            || path.contains("/dist-packages/"))
}

/// The first secret in a file, if any (one finding per file keeps reports readable).
pub fn inspect(layer: usize, path: &str, content: &[u8]) -> Option<LayerSecret> {
    // Binary files are not configuration.
    if content.iter().take(8192).any(|b| *b == 0) {
        return None;
    }
    let text = String::from_utf8_lossy(content);
    // Commented-out lines are examples and defaults, not configuration.
    let lines = || {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with(['#', ';']))
    };
    let credentials = credential_file(path).is_some();
    let found = lines()
        .find_map(|line| {
            let found = find_secret(line)?;
            // Outside credential files, only token formats: base64 key armour and shell
            // snippets in system configuration look "high-entropy" or like connection strings.
            let generic = matches!(
                found.kind,
                "high-entropy string" | "password in a connection string"
            );
            // A `.pem`/`.key` file is a secret only when it holds a private key (CA bundles and
            // certificates are public).
            let pem = path.ends_with(".pem") || path.ends_with(".key");
            let allowed = if pem {
                found.kind.contains("private key")
            } else {
                credentials || !generic
            };
            allowed.then(|| (found.kind.to_string(), redact(found.secret)))
        })
        .or_else(|| {
            // In credential files only (elsewhere names like `private_key = $dir/key.pem` are
            // settings, not secrets): `KEY=value` / `key: value` lines whose key says secret.
            if !credentials {
                return None;
            }
            lines().find_map(|line| {
                let line = line.trim_start_matches("export ");
                let (key, value) = line.split_once('=').or_else(|| line.split_once(": "))?;
                let value = value.trim().trim_matches(['"', '\'']);
                secret_by_name(key.trim(), value)
                    .then(|| (format!("by the name {:?}", key.trim()), redact(value)))
            })
        })?;
    Some(LayerSecret {
        layer,
        path: path.to_string(),
        kind: found.0,
        shown: found.1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_looked_at_and_found() {
        assert!(wants("root/.ssh/id_rsa", 1700));
        assert!(wants("opt/app/.env", 100));
        assert!(
            wants("usr/lib/node_modules/x/.npmrc", 50),
            "credential files anywhere"
        );
        assert!(!wants("usr/share/doc/openssl/example.txt", 100));
        assert!(!wants("opt/app/node_modules/x/test/key.txt", 100));
        assert!(!wants("opt/app/big.log", 2 << 20));
        let env = inspect(2, "opt/app/.env", b"DEBUG=1\nDB_PASSWORD=Winter2026!db\n").unwrap();
        assert_eq!(
            (env.layer, env.kind.as_str()),
            (2, "by the name \"DB_PASSWORD\"")
        );
        assert!(!env.shown.contains("Winter2026"));
        let key = inspect(1, "root/.ssh/id_rsa", b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n").unwrap();
        assert!(
            key.kind.to_lowercase().contains("private key"),
            "{}",
            key.kind
        );
        assert!(inspect(0, "etc/hostname", b"web-1\n").is_none());
        assert!(
            inspect(0, "etc/debconf.conf", b"#BindPasswd: secret\n").is_none(),
            "comments"
        );
        assert!(
            inspect(
                0,
                "etc/ssl/openssl.cnf",
                b"private_key = $dir/private/cakey.pem\n"
            )
            .is_none(),
            "names count in credential files only"
        );
        assert!(inspect(0, "opt/app/blob", b"\0\x01binary").is_none());
    }
}
