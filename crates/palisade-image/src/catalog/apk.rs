//! Alpine packages from apk's database `lib/apk/db/installed`: `P:` name, `V:` version, `o:`
//! origin (the source package advisories are keyed by), `A:` architecture.

use super::os_release::OsRelease;
use super::{Package, purl_encode};

pub const PATH: &str = "lib/apk/db/installed";

pub fn parse(text: &str, layer: usize, os: &OsRelease) -> Vec<Package> {
    let ecosystem = os.ecosystem().unwrap_or_else(|| "Alpine".to_string());
    text.split("\n\n")
        .filter_map(|record| {
            let field = |key: char| {
                record.lines().find_map(|l| {
                    let mut chars = l.chars();
                    (chars.next() == Some(key) && chars.next() == Some(':'))
                        .then(|| l[2..].trim().to_string())
                })
            };
            let (name, version) = (field('P')?, field('V')?);
            let origin = field('o').unwrap_or_else(|| name.clone());
            let mut purl = format!(
                "pkg:apk/alpine/{}@{}",
                purl_encode(&name),
                purl_encode(&version)
            );
            let mut qualifiers = Vec::new();
            if let Some(arch) = field('A') {
                qualifiers.push(format!("arch={}", purl_encode(&arch)));
            }
            if !os.version_id.is_empty() {
                qualifiers.push(format!("distro=alpine-{}", purl_encode(&os.version_id)));
            }
            if !qualifiers.is_empty() {
                purl = format!("{purl}?{}", qualifiers.join("&"));
            }
            Some(Package {
                ecosystem: ecosystem.clone(),
                source_name: origin,
                source_version: version.clone(),
                name,
                version,
                purl,
                layer,
                path: format!("/{PATH}"),
                installed_size: field('I').and_then(|bytes| bytes.parse().ok()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::os_release;

    #[test]
    fn installed_database() {
        let os = os_release::parse("ID=alpine\nVERSION_ID=3.20.3\n");
        let db = "C:Q1abc=\nP:libcrypto3\nV:3.3.2-r0\nA:x86_64\no:openssl\n\nP:musl\nV:1.2.5-r0\nA:x86_64\n";
        let packages = parse(db, 0, &os);
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[0].source_name, "openssl");
        assert_eq!(packages[0].ecosystem, "Alpine:v3.20");
        assert_eq!(
            packages[0].purl,
            "pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3"
        );
        assert_eq!(packages[1].source_name, "musl");
    }
}
