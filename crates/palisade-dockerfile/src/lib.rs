//! palisade-dockerfile owns reading Dockerfiles exactly as BuildKit does (parser directives,
//! continuations, heredocs, exec and shell forms, flags, ONBUILD, multi-stage builds) and the
//! views rules need on top: build stages with their resolved base images, `ARG`/`ENV`
//! substitution, and the shell of each `RUN` split into commands; and the build-time
//! hardening rules on top of them, turned into findings with the shared suppression model.

mod analyze;
pub mod expand;
pub mod parser;
pub mod rules;
pub mod shell;
mod stages;

pub use analyze::{Analysis, Selection, analyze, find};
pub use parser::{Arguments, Comment, Dockerfile, Flag, Heredoc, Instruction, ParseError, parse};
pub use stages::{Stage, stages};
