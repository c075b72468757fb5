//! Packages compiled into binaries: Go's build info (`\xff Go buildinf:`, Go 1.18+ inline
//! format: toolchain, main module, dependencies with `=>` replacements) and the dependency list
//! `cargo auditable` embeds in Rust binaries (an ELF `.dep-v0` section of zlib-compressed JSON).
//! Written by hand: the formats are small and no maintained crate reads both from raw bytes.

use std::borrow::Cow;
use std::io::Read;

use super::{Package, purl_encode};
use crate::flatten::FileMeta;

/// The largest binary looked at.
const MAX_SIZE: u64 = 512 << 20;

/// Whether a file may be a program worth opening: executable (as Go and Rust programs are to
/// run at all; shared libraries are not) and of a program's size (the content decides: ELF
/// magic).
pub fn wants(file: &FileMeta<'_>) -> bool {
    file.executable
        && (4096..=MAX_SIZE).contains(&file.size)
        && !file.path.starts_with("usr/share/")
}

/// The packages compiled into `content`, if it is an ELF binary with Go build info or a
/// `cargo auditable` section.
pub fn inspect(layer: usize, path: &str, content: &[u8]) -> Vec<Package> {
    if !content.starts_with(b"\x7fELF") {
        return Vec::new();
    }
    let mut packages = go_modules(content, layer, path);
    packages.extend(rust_crates(content, layer, path));
    packages
}

fn package(
    ecosystem: &str,
    purl_type: &str,
    name: &str,
    version: &str,
    layer: usize,
    path: &str,
) -> Package {
    let purl = format!(
        "pkg:{purl_type}/{}@{}",
        purl_encode_path(name),
        purl_encode(version)
    );
    Package::language(
        ecosystem,
        name.to_string(),
        version.to_string(),
        purl,
        layer,
        path,
    )
}

/// A purl name with `/`-separated segments (Go module paths) encoded segment by segment.
fn purl_encode_path(name: &str) -> String {
    name.split('/')
        .map(purl_encode)
        .collect::<Vec<_>>()
        .join("/")
}

const GO_MAGIC: &[u8] = b"\xff Go buildinf:";
/// The ELF section Go's linker puts the build info in.
const GO_SECTION: &str = ".go.buildinfo";
/// The ELF section `cargo auditable` writes the dependency list to.
const DEP_SECTION: &str = ".dep-v0";

/// An unsigned LEB128 varint and the bytes it used.
fn uvarint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut value: usize = 0;
    for (i, byte) in bytes.iter().enumerate().take(9) {
        value |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// A varint-prefixed byte string and the bytes it used.
fn go_bytes(bytes: &[u8]) -> Option<(&[u8], usize)> {
    let (len, used) = uvarint(bytes)?;
    let text = bytes.get(used..used.checked_add(len)?)?;
    Some((text, used + len))
}

/// Go modules from the build info (Go 1.18+; older binaries keep pointers instead and are
/// skipped): the main module (unless `(devel)`), every dependency (a `=>` line replaces the one
/// before it), and the toolchain as module `stdlib`.
fn go_modules(content: &[u8], layer: usize, path: &str) -> Vec<Package> {
    // The build info header is 16-byte aligned.
    let Some(start) = (0..content.len().saturating_sub(32))
        .step_by(16)
        .find(|&i| content[i..].starts_with(GO_MAGIC))
    else {
        return Vec::new();
    };
    let header = &content[start..];
    let inline = header.get(15).is_some_and(|flags| flags & 0x2 != 0);
    if !inline {
        return Vec::new();
    }
    let Some((version, used)) = go_bytes(&header[32..]) else {
        return Vec::new();
    };
    let Some((modinfo, _)) = go_bytes(&header[32 + used..]) else {
        return Vec::new();
    };
    // The module info is wrapped in 16 binary sentinel bytes on each side.
    let modinfo = if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        &modinfo[16..modinfo.len() - 16]
    } else {
        modinfo
    };
    let (version, modinfo) = (
        String::from_utf8_lossy(version),
        String::from_utf8_lossy(modinfo),
    );
    let mut modules: Vec<(String, String)> = Vec::new();
    for line in modinfo.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["mod", module, version, ..] if *version != "(devel)" => {
                modules.push((module.to_string(), version.to_string()));
            }
            ["dep", module, version, ..] => modules.push((module.to_string(), version.to_string())),
            ["=>", module, version, ..] => {
                if let Some(last) = modules.last_mut() {
                    *last = (module.to_string(), version.to_string());
                }
            }
            _ => {}
        }
    }
    let mut packages: Vec<Package> = modules
        .iter()
        .map(|(module, version)| package("Go", "golang", module, version, layer, path))
        .collect();
    // `go1.22.4 X:boringcrypto`: the experiments after the space are not part of the version.
    let version = version.split_whitespace().next().unwrap_or("");
    if let Some(toolchain) = version.strip_prefix("go") {
        packages.push(package("Go", "golang", "stdlib", toolchain, layer, path));
    }
    packages
}

