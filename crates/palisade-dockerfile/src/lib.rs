//! palisade-dockerfile owns reading Dockerfiles exactly as BuildKit does (parser directives,
//! continuations, heredocs, exec and shell forms, flags, ONBUILD, multi-stage builds) and the
//! views rules need on top: build stages with their resolved base images, `ARG`/`ENV`
//! substitution, and the shell of each `RUN` split into commands. The build-time hardening
//! rules that use them are issue 4's next step.

pub mod expand;
pub mod parser;
pub mod shell;
mod stages;

pub use parser::{Arguments, Dockerfile, Flag, Heredoc, Instruction, ParseError, parse};
pub use stages::{Stage, stages};
