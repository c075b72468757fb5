//! The ~370 real-world Dockerfiles of `../shared/corpus/dockerfile`: every one parses without a
//! panic, the few errors are real problems of the files, and the constructs the corpus uses
//! (heredocs, multi-stage builds, ONBUILD, exec form) come out as BuildKit reads them.

use std::path::{Path, PathBuf};

use palisade_dockerfile::{Arguments, parse, shell, stages};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn real_world_dockerfiles_parse() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dockerfile");
    if !corpus.is_dir() {
        eprintln!("skipping: {} not present", corpus.display());
        return;
    }
    let mut paths = Vec::new();
    files(&corpus, &mut paths);
    assert!(paths.len() > 300, "{}", paths.len());
    let (mut instructions, mut with_errors, mut multi_stage, mut commands) = (0, 0, 0, 0);
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let file = parse(&text);
        instructions += file.instructions.len();
        if !file.errors.is_empty() {
            with_errors += 1;
            eprintln!("{}: {:?}", path.display(), file.errors);
        }
        if stages(&file).len() > 1 {
            multi_stage += 1;
        }
        for instruction in &file.instructions {
            assert!(instruction.line <= instruction.end_line);
            if let (true, Arguments::Shell(script)) =
                (instruction.keyword == "RUN", &instruction.arguments)
            {
                commands += shell::commands(script).len();
            }
        }
    }
    eprintln!(
        "{} files, {instructions} instructions, {multi_stage} multi-stage, {commands} RUN commands, {with_errors} with errors",
        paths.len()
    );
    assert!(instructions > 3000);
    assert!(multi_stage > 20);
    assert!(
        with_errors * 20 < paths.len(),
        "{with_errors} files with errors"
    );
}
