//! OpenVEX documents (https://github.com/openvex/spec): statements that a product is
//! `not_affected` by a vulnerability (with a justification) or has it `fixed` accept the
//! matching vulnerability findings; `affected` and `under_investigation` change nothing. Both
//! the v0.2.0 shape (`vulnerability: {name, aliases}`, products as objects with
//! `subcomponents`) and v0.0.1's (`vulnerability` a string, products as purl strings) are read.
//!
//! A statement applies to a package when its vulnerability's name or aliases meet the finding's
//! advisory id or aliases, and a product or subcomponent identifies the package: the same purl
//! ignoring qualifiers, or the same purl without a version (any version). A product that is an
//! image (`pkg:oci/…`) without subcomponents covers every package of the image scanned.

use serde::Deserialize;
use serde_json::Value;

/// One statement, reduced to what matching needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The vulnerability's name and aliases.
    pub vulnerabilities: Vec<String>,
    /// Package purls named as products, or as subcomponents of a product that is no image.
    pub packages: Vec<String>,
    /// Image products (`pkg:oci/…`) with the subcomponent they name (`None`: every package).
    pub images: Vec<(String, Option<String>)>,
    pub status: String,
    /// `justification` and `impact_statement` (or `status_notes`) together.
    pub justification: String,
}

/// A parsed OpenVEX document.
#[derive(Debug, Clone, Default)]
pub struct Vex {
    pub statements: Vec<Statement>,
}

#[derive(Deserialize)]
struct RawDocument {
    #[serde(default)]
    statements: Vec<RawStatement>,
}

#[derive(Deserialize)]
struct RawStatement {
    vulnerability: Value,
    #[serde(default)]
    products: Vec<Value>,
    status: String,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    impact_statement: Option<String>,
    #[serde(default)]
    status_notes: Option<String>,
}

/// Every identifier of a vulnerability or product: a bare string (v0.0.1), or an object's
/// `@id`, `name` and `identifiers` values (v0.2.0: `@id` is often an IRI, `name` the CVE,
/// `identifiers.purl` a package).
fn ids_of(value: &Value) -> Vec<String> {
    match value {
        Value::String(id) => vec![id.clone()],
        Value::Object(map) => ["@id", "name"]
            .iter()
            .filter_map(|key| map.get(*key).and_then(Value::as_str))
            .chain(
                map.get("identifiers")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|ids| ids.values().filter_map(Value::as_str)),
            )
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

impl Vex {
    /// Parses an OpenVEX JSON document.
    pub fn parse(text: &str) -> Result<Vex, String> {
        let raw: RawDocument =
            serde_json::from_str(text).map_err(|e| format!("not an OpenVEX document: {e}"))?;
        let statements = raw
            .statements
            .into_iter()
            .map(|s| {
                let mut vulnerabilities = ids_of(&s.vulnerability);
                if let Some(aliases) = s.vulnerability.get("aliases").and_then(Value::as_array) {
                    vulnerabilities
                        .extend(aliases.iter().filter_map(Value::as_str).map(str::to_string));
                }
                let mut packages = Vec::new();
                let mut images = Vec::new();
                for product in &s.products {
                    let subcomponents: Vec<String> = product
                        .get("subcomponents")
                        .and_then(Value::as_array)
                        .map(|subs| subs.iter().flat_map(ids_of).collect())
                        .unwrap_or_default();
                    let ids = ids_of(product);
                    let image: Vec<String> = ids
                        .iter()
                        .filter(|id| id.starts_with("pkg:oci/"))
                        .cloned()
                        .collect();
                    if subcomponents.is_empty() {
                        if image.is_empty() {
                            packages.extend(ids);
                        } else {
                            images.extend(image.iter().map(|i| (i.clone(), None)));
                        }
                    } else {
                        // Packages of this product only (of this image, when it names one).
                        match image.first() {
                            Some(image) => images.extend(
                                subcomponents.into_iter().map(|p| (image.clone(), Some(p))),
                            ),
                            None => packages.extend(subcomponents),
                        }
                    }
                }
                let justification = [s.justification, s.impact_statement, s.status_notes]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ");
                Statement {
                    vulnerabilities,
                    packages,
                    images,
                    status: s.status,
                    justification,
                }
            })
            .collect();
        Ok(Vex { statements })
    }

    /// The justification of the statement that accepts `advisory ids` in the package `purl`
    /// of `image`, if one does (the last applicable statement wins, as VEX documents are
    /// amended by appending).
    pub fn accepts(&self, ids: &[&str], purl: &str, image: &ImageIdentity<'_>) -> Option<String> {
        let applicable = self.statements.iter().rev().find(|s| {
            s.vulnerabilities.iter().any(|v| ids.contains(&v.as_str()))
                && (s.packages.iter().any(|p| same_package(p, purl))
                    || s.images.iter().any(|(product, package)| {
                        image.is(product) && package.as_ref().is_none_or(|p| same_package(p, purl))
                    }))
        })?;
        match applicable.status.as_str() {
            "not_affected" | "fixed" => Some(if applicable.justification.is_empty() {
                applicable.status.clone()
            } else {
                format!("{}: {}", applicable.status, applicable.justification)
            }),
            _ => None,
        }
    }
}

/// The image scanned, as VEX image products (`pkg:oci/<name>@<digest>`) identify it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImageIdentity<'a> {
    /// The manifest digest, when known.
    pub digest: Option<&'a str>,
    /// The reference (`registry/repository:tag`, a layout path, …).
    pub reference: &'a str,
}

