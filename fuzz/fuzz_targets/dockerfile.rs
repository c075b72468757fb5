//! Dockerfiles on arbitrary bytes: directives, continuations, heredocs, flags, ONBUILD, stages
//! with ARG substitution, and the shell splitter on every RUN. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_dockerfile::{parse, shell, stages};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = parse(text);
    let _ = stages(&file);
    for instruction in &file.instructions {
        assert!(instruction.line <= instruction.end_line);
        if let Some(script) = instruction.shell() {
            let _ = shell::commands(script);
        }
        for heredoc in &instruction.heredocs {
            let _ = shell::commands(&heredoc.body);
        }
    }
});
