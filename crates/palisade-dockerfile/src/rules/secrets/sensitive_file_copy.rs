use palisade_core::secrets::credential_file;
use palisade_core::{RuleMeta, Severity};

use super::CATEGORY;
use crate::rules::supply_chain::{effective, is_heredoc_source, is_remote, sources};
use crate::rules::{Context, Rule, Violation, cis_docker};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sensitiveFileCopy",
        name: "sensitive-file-copy",
        severity: Severity::High,
        category: CATEGORY,
        title: "A credentials file or private key is copied into the image",
        doc: r#"`COPY` and `ADD` should not put credentials, keys or repository metadata into an image.

**What it finds.** A `COPY` or `ADD` source (also `COPY --from=…`, globs, `ONBUILD`
triggers) that names a sensitive file or folder:
- dotenv files: `.env`, `.env.production`, `.env*` (templates such as `.env.example`,
  `.env.sample`, `.env.template`, `.env.dist` are not reported);
- SSH private keys `id_rsa`, `id_ed25519`, `id_ecdsa`, `id_dsa` (in any folder), and the
  `.ssh/` folder;
- key material: `*.key`, `*.p12`, `*.pfx`, and `*.pem` unless the name says it is a
  certificate or public key (`ca.pem`, `cert.pem`, `fullchain.pem`, `ca-bundle.pem`,
  `public.pem` are not reported);
- cloud and tool credentials: `.aws/`, `.npmrc`, `.pypirc`, `.netrc`, `.docker/config.json`,
  `credentials.json`, `*.kubeconfig`, `kubeconfig`, `.kube/` and `.kube/config`;
- Git metadata: `.git` and `.git/`.

`COPY . .` and other copies of whole folders are not reported: which files they take is
decided by `.dockerignore`, which should exclude all of the above (`.env*`, `.git`, `*.pem`,
`*.key`, `.npmrc`, …).

**Why it matters.** Whatever is copied is in the layer for good: deleting it in a later
instruction only hides it, and anyone who can pull the image extracts it with
`docker save`. Keys and tokens leak to every registry and cache the image goes through, and
`.git` carries the whole history, including secrets committed and removed long ago.

**Failing**
```dockerfile
FROM node:22-slim
COPY .env .npmrc ./
COPY id_rsa /root/.ssh/id_rsa
```

**Passing**
```dockerfile
# syntax=docker/dockerfile:1
FROM node:22-slim
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
RUN --mount=type=ssh git clone git@github.com:example/private.git
COPY certs/ca.pem /usr/local/share/ca-certificates/ca.crt
```"#,
        remediation: "Do not copy the file: give build-time credentials with `RUN --mount=type=secret` or `--mount=type=ssh`, run-time ones when the container starts (a Kubernetes Secret mounted as a file), and exclude such files in `.dockerignore`; rotate any credential already built into an image.",
        aliases: &[],
        frameworks: &[],
        references: &[cis_docker("4.10"), palisade_core::mitre!("T1552", "001")],
    },
    check,
};

/// What sensitive file or folder a source names, if any: the credential folders (`.ssh`,
/// `.aws`, `.git`, `.kube`) and kubeconfigs, then the credential files the shared secret
/// detector knows.
fn sensitive(source: &str) -> Option<&'static str> {
    let path = source.trim_end_matches('/').to_ascii_lowercase();
    let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let name = *components.last()?;
    if components.contains(&".ssh") {
        return Some("an SSH folder");
    }
    if components.contains(&".aws") {
        return Some("an AWS credentials folder");
    }
    if components.contains(&".git") {
        return Some("the Git metadata folder");
    }
    if components.contains(&".kube") || name.ends_with(".kubeconfig") || name == "kubeconfig" {
        return Some("a kubeconfig");
    }
    credential_file(&path)
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, instruction) in ctx.file.instructions.iter().enumerate() {
        let copy = effective(instruction);
        if !matches!(copy.keyword.as_str(), "COPY" | "ADD") {
            continue;
        }
        for source in sources(copy, ctx.file.escape) {
            if is_heredoc_source(&source) || is_remote(&source) {
                continue;
            }
            if let Some(kind) = sensitive(&source) {
                violations.push(Violation::at(
                    index,
                    format!(
                        "{} {source} puts {kind} into the image: it stays in the layer even if deleted later",
                        copy.keyword
                    ),
                ));
            }
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_paths() {
        for path in [
            ".env",
            "./.env.production",
            ".env*",
            "config/.env.local",
            "/root/.ssh/",
            "keys/id_ed25519",
            "tls/server.key",
            "tls/server.pem",
            "tls/privkey.pem",
            "store.p12",
            ".aws/credentials",
            ".git",
            ".git/",
            ".npmrc",
            "home/.docker/config.json",
            "credentials.json",
            ".git-credentials",
            "prod.kubeconfig",
            ".kube/config",
        ] {
            assert!(sensitive(path).is_some(), "{path}");
        }
        for path in [
            ".",
            "./",
            ".env.example",
            ".envrc",
            ".environment",
            "id_rsa.pub",
            "ca.pem",
            "certs/cert.pem",
            "fullchain.pem",
            "ca-bundle.pem",
            "public.pem",
            "repo.gpg.key",
            ".github/workflows",
            ".gitignore",
            ".docker/nginx.conf",
            "config.json",
            "app.keystore.md",
            "",
        ] {
            assert!(sensitive(path).is_none(), "{path}");
        }
    }
}
