//! Reading OCI layouts and flattening their layers, on layouts written here byte by byte (real
//! tar, gzip and zstd streams, real sha256 digests): whiteouts, opaque directories, hard links,
//! paths that climb out, tampered blobs, decompression bombs. The images built with debootstrap
//! by `../shared/fixtures/make-images.sh` are checked too when present.

mod common;

use std::io::Write;
use std::path::Path;

use common::fixture_images;
use palisade_image::flatten::Limits;
use palisade_image::{flatten, open};
use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A tar stream of regular files `(path, content)`, names written raw.
fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        // Raw names, so that `../` escapes can be written at all.
        let name = header.as_old_mut().name.as_mut();
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_cksum();
        builder.append(&header, *content).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Writes an OCI layout with one image (tag `t`) of these layer blobs.
fn layout(dir: &Path, layers: &[Vec<u8>]) {
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    let blob = |bytes: &[u8]| {
        let digest = hex(bytes);
        std::fs::write(dir.join("blobs/sha256").join(&digest), bytes).unwrap();
        (format!("sha256:{digest}"), bytes.len())
    };
    let (config, config_size) = blob(br#"{"config":{"User":""},"rootfs":{"type":"layers"}}"#);
    let layer_descriptors: Vec<serde_json::Value> = layers
        .iter()
        .map(|l| {
            let (digest, size) = blob(l);
            serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": size})
        })
        .collect();
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": config_size},
        "layers": layer_descriptors,
    });
    let (manifest_digest, manifest_size) = blob(manifest.to_string().as_bytes());
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest_size,
                       "annotations": {"org.opencontainers.image.ref.name": "t"}}],
    });
    std::fs::write(dir.join("index.json"), index.to_string()).unwrap();
}

#[test]
fn whiteouts_opaque_directories_and_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let base = gzip(&tar_of(&[
        ("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
        ("etc/secret.env", b"TOKEN=x\n"),
        ("opt/app/old.txt", b"old"),
        ("opt/app/keep/inner.txt", b"inner"),
    ]));
    let top = zstd::encode_all(
        &tar_of(&[
            ("etc/.wh.secret.env", b""),
            ("opt/app/.wh..wh..opq", b""),
            ("opt/app/new.txt", b"new"),
            ("../../escape.txt", b"x"),
        ])[..],
        1,
    )
    .unwrap();
    layout(dir.path(), &[base, top]);
    let image = open(&format!("{}:t", dir.path().display())).unwrap();
    assert_eq!(image.layers.len(), 2);
    let flat = flatten(&image, &|_| true, Limits::default()).unwrap();
    let paths: Vec<&str> = flat.files.keys().map(String::as_str).collect();
    assert_eq!(paths, vec!["etc/os-release", "opt/app/new.txt"]);
    assert_eq!(flat.files["opt/app/new.txt"].layer, 1);
    assert_eq!(flat.warnings.len(), 1, "{:?}", flat.warnings);
    assert!(flat.warnings[0].contains("climbs out"));
}

