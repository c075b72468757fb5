//! The Java archive cataloger on real jars (committed under `fixtures/java/`, see its README)
//! and on wars, ears, Spring Boot jars and zip bombs built here around them with the `zip`
//! crate. What the real jars should yield is what `unzip` extracted from them
//! (`fixtures/java/expected/<jar>/META-INF/…`), read here independently of the cataloger.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use palisade_image::catalog::Package;
use palisade_image::catalog::java::{ArchiveLimits, inspect, inspect_within};
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/java")
}

fn jar(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap()
}

/// `name version purl path`, sorted.
fn summary(packages: &[Package]) -> Vec<String> {
    let mut lines: Vec<String> = packages
        .iter()
        .map(|p| format!("{} {} {} {}", p.name, p.version, p.purl, p.path))
        .collect();
    lines.sort();
    lines
}

/// `group:artifact version` for every `pom.properties` unzip extracted from a fixture jar.
fn unzipped_pom_properties(jar: &str) -> Vec<String> {
    let maven = fixtures().join("expected").join(jar).join("META-INF/maven");
    let mut found = Vec::new();
    for group in std::fs::read_dir(maven).unwrap() {
        for artifact in std::fs::read_dir(group.unwrap().path()).unwrap() {
            let text =
                std::fs::read_to_string(artifact.unwrap().path().join("pom.properties")).unwrap();
            let value = |key: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                    .unwrap()
                    .to_string()
            };
            found.push(format!(
                "{}:{} {}",
                value("groupId"),
                value("artifactId"),
                value("version")
            ));
        }
    }
    found.sort();
    found
}

fn name_and_version(packages: &[Package]) -> Vec<String> {
    let mut found: Vec<String> = packages
        .iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    found.sort();
    found
}

/// A zip of `(name, content, stored?)` entries, as `jar` and the build plugins write them.
fn zip_of(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content, stored) in entries {
        let method = if *stored {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default().compression_method(method);
        if name.ends_with('/') {
            writer.add_directory(*name, options).unwrap();
        } else {
            writer.start_file(*name, options).unwrap();
            writer.write_all(content).unwrap();
        }
    }
    writer.finish().unwrap().into_inner()
}

const WAR_MANIFEST: &[u8] = b"Manifest-Version: 1.0\r\nCreated-By: Maven WAR Plugin 3.4.0\r\n\r\n";

#[test]
fn plain_jar_is_its_pom_properties() {
    let packages = inspect(
        2,
        "usr/share/java/maven3-builder-support.jar",
        &jar("maven3-builder-support.jar"),
    );
    assert_eq!(
        name_and_version(&packages),
        unzipped_pom_properties("maven3-builder-support.jar")
    );
    assert_eq!(
        summary(&packages),
        vec![
            "org.apache.maven:maven-builder-support 3.8.7 \
             pkg:maven/org.apache.maven/maven-builder-support@3.8.7 \
             /usr/share/java/maven3-builder-support.jar"
        ]
    );
    assert_eq!(
        (packages[0].ecosystem.as_str(), packages[0].layer),
        ("Maven", 2)
    );
    assert_eq!(packages[0].source_name, packages[0].name);
}

#[test]
fn shaded_jar_holds_several_packages() {
    let packages = inspect(
        0,
        "opt/maven/lib/maven3-slf4j-provider.jar",
        &jar("maven3-slf4j-provider.jar"),
    );
    let expected = unzipped_pom_properties("maven3-slf4j-provider.jar");
    assert_eq!(expected.len(), 2, "the fixture shades slf4j-simple in");
    assert_eq!(name_and_version(&packages), expected);
    assert!(
        packages
            .iter()
            .all(|p| p.path == "/opt/maven/lib/maven3-slf4j-provider.jar")
    );
}

