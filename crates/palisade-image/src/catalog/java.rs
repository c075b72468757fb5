//! Java archives (`.jar`, `.war`, `.ear`, and Jenkins plugins `.jpi`/`.hpi`), read from memory
//! with the `zip` crate wherever they are in the image.
//!
//! Every `META-INF/maven/<group>/<artifact>/pom.properties` is a Maven package (a shaded jar
//! holds several). An archive without one is identified as well as it can be: the name from the
//! file name (Maven and Gradle name files `<artifact>-<version>.jar`, while manifest titles are
//! display names such as `Apache Commons IO`), else from `Bundle-SymbolicName` or
//! `Implementation-Title`; the version from `Implementation-Version`, else the file name, else
//! `Bundle-Version` (OSGi-normalised: `31.1.0.jre` for Maven's `31.1-jre`); the group only from
//! `Implementation-Vendor-Id`, never guessed. Names are `group:artifact` as OSV spells Maven
//! packages (just `artifact` when the group is unknown), purls `pkg:maven/<group>/<artifact>@<v>`.
//!
//! Archives inside archives (`WEB-INF/lib/*.jar` in a war, wars and jars in an ear,
//! `BOOT-INF/lib/*.jar` in a Spring Boot jar) are read too, their path written
//! `/app/x.war!/WEB-INF/lib/y.jar` as Syft and Trivy do. Nesting depth, decompressed bytes and
//! entries are bounded per archive in the image ([`ArchiveLimits`]), so a zip bomb costs a bounded
//! amount of work and yields what was found before the bound.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::{Package, purl_encode};

/// File name endings of Java archives (compared ignoring ASCII case).
const EXTENSIONS: [&str; 5] = [".jar", ".war", ".ear", ".jpi", ".hpi"];

/// The largest archive looked at in the image (fat jars of a few hundred MB exist).
const MAX_SIZE: u64 = 512 << 20;

/// The smallest possible zip: its end-of-central-directory record.
const MIN_SIZE: u64 = 22;

/// The largest `pom.properties` or `MANIFEST.MF` read.
const MAX_METADATA: u64 = 1 << 20;

/// Bounds on reading one archive of the image and everything nested in it.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveLimits {
    /// Archives deep, the outer one counting as 1 (a jar in a war in an ear is 3).
    pub max_depth: usize,
    /// Bytes decompressed out of the archive and its nested archives, all together.
    pub max_expanded: u64,
    /// Entries listed over the archive and its nested archives, all together.
    pub max_entries: usize,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_depth: 4,
            max_expanded: 256 << 20,
            max_entries: 1 << 20,
        }
    }
}

/// Whether a file of the image is a Java archive worth opening.
pub fn wants(path: &str, size: u64) -> bool {
    (MIN_SIZE..=MAX_SIZE).contains(&size) && is_archive(path)
}

/// The Maven packages in a Java archive of the image, within the default limits.
pub fn inspect(layer: usize, path: &str, content: &[u8]) -> Vec<Package> {
    inspect_within(layer, path, content, ArchiveLimits::default())
}

/// [`inspect`] within explicit limits.
pub fn inspect_within(
    layer: usize,
    path: &str,
    content: &[u8],
    limits: ArchiveLimits,
) -> Vec<Package> {
    let mut reader = ArchiveReader {
        layer,
        depth_left: limits.max_depth,
        bytes_left: limits.max_expanded,
        entries_left: limits.max_entries,
        packages: Vec::new(),
    };
    reader.read(content, path);
    reader.packages.sort();
    reader.packages.dedup();
    reader.packages
}

/// Whether a path's file name is `<something>.jar` (or another Java archive extension).
fn is_archive(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).as_bytes();
    EXTENSIONS.iter().any(|extension| {
        name.len() > extension.len()
            && name[name.len() - extension.len()..].eq_ignore_ascii_case(extension.as_bytes())
    })
}

/// Walks one archive of the image and its nested archives, spending a shared budget.
struct ArchiveReader {
    layer: usize,
    depth_left: usize,
    bytes_left: u64,
    entries_left: usize,
    packages: Vec<Package>,
}