/// A symlink, directory or hard link in an upper layer replaces what a lower layer had at its
/// path, as overlayfs shows it: the lower file (or the whole lower directory) is gone.
#[test]
fn non_regular_entries_replace_lower_files() {
    let dir = tempfile::tempdir().unwrap();
    let base = gzip(&tar_of(&[
        ("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
        ("var/lib/rpm/Packages", b"old database"),
        ("opt/app/config", b"a file that becomes a directory"),
        ("opt/app/bin", &[0u8; 10]),
    ]));
    let mut builder = tar::Builder::new(Vec::new());
    let mut link = |path: &str, target: &str, kind: tar::EntryType| {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(0);
        header.set_mode(0o755);
        header.set_cksum();
        builder.append_link(&mut header, path, target).unwrap();
    };
    link(
        "etc/os-release",
        "../usr/lib/os-release",
        tar::EntryType::Symlink,
    );
    link(
        "var/lib/rpm",
        "../../usr/lib/sysimage/rpm",
        tar::EntryType::Symlink,
    );
    link("opt/app/bin-link", "opt/app/bin", tar::EntryType::Link);
    let mut directory = tar::Header::new_gnu();
    directory.set_entry_type(tar::EntryType::Directory);
    directory.set_size(0);
    directory.set_mode(0o755);
    directory.set_cksum();
    builder
        .append_data(&mut directory, "opt/app/config", std::io::empty())
        .unwrap();
    let top = gzip(&builder.into_inner().unwrap());
    layout(dir.path(), &[base, top]);
    let image = open(&format!("{}:t", dir.path().display())).unwrap();
    let flat = flatten(&image, &|_| true, Limits::default()).unwrap();
    let files: Vec<&str> = flat.files.keys().map(String::as_str).collect();
    assert_eq!(files, ["opt/app/bin", "opt/app/bin-link"]);
    let present: Vec<&str> = flat.present.keys().map(String::as_str).collect();
    assert_eq!(present, ["opt/app/bin", "opt/app/bin-link"]);
    assert_eq!(flat.present["opt/app/bin-link"].size, 10);
}

/// An OCI archive is an image layout in a tarball (what `skopeo copy … oci-archive:` and
/// `docker save` since 25 write): read in place, like a layout directory.
#[test]
fn oci_archives_read_like_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let layer = gzip(&tar_of(&[(
        "etc/os-release",
        b"ID=alpine\nVERSION_ID=3.20.1\n",
    )]));
    layout(&dir.path().join("layout"), &[layer]);
    let archive = dir.path().join("image.oci.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&archive).unwrap());
    builder
        .append_dir_all(".", dir.path().join("layout"))
        .unwrap();
    builder.finish().unwrap();
    drop(builder);
    let from_dir = open(&format!("{}:t", dir.path().join("layout").display())).unwrap();
    let from_archive = open(archive.to_str().unwrap()).unwrap();
    assert_eq!(from_archive.manifest_digest, from_dir.manifest_digest);
    assert_eq!(from_archive.layers.len(), 1);
    let flat = flatten(&from_archive, &|_| true, Limits::default()).unwrap();
    assert_eq!(
        flat.files["etc/os-release"].content,
        b"ID=alpine\nVERSION_ID=3.20.1\n"
    );
    // A tarball that is neither kind says so.
    let junk = dir.path().join("junk.tar");
    std::fs::write(&junk, b"not a tar at all").unwrap();
    let error = open(junk.to_str().unwrap()).unwrap_err().to_string();
    assert!(error.contains("junk.tar"), "{error}");
}

#[test]
fn tampered_blobs_bombs_and_unknown_tags_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let layer = gzip(&tar_of(&[("a.txt", &[b'a'; 4096])]));
    layout(dir.path(), std::slice::from_ref(&layer));
    assert!(
        open(&format!("{}:nope", dir.path().display()))
            .unwrap_err()
            .to_string()
            .contains("no tag \"nope\"")
    );
    let image = open(&format!("{}:t", dir.path().display())).unwrap();
    let bomb = Limits {
        max_file: 1 << 20,
        max_total: 1000,
    };
    assert!(
        flatten(&image, &|_| true, bomb)
            .unwrap_err()
            .to_string()
            .contains("decompression bomb")
    );
    // Flip a byte of the layer blob: the digest no longer matches.
    let path = dir.path().join("blobs/sha256").join(hex(&layer));
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    let error = flatten(&image, &|_| true, Limits::default())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("corrupted or tampered") || error.contains("layer 0"),
        "{error}"
    );
}

fn selects(path: &str) -> bool {
    palisade_image::catalog::dpkg::selects(path)
        || palisade_image::catalog::os_release::PATHS.contains(&path)
}

/// `name version` of the dpkg packages of a flattened image, sorted.
fn dpkg_catalog(flat: &palisade_image::Flattened) -> Vec<String> {
    // /etc/os-release is a symlink to ../usr/lib/os-release on Debian: the first regular one.
    let os = palisade_image::catalog::os_release::PATHS
        .iter()
        .find_map(|p| flat.files.get(*p))
        .map(|f| {
            palisade_image::catalog::os_release::parse(std::str::from_utf8(&f.content).unwrap())
        })
        .unwrap_or_default();
    let mut names: Vec<String> = flat
        .files
        .iter()
        .filter(|(path, _)| palisade_image::catalog::dpkg::selects(path))
        .flat_map(|(path, file)| {
            palisade_image::catalog::dpkg::parse(
                std::str::from_utf8(&file.content).unwrap(),
                path,
                file.layer,
                &os,
            )
        })
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    names.sort();
    names
}

