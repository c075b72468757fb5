//! The objects of the inputs, for the commands that analyse them as a whole (`rbac`, `netpol`):
//! the same discovery and parsing as `scan`, Dockerfiles left out; input errors are reported
//! and end the command with exit code 2.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use palisade_k8s::{Input, Object, discover, load_stream};

/// Every object of `paths` (files, directories, `-`), or exit code 2 after reporting the
/// input errors.
pub fn load_objects(paths: &[PathBuf]) -> Result<Vec<Object>, ExitCode> {
    let (inputs, mut errors) = discover(paths, &[]);
    let mut objects = Vec::new();
    for input in inputs {
        if matches!(input, Input::Dockerfile(_)) {
            continue;
        }
        let file: Arc<str> = Arc::from(input.display_name());
        match input.read() {
            Ok(text) => {
                let loaded = load_stream(&file, &text);
                errors.extend(loaded.errors);
                objects.extend(loaded.objects);
            }
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(objects)
    } else {
        Err(crate::cli::input_errors(&errors))
    }
}
