use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, effective, is_heredoc_source, is_remote, sources};
use crate::rules::{Context, Rule, Violation, cis_docker};
use palisade_core::secrets::redact_all as redacted;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "addRemoteUrl",
        name: "add-remote-url",
        severity: Severity::Medium,
        category: CATEGORY,
        title: "ADD downloads a file or clones a repository without verifying it",
        doc: r#"What `ADD` fetches over the network should be pinned to the content the author reviewed.

**What it finds.** An `ADD` whose source is an `http://` or `https://` URL and that has no
`--checksum` (`--checksum=sha256:…`, or a build argument holding one); and an `ADD` of a Git
repository (`https://…/repo.git`, `git@host:repo.git`, `git://`, `ssh://`) at a moving ref — a
branch, a tag, or no ref at all (the default branch) — unless the ref is a full commit id
(`repo.git#<40 hex digits>`) or `--checksum=<commit id>` pins it. Sources that are only a
variable (`ADD $URL /x`) cannot be judged and are not reported.

**Why it matters.** Nothing checks what the server sends: a compromised download site, a
re-tagged release, a pushed branch or anyone between the server and the builder changes the
image without a change to the Dockerfile, and every rebuild may differ. `ADD` also fetches the
URL on every build whatever the cache says, so its content really is whatever is served today.

**Failing**
```dockerfile
FROM alpine:3.20
ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini-static /tini
ADD https://github.com/moby/buildkit.git#v0.14.1 /src/buildkit
```

**Passing**
```dockerfile
# syntax=docker/dockerfile:1.7
FROM alpine:3.20
ADD --checksum=sha256:c5b0666b4cb676901f90dfcb37106783c5fe2077b04590973b885950611b30ee \
    https://github.com/krallin/tini/releases/download/v0.19.0/tini-static /tini
ADD https://github.com/moby/buildkit.git#2ff0d2a2f53663aae917980fa2bb1ac1b9b33ffb /src/buildkit
```"#,
        remediation: "Give the expected digest with `ADD --checksum=sha256:<digest> <url> <dest>` (BuildKit verifies it), or download with `curl` in a `RUN` and check `sha256sum -c`; pin Git sources to a commit (`repo.git#<commit>` or `--checksum=<commit>`).",
        aliases: &[],
        frameworks: &[],
        references: &[cis_docker("4.9"), nsa("pod-secure-images")],
    },
    check,
};

/// Whether a remote source is a Git repository (as BuildKit tells them apart).
fn is_git(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    let path = lower.split('#').next().unwrap_or(&lower);
    ["git://", "git@", "ssh://", "github.com/"]
        .iter()
        .any(|p| lower.starts_with(p))
        || path.trim_end_matches('/').ends_with(".git")
}

fn is_commit(reference: &str) -> bool {
    matches!(reference.len(), 40 | 64) && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, instruction) in ctx.file.instructions.iter().enumerate() {
        let add = effective(instruction);
        if add.keyword != "ADD" {
            continue;
        }
        let checksum = add
            .flag("checksum")
            .and_then(|f| f.value.as_deref())
            .is_some_and(|v| !v.trim().is_empty());
        for source in sources(add, ctx.file.escape) {
            if is_heredoc_source(&source) || !is_remote(&source) || checksum {
                continue;
            }
            let message = if is_git(&source) {
                let shown = redacted(source.split('#').next().unwrap_or(&source));
                // `repo.git#ref:subdir`
                let reference = source
                    .split_once('#')
                    .map(|(_, r)| r.split(':').next().unwrap_or(r))
                    .filter(|r| !r.is_empty());
                match reference {
                    Some(r) if is_commit(r) => continue,
                    Some(r) => format!(
                        "ADD clones {shown} at the moving ref {r:?}: pin a commit (#<commit> or --checksum)"
                    ),
                    None => format!(
                        "ADD clones {shown} at its default branch: pin a commit (#<commit> or --checksum)"
                    ),
                }
            } else {
                let shown = redacted(&source);
                format!("ADD downloads {shown} without --checksum: its content is not verified")
            };
            violations.push(Violation::at(index, message));
        }
    }
    violations
}