/// What dpkg itself says is installed in an unpacked rootfs (`status.d` read as dpkg would).
fn dpkg_query(rootfs: &Path) -> Vec<String> {
    let admin = rootfs.join("var/lib/dpkg");
    let mut listed: Vec<String> = if admin.join("status").is_file() {
        let output = std::process::Command::new("dpkg-query")
            .args([
                "--admindir",
                admin.to_str().unwrap(),
                "-W",
                "-f",
                "${Package} ${Version} ${db:Status-Status}\n",
            ])
            .output()
            .unwrap();
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .filter(|l| l.ends_with(" installed"))
            .map(|l| l.trim_end_matches(" installed").to_string())
            .collect()
    } else {
        // distroless: one control paragraph per file; the fields are what dpkg would read.
        std::fs::read_dir(admin.join("status.d"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.to_string_lossy().ends_with(".md5sums"))
            .map(|p| {
                let text = std::fs::read_to_string(p).unwrap();
                let field = |k: &str| {
                    text.lines()
                        .find_map(|l| l.strip_prefix(k))
                        .unwrap()
                        .trim()
                        .to_string()
                };
                format!("{} {}", field("Package:"), field("Version:"))
            })
            .collect()
    };
    listed.sort();
    listed
}

/// The real images of `../shared/fixtures/make-images.sh` (debootstrap'd Debian 12; an app image
/// with whiteout and opaque layers; a distroless-style image), when built (cached outside the
/// repo): the dpkg catalog equals what dpkg lists in each image's unpacked rootfs, from the OCI
/// layout and from the `docker save` archive alike.
#[test]
fn real_images_catalog_matches_dpkg() {
    let Some(images) = fixture_images() else {
        return;
    };
    for tag in ["debian-base", "debian-app", "distroless-like"] {
        let image = open(&format!("{}:{tag}", images.join("oci").display())).unwrap();
        let flat = flatten(&image, &selects, Limits::default()).unwrap();
        let expected = dpkg_query(&images.join("rootfs").join(tag).join("rootfs"));
        assert!(expected.len() > 5, "{tag}: {}", expected.len());
        assert_eq!(dpkg_catalog(&flat), expected, "{tag}");
        let archive = images.join("docker-archive").join(format!("{tag}.tar"));
        let saved = open(archive.to_str().unwrap()).unwrap();
        let from_archive = flatten(&saved, &selects, Limits::default()).unwrap();
        assert_eq!(
            dpkg_catalog(&from_archive),
            expected,
            "{tag} (docker archive)"
        );
    }
}

/// Python distributions and npm packages of the fixture app image against the ecosystems' own
/// tools run on its unpacked rootfs: Python's `importlib.metadata` and `npm ls`.
#[test]
fn real_app_image_python_and_npm_match_their_tools() {
    let Some(images) = fixture_images() else {
        return;
    };
    let image = open(&format!("{}:debian-app", images.join("oci").display())).unwrap();
    let flat = flatten(&image, &palisade_image::catalog::selects, Limits::default()).unwrap();
    let packages = palisade_image::catalog::catalog(&flat.files).packages;
    let listed = |ecosystem: &str| -> Vec<String> {
        let mut names: Vec<String> = packages
            .iter()
            .filter(|p| p.ecosystem == ecosystem)
            .map(|p| format!("{} {}", p.name, p.version))
            .collect();
        names.sort();
        names
    };
    let rootfs = images.join("rootfs/debian-app/rootfs");
    let python = std::process::Command::new("python3")
        .current_dir(&rootfs)
        .args([
            "-c",
            "import importlib.metadata as m, glob\npaths = glob.glob('opt/venv/lib/python3*/site-packages') + glob.glob('usr/lib/python3/dist-packages') + glob.glob('usr/local/lib/python3*/dist-packages')\nfor d in sorted(m.distributions(path=paths), key=lambda d: d.metadata['Name']): print(d.metadata['Name'], d.version)",
        ])
        .output()
        .unwrap();
    let mut expected: Vec<String> = String::from_utf8(python.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    expected.sort();
    assert!(expected.len() >= 5, "{expected:?}");
    assert_eq!(listed("PyPI"), expected);

    let npm = std::process::Command::new("npm")
        .args(["ls", "--all", "--json", "--prefix"])
        .arg(rootfs.join("opt/app"))
        .output();
    if let Some(npm) = npm.ok().filter(|o| !o.stdout.is_empty()) {
        let tree: serde_json::Value = serde_json::from_slice(&npm.stdout).unwrap();
        let mut expected = Vec::new();
        fn walk(node: &serde_json::Value, out: &mut Vec<String>) {
            for (name, dep) in node["dependencies"].as_object().into_iter().flatten() {
                out.push(format!("{name} {}", dep["version"].as_str().unwrap_or("")));
                walk(dep, out);
            }
        }
        walk(&tree, &mut expected);
        expected.sort();
        expected.dedup();
        assert!(!expected.is_empty());
        assert_eq!(listed("npm"), expected);
    }
}

/// A secret a later layer deletes is still found, with the layer that added it, redacted.
#[test]
fn secrets_in_deleted_files_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let added = gzip(&tar_of(&[
        ("opt/app/.env", b"DB_PASSWORD=Winter2026!db\n"),
        ("opt/app/main.py", b"print('hello')\n"),
        (
            "usr/share/doc/x/example.pem",
            b"not looked at: installed software\n",
        ),
    ]));
    let removed = gzip(&tar_of(&[("opt/app/.wh..env", b"")]));
    layout(dir.path(), &[added, removed]);
    let image = open(&format!("{}:t", dir.path().display())).unwrap();
    let mut found = Vec::new();
    let mut inspect = |layer: usize, file: &palisade_image::FileMeta<'_>, content: &[u8]| {
        found.extend(palisade_image::layer_secrets::inspect(
            layer, file.path, content,
        ));
    };
    let inspector = palisade_image::Inspector {
        wants: &|file| palisade_image::layer_secrets::wants(file.path, file.size),
        inspect: &mut inspect,
    };
    let flat = palisade_image::flatten_inspecting(
        &image,
        &|_| true,
        Limits::default(),
        Some(inspector),
        None,
    )
    .unwrap();
    assert!(
        !flat.files.contains_key("opt/app/.env"),
        "deleted from the filesystem"
    );
    let layers: Vec<String> = image.layers.iter().map(|l| l.digest.clone()).collect();
    let facts = palisade_image::rules::ImageFacts {
        config: &image.config,
        layers: &layers,
        layer_secrets: &found,
        minimality: &Default::default(),
    };
    let findings = palisade_image::rules::check("t", &facts, &|r| r.id == "imageSecretInLayer");
    assert_eq!(findings.len(), 1);
    assert_eq!(&*findings[0].location.path, "layers[0]/opt/app/.env");
    assert!(findings[0].message.contains("DB_PASSWORD"));
    assert!(!findings[0].message.contains("Winter2026"));
}

