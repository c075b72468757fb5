//! End-to-end tests of `palisade image`: a root filesystem written here, and the real images of
//! `../shared/fixtures/make-images.sh` when built (`.ci/run` builds and caches them).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn image(args: &[&str]) -> (Value, i32, String) {
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .arg("image")
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (
        report,
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_root_filesystem_is_cataloged() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("usr/lib")).unwrap();
    std::fs::create_dir_all(root.path().join("var/lib/dpkg")).unwrap();
    std::fs::write(
        root.path().join("usr/lib/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\n",
    )
    .unwrap();
    std::fs::write(
        root.path().join("var/lib/dpkg/status"),
        "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl (3.0.15-1~deb12u1)\nVersion: 3.0.15-1~deb12u1\n",
    )
    .unwrap();
    let (report, code, stderr) = image(&["--rootfs", root.path().to_str().unwrap(), "-f", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["image"]["os"]["versionId"], "12");
    let package = &report["packages"][0];
    assert_eq!(package["ecosystem"], "Debian:12");
    assert_eq!(package["sourceName"], "openssl");
    assert_eq!(package["path"], "/var/lib/dpkg/status");
    assert_eq!(package["layer"], Value::Null);
}

#[test]
fn unreadable_targets_are_errors() {
    let (_, code, stderr) = image(&["/nonexistent/image.tar"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/image.tar"), "{stderr}");
}

fn fixture_images() -> Option<PathBuf> {
    let work = std::env::var("SCRATCH").unwrap_or_else(|_| "/tmp/palisade-scratch".to_string());
    let images = Path::new(&work).join("images");
    // Complete only: a build that stopped half-way leaves some of these out.
    let complete = images.join("oci/index.json").is_file()
        && images.join("docker-archive/debian-app.tar").is_file();
    complete.then_some(images)
}

#[test]
fn real_images_from_layout_and_archive_agree() {
    let Some(images) = fixture_images() else {
        eprintln!("skipping: fixture images not built");
        return;
    };
    let layout = format!("{}:debian-app", images.join("oci").display());
    let (from_layout, code, stderr) = image(&[&layout, "-f", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let archive = images.join("docker-archive/debian-app.tar");
    let (from_archive, code, stderr) = image(&[archive.to_str().unwrap(), "-f", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let names = |report: &Value| -> Vec<String> {
        report["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{} {}", p["name"], p["version"]))
            .collect()
    };
    assert!(names(&from_layout).len() > 100);
    assert_eq!(names(&from_layout), names(&from_archive));
    assert_eq!(from_layout["image"]["layers"].as_array().unwrap().len(), 5);
    assert!(
        from_layout["image"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    // The fixture sets no User: the config rule reports it, in the scan's finding shape.
    let finding = from_layout["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "imageRootUser")
        .expect("the root user is reported");
    assert_eq!(finding["location"]["path"], "config.User");
    assert_eq!(finding["object"]["kind"], "Image");
    let ecosystems: std::collections::BTreeSet<&str> = from_layout["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["ecosystem"].as_str().unwrap())
        .collect();
    assert_eq!(
        ecosystems.into_iter().collect::<Vec<_>>(),
        vec!["Debian:12", "Go", "PyPI", "crates.io", "npm"]
    );
    // A Debian-based Python app: shells and apt are there, distroless python3 would do; the
    // distroless-like fixture has neither.
    let minimality = &from_layout["minimality"];
    assert!(minimality["osPackages"].as_u64().unwrap() > 100);
    assert!(minimality["size"].as_u64().unwrap() > 100_000_000);
    assert_eq!(minimality["largestPackages"].as_array().unwrap().len(), 5);
    assert!(
        minimality["shells"]
            .as_array()
            .unwrap()
            .contains(&Value::from("/usr/bin/dash"))
    );
    assert!(
        minimality["packageManagers"]
            .as_array()
            .unwrap()
            .contains(&Value::from("/usr/bin/apt-get"))
    );
    assert_eq!(
        minimality["minimalAlternative"],
        "gcr.io/distroless/python3-debian12"
    );
    let distroless = format!("{}:distroless-like", images.join("oci").display());
    let (minimal, code, _) = image(&[&distroless, "-f", "json"]);
    assert_eq!(code, 0);
    assert_eq!(minimal["minimality"]["shells"], serde_json::json!([]));
    assert!(
        !minimal["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "imageNotMinimal")
    );
    // The image runs as root (high): a CI gate at high fails, at critical passes.
    let (_, code, _) = image(&[&layout, "-f", "json", "--fail-on", "high"]);
    assert_eq!(code, 1);
    let (_, code, _) = image(&[&layout, "-f", "json", "--fail-on", "critical"]);
    assert_eq!(code, 0);
    let (sbom, code, _) = image(&[&layout, "-f", "cyclonedx"]);
    assert_eq!(code, 0);
    assert_eq!(sbom["specVersion"], "1.6");
    let (spdx, code, _) = image(&[&layout, "-f", "spdx"]);
    assert_eq!(code, 0);
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    assert_eq!(
        spdx["packages"].as_array().unwrap().len(),
        from_layout["packages"].as_array().unwrap().len() + 2,
        "the packages, the OS and the image"
    );
    assert_eq!(
        sbom["components"].as_array().unwrap().len(),
        from_layout["packages"].as_array().unwrap().len() + 1,
        "the packages and the OS"
    );
    let (_, code, stderr) = image(&[images.join("oci").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("holds several images"), "{stderr}");
}

/// The registry `.ci/run` starts on 127.0.0.1:5000 over the fixture images' storage: the
/// command pulls from it as the README shows, and finds what the OCI layout holds.
#[test]
fn the_fixture_registry_serves_the_same_image() {
    let Some(images) = fixture_images() else {
        eprintln!("skipping: fixture images not built");
        return;
    };
    if std::net::TcpStream::connect("127.0.0.1:5000").is_err() {
        eprintln!("skipping: no registry on 127.0.0.1:5000 (.ci/run starts one)");
        return;
    }
    let layout = format!("{}:debian-app", images.join("oci").display());
    let (from_layout, code, stderr) = image(&[&layout, "-f", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let (pulled, code, stderr) = image(&[
        "127.0.0.1:5000/fixtures/debian-app:latest",
        "--platform",
        "linux/amd64",
        "-f",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(pulled["packages"], from_layout["packages"]);
    assert_eq!(pulled["image"]["digest"], from_layout["image"]["digest"]);
    assert_eq!(
        pulled["image"]["reference"],
        "127.0.0.1:5000/fixtures/debian-app:latest"
    );
    let (_, code, stderr) = image(&["127.0.0.1:5000/fixtures/no-such-image:1"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such-image"), "{stderr}");
}

/// Image findings go through the same gate as `palisade scan`: palisade.toml rules and
/// `[[ignore]]` entries (kind `Image`, the reference as name), baselines, SARIF and JUnit.
#[test]
fn image_findings_take_config_suppressions_and_ci_formats() {
    let Some(images) = fixture_images() else {
        eprintln!("skipping: fixture images not built");
        return;
    };
    let layout = format!("{}:debian-app", images.join("oci").display());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("palisade.toml");
    std::fs::write(
        &config,
        "[[ignore]]\nrule = \"imageRootUser\"\nkind = \"Image\"\nname = \"*debian-app\"\nreason = \"the entrypoint drops privileges\"\n\n[rules.severity]\nimageSecretInLayer = \"low\"\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let (report, code, stderr) = image(&[
        &layout,
        "-f",
        "json",
        "--config",
        config,
        "--show-suppressed",
        "--fail-on",
        "high",
    ]);
    assert_eq!(code, 0, "the root user is accepted: {stderr}");
    let rules = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}", f["rule"], f["severity"]))
            .collect()
    };
    assert!(
        !rules("findings")
            .iter()
            .any(|r| r.contains("imageRootUser"))
    );
    assert!(
        rules("findings")
            .iter()
            .filter(|r| r.contains("imageSecretInLayer"))
            .all(|r| r.ends_with("\"low\"")),
        "{:?}",
        rules("findings")
    );
    assert_eq!(
        report["suppressed"][0]["suppression"]["justification"],
        "the entrypoint drops privileges"
    );

    let (sarif, code, _) = image(&[&layout, "-f", "sarif", "--config", config]);
    assert_eq!(code, 0);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let root = results
        .iter()
        .find(|r| r["ruleId"] == "imageRootUser")
        .expect("suppressed results stay in SARIF");
    assert_eq!(root["suppressions"][0]["kind"], "external");
    assert!(root["locations"][0]["physicalLocation"]["region"].is_null());

    let output = assert_cmd::Command::cargo_bin("palisade")
        .unwrap()
        .args(["image", &layout, "-f", "junit"])
        .output()
        .unwrap();
    let junit = String::from_utf8(output.stdout).unwrap();
    assert!(junit.contains("<testsuites"), "{junit}");
    assert!(junit.contains("imageRootUser"), "{junit}");

    // A baseline written now accepts the same findings next time.
    let baseline = dir.path().join("baseline.txt");
    let (_, code, _) = image(&[
        &layout,
        "-f",
        "json",
        "--write-baseline",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let (accepted, code, _) = image(&[
        &layout,
        "-f",
        "json",
        "--baseline",
        baseline.to_str().unwrap(),
        "--fail-on",
        "info",
    ]);
    assert_eq!(code, 0);
    assert_eq!(accepted["findings"].as_array().unwrap().len(), 0);
}

/// Whether a vulnerability finding is about `id` (its reported id or an alias).
fn names_vulnerability(finding: &Value, id: &str) -> bool {
    finding["advisory"]["id"] == id
        || finding["advisory"]["aliases"]
            .as_array()
            .is_some_and(|aliases| aliases.contains(&Value::from(id)))
}

/// Vulnerabilities of the fixture app image from the real advisories of `../shared/data/osv`
/// (plus a synthetic Debian-shaped one): the deliberately old language packages are found, the
/// packages whiteouts and opaque directories removed are not, and Debian packages are matched
/// by source package and version.
#[test]
fn the_app_image_vulnerabilities() {
    let Some(images) = fixture_images() else {
        eprintln!("skipping: fixture images not built");
        return;
    };
    let osv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/osv");
    if !osv.is_dir() {
        eprintln!("skipping: no {}", osv.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.sqlite");
    let synthetic =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-vulndb/tests/fixtures/debian");
    let imported = Command::cargo_bin("palisade")
        .unwrap()
        .args(["db", "--db", db.to_str().unwrap(), "import"])
        .arg(&osv)
        .arg(&synthetic)
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    let status = Command::cargo_bin("palisade")
        .unwrap()
        .args(["db", "--db", db.to_str().unwrap(), "status"])
        .output()
        .unwrap();
    let status_text = String::from_utf8(status.stdout).unwrap();
    assert!(status.status.success());
    assert!(status_text.contains("PyPI:"), "{status_text}");
    assert!(status_text.contains("last update:"), "{status_text}");
    let layout = format!("{}:debian-app", images.join("oci").display());
    let db_arg = db.to_str().unwrap();
    let (report, code, stderr) = image(&[&layout, "-f", "json", "--db", db_arg]);
    assert_eq!(code, 0, "{stderr}");
    let vulnerabilities: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "vulnerability")
        .collect();
    let affected: std::collections::BTreeSet<String> = vulnerabilities
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["package"]["name"].as_str().unwrap(),
                f["package"]["version"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "lodash 4.17.4",
        "requests 2.19.1",
        "urllib3 1.23",
        "Jinja2 2.10",
        "golang.org/x/net v0.7.0",
        "stdlib 1.19.8",
        "regex 1.5.4",
        "smallvec 1.6.0",
        "minimist 1.2.0",
    ] {
        assert!(
            affected.contains(expected),
            "{expected} missing from {affected:?}"
        );
    }
    // Removed by a whiteout (minimist 0.0.8) and hidden by an opaque directory (ms 0.7.0).
    assert!(!affected.contains("minimist 0.0.8"), "{affected:?}");
    assert!(
        !affected.iter().any(|p| p.starts_with("ms ")),
        "{affected:?}"
    );
    // bsdutils 1:2.38.1-5+deb12u3 is util-linux 2.38.1-5+deb12u3 for Debian's advisories.
    let bsdutils = vulnerabilities
        .iter()
        .find(|f| f["package"]["name"] == "bsdutils")
        .expect("bsdutils matched through util-linux");
    assert_eq!(bsdutils["package"]["sourceName"], "util-linux");
    // Reported under its one CVE, the synthetic advisory's id as an alias.
    assert_eq!(bsdutils["advisory"]["id"], "CVE-2099-0001");
    assert_eq!(bsdutils["advisory"]["aliases"][0], "PALISADE-TEST-0001");
    assert_eq!(bsdutils["fixedVersion"], "2.38.1-5+deb12u4");
    // CVE-2018-18074 in requests, fixed in 2.20.0, with its aliases.
    let requests_leak = vulnerabilities
        .iter()
        .find(|f| f["package"]["name"] == "requests" && names_vulnerability(f, "CVE-2018-18074"))
        .expect("CVE-2018-18074");
    assert_eq!(requests_leak["fixedVersion"], "2.20.0");

    // An OpenVEX statement accepts CVE-2018-18074 in requests, by its CVE alias and the
    // image's subcomponent purl: suppressed with the justification, not reported.
    let vex = dir.path().join("shop.vex.json");
    // The image product by digest, as VEX tools write it.
    let digest = report["image"]["digest"]
        .as_str()
        .unwrap()
        .replace(':', "%3A");
    std::fs::write(
        &vex,
        format!(
            r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
            "author": "platform", "timestamp": "2026-11-20T10:00:00Z", "version": 1,
            "statements": [{{"vulnerability": {{"name": "CVE-2018-18074"}},
              "products": [{{"@id": "pkg:oci/debian-app@{digest}", "subcomponents": [{{"@id": "pkg:pypi/requests@2.19.1"}}]}}],
              "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}}]}}"#
        ),
    )
    .unwrap();
    let (accepted, code, stderr) = image(&[
        &layout,
        "-f",
        "json",
        "--db",
        db_arg,
        "--vex",
        vex.to_str().unwrap(),
        "--show-suppressed",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mentions = |key: &str| {
        accepted[key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["package"]["name"] == "requests" && names_vulnerability(f, "CVE-2018-18074")
            })
            .cloned()
            .collect::<Vec<Value>>()
    };
    assert!(mentions("findings").is_empty());
    let suppressed = mentions("suppressed");
    assert_eq!(suppressed[0]["suppression"]["kind"], "vex");
    assert!(
        suppressed[0]["suppression"]["justification"]
            .as_str()
            .unwrap()
            .contains("vulnerable_code_not_in_execute_path")
    );
    // A palisade.toml entry accepts a vulnerability by alias and package, with its reason.
    let config = dir.path().join("palisade.toml");
    std::fs::write(
        &config,
        "[[ignore]]\nrule = \"vulnerability\"\nadvisory = \"CVE-2019-10906\"\npackage = \"Jinja2\"\nreason = \"templates are never user input\"\n",
    )
    .unwrap();
    let (ignored, code, stderr) = image(&[
        &layout,
        "-f",
        "json",
        "--db",
        db_arg,
        "--config",
        config.to_str().unwrap(),
        "--show-suppressed",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let jinja =
        |f: &&Value| f["package"]["name"] == "Jinja2" && names_vulnerability(f, "CVE-2019-10906");
    assert!(
        !ignored["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| jinja(&f))
    );
    let accepted_by_config: Vec<&Value> = ignored["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(jinja)
        .collect();
    assert_eq!(
        accepted_by_config[0]["suppression"]["justification"],
        "templates are never user input"
    );

    let broken = dir.path().join("broken.vex.json");
    std::fs::write(&broken, "{").unwrap();
    let (_, code, stderr) = image(&[&layout, "--db", db_arg, "--vex", broken.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("broken.vex.json"), "{stderr}");

    // --ignore-unfixed leaves out what has no fix; --fail-on gates on vulnerabilities too.
    let (unfixed, _, _) = image(&[&layout, "-f", "json", "--db", db_arg, "--ignore-unfixed"]);
    assert!(
        unfixed["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "vulnerability")
            .all(|f| !f["fixedVersion"].is_null())
    );
    let (_, code, _) = image(&[
        &layout,
        "-f",
        "json",
        "--db",
        db_arg,
        "--fail-on",
        "critical",
    ]);
    assert_eq!(code, 1, "a critical vulnerability fails the gate");

    // Without a database: a warning, not silence, and the rest of the report.
    let missing = dir.path().join("none.sqlite");
    let (report, code, _) = image(&[&layout, "-f", "json", "--db", missing.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("no vulnerability database"))
    );
}

#[test]
fn version_compare_prints_the_ordering() {
    let compare = |args: &[&str], stdin: &str| {
        let output = Command::cargo_bin("palisade")
            .unwrap()
            .args(["version", "compare"])
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap();
        (
            String::from_utf8(output.stdout).unwrap(),
            output.status.code().unwrap(),
        )
    };
    assert_eq!(
        compare(
            &[
                "--ecosystem",
                "Debian",
                "1:2.38.1-5+deb12u3",
                "2.38.1-5+deb12u1"
            ],
            ""
        ),
        (">\n".to_string(), 0)
    );
    assert_eq!(
        compare(
            &["--ecosystem", "PyPI", "--batch"],
            "1.0\t1.0.0\n1.0rc1\t1.0\n2.0.post1\t2.0\n"
        ),
        ("0\n-1\n1\n".to_string(), 0)
    );
    let (_, code) = compare(&["--ecosystem", "Nope", "1", "2"], "");
    assert_eq!(code, 2);
}

/// `palisade scan --kube-version` reports the control plane's advisories from the same
/// database: Kubernetes 1.27.3 has GO-2023-2341 (CVE-2023-5528, fixed in 1.27.8); 1.31.0
/// does not.
#[test]
fn kubernetes_release_vulnerabilities() {
    let osv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/osv/go");
    if !osv.is_dir() {
        eprintln!("skipping: no {}", osv.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.sqlite");
    let imported = Command::cargo_bin("palisade")
        .unwrap()
        .args(["db", "--db", db.to_str().unwrap(), "import"])
        .arg(&osv)
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/manifests");
    let scan = |version: &str| -> Value {
        let output = Command::cargo_bin("palisade")
            .unwrap()
            .arg("scan")
            .arg(&examples)
            .args([
                "--kube-version",
                version,
                "--db",
                db.to_str().unwrap(),
                "-f",
                "json",
            ])
            .output()
            .unwrap();
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let old = scan("1.27.3");
    let cve = old["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == "vulnerability" && f["message"].as_str().unwrap().contains("GO-2023-2341")
        })
        .expect("GO-2023-2341");
    assert_eq!(cve["object"]["kind"], "Cluster");
    assert!(cve["message"].as_str().unwrap().contains("fixed in 1.27.8"));
    let new = scan("v1.31.0");
    assert!(
        !new["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("GO-2023-2341"))
    );
    let bad = Command::cargo_bin("palisade")
        .unwrap()
        .args(["scan", "--kube-version", "1.x"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
