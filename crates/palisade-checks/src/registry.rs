//! The rule registry: every rule palisade knows, in the order `palisade checks` lists them.

use palisade_core::RuleMeta;

use crate::{expired_ignore, namespace, pss, rules};

/// Every rule: the Pod Security Standards checks (baseline, then restricted), namespace
/// posture, the hardening rules family by family, then the configuration's own rule.
pub fn rules() -> Vec<&'static RuleMeta> {
    pss::CHECKS
        .iter()
        .map(|c| &c.meta)
        .chain([&namespace::RULE])
        .chain(rules::all().map(|r| &r.meta))
        .chain([&expired_ignore::RULE])
        .collect()
}

/// A rule by id or kebab-case name, case-insensitively.
pub fn find(id_or_name: &str) -> Option<&'static RuleMeta> {
    rules()
        .into_iter()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_name) || r.name.eq_ignore_ascii_case(id_or_name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let rules = rules();
        let ids: HashSet<_> = rules.iter().map(|r| r.id).collect();
        let names: HashSet<_> = rules.iter().map(|r| r.name).collect();
        assert_eq!(ids.len(), rules.len());
        assert_eq!(names.len(), rules.len());
        for rule in rules {
            assert!(
                rule.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                rule.name
            );
            assert!(
                rule.doc.contains("**Failing**") && rule.doc.contains("**Passing**"),
                "{} lacks examples",
                rule.id
            );
            assert!(
                !rule.remediation.is_empty() && !rule.references.is_empty(),
                "{}",
                rule.id
            );
        }
    }

    /// The binary's test checks every framework; this one keeps the CIS table in step with
    /// the rules of this crate without building it.
    #[test]
    fn every_cis_reference_is_a_listed_control() {
        use palisade_core::frameworks::CIS_CONTROLS;
        for rule in rules() {
            for reference in rule
                .references
                .iter()
                .filter(|r| r.framework == palisade_core::CIS)
            {
                assert!(
                    CIS_CONTROLS.iter().any(|(id, _)| *id == reference.id),
                    "{}: CIS {} is not in CIS_CONTROLS",
                    rule.id,
                    reference.id
                );
            }
        }
    }

    #[test]
    fn lookup_by_id_or_name() {
        assert_eq!(
            find("allowprivilegeescalation").unwrap().id,
            "allowPrivilegeEscalation"
        );
        assert_eq!(find("host-namespaces").unwrap().id, "hostNamespaces");
        assert!(find("nope").is_none());
    }
}