/// Go modules and Rust crates compiled into the fixture app image's binaries against the
/// toolchains' own readers: `go version -m` and the `.dep-v0` section dumped by binutils'
/// `objcopy` (zlib JSON, decoded by Python).
#[test]
fn real_app_image_binaries_match_go_and_cargo_auditable() {
    let Some(images) = fixture_images() else {
        return;
    };
    let image = open(&format!("{}:debian-app", images.join("oci").display())).unwrap();
    let analysis = palisade_image::analyze(&image, None).unwrap();
    let of = |ecosystem: &str, binary: &str| -> Vec<String> {
        let mut found: Vec<String> = analysis
            .packages
            .iter()
            .filter(|p| p.ecosystem == ecosystem && p.path == format!("/usr/local/bin/{binary}"))
            .map(|p| format!("{} {}", p.name, p.version))
            .collect();
        found.sort();
        found
    };
    let bin = images.join("rootfs/debian-app/rootfs/usr/local/bin");
    if let Ok(go) = std::process::Command::new("go")
        .arg("version")
        .arg("-m")
        .arg(bin.join("htmltitle"))
        .output()
    {
        let text = String::from_utf8(go.stdout).unwrap();
        let mut expected: Vec<String> = text
            .lines()
            .filter_map(|l| {
                let fields: Vec<&str> = l.trim().split('\t').collect();
                match fields.as_slice() {
                    ["dep", module, version, ..] => Some(format!("{module} {version}")),
                    _ => None,
                }
            })
            .collect();
        let toolchain = text
            .lines()
            .next()
            .and_then(|l| l.rsplit(" go").next())
            .unwrap();
        expected.push(format!("stdlib {toolchain}"));
        expected.sort();
        assert_eq!(of("Go", "htmltitle"), expected);
    }
    let dump = std::env::temp_dir().join(format!("dep-v0-{}", std::process::id()));
    let objcopy = std::process::Command::new("objcopy")
        .arg("--dump-section")
        .arg(format!(".dep-v0={}", dump.display()))
        .arg(bin.join("fixture-rustbin"))
        .arg(std::env::temp_dir().join(format!("stripped-{}", std::process::id())))
        .status();
    if objcopy.is_ok_and(|s| s.success()) {
        let listed = std::process::Command::new("python3")
            .arg("-c")
            .arg("import json, sys, zlib\nfor p in json.loads(zlib.decompress(open(sys.argv[1], 'rb').read()))['packages']:\n    if p.get('source') == 'crates.io': print(p['name'], p['version'])")
            .arg(&dump)
            .output()
            .unwrap();
        let mut expected: Vec<String> = String::from_utf8(listed.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        expected.sort();
        assert!(
            expected.iter().any(|c| c == "smallvec 1.6.0"),
            "{expected:?}"
        );
        assert_eq!(of("crates.io", "fixture-rustbin"), expected);
    }
}

/// What inspectors find in a Java archive counts only while the archive is in the image, as
/// the layer that last wrote it; lockfiles are cataloged from the flattened image.
#[test]
fn java_archives_and_lockfiles_in_layers() {
    let fixture = |path: &str| {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(path),
        )
        .unwrap()
    };
    let (plain, shaded, file_named) = (
        fixture("java/maven3-builder-support.jar"),
        fixture("java/maven3-slf4j-provider.jar"),
        fixture("java/aopalliance-1.0.jar"),
    );
    let dir = tempfile::tempdir().unwrap();
    let base = gzip(&tar_of(&[
        ("opt/app/lib/removed.jar", &plain),
        ("opt/app/lib/replaced.jar", &plain),
        ("opt/app/lib/aopalliance-1.0.jar", &file_named),
    ]));
    let cargo_lock = fixture("lockfiles/cargo/Cargo.lock");
    let update = gzip(&tar_of(&[
        ("opt/app/lib/.wh.removed.jar", b""),
        ("opt/app/lib/replaced.jar", &shaded),
        ("usr/src/app/Cargo.lock", &cargo_lock),
    ]));
    layout(dir.path(), &[base, update]);
    let image = open(&format!("{}:t", dir.path().display())).unwrap();
    let analysis = palisade_image::analyze(&image, None).unwrap();
    let found: Vec<String> = analysis
        .packages
        .iter()
        .map(|p| format!("{}@{} {} layer {}", p.name, p.version, p.path, p.layer))
        .collect();
    assert_eq!(
        found,
        vec![
            "aopalliance@1.0 /opt/app/lib/aopalliance-1.0.jar layer 0",
            "org.apache.maven:maven-slf4j-provider@3.8.7 /opt/app/lib/replaced.jar layer 1",
            "org.slf4j:slf4j-simple@1.7.32 /opt/app/lib/replaced.jar layer 1",
            "itoa@0.4.8 /usr/src/app/Cargo.lock layer 1",
            "itoa@1.0.11 /usr/src/app/Cargo.lock layer 1",
            "semver@1.0.23 /usr/src/app/Cargo.lock layer 1",
            "smallvec@1.13.2 /usr/src/app/Cargo.lock layer 1",
        ]
    );
}

