//! `palisade.toml` on arbitrary bytes: TOML parsing, spans to line/column, validation of rule
//! ids, globs, severities and dates. Nothing may panic; errors must carry a position.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_core::config::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(errors) = Config::parse("palisade.toml", text, &|id| (id == "privileged").then_some("privileged")) {
        assert!(!errors.is_empty());
        assert!(errors.iter().all(|e| e.line.is_some()));
    }
});
