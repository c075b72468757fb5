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
    /// Package purls (products and subcomponents); `None` when an image product covers all.
    pub packages: Option<Vec<String>>,
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

fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::String(id) => Some(id.clone()),
        Value::Object(map) => map
            .get("@id")
            .or_else(|| map.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
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
                let mut vulnerabilities: Vec<String> =
                    id_of(&s.vulnerability).into_iter().collect();
                if let Some(aliases) = s.vulnerability.get("aliases").and_then(Value::as_array) {
                    vulnerabilities
                        .extend(aliases.iter().filter_map(Value::as_str).map(str::to_string));
                }
                let mut packages = Vec::new();
                let mut whole_image = false;
                for product in &s.products {
                    let subcomponents: Vec<String> = product
                        .get("subcomponents")
                        .and_then(Value::as_array)
                        .map(|subs| subs.iter().filter_map(id_of).collect())
                        .unwrap_or_default();
                    let id = id_of(product).unwrap_or_default();
                    if subcomponents.is_empty() {
                        if id.starts_with("pkg:oci/") {
                            whole_image = true;
                        } else {
                            packages.push(id);
                        }
                    } else {
                        packages.extend(subcomponents);
                    }
                }
                let justification = [s.justification, s.impact_statement, s.status_notes]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ");
                Statement {
                    vulnerabilities,
                    packages: (!whole_image).then_some(packages),
                    status: s.status,
                    justification,
                }
            })
            .collect();
        Ok(Vex { statements })
    }

    /// The justification of the statement that accepts `advisory ids` in the package `purl`,
    /// if one does (the last applicable statement wins, as VEX documents are amended by
    /// appending).
    pub fn accepts(&self, ids: &[&str], purl: &str) -> Option<String> {
        let applicable = self.statements.iter().rev().find(|s| {
            s.vulnerabilities.iter().any(|v| ids.contains(&v.as_str()))
                && s.packages
                    .as_ref()
                    .is_none_or(|packages| packages.iter().any(|p| same_package(p, purl)))
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

/// Whether a VEX product purl names the package `purl`: qualifiers ignored, and a product
/// without a version names every version.
fn same_package(product: &str, purl: &str) -> bool {
    let strip = |p: &str| p.split(['?', '#']).next().unwrap_or("").to_string();
    let (product, purl) = (strip(product), strip(purl));
    if product == purl {
        return true;
    }
    !product.contains('@') && purl.split('@').next() == Some(product.as_str())
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
    fn statements_accept_by_alias_and_purl() {
        let vex = Vex::parse(DOCUMENT).unwrap();
        let accepted = vex
            .accepts(
                &["PYSEC-2018-28", "GHSA-x84v-xcm2-53pg"],
                "pkg:pypi/requests@2.19.1",
            )
            .unwrap();
        assert!(accepted.starts_with("not_affected: vulnerable_code_not_in_execute_path"));
        assert_eq!(
            vex.accepts(&["CVE-2018-18074"], "pkg:pypi/requests@2.20.0"),
            None
        );
        assert_eq!(
            vex.accepts(&["CVE-2019-10906"], "pkg:pypi/jinja2@2.10"),
            None
        );
        // v0.0.1 shape, and a versionless product.
        assert_eq!(
            vex.accepts(&["CVE-2020-1747"], "pkg:pypi/pyyaml@5.3?foo=bar")
                .as_deref(),
            Some("fixed")
        );
        assert!(Vex::parse("not json").is_err());
    }
}