impl ArchiveReader {
    /// Reads the archive `content` found at `location` (an image path, `!/`-joined when nested).
    fn read(&mut self, content: &[u8], location: &str) {
        if self.depth_left == 0 {
            return;
        }
        let Ok(mut archive) = ZipArchive::new(Cursor::new(content)) else {
            return;
        };
        let Some(entries_left) = self.entries_left.checked_sub(archive.len()) else {
            self.entries_left = 0;
            return;
        };
        self.entries_left = entries_left;
        // Names are read first: reading an entry borrows the archive.
        let names: Vec<(usize, String)> = (0..archive.len())
            .filter_map(|index| Some((index, archive.name_for_index(index)?.ok()?.into_owned())))
            .collect();

        let mut described = false;
        for (index, name) in &names {
            if is_pom_properties(name)
                && let Some(text) = self.entry_text(&mut archive, *index)
                && let Some(package) = self.pom_package(&text, name, location)
            {
                self.packages.push(package);
                described = true;
            }
        }
        if !described {
            let manifest = names
                .iter()
                .find(|(_, name)| name.eq_ignore_ascii_case("META-INF/MANIFEST.MF"))
                .and_then(|(index, _)| self.entry_text(&mut archive, *index))
                .map(|text| manifest_main_section(&text))
                .unwrap_or_default();
            self.packages
                .extend(self.manifest_package(&manifest, location));
        }

        if self.depth_left == 1 {
            return;
        }
        self.depth_left -= 1;
        for (index, name) in &names {
            if is_archive(name)
                && let Some(nested) = self.entry_bytes(&mut archive, *index, self.bytes_left)
            {
                self.read(&nested, &format!("{location}!/{name}"));
            }
        }
        self.depth_left += 1;
    }

    /// An entry's bytes, if they fit in `limit` and in the budget. The declared size is checked
    /// first; the read is bounded as well, so that a size a bomb lies about is never what stops
    /// it (the zip reader also stops at the declared size, with an error).
    fn entry_bytes(
        &mut self,
        archive: &mut ZipArchive<Cursor<&[u8]>>,
        index: usize,
        limit: u64,
    ) -> Option<Vec<u8>> {
        let limit = limit.min(self.bytes_left);
        let entry = archive.by_index(index).ok()?;
        if entry.size() > limit {
            return None;
        }
        let mut bytes = Vec::new();
        let read = entry.take(limit.saturating_add(1)).read_to_end(&mut bytes);
        self.bytes_left = self.bytes_left.saturating_sub(bytes.len() as u64);
        (read.is_ok() && bytes.len() as u64 <= limit).then_some(bytes)
    }

    /// A metadata entry as text.
    fn entry_text(
        &mut self,
        archive: &mut ZipArchive<Cursor<&[u8]>>,
        index: usize,
    ) -> Option<String> {
        let bytes = self.entry_bytes(archive, index, MAX_METADATA)?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The package a `pom.properties` describes; group and artifact default to the directories
    /// Maven wrote it in.
    fn pom_package(&self, text: &str, name: &str, location: &str) -> Option<Package> {
        let properties = properties(text);
        let mut directories = name.split('/').skip(2);
        let (group_dir, artifact_dir) = (directories.next()?, directories.next()?);
        let group = properties.get("groupId").map_or(group_dir, String::as_str);
        let artifact = properties
            .get("artifactId")
            .map_or(artifact_dir, String::as_str);
        let version = properties.get("version")?;
        self.package(Some(group), artifact, version, location)
    }

    /// The package an archive without `pom.properties` is, from its manifest and file name.
    fn manifest_package(
        &self,
        manifest: &BTreeMap<String, String>,
        location: &str,
    ) -> Option<Package> {
        let header = |name: &str| {
            manifest
                .get(&name.to_ascii_lowercase())
                .map(String::as_str)
                .filter(|value| !value.is_empty())
        };
        let file_name = location.rsplit(['/', '!']).next().unwrap_or(location);
        let (file_artifact, file_version) = artifact_and_version(file_name);
        // `Bundle-SymbolicName: org.example.x;singleton:=true`: the name before the directives.
        let symbolic_name = header("Bundle-SymbolicName")
            .and_then(|value| value.split(';').next())
            .map(str::trim);
        let artifact = file_artifact
            .or(symbolic_name)
            .or(header("Implementation-Title"))?;
        let version = header("Implementation-Version")
            .or(file_version)
            .or(header("Bundle-Version"))?;
        self.package(
            header("Implementation-Vendor-Id"),
            artifact,
            version,
            location,
        )
    }

    fn package(
        &self,
        group: Option<&str>,
        artifact: &str,
        version: &str,
        location: &str,
    ) -> Option<Package> {
        let (group, artifact, version) = (
            group.map(str::trim).filter(|g| !g.is_empty()),
            artifact.trim(),
            version.trim(),
        );
        // `${project.version}` and the like: a build that never filtered its resources.
        if artifact.is_empty() || version.is_empty() || version.contains("${") {
            return None;
        }
        let (name, purl_name) = match group {
            Some(group) => (
                format!("{group}:{artifact}"),
                format!("{}/{}", purl_encode(group), purl_encode(artifact)),
            ),
            None => (artifact.to_string(), purl_encode(artifact)),
        };
        let purl = format!("pkg:maven/{purl_name}@{}", purl_encode(version));
        Some(Package::language(
            "Maven",
            name,
            version.to_string(),
            purl,
            self.layer,
            location,
        ))
    }
}

/// `META-INF/maven/<group>/<artifact>/pom.properties`.
fn is_pom_properties(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    matches!(
        parts.as_slice(),
        ["META-INF", "maven", group, artifact, "pom.properties"]
            if !group.is_empty() && !artifact.is_empty()
    )
}

/// The `key=value` (or `key: value`) lines of a Java properties file, `#` and `!` starting
/// comments. Maven writes plain values, so escapes and continuation lines are not interpreted.
fn properties(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with(['#', '!']))
        .filter_map(|line| {
            let (key, value) = line.split_once(['=', ':'])?;
            Some((key.trim().to_string(), value.trim().to_string()))
        })
        .collect()
}

