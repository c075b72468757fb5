//! The `palisade` binary: the command line, wiring loading, checks and reports together.

mod cli;
mod db;
mod docs;
mod image;
mod rbac;
mod rules;
mod scan;
mod vulns;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("palisade: error: {error:#}");
            ExitCode::from(2)
        }
    }
}
