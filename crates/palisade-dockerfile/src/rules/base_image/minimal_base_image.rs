use palisade_core::frameworks::nsa;
use palisade_core::image::ImageRef;
use palisade_core::{RuleMeta, Severity};

use super::CATEGORY;
use crate::rules::{Context, Rule, Violation, cis_docker};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "minimalBaseImage",
        name: "minimal-base-image",
        severity: Severity::Info,
        category: CATEGORY,
        title: "The image is built on a full distribution where a minimal base exists",
        doc: r#"The shipped image should start from the smallest base that runs it.

**What it finds.** The base of the final stage (followed through `FROM <stage>`) is a full
distribution image for which a minimal variant exists, judged by the repository's last path
component (so mirrors such as `registry.corp.example/mirror/debian` count) and its tag:
- `ubuntu`, `centos`, `fedora` — any tag;
- `debian` — tags that are not `-slim`;
- `amazonlinux` — tags that are not `-minimal`;
- `python`, `node`, `ruby`, `openjdk`, `golang` — tags (or no tag) that are neither `-slim`
  nor `-alpine` (Windows variants are not judged).

Build stages are not reported: only the final stage ships. Digest-only references, whose
variant cannot be read, are not reported.

**Why it matters.** A full image carries a shell, a package manager, compilers, headers and
hundreds of libraries the application never uses: each one is attack surface for whoever gets
code execution, and a stream of vulnerability reports to triage. Slim, Alpine and distroless
bases (or `scratch` for a static binary) cut the image to what runs.

**Failing**
```dockerfile
FROM golang:1.22 AS build
RUN CGO_ENABLED=0 go build -o /out/app .
FROM python:3.12
COPY --from=build /out/app /usr/local/bin/app
```

**Passing**
```dockerfile
FROM golang:1.22 AS build
RUN CGO_ENABLED=0 go build -o /out/app .
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
```"#,
        remediation: "Build in a full image if needed, then ship a minimal one: a `-slim` or `-alpine` tag of the same image, a distroless image (`gcr.io/distroless/base-debian12`, `…/python3-debian12`, `…/nodejs22-debian12`, `…/java21-debian12`), or `scratch` for a static binary — copying only the artifacts with `COPY --from=build`.",
        aliases: &[],
        frameworks: &[],
        references: &[cis_docker("4.3"), nsa("pod-secure-images")],
    },
    check,
};

/// A full image family: its repository name, how it is called, which tags are its minimal
/// variants, and what to use instead.
struct Family {
    repository: &'static str,
    name: &'static str,
    minimal: fn(&str) -> bool,
    suggestion: &'static str,
}

/// Whether a tag is a `-slim` or `-alpine` variant (`3.12-slim-bookworm`, `22-alpine3.20`).
fn slim_or_alpine(tag: &str) -> bool {
    tag.split('-')
        .any(|part| part == "slim" || part.starts_with("alpine"))
}

/// Windows variants have minimal counterparts of their own (`nanoserver`); not judged.
fn windows(tag: &str) -> bool {
    tag.split('-')
        .any(|part| part.starts_with("windowsservercore") || part.starts_with("nanoserver"))
}

const FAMILIES: &[Family] = &[
    Family {
        repository: "ubuntu",
        name: "Ubuntu",
        minimal: |_| false,
        suggestion: "gcr.io/distroless/base-debian12 (or -cc), debian:<release>-slim, alpine, or scratch for a static binary",
    },
    Family {
        repository: "debian",
        name: "Debian",
        minimal: |tag| tag.split('-').any(|part| part == "slim"),
        suggestion: "debian:<release>-slim, gcr.io/distroless/base-debian12 (or -cc), or scratch for a static binary",
    },
    Family {
        repository: "centos",
        name: "CentOS",
        minimal: |_| false,
        suggestion: "registry.access.redhat.com/ubi9/ubi-minimal or ubi9/ubi-micro, gcr.io/distroless/base-debian12, or scratch for a static binary",
    },
    Family {
        repository: "fedora",
        name: "Fedora",
        minimal: |_| false,
        suggestion: "registry.fedoraproject.org/fedora-minimal, gcr.io/distroless/base-debian12, or scratch for a static binary",
    },
    Family {
        repository: "amazonlinux",
        name: "Amazon Linux",
        minimal: |tag| tag.split('-').any(|part| part == "minimal"),
        suggestion: "amazonlinux:<version>-minimal, gcr.io/distroless/base-debian12, or scratch for a static binary",
    },
    Family {
        repository: "python",
        name: "Python (Debian with build tools)",
        minimal: slim_or_alpine,
        suggestion: "python:<version>-slim, python:<version>-alpine, or gcr.io/distroless/python3-debian12",
    },
    Family {
        repository: "node",
        name: "Node.js (Debian with build tools)",
        minimal: slim_or_alpine,
        suggestion: "node:<version>-slim, node:<version>-alpine, or gcr.io/distroless/nodejs22-debian12",
    },
    Family {
        repository: "ruby",
        name: "Ruby (Debian with build tools)",
        minimal: slim_or_alpine,
        suggestion: "ruby:<version>-slim or ruby:<version>-alpine",
    },
    Family {
        repository: "openjdk",
        name: "OpenJDK (full JDK on a distribution)",
        minimal: slim_or_alpine,
        suggestion: "openjdk:<version>-slim, a JRE-only image (eclipse-temurin:<version>-jre-alpine), or gcr.io/distroless/java21-debian12",
    },
    Family {
        repository: "golang",
        name: "Go toolchain (Debian with build tools)",
        minimal: slim_or_alpine,
        suggestion: "scratch or gcr.io/distroless/static-debian12 for the static binary (golang:<version>-alpine if the toolchain must ship)",
    },
];

fn check(ctx: &Context<'_>) -> Vec<Violation> {
    let Some(last) = ctx.final_stage() else {
        return Vec::new();
    };
    // Follow `FROM <stage>` to the stage that names an image.
    let mut root = last;
    let mut hops = 0;
    while let Some(base) = root.base_stage.filter(|b| *b < ctx.stages.len()) {
        root = &ctx.stages[base];
        hops += 1;
        if hops > ctx.stages.len() {
            return Vec::new();
        }
    }
    let base = root.resolved_base.as_str();
    if base.contains('$') {
        return Vec::new();
    }
    let Ok(image) = ImageRef::parse(base) else {
        return Vec::new();
    };
    let tag = match (&image.tag, &image.digest) {
        (Some(tag), _) => tag.as_str(),
        (None, Some(_)) => return Vec::new(),
        (None, None) => "latest",
    };
    let repository = image.repository.rsplit('/').next().unwrap_or("");
    let Some(family) = FAMILIES.iter().find(|f| f.repository == repository) else {
        return Vec::new();
    };
    if (family.minimal)(tag) || windows(tag) {
        return Vec::new();
    }
    vec![Violation::at(
        ctx.index_of(root.from),
        format!(
            "the final stage is built on {base:?}, a full {} image: use a minimal base such as {}",
            family.name, family.suggestion
        ),
    )]
}
