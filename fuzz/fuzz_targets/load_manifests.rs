//! The whole manifest path on arbitrary bytes: document splitting, YAML/JSON parsing with
//! aliases and merge keys, object building, type checks and every rule. Nothing may panic.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use palisade_checks::Engine;
use palisade_core::config::Config;
use palisade_k8s::load_stream;
use palisade_k8s::schema::check_types;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let loaded = load_stream(&Arc::from("fuzz.yaml"), text);
    let mut engine = Engine::default();
    // Every rule on, including the registry allow-list.
    let config = Config::parse("fuzz.toml", "[images]\nallowed_registries = [\"registry.corp.example/*\"]\n", &|id| Some(palisade_checks::registry::find(id).map_or("privileged", |r| r.id)))
        .expect("valid config");
    engine.configure(&config);
    for object in &loaded.objects {
        let _ = check_types(object);
        let _ = engine.check(object);
    }
});