impl ImageIdentity<'_> {
    /// Whether an image product names this image: by digest when both say one, else by the
    /// repository's last path segment (the purl's name).
    fn is(&self, product: &str) -> bool {
        let product = percent_decode(product.split(['?', '#']).next().unwrap_or(""));
        let Some(rest) = product.strip_prefix("pkg:oci/") else {
            return false;
        };
        let (name, version) = rest.split_once('@').unwrap_or((rest, ""));
        if let Some(digest) = self.digest
            && !version.is_empty()
        {
            return version == digest;
        }
        let repository = self.reference.split(['@']).next().unwrap_or("");
        let repository = match repository.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => repo,
            _ => repository,
        };
        repository.rsplit('/').next() == Some(name)
    }
}

/// `%XX` escapes decoded (purls percent-encode `:` and `+` in versions, `@` in npm scopes).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a VEX product purl names the package `purl`: percent-escapes decoded, qualifiers
/// ignored, and a product without a version names every version.
fn same_package(product: &str, purl: &str) -> bool {
    let strip = |p: &str| percent_decode(p.split(['?', '#']).next().unwrap_or(""));
    let (product, purl) = (strip(product), strip(purl));
    if product == purl {
        return true;
    }
    // The version follows an `@` in the last path segment (an npm scope's `@` is earlier).
    let version_at = |p: &str| {
        let name_start = p.rfind('/').map_or(0, |slash| slash + 1);
        p[name_start..].find('@').map(|at| name_start + at)
    };
    version_at(&product).is_none() && version_at(&purl).is_some_and(|at| purl[..at] == product)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = r#"{
      "@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://example.com/vex/shop-api-1.4",
      "author": "Platform team",
      "timestamp": "2026-11-20T10:00:00Z",
      "version": 1,
      "statements": [
        {"vulnerability": {"name": "CVE-2018-18074", "aliases": ["GHSA-x84v-xcm2-53pg"]},
         "products": [{"@id": "pkg:oci/api@sha256:abc", "subcomponents": [{"@id": "pkg:pypi/requests@2.19.1"}]}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
         "impact_statement": "the service never follows redirects"},
        {"vulnerability": {"name": "CVE-2019-10906"}, "products": [{"@id": "pkg:pypi/jinja2"}],
         "status": "under_investigation"},
        {"vulnerability": "CVE-2020-1747", "products": ["pkg:pypi/pyyaml"], "status": "fixed"}
      ]
    }"#;

    #[test]
    fn statements_accept_by_alias_purl_and_image() {
        let vex = Vex::parse(DOCUMENT).unwrap();
        let api = ImageIdentity {
            digest: Some("sha256:abc"),
            reference: "registry.example/shop/api:1.4",
        };
        let accepted = vex
            .accepts(
                &["PYSEC-2018-28", "GHSA-x84v-xcm2-53pg"],
                "pkg:pypi/requests@2.19.1",
                &api,
            )
            .unwrap();
        assert!(accepted.starts_with("not_affected: vulnerable_code_not_in_execute_path"));
        // Another image (another digest) is not covered by a statement about this one.
        let web = ImageIdentity {
            digest: Some("sha256:def"),
            reference: "registry.example/shop/web:2.0",
        };
        let requests = "pkg:pypi/requests@2.19.1";
        assert_eq!(vex.accepts(&["CVE-2018-18074"], requests, &web), None);
        assert_eq!(
            vex.accepts(&["CVE-2018-18074"], "pkg:pypi/requests@2.20.0", &api),
            None
        );
        assert_eq!(
            vex.accepts(&["CVE-2019-10906"], "pkg:pypi/jinja2@2.10", &api),
            None
        );
        // v0.0.1 shape, and a versionless product.
        let pyyaml = "pkg:pypi/pyyaml@5.3?foo=bar";
        assert_eq!(
            vex.accepts(&["CVE-2020-1747"], pyyaml, &web).as_deref(),
            Some("fixed")
        );
        assert!(Vex::parse("not json").is_err());
    }

    #[test]
    fn purls_compare_decoded_and_names_and_iris_both_count() {
        assert!(same_package(
            "pkg:deb/debian/bash@1:5.2.15-2+b7",
            "pkg:deb/debian/bash@1%3A5.2.15-2%2Bb7?arch=amd64"
        ));
        assert!(same_package(
            "pkg:npm/%40scope/x",
            "pkg:npm/%40scope/x@1.0.0"
        ));
        assert!(!same_package(
            "pkg:npm/@scope/x@2.0.0",
            "pkg:npm/%40scope/x@1.0.0"
        ));
        let vex = Vex::parse(
            r#"{"statements": [{"vulnerability": {"@id": "https://nvd.nist.gov/vuln/detail/CVE-2024-1", "name": "CVE-2024-1"},
                "products": [{"@id": "pkg:oci/api"}], "status": "not_affected", "justification": "component_not_present"}]}"#,
        )
        .unwrap();
        let by_name = ImageIdentity {
            digest: None,
            reference: "127.0.0.1:5000/shop/api:1.4",
        };
        assert!(
            vex.accepts(&["CVE-2024-1"], "pkg:pypi/x@1", &by_name)
                .is_some()
        );
        let other = ImageIdentity {
            digest: None,
            reference: "127.0.0.1:5000/shop/web:1.4",
        };
        assert!(
            vex.accepts(&["CVE-2024-1"], "pkg:pypi/x@1", &other)
                .is_none()
        );
    }
}
