//! The RPM cataloger on databases rpm itself wrote (`tests/fixtures/rpm/make.sh`): an
//! `rpmdb.sqlite` and the same headers in Berkeley DB `Packages` files of both byte orders,
//! with values on overflow pages and on the hash pages. The expected list is `rpm -qa`'s.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use palisade_image::catalog::{self, Package};
use palisade_image::flatten::KeptFile;

const OS_RELEASE: &str =
    "ID=\"rhel\"\nVERSION_ID=\"9.4\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.4 (Plow)\"\n";

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rpm")
        .join(name);
    let mut content = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_end(&mut content)
        .unwrap();
    content
}

/// The packages the catalog finds in an image holding this database at this path.
fn catalog_of(database: &str, path: &str) -> Vec<Package> {
    let mut files = BTreeMap::new();
    files.insert(
        "etc/os-release".to_string(),
        KeptFile {
            layer: 0,
            content: OS_RELEASE.as_bytes().to_vec(),
        },
    );
    files.insert(
        path.to_string(),
        KeptFile {
            layer: 1,
            content: fixture(database),
        },
    );
    assert!(catalog::selects(path));
    catalog::catalog(&files).packages
}

/// `rpm -qa --qf '%{NAME} %{EVR} %{ARCH} %{SOURCERPM}'` of the fixtures, without the keys.
fn expected() -> Vec<[String; 4]> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rpm/expected.txt"),
    )
    .unwrap();
    let all: Vec<[String; 4]> = text
        .lines()
        .map(|line| {
            let fields: Vec<String> = line.split(' ').map(str::to_string).collect();
            fields.try_into().unwrap()
        })
        .collect();
    assert!(
        all.iter().any(|[name, ..]| name == "gpg-pubkey"),
        "the fixture holds an imported key"
    );
    all.into_iter()
        .filter(|[name, ..]| name != "gpg-pubkey")
        .collect()
}

/// Checks every package against rpm's list. The source package is compared the way rpm names
/// the source RPM file: `<source name>-<source version without epoch>.src.rpm`.
fn check(packages: &[Package], path: &str) {
    let expected = expected();
    assert_eq!(packages.len(), expected.len(), "{packages:#?}");
    for (package, [name, evr, arch, source_rpm]) in packages.iter().zip(&expected) {
        assert_eq!(&package.name, name);
        assert_eq!(&package.version, evr);
        let (epoch, version_release) = match evr.split_once(':') {
            Some((epoch, rest)) => (Some(epoch), rest),
            None => (None, evr.as_str()),
        };
        let source_version_release = match epoch {
            Some(epoch) => package
                .source_version
                .strip_prefix(&format!("{epoch}:"))
                .expect("the source version carries the binary's epoch"),
            None => &package.source_version,
        };
        assert_eq!(
            &format!("{}-{source_version_release}.src.rpm", package.source_name),
            source_rpm
        );
        let epoch_qualifier = epoch.map(|e| format!("&epoch={e}")).unwrap_or_default();
        assert_eq!(
            package.purl,
            format!(
                "pkg:rpm/rhel/{name}@{version_release}?arch={arch}&distro=rhel-9.4{epoch_qualifier}"
            )
        );
        assert_eq!(package.ecosystem, "Red Hat:enterprise_linux:9");
        assert_eq!(package.path, format!("/{path}"));
        assert_eq!(package.layer, 1);
    }
}

#[test]
fn sqlite_rpmdb_in_both_locations() {
    for path in [
        "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
    ] {
        check(&catalog_of("rpmdb.sqlite.gz", path), path);
    }
}

#[test]
fn berkeley_db_packages_little_endian() {
    let path = "var/lib/rpm/Packages";
    check(&catalog_of("Packages.gz", path), path);
}

#[test]
fn berkeley_db_packages_big_endian_on_long_overflow_chains() {
    let path = "var/lib/rpm/Packages";
    check(&catalog_of("Packages.be512.gz", path), path);
}

#[test]
fn berkeley_db_packages_on_hash_pages() {
    let path = "usr/lib/sysimage/rpm/Packages";
    check(&catalog_of("Packages.le64k.gz", path), path);
}

#[test]
fn the_fixture_has_what_the_cases_need() {
    let expected = expected();
    assert!(
        expected.iter().any(|[_, evr, ..]| evr.contains(':')),
        "an epoch"
    );
    assert!(
        expected.iter().any(
            |[name, .., source]| !source.starts_with(&format!("{name}-")) && name.contains('-')
        ),
        "a dashed subpackage built from another source"
    );
    assert!(expected.iter().any(|[_, _, arch, _]| arch == "noarch"));
}

#[test]
fn damaged_databases_do_not_panic() {
    for database in ["rpmdb.sqlite.gz", "Packages.gz", "Packages.be512.gz"] {
        let content = fixture(database);
        for cut in [
            0,
            17,
            100,
            content.len() / 3,
            content.len() / 2,
            content.len() - 1,
        ] {
            let mut damaged = content[..cut].to_vec();
            let _ = palisade_image::catalog::rpm::parse(
                &damaged,
                "var/lib/rpm/Packages",
                0,
                &Default::default(),
            );
            // Flip bytes through the whole file as well.
            damaged = content.clone();
            for byte in damaged.iter_mut().skip(cut % 97).step_by(61) {
                *byte ^= 0x5a;
            }
            let _ = palisade_image::catalog::rpm::parse(
                &damaged,
                "var/lib/rpm/Packages",
                0,
                &Default::default(),
            );
        }
    }
}

/// A database palisade cannot read is a warning naming the file, not a silent empty list.
#[test]
fn an_unreadable_database_is_a_warning() {
    let mut files = BTreeMap::new();
    files.insert(
        "var/lib/rpm/Packages".to_string(),
        KeptFile {
            layer: 0,
            content: b"not a Berkeley DB file at all".to_vec(),
        },
    );
    let found = catalog::catalog(&files);
    assert!(found.packages.is_empty());
    assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    assert!(found.warnings[0].starts_with("/var/lib/rpm/Packages: "));
}

/// SUSE's ndb database is named in a warning rather than silently listing nothing.
#[test]
fn suse_ndb_databases_are_named() {
    let mut files = BTreeMap::new();
    files.insert(
        "usr/lib/sysimage/rpm/Packages.db".to_string(),
        KeptFile {
            layer: 0,
            content: vec![0; 64],
        },
    );
    let found = catalog::catalog(&files);
    assert!(found.warnings[0].contains("ndb"), "{:?}", found.warnings);
}