/// A `docker save` archive written the legacy way (`<id>/layer.tar`, `<hex>.json` config): its
/// layers are verified against the config's diff_ids, an image is chosen by tag when there are
/// several, and a compressed tarball is refused with advice.
#[test]
fn legacy_docker_archives_are_verified_and_tags_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let layer = tar_of(&[("etc/os-release", b"ID=alpine\nVERSION_ID=3.20.1\n")]);
    let write_archive = |path: &Path, layer: &[u8]| {
        let config = serde_json::json!({
            "config": {"User": "1000"},
            "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{}", hex(&tar_of(&[("etc/os-release", b"ID=alpine\nVERSION_ID=3.20.1\n")])))]},
        })
        .to_string();
        let config_name = format!("{}.json", hex(config.as_bytes()));
        let manifest = serde_json::json!([
            {"Config": config_name, "RepoTags": ["shop/api:1.4"], "Layers": ["0123abcd/layer.tar"]},
            {"Config": config_name, "RepoTags": ["shop/web:2.0"], "Layers": ["0123abcd/layer.tar"]},
        ])
        .to_string();
        let mut builder = tar::Builder::new(std::fs::File::create(path).unwrap());
        for (name, content) in [
            ("manifest.json", manifest.as_bytes()),
            (config_name.as_str(), config.as_bytes()),
            ("0123abcd/layer.tar", layer),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, content).unwrap();
        }
        builder.finish().unwrap();
    };
    let archive = dir.path().join("images.tar");
    write_archive(&archive, &layer);
    let several = open(archive.to_str().unwrap()).unwrap_err().to_string();
    assert!(
        several.contains("2 images") && several.contains("shop/web:2.0"),
        "{several}"
    );
    let image = open(&format!("{}:2.0", archive.display())).unwrap();
    assert_eq!(image.reference, "shop/web:2.0");
    assert_eq!(image.layers[0].digest, format!("sha256:{}", hex(&layer)));
    flatten(&image, &|_| true, Limits::default()).unwrap();

    // The same archive with one byte of the layer changed: the diff_id no longer matches.
    let mut tampered = layer.clone();
    tampered[600] ^= 1;
    let tampered_archive = dir.path().join("tampered.tar");
    write_archive(&tampered_archive, &tampered);
    let image = open(&format!("{}:shop/api:1.4", tampered_archive.display())).unwrap();
    let error = flatten(&image, &|_| true, Limits::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("tampered"), "{error}");

    let compressed = dir.path().join("images.tar.gz");
    std::fs::write(&compressed, gzip(&std::fs::read(&archive).unwrap())).unwrap();
    let error = open(compressed.to_str().unwrap()).unwrap_err().to_string();
    assert!(error.contains("decompress it first"), "{error}");
}