#[test]
fn manifest_only_jars() {
    // guice-jmx.jar: no pom.properties, no version in its name; `Bundle-Version: 4.2.3`.
    let manifest =
        std::fs::read_to_string(fixtures().join("expected/guice-jmx.jar/META-INF/MANIFEST.MF"))
            .unwrap();
    assert!(manifest.contains("Bundle-Version: 4.2.3"));
    assert_eq!(
        summary(&inspect(
            0,
            "usr/share/java/guice-jmx.jar",
            &jar("guice-jmx.jar")
        )),
        vec!["guice-jmx 4.2.3 pkg:maven/guice-jmx@4.2.3 /usr/share/java/guice-jmx.jar"]
    );
    // Made by `jar` with a manifest whose Implementation-Vendor-Id the tool wrapped at 72 bytes.
    let manifest = std::fs::read_to_string(
        fixtures().join("expected/reporting-engine.jar/META-INF/MANIFEST.MF"),
    )
    .unwrap();
    assert!(manifest.contains("platform.inter\r\n nal.components\r\n"));
    assert_eq!(
        summary(&inspect(
            0,
            "app/reporting-engine.jar",
            &jar("reporting-engine.jar")
        )),
        vec![
            "org.example.analytics.reporting.platform.internal.components:reporting-engine 3.2.1 \
             pkg:maven/org.example.analytics.reporting.platform.internal.components/reporting-engine@3.2.1 \
             /app/reporting-engine.jar"
        ]
    );
}

#[test]
fn file_name_only_jar() {
    // aopalliance-1.0.jar: neither pom.properties nor a version in its manifest.
    let manifest = std::fs::read_to_string(
        fixtures().join("expected/aopalliance-1.0.jar/META-INF/MANIFEST.MF"),
    )
    .unwrap();
    assert!(!manifest.contains("Implementation-Version") && !manifest.contains("Bundle-Version"));
    assert_eq!(
        summary(&inspect(
            0,
            "opt/lib/aopalliance-1.0.jar",
            &jar("aopalliance-1.0.jar")
        )),
        vec!["aopalliance 1.0 pkg:maven/aopalliance@1.0 /opt/lib/aopalliance-1.0.jar"]
    );
    // Renamed without a version and nothing inside to tell: nothing is invented.
    assert!(inspect(0, "opt/lib/aop.jar", &jar("aopalliance-1.0.jar")).is_empty());
}

/// A war of the real jars: one deflated, one stored, as the war plugin may write them.
fn war() -> Vec<u8> {
    zip_of(&[
        ("META-INF/MANIFEST.MF", WAR_MANIFEST, false),
        ("WEB-INF/", b"", false),
        ("WEB-INF/web.xml", b"<web-app/>", false),
        (
            "WEB-INF/classes/com/example/Shop.class",
            b"\xca\xfe\xba\xbe",
            false,
        ),
        ("WEB-INF/lib/", b"", false),
        (
            "WEB-INF/lib/maven3-builder-support.jar",
            &jar("maven3-builder-support.jar"),
            false,
        ),
        (
            "WEB-INF/lib/aopalliance-1.0.jar",
            &jar("aopalliance-1.0.jar"),
            true,
        ),
    ])
}

#[test]
fn war_with_libraries() {
    let packages = inspect(1, "usr/local/tomcat/webapps/shop.war", &war());
    assert_eq!(
        summary(&packages),
        vec![
            "aopalliance 1.0 pkg:maven/aopalliance@1.0 \
             /usr/local/tomcat/webapps/shop.war!/WEB-INF/lib/aopalliance-1.0.jar",
            "org.apache.maven:maven-builder-support 3.8.7 \
             pkg:maven/org.apache.maven/maven-builder-support@3.8.7 \
             /usr/local/tomcat/webapps/shop.war!/WEB-INF/lib/maven3-builder-support.jar",
        ]
    );
    assert!(packages.iter().all(|p| p.layer == 1));
}

#[test]
fn ear_with_a_war_inside() {
    let ear = zip_of(&[
        ("META-INF/application.xml", b"<application/>", false),
        ("shop.war", &war(), false),
        ("lib/guice-jmx.jar", &jar("guice-jmx.jar"), false),
    ]);
    let mut paths: Vec<String> = inspect(0, "opt/jboss/deployments/app.ear", &ear)
        .into_iter()
        .map(|p| p.path)
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "/opt/jboss/deployments/app.ear!/lib/guice-jmx.jar",
            "/opt/jboss/deployments/app.ear!/shop.war!/WEB-INF/lib/aopalliance-1.0.jar",
            "/opt/jboss/deployments/app.ear!/shop.war!/WEB-INF/lib/maven3-builder-support.jar",
        ]
    );
}

