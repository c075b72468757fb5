use super::*;

fn ids(level: Level, minor: u32) -> Vec<&'static str> {
    checks_for(Policy {
        level,
        version: Version::V1(minor),
    })
    .into_iter()
    .map(|(c, _)| c.meta.id)
    .collect()
}

#[test]
fn baseline_at_v1_0_has_the_original_controls() {
    assert_eq!(
        ids(Level::Baseline, 0),
        vec![
            "appArmorProfile",
            "capabilities_baseline",
            "hostNamespaces",
            "hostPathVolumes",
            "hostPorts",
            "privileged",
            "procMount",
            "seLinuxOptions",
            "seccompProfile_baseline",
            "sysctls",
            "windowsHostProcess",
        ]
    );
}

#[test]
fn restricted_controls_appear_at_their_versions_and_supersede_baseline_ones() {
    let v1_0 = ids(Level::Restricted, 0);
    assert!(v1_0.contains(&"seccompProfile_baseline") && v1_0.contains(&"capabilities_baseline"));
    assert!(
        !v1_0.contains(&"hostPathVolumes"),
        "restrictedVolumes overrides it from v1.0"
    );
    assert!(!v1_0.contains(&"allowPrivilegeEscalation"), "added in v1.8");
    assert!(ids(Level::Restricted, 8).contains(&"allowPrivilegeEscalation"));

    let v1_19 = ids(Level::Restricted, 19);
    assert!(
        !v1_19.contains(&"seccompProfile_baseline") && v1_19.contains(&"seccompProfile_restricted")
    );
    assert!(
        v1_19.contains(&"capabilities_baseline"),
        "capabilities_restricted only from v1.22"
    );

    let v1_22 = ids(Level::Restricted, 22);
    assert!(
        !v1_22.contains(&"capabilities_baseline") && v1_22.contains(&"capabilities_restricted")
    );
    assert!(!v1_22.contains(&"runAsUser") && ids(Level::Restricted, 23).contains(&"runAsUser"));

    assert!(!ids(Level::Baseline, 33).contains(&"hostProbesAndHostLifecycle"));
    assert!(ids(Level::Baseline, 34).contains(&"hostProbesAndHostLifecycle"));

    let v1_34 = ids(Level::Restricted, 34);
    assert!(v1_34.contains(&"procMount") && !v1_34.contains(&"procMount_restricted"));
    let v1_35 = ids(Level::Restricted, 35);
    assert!(!v1_35.contains(&"procMount") && v1_35.contains(&"procMount_restricted"));
    assert!(ids(Level::Baseline, 35).contains(&"procMount"));
}

#[test]
fn latest_restricted_runs_every_control_once() {
    let latest = checks_for(Policy {
        level: Level::Restricted,
        version: Version::Latest,
    });
    let ids: Vec<_> = latest.iter().map(|(c, _)| c.meta.id).collect();
    assert_eq!(ids.len(), 15, "{ids:?}");
    for overridden in [
        "hostPathVolumes",
        "seccompProfile_baseline",
        "capabilities_baseline",
        "procMount",
    ] {
        assert!(!ids.contains(&overridden), "{overridden}");
    }
    assert!(
        checks_for(Policy {
            level: Level::Privileged,
            version: Version::Latest
        })
        .is_empty()
    );
}

#[test]
fn revisions_are_ordered_and_overrides_only_target_baseline_checks() {
    for check in CHECKS {
        assert!(
            check
                .revisions
                .windows(2)
                .all(|w| w[0].min_minor < w[1].min_minor),
            "{}",
            check.meta.id
        );
        for revision in check.revisions {
            assert!(revision.min_minor <= LATEST_MINOR);
            for id in revision.overrides {
                assert_eq!(check.level, Level::Restricted, "{}", check.meta.id);
                let target = CHECKS
                    .iter()
                    .find(|c| c.meta.id == *id)
                    .expect("override target exists");
                assert_eq!(target.level, Level::Baseline);
            }
        }
    }
}