/// Where a named section of a little-endian ELF64 file is (offset, size), reading the ELF
/// header, the section header table and the section names through `read(offset, len)`: three
/// reads. Every offset comes from the file, so every addition is checked.
fn elf_section_range<'a>(
    read: &dyn Fn(usize, usize) -> Option<Cow<'a, [u8]>>,
    wanted: &str,
) -> Option<(usize, usize)> {
    fn number(bytes: &[u8], at: usize, len: usize) -> Option<usize> {
        let field = bytes.get(at..at.checked_add(len)?)?;
        usize::try_from(field.iter().rev().fold(0u64, |n, b| n << 8 | u64::from(*b))).ok()
    }
    let elf_header = read(0, 64)?;
    // ELFCLASS64, little endian.
    if elf_header.get(4..6) != Some(&[2, 1]) {
        return None;
    }
    let shoff = number(&elf_header, 0x28, 8)?;
    let shentsize = number(&elf_header, 0x3a, 2)?;
    let shnum = number(&elf_header, 0x3c, 2)?.min(4096);
    let shstrndx = number(&elf_header, 0x3e, 2)?;
    // ELF64 section headers are 64 bytes.
    if shentsize != 0x40 {
        return None;
    }
    let table = read(shoff, shnum.checked_mul(shentsize)?)?;
    let range_of = |i: usize| {
        let h = i.checked_mul(shentsize)?;
        let offset = number(&table, h.checked_add(0x18)?, 8)?;
        let size = number(&table, h.checked_add(0x20)?, 8)?;
        offset.checked_add(size)?;
        Some((offset, size))
    };
    let (names_at, names_size) = range_of(shstrndx)?;
    // Section names are short; a table larger than this is not one.
    let names = read(names_at, names_size.min(1 << 20))?;
    (0..shnum).find_map(|i| {
        let name_at = number(&table, i.checked_mul(shentsize)?, 4)?;
        let name = names.get(name_at..)?.split(|b| *b == 0).next()?;
        (name == wanted.as_bytes()).then(|| range_of(i)).flatten()
    })
}

/// The bytes of a named section of a little-endian ELF64 file.
fn elf_section<'a>(content: &'a [u8], wanted: &str) -> Option<&'a [u8]> {
    let read = |at: usize, len: usize| content.get(at..at.checked_add(len)?).map(Cow::Borrowed);
    let (offset, size) = elf_section_range(&read, wanted)?;
    content.get(offset..offset + size)
}

/// Whether a file on disk is worth reading whole: an ELF binary that may hold Go build info or
/// a `cargo auditable` section. Little-endian ELF64 files (nearly all) are judged by their
/// section headers alone, so that the bulk of the binaries of a root filesystem is never read;
/// other ELF files are read (the Go build info scan works on any).
pub fn may_hold_packages(file: &std::fs::File) -> bool {
    let read = |at: usize, len: usize| {
        let mut bytes = vec![0; len];
        read_exact_at(file, &mut bytes, at as u64).ok()?;
        Some(Cow::<[u8]>::Owned(bytes))
    };
    let Some(ident) = read(0, 6) else {
        return false;
    };
    if !ident.starts_with(b"\x7fELF") {
        return false;
    }
    ident[4..6] != [2, 1]
        || [GO_SECTION, DEP_SECTION]
            .iter()
            .any(|name| elf_section_range(&read, name).is_some())
}

/// One positioned read (`pread`: no seek, no shared cursor).
#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(not(unix))]
fn read_exact_at(mut file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(buf)
}

/// Crates from a `cargo auditable` `.dep-v0` section (registry crates only: the root and path
/// dependencies are not published packages).
fn rust_crates(content: &[u8], layer: usize, path: &str) -> Vec<Package> {
    let Some(section) = elf_section(content, DEP_SECTION) else {
        return Vec::new();
    };
    let mut json = Vec::new();
    // Bounded: the list of a binary's crates is small.
    if flate2::read::ZlibDecoder::new(section)
        .take(16 << 20)
        .read_to_end(&mut json)
        .is_err()
    {
        return Vec::new();
    }
    let Ok(tree) = serde_json::from_slice::<serde_json::Value>(&json) else {
        return Vec::new();
    };
    tree["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["source"] == "crates.io")
        .filter_map(|p| {
            let (name, version) = (p["name"].as_str()?, p["version"].as_str()?);
            Some(package("crates.io", "cargo", name, version, layer, path))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_build_info() {
        let modinfo = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/net\tv0.7.0\th1:x=\ndep\texample.com/old\tv1.0.0\n=>\texample.com/new\tv1.2.0\th1:y=\nbuild\tGOOS=linux\n";
        // The real sentinels are binary (not UTF-8).
        let mut wrapped = vec![0xf7u8; 16];
        wrapped.extend_from_slice(modinfo.as_bytes());
        wrapped.extend_from_slice(&[0xe6u8; 16]);
        let mut binary = b"\x7fELF".to_vec();
        binary.resize(64, 0);
        binary.extend_from_slice(GO_MAGIC);
        binary.extend_from_slice(&[8, 2]);
        binary.resize(64 + 32, 0);
        for text in [&b"go1.22.4"[..], &wrapped[..]] {
            let mut len = text.len();
            while len >= 0x80 {
                binary.push((len as u8) | 0x80);
                len >>= 7;
            }
            binary.push(len as u8);
            binary.extend_from_slice(text);
        }
        binary.resize(binary.len() + 64, 0);
        let packages = inspect(1, "usr/local/bin/app", &binary);
        let found: Vec<String> = packages
            .iter()
            .map(|p| format!("{} {}", p.name, p.version))
            .collect();
        assert_eq!(
            found,
            vec![
                "golang.org/x/net v0.7.0",
                "example.com/new v1.2.0",
                "stdlib 1.22.4"
            ]
        );
        assert_eq!(packages[0].purl, "pkg:golang/golang.org/x/net@v0.7.0");
        assert!(inspect(0, "x", b"#!/bin/sh\n").is_empty());
        // Found by fuzzing: section offsets near usize::MAX must not overflow.
        let mut hostile = b"\x7fELF\x02\x01".to_vec();
        hostile.resize(0x40, 0xff);
        assert!(inspect(0, "x", &hostile).is_empty());
    }
}
