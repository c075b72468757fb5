//! The `vulnerability` rule: the registry entry every vulnerability finding points to (its
//! severity is each advisory's own).

use palisade_core::frameworks::nsa;
use palisade_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "vulnerability",
    name: "vulnerability",
    severity: Severity::Medium,
    category: "vulnerabilities",
    title: "A package in the image has a known vulnerability",
    doc: r#"Known vulnerabilities of the packages an image holds, from the OSV advisories in
palisade's database (`palisade db update`, `palisade db import`).

**What it finds.** Every cataloged package — distribution packages by their **source package
and source version** (Debian, Ubuntu, Alpine origins), language packages by name (PyPI names
normalised, npm, crates.io, Go modules and the Go toolchain as `stdlib`, Maven `group:artifact`)
— whose version falls in an advisory's affected ranges or versions, by that ecosystem's own
version ordering. Withdrawn advisories never match; advisories naming the same vulnerability
(aliases: CVE, GHSA, PYSEC, RUSTSEC, GO, …) are reported once per package. The severity is the
advisory's CVSS v4.0 or v3.x base score, else its database's severity word, else medium.

**Why it matters.** A known, published vulnerability is the first thing an attacker tries; the
fixed version is usually one upgrade away.

**Failing**: an image with `requests 2.19.0` (PyPI), affected by CVE-2018-18074.

**Passing**: the same image with `requests 2.32.3`."#,
    remediation: "Upgrade the package to the fixed version the finding names (rebuild the image on an updated base for distribution packages); where no fix exists, remove the package or accept the risk with an `[[ignore]]` entry and a reason.",
    aliases: &[],
    frameworks: &[],
    references: &[nsa("pod-secure-images"), palisade_core::mitre!("T1190")],
};
