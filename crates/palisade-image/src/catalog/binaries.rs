//! Packages compiled into binaries: Go's build info (`\xff Go buildinf:`, Go 1.18+ inline
//! format: toolchain, main module, dependencies with `=>` replacements) and the dependency list
//! `cargo auditable` embeds in Rust binaries (an ELF `.dep-v0` section of zlib-compressed JSON).
//! Written by hand: the formats are small and no maintained crate reads both from raw bytes.

use std::io::Read;

use super::{Package, purl_encode};

/// The largest binary looked at.
const MAX_SIZE: u64 = 512 << 20;

/// Whether a file may be a binary worth opening (the content decides: ELF magic).
pub fn wants(path: &str, size: u64) -> bool {
    (4096..=MAX_SIZE).contains(&size) && !path.starts_with("usr/share/")
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
    if let Some(toolchain) = version.strip_prefix("go") {
        packages.push(package("Go", "golang", "stdlib", toolchain, layer, path));
    }
    packages
}

/// The bytes of a named section of a little-endian ELF64 file. Every offset comes from the
/// file, so every addition is checked.
fn elf_section<'a>(content: &'a [u8], wanted: &str) -> Option<&'a [u8]> {
    let field = |at: usize, len: usize| content.get(at..at.checked_add(len)?);
    let u16_at = |at: usize| Some(u16::from_le_bytes(field(at, 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(field(at, 4)?.try_into().ok()?));
    let u64_at = |at: usize| Some(u64::from_le_bytes(field(at, 8)?.try_into().ok()?));
    // ELFCLASS64, little endian.
    if content.get(4) != Some(&2) || content.get(5) != Some(&1) {
        return None;
    }
    let shoff = usize::try_from(u64_at(0x28)?).ok()?;
    let shentsize = usize::from(u16_at(0x3a)?);
    let shnum = usize::from(u16_at(0x3c)?);
    let shstrndx = usize::from(u16_at(0x3e)?);
    let header = |i: usize| shoff.checked_add(i.checked_mul(shentsize)?);
    let bytes_of = |h: usize| {
        let offset = usize::try_from(u64_at(h.checked_add(0x18)?)?).ok()?;
        let size = usize::try_from(u64_at(h.checked_add(0x20)?)?).ok()?;
        content.get(offset..offset.checked_add(size)?)
    };
    let names = bytes_of(header(shstrndx)?)?;
    (0..shnum.min(4096)).find_map(|i| {
        let h = header(i)?;
        let name_at = usize::try_from(u32_at(h)?).ok()?;
        let name = names.get(name_at..)?.split(|b| *b == 0).next()?;
        (name == wanted.as_bytes()).then(|| bytes_of(h)).flatten()
    })
}

/// Crates from a `cargo auditable` `.dep-v0` section (registry crates only: the root and path
/// dependencies are not published packages).
fn rust_crates(content: &[u8], layer: usize, path: &str) -> Vec<Package> {
    let Some(section) = elf_section(content, ".dep-v0") else {
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
