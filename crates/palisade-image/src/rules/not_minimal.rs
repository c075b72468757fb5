use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

use super::{CATEGORY, ImageFacts, Rule, Violation};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "imageNotMinimal",
        name: "image-not-minimal",
        severity: Severity::Low,
        category: CATEGORY,
        title: "The runtime image ships a shell or a package manager",
        doc: r#"A runtime image needs the application and its libraries, nothing to log in with or
install from.

**What it finds.** Shells (`sh`, `bash`, `dash`, `ash`, `zsh`, `busybox`, …) and OS package
managers (`apt`, `apt-get`, `dpkg`, `apk`, `dnf`, `yum`, `microdnf`, `rpm`, `zypper`, …) as
regular files in `/bin`, `/usr/bin`, `/sbin`, `/usr/sbin` or `/usr/local/bin` of the flattened
image. The finding names the distroless or minimal base that would run the same workload
(chosen by the distribution and the language packages found: `python3`, `java17`, `nodejs20`,
`cc`, `static` or `base` from `gcr.io/distroless`, `ubi-micro` for Red Hat bases), and the
report's minimality summary lists the package count, size and largest packages.

**Why it matters.** After a remote code execution, a shell and a package manager are how an
attacker looks around, downloads tools and persists; without them, most exploit chains stop.
Every extra package is also more code to patch: smaller images carry fewer vulnerabilities.

**Failing**: a `python:3.12` or `debian:12` based image (`/usr/bin/dash`, `/usr/bin/apt`).

**Passing**: the same application on `gcr.io/distroless/python3-debian12`, or any image built
`FROM scratch` with only the binary."#,
        remediation: "Build in one stage and copy the result into a distroless or scratch base in a final stage (multi-stage build); debug with `kubectl debug` ephemeral containers instead of a shell in the image.",
        aliases: &[],
        frameworks: &[],
        references: &[nsa("pod-secure-images"), palisade_core::mitre!("T1609")],
    },
    check,
};

fn check(facts: &ImageFacts<'_>) -> Vec<Violation> {
    let minimality = facts.minimality;
    if minimality.is_minimal() {
        return Vec::new();
    }
    let mut parts = Vec::new();
    if !minimality.shells.is_empty() {
        parts.push(format!("shells ({})", minimality.shells.join(", ")));
    }
    if !minimality.package_managers.is_empty() {
        parts.push(format!(
            "package managers ({})",
            minimality.package_managers.join(", ")
        ));
    }
    let advice = match &minimality.minimal_alternative {
        Some(base) => format!("; a minimal base for it: {base}"),
        None => String::new(),
    };
    vec![Violation {
        path: "rootfs".to_string(),
        message: format!(
            "the image ships {} among its {} OS packages{advice}",
            parts.join(" and "),
            minimality.os_packages
        ),
        severity: None,
    }]
}