#[test]
fn spring_boot_jar() {
    // The application's own pom.properties, and its libraries stored under BOOT-INF/lib.
    let app = zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\nMain-Class: org.springframework.boot.loader.launch.JarLauncher\r\nStart-Class: com.example.demo.DemoApplication\r\n\r\n", false),
        ("META-INF/maven/com.example/demo/pom.properties", b"artifactId=demo\ngroupId=com.example\nversion=0.0.1-SNAPSHOT\n", false),
        ("BOOT-INF/classes/com/example/demo/DemoApplication.class", b"\xca\xfe\xba\xbe", false),
        ("BOOT-INF/lib/maven3-slf4j-provider.jar", &jar("maven3-slf4j-provider.jar"), true),
    ]);
    assert_eq!(
        name_and_version(&inspect(0, "app.jar", &app)),
        vec![
            "com.example:demo 0.0.1-SNAPSHOT",
            "org.apache.maven:maven-slf4j-provider 3.8.7",
            "org.slf4j:slf4j-simple 1.7.32",
        ]
    );
}

/// A jar holding a pom.properties of artifact `level<n>` and the next level's jar.
fn nested_chain(levels: usize) -> Vec<u8> {
    let mut inner: Option<Vec<u8>> = None;
    for level in (1..=levels).rev() {
        let pom = format!("groupId=com.example\nartifactId=level{level}\nversion=1.0\n");
        let path = format!("META-INF/maven/com.example/level{level}/pom.properties");
        let mut entries: Vec<(&str, &[u8], bool)> = vec![(&path, pom.as_bytes(), false)];
        let nested = inner.take();
        if let Some(nested) = &nested {
            entries.push(("lib/next.jar", nested, false));
        }
        inner = Some(zip_of(&entries));
    }
    inner.unwrap()
}

#[test]
fn nesting_is_bounded() {
    let found = name_and_version(&inspect(0, "deep.jar", &nested_chain(6)));
    assert_eq!(
        found,
        vec![
            "com.example:level1 1.0",
            "com.example:level2 1.0",
            "com.example:level3 1.0",
            "com.example:level4 1.0",
        ]
    );
    let deepest = inspect(0, "deep.jar", &nested_chain(4))
        .into_iter()
        .map(|p| p.path)
        .max_by_key(String::len)
        .unwrap();
    assert_eq!(
        deepest,
        "/deep.jar!/lib/next.jar!/lib/next.jar!/lib/next.jar"
    );
}

/// The 42.zip shape: every level holds 16 copies of the one below, the leaves 1 MiB of zeros
/// each, deflated to a few KiB: 4 GiB for whoever inflates it all. The default budget (256 MiB
/// per archive in the image) stops it.
#[test]
fn nested_zip_bomb_is_bounded() {
    let zeros = vec![0u8; 1 << 20];
    let leaf = zip_of(&[
        (
            "META-INF/maven/bomb/leaf/pom.properties",
            b"groupId=bomb\nartifactId=leaf\nversion=1\n",
            false,
        ),
        ("padding.bin", &zeros, true),
    ]);
    let mut level = leaf;
    for _ in 0..3 {
        let names: Vec<String> = (0..16).map(|i| format!("lib/copy{i}.jar")).collect();
        let entries: Vec<(&str, &[u8], bool)> = names
            .iter()
            .map(|name| (name.as_str(), level.as_slice(), false))
            .collect();
        level = zip_of(&entries);
    }
    assert!(level.len() < 2 << 20, "{} bytes", level.len());
    let started = std::time::Instant::now();
    let leaves = inspect(0, "bomb.jar", &level).len();
    // 256 MiB of 1 MiB leaves, less what the levels above them took.
    assert!((200..=256).contains(&leaves), "{leaves} leaves read");
    eprintln!(
        "bomb refused after {leaves} leaves in {:?}",
        started.elapsed()
    );
}

