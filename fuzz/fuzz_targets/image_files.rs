//! The image catalogers and inspectors on arbitrary bytes: os-release, dpkg, apk, Python and
//! npm metadata, npm/yarn/Cargo lockfiles, Java archives, rpm databases (SQLite, Berkeley DB,
//! the RPM headers in them), Go build info and ELF sections of binaries, secrets in layer files.
//! Nothing may panic. (Layer streams have their own target, `layer_stream`.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_image::catalog::{
    apk, binaries, dpkg, java, lockfiles, npm, os_release, python, rpm,
};
use palisade_image::layer_secrets;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let os = os_release::parse(&text);
    let _ = os.ecosystem();
    let _ = dpkg::parse(&text, "var/lib/dpkg/status", 0, &os);
    let _ = apk::parse(&text, 0, &os);
    let _ = python::parse(&text, "x.dist-info/METADATA", 0);
    let _ = npm::parse(&text, "node_modules/x/package.json", 0);
    let _ = rpm::parse(data, "var/lib/rpm/Packages", 0, &os);
    for lockfile in ["package-lock.json", "yarn.lock", "Cargo.lock"] {
        let _ = lockfiles::parse(&text, lockfile, 0);
    }
    let _ = java::inspect(0, "app.war", data);
    let _ = layer_secrets::inspect(0, "opt/app/.env", data);
    // As a binary: ELF magic first, so the Go and ELF parsers see the rest.
    let mut binary = b"\x7fELF\x02\x01".to_vec();
    binary.extend_from_slice(data);
    let _ = binaries::inspect(0, "usr/local/bin/x", &binary);
});
