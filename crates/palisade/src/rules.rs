//! The whole rule catalogue: the manifest rules of palisade-checks, the Dockerfile rules of
//! palisade-dockerfile, the image rules of palisade-image, the vulnerability rule, and the
//! whole-input RBAC and NetworkPolicy rules, looked up by id, kebab-case name or alias
//! (hadolint codes).

use palisade_core::RuleMeta;

/// Every rule, manifest rules first.
pub fn all() -> Vec<&'static RuleMeta> {
    palisade_checks::registry::rules()
        .into_iter()
        .chain(palisade_dockerfile::rules::all().map(|r| &r.meta))
        .chain(palisade_image::rules::all().map(|r| &r.meta))
        .chain(std::iter::once(&palisade_vulndb::rule::RULE))
        .chain(palisade_rbac::rules::all().map(|r| &r.meta))
        .chain(palisade_netpol::rules::all().map(|r| &r.meta))
        .collect()
}

/// A rule by id, kebab-case name or alias, case-insensitively.
pub fn find(id: &str) -> Option<&'static RuleMeta> {
    all().into_iter().find(|r| {
        r.id.eq_ignore_ascii_case(id)
            || r.name.eq_ignore_ascii_case(id)
            || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use palisade_core::Framework;
    use palisade_core::frameworks::controls;

    use super::*;

    #[test]
    fn ids_names_and_aliases_are_unique() {
        let rules = all();
        let mut seen = HashSet::new();
        for rule in &rules {
            // A one-word rule's id and name are the same word (`vulnerability`).
            let own: std::collections::BTreeSet<&str> = [rule.id, rule.name]
                .into_iter()
                .chain(rule.aliases.iter().copied())
                .collect();
            for key in own {
                // One hadolint code may map to one rule only.
                assert!(seen.insert(key.to_ascii_lowercase()), "{key} is used twice");
            }
            assert!(
                rule.doc.contains("**Failing**") && rule.doc.contains("**Passing**"),
                "{} lacks examples",
                rule.id
            );
        }
        assert_eq!(find("DL3002").unwrap().id, "rootUser");
        assert_eq!(find("root-user").unwrap().id, "rootUser");
    }

    #[test]
    fn every_reference_names_a_known_control() {
        for rule in all() {
            for framework in [Framework::Cis, Framework::Nsa, Framework::Mitre] {
                let table = controls(framework).unwrap();
                for id in rule.controls(framework) {
                    assert!(
                        table.iter().any(|(c, _)| *c == id),
                        "{}: unknown {} control {id}",
                        rule.id,
                        framework.id()
                    );
                }
            }
        }
    }
}