/// The main section of a manifest (up to the first blank line), header names in lower case
/// (they are case-insensitive). Lines are at most 72 bytes: a line starting with a space
/// continues the one before.
fn manifest_main_section(text: &str) -> BTreeMap<String, String> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text.split("\r\n").flat_map(|l| l.split(['\n', '\r'])) {
        if line.is_empty() {
            break;
        }
        if let Some(continued) = line.strip_prefix(' ') {
            if let Some((_, value)) = headers.last_mut() {
                value.push_str(continued);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((
                name.trim().to_ascii_lowercase(),
                value.trim_start().to_string(),
            ));
        }
    }
    headers.into_iter().collect()
}

/// `commons-io-2.11.0.jar` → (`commons-io`, `2.11.0`): the version starts at the first `-`
/// followed by a digit; `guice-jmx.jar` has no version.
fn artifact_and_version(file_name: &str) -> (Option<&str>, Option<&str>) {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    let split = stem
        .char_indices()
        .find(|&(i, c)| c == '-' && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit()));
    let (artifact, version) = match split {
        Some((i, _)) => (&stem[..i], Some(&stem[i + 1..])),
        None => (stem, None),
    };
    // A stem that is all version (`1.0.jar`) names nothing.
    let artifact =
        Some(artifact).filter(|a| !a.is_empty() && !a.starts_with(|d: char| d.is_ascii_digit()));
    (artifact, version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names() {
        assert!(wants("opt/app/lib/x.JAR", 1000));
        assert!(wants("usr/share/jenkins/ref/plugins/git.jpi", 1000));
        assert!(!wants("opt/app/x.jar", 10));
        assert!(!wants("opt/app/x.jar.sha1", 1000));
        assert!(!wants("opt/app/.jar", 1000));
        assert!(is_pom_properties(
            "META-INF/maven/org.slf4j/slf4j-api/pom.properties"
        ));
        assert!(!is_pom_properties(
            "META-INF/maven/org.slf4j/pom.properties"
        ));
        assert!(!is_pom_properties("x/META-INF/maven/g/a/pom.properties"));
    }

    #[test]
    fn file_names() {
        assert_eq!(
            artifact_and_version("commons-io-2.11.0.jar"),
            (Some("commons-io"), Some("2.11.0"))
        );
        assert_eq!(
            artifact_and_version("guava-31.1-jre.jar"),
            (Some("guava"), Some("31.1-jre"))
        );
        assert_eq!(
            artifact_and_version("guice-jmx.jar"),
            (Some("guice-jmx"), None)
        );
        assert_eq!(artifact_and_version("1.0.jar"), (None, None));
    }

    #[test]
    fn manifests_and_properties() {
        let manifest = manifest_main_section(
            "Manifest-Version: 1.0\r\nImplementation-Vendor-Id: org.example.analyt\r\n ics\r\nBundle-SymbolicName: a.b;singleton:=true\r\n\r\nName: x\r\nImplementation-Version: 9\r\n",
        );
        assert_eq!(
            manifest["implementation-vendor-id"],
            "org.example.analytics"
        );
        assert!(!manifest.contains_key("implementation-version"));
        let props = properties(
            "#Created by Apache Maven\ngroupId=org.slf4j\nartifactId : slf4j-api\n\nversion=1.7.32\n",
        );
        assert_eq!(props["groupId"], "org.slf4j");
        assert_eq!(props["artifactId"], "slf4j-api");
        assert_eq!(props["version"], "1.7.32");
    }

    #[test]
    fn not_archives() {
        assert!(inspect(0, "x.jar", b"PK\x05\x06 not really a zip").is_empty());
        assert!(inspect(0, "x.jar", b"").is_empty());
    }
}
