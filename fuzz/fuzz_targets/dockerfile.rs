//! Dockerfiles on arbitrary bytes: directives, continuations, heredocs, flags, ONBUILD, stages
//! with ARG substitution, the shell splitter on every RUN, and every Dockerfile rule (with the
//! registry allow-list on) including pragmas. Nothing may panic.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use palisade_core::RuleMeta;
use palisade_core::image::RegistryAllowList;
use palisade_dockerfile::rules::Settings;
use palisade_dockerfile::{Selection, analyze, parse, shell, stages};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = parse(text);
    let _ = stages(&file);
    for instruction in &file.instructions {
        assert!(instruction.line <= instruction.end_line);
        if let Some(script) = instruction.shell() {
            let _ = shell::commands(script);
        }
    }
    let settings = Settings {
        allowed_registries: RegistryAllowList::new(&["registry.corp.example/*"]).ok(),
    };
    let all = |_: &RuleMeta| true;
    let none = |_: &RuleMeta| None;
    let selection = Selection { enabled: &all, severity: &none };
    let _ = analyze(&Arc::from("Dockerfile"), text, &settings, &selection);
});
