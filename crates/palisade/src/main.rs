//! The `palisade` binary: the command line, wiring loading, checks and reports together.

mod cli;
mod db;
mod docs;
mod image;
mod inputs;
mod netpol;
mod rbac;
mod rules;
mod scan;
mod vulns;

use std::process::ExitCode;

use clap::Parser;

/// glibc raises its mmap threshold each time a large block is freed, after which input texts
/// (hundreds of KiB each, read in parallel) come from the heap arenas and fragment them: on the
/// large benchmark corpus peak RSS was 553 MB against a 145 MB peak heap. A fixed 1 MiB
/// threshold keeps big buffers in their own mappings, returned to the system when freed
/// (489 MB, same speed; 601 MB to 523 MB with the RBAC analysis of issue 7).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fix_mmap_threshold() {
    // SAFETY: mallopt only changes allocator tuning; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fix_mmap_threshold() {}

fn main() -> ExitCode {
    fix_mmap_threshold();
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("palisade: error: {error:#}");
            ExitCode::from(2)
        }
    }
}