/// A layout whose manifest gives a layer the wrong size: the layer is refused, whatever its
/// digest says.
#[test]
fn a_layer_longer_than_its_descriptor_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let layer = gzip(&tar_of(&[("a.txt", b"a")]));
    layout(dir.path(), std::slice::from_ref(&layer));
    // Rewrite the manifest with a smaller size for the layer (and fix up its digest).
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
    let manifest_digest = index["manifests"][0]["digest"].as_str().unwrap();
    let manifest_path = dir
        .path()
        .join("blobs/sha256")
        .join(manifest_digest.trim_start_matches("sha256:"));
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["layers"][0]["size"] = serde_json::json!(layer.len() - 10);
    let bytes = manifest.to_string();
    let new_digest = hex(bytes.as_bytes());
    std::fs::write(dir.path().join("blobs/sha256").join(&new_digest), &bytes).unwrap();
    let mut index = index;
    index["manifests"][0]["digest"] = serde_json::json!(format!("sha256:{new_digest}"));
    index["manifests"][0]["size"] = serde_json::json!(bytes.len());
    std::fs::write(dir.path().join("index.json"), index.to_string()).unwrap();
    let image = open(&format!("{}:t", dir.path().display())).unwrap();
    let error = flatten(&image, &|_| true, Limits::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("larger than"), "{error}");
}