/// A nested jar whose headers claim 100 bytes and which inflates to 64 MiB: reading stops at
/// the claim (the entry is then an error), so the lie costs 100 bytes, not 64 MiB.
#[test]
fn lying_sizes_are_not_trusted() {
    let zeros = vec![0u8; 64 << 20];
    let mut bomb = zip_of(&[
        (
            "META-INF/maven/com.example/app/pom.properties",
            b"groupId=com.example\nartifactId=app\nversion=2.0\n",
            false,
        ),
        ("lib/zeros.jar", &zeros, false),
        (
            "lib/aopalliance-1.0.jar",
            &jar("aopalliance-1.0.jar"),
            false,
        ),
    ]);
    // Patch the uncompressed size of lib/zeros.jar in its local and central headers.
    let claimed = 100u32.to_le_bytes();
    let real = (64u32 << 20).to_le_bytes();
    let mut patched = 0;
    for at in 0..bomb.len().saturating_sub(4) {
        if bomb[at..at + 4] == real {
            bomb[at..at + 4].copy_from_slice(&claimed);
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "one local and one central header");
    // Had the 64 MiB been inflated, a 1 MiB budget would be spent and the next jar refused.
    let limits = ArchiveLimits {
        max_expanded: 1 << 20,
        ..ArchiveLimits::default()
    };
    for packages in [
        inspect_within(0, "bomb.jar", &bomb, limits),
        inspect(0, "bomb.jar", &bomb),
    ] {
        assert_eq!(
            name_and_version(&packages),
            vec!["aopalliance 1.0", "com.example:app 2.0"]
        );
    }
}

#[test]
fn entries_are_bounded() {
    let limits = ArchiveLimits {
        max_entries: 5,
        ..ArchiveLimits::default()
    };
    // The war lists 7 entries: refused whole.
    assert!(inspect_within(0, "shop.war", &war(), limits).is_empty());
    // A jar of 2 entries fits.
    assert_eq!(
        inspect_within(
            0,
            "x.jar",
            &jar("maven3-builder-support.jar"),
            ArchiveLimits {
                max_entries: 100,
                ..limits
            }
        )
        .len(),
        1
    );
}

#[test]
fn corrupt_archives_yield_nothing() {
    let real = jar("maven3-builder-support.jar");
    // Without its central directory (cut short, as a partial download is).
    assert!(inspect(0, "x.jar", &real[..real.len() / 2]).is_empty());
    assert!(inspect(0, "x.jar", &real[..real.len() - 10]).is_empty());
    assert!(inspect(0, "x.jar", b"PK\x03\x04 not a zip at all").is_empty());
    assert!(inspect(0, "x.jar", &[0u8; 4096]).is_empty());
    // A war whose nested jar is corrupt: that jar yields nothing, the other one still counts.
    let mut broken = jar("maven3-builder-support.jar");
    let cut = broken.len() / 2;
    broken.truncate(cut);
    let war = zip_of(&[
        ("WEB-INF/lib/broken.jar", &broken, false),
        (
            "WEB-INF/lib/aopalliance-1.0.jar",
            &jar("aopalliance-1.0.jar"),
            false,
        ),
    ]);
    assert_eq!(
        name_and_version(&inspect(0, "x.war", &war)),
        vec!["aopalliance 1.0"]
    );
}

/// Deterministic mutations of real and built archives (byte flips, cuts, spliced garbage):
/// whatever the cataloger makes of them, it must not panic.
#[test]
fn mutated_archives_never_panic() {
    let seeds = [
        jar("maven3-builder-support.jar"),
        jar("maven3-slf4j-provider.jar"),
        jar("reporting-engine.jar"),
        war(),
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..2000 {
        let mut bytes = seeds[round % seeds.len()].clone();
        let len = bytes.len() as u64;
        match next() % 3 {
            0 => {
                for _ in 0..=next() % 8 {
                    let at = (next() % len) as usize;
                    bytes[at] ^= (next() % 255 + 1) as u8;
                }
            }
            1 => bytes.truncate((next() % len) as usize),
            _ => {
                let at = (next() % len) as usize;
                let garbage: Vec<u8> = (0..next() % 64).map(|_| next() as u8).collect();
                bytes.splice(at..at, garbage);
            }
        }
        let _ = inspect(0, "x.war", &bytes);
    }
}
