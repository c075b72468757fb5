use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, effective, is_heredoc_source, is_remote, sources};
use crate::rules::{Context, Rule, Violation, cis_docker, hadolint};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "addInsteadOfCopy",
        name: "add-instead-of-copy",
        severity: Severity::Low,
        category: CATEGORY,
        title: "ADD of local files where COPY fits",
        doc: r#"Local files and folders go into the image with `COPY`; `ADD` is for what only it does.

**What it finds.** An `ADD` with a local source (a file, a folder, a glob, or a heredoc
`ADD <<EOF /etc/app.conf`) that is not a tar archive to extract (`.tar`, `.tar.gz`, `.tgz`,
`.tar.bz2`, `.tbz2`, `.tar.xz`, `.txz`, `.tar.zst`, `.tzst`). Remote sources are left to
`addRemoteUrl`; a source that starts with a variable (`ADD $SRC /x`) cannot be judged.

**Why it matters.** `ADD` does more than copy: it downloads URLs and silently unpacks
anything that looks like a tar archive, so what lands in the image depends on the content of
the file, not on the instruction. `COPY` does exactly what it says, which keeps the build
predictable and reviewable.

**Failing**
```dockerfile
FROM python:3.12-slim
ADD requirements.txt app/ /srv/
```

**Passing**
```dockerfile
FROM python:3.12-slim
COPY requirements.txt app/ /srv/
ADD rootfs.tar.gz /
```"#,
        remediation: "Replace `ADD` with `COPY` for local files, folders and heredocs (the flags `--chown`, `--chmod`, `--link` work the same); keep `ADD` only to extract a local tar archive.",
        aliases: &["DL3020"],
        frameworks: &[],
        references: &[
            hadolint("DL3020", "https://github.com/hadolint/hadolint/wiki/DL3020"),
            cis_docker("4.9"),
        ],
    },
    check,
};

/// Tar archives (possibly compressed) that `ADD` extracts.
const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst",
];

fn is_archive(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    let lower = lower.trim_end_matches('/');
    ARCHIVES.iter().any(|a| lower.ends_with(a))
}

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, instruction) in ctx.file.instructions.iter().enumerate() {
        let add = effective(instruction);
        if add.keyword != "ADD" {
            continue;
        }
        let local: Vec<String> = sources(add, ctx.file.escape)
            .into_iter()
            .filter(|s| {
                is_heredoc_source(s) || !(is_remote(s) || is_archive(s) || s.starts_with('$'))
            })
            .collect();
        if local.is_empty() {
            continue;
        }
        let what = if local.iter().all(|s| is_heredoc_source(s)) {
            "a heredoc"
        } else {
            "local files"
        };
        violations.push(Violation::at(
            index,
            format!(
                "ADD {} copies {what}: COPY fits, it neither downloads nor extracts",
                local.join(" ")
            ),
        ));
    }
    violations
}
