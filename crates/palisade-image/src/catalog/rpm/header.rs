//! RPM headers, the records of every rpm database: an index of `(tag, type, offset, count)`
//! entries, then the data store they point into, all big-endian. The databases keep the header
//! without the 8-byte magic `.rpm` files put before it; both forms are read. Every offset is
//! checked against the blob, so a damaged header is an error, never a panic.

/// The tags palisade reads.
pub const NAME: u32 = 1000;
pub const VERSION: u32 = 1001;
pub const RELEASE: u32 = 1002;
pub const EPOCH: u32 = 1003;
pub const ARCH: u32 = 1022;
pub const SOURCERPM: u32 = 1044;
/// Installed size in bytes (`RPMTAG_SIZE`; packages over 4 GiB would use `LONGSIZE`).
pub const SIZE: u32 = 1009;

/// The header magic of `.rpm` files (version 1, then four reserved bytes).
const MAGIC: [u8; 8] = [0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0];
const ENTRY_SIZE: usize = 16;
/// rpm's own sanity limits (`hdrchkTags`, `hdrchkData` in lib/header.c).
const MAX_ENTRIES: usize = 0xffff;
const MAX_DATA: usize = 0x0fff_ffff;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("RPM header shorter than its index and data store say")]
    Truncated,
    #[error("RPM header claims {entries} index entries and {data} data bytes, beyond rpm's limits")]
    TooLarge { entries: usize, data: usize },
}

/// A parsed header: its index entries and data store, borrowed from the blob.
#[derive(Debug)]
pub struct Header<'a> {
    entries: &'a [u8],
    data: &'a [u8],
}

/// Splits a header blob into its index and data store.
pub fn parse(blob: &[u8]) -> Result<Header<'_>, HeaderError> {
    let blob = blob.strip_prefix(&MAGIC[..]).unwrap_or(blob);
    let entry_count = be_u32(blob, 0).ok_or(HeaderError::Truncated)? as usize;
    let data_size = be_u32(blob, 4).ok_or(HeaderError::Truncated)? as usize;
    if entry_count > MAX_ENTRIES || data_size > MAX_DATA {
        return Err(HeaderError::TooLarge {
            entries: entry_count,
            data: data_size,
        });
    }
    // Within the limits above these cannot overflow.
    let data_start = 8 + entry_count * ENTRY_SIZE;
    let entries = blob.get(8..data_start).ok_or(HeaderError::Truncated)?;
    let data = blob
        .get(data_start..data_start + data_size)
        .ok_or(HeaderError::Truncated)?;
    Ok(Header { entries, data })
}

impl<'a> Header<'a> {
    /// A string tag's value (the first one of a string array); `None` when the tag is absent,
    /// of another type, points outside the data store or is not NUL-terminated there.
    pub fn string(&self, tag: u32) -> Option<&'a str> {
        let (kind, offset, _) = self.entry(tag)?;
        if !matches!(kind, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) {
            return None;
        }
        let rest = self.data.get(offset..)?;
        let end = rest.iter().position(|&b| b == 0)?;
        std::str::from_utf8(&rest[..end]).ok()
    }

    /// An INT32 tag's first value.
    pub fn int32(&self, tag: u32) -> Option<u32> {
        match self.entry(tag)? {
            (TYPE_INT32, offset, count) if count >= 1 => be_u32(self.data, offset),
            _ => None,
        }
    }

    /// The `(type, offset, count)` of the first index entry with this tag.
    fn entry(&self, tag: u32) -> Option<(u32, usize, u32)> {
        self.entries.chunks_exact(ENTRY_SIZE).find_map(|entry| {
            (be_u32(entry, 0)? == tag).then_some((
                be_u32(entry, 4)?,
                be_u32(entry, 8)? as usize,
                be_u32(entry, 12)?,
            ))
        })
    }
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(word.try_into().ok()?))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A header blob as the databases store it, of `(tag, type, value bytes)` entries.
    pub(crate) fn blob(entries: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, kind, value) in entries {
            for word in [*tag, *kind, data.len() as u32, 1] {
                index.extend_from_slice(&word.to_be_bytes());
            }
            data.extend_from_slice(value);
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
        blob.extend(index);
        blob.extend(data);
        blob
    }

    fn sample() -> Vec<u8> {
        blob(&[
            (NAME, TYPE_STRING, b"openssl-libs\0"),
            (EPOCH, TYPE_INT32, &1u32.to_be_bytes()),
            (VERSION, TYPE_STRING, b"3.0.7\0"),
        ])
    }

    #[test]
    fn reads_strings_and_integers() {
        let blob = sample();
        let header = parse(&blob).unwrap();
        assert_eq!(header.string(NAME), Some("openssl-libs"));
        assert_eq!(header.string(VERSION), Some("3.0.7"));
        assert_eq!(header.int32(EPOCH), Some(1));
        assert_eq!(header.string(RELEASE), None, "absent");
        assert_eq!(header.string(EPOCH), None, "an integer is no string");
        assert_eq!(header.int32(NAME), None, "a string is no integer");
    }

    #[test]
    fn file_magic_is_skipped() {
        let mut with_magic = MAGIC.to_vec();
        with_magic.extend(sample());
        assert_eq!(
            parse(&with_magic).unwrap().string(NAME),
            Some("openssl-libs")
        );
    }

    #[test]
    fn every_truncation_is_an_error() {
        let blob = sample();
        for len in 0..blob.len() {
            assert_eq!(
                parse(&blob[..len]).err(),
                Some(HeaderError::Truncated),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn offsets_out_of_range_and_unterminated_values_read_nothing() {
        let mut past_the_end = blob(&[(NAME, TYPE_STRING, b"bash\0")]);
        let name_offset = 8 + 8;
        past_the_end[name_offset..name_offset + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(parse(&past_the_end).unwrap().string(NAME), None);
        let unterminated = blob(&[(VERSION, TYPE_STRING, b"3.0")]);
        assert_eq!(parse(&unterminated).unwrap().string(VERSION), None);
        let short_integer = blob(&[(EPOCH, TYPE_INT32, b"\0\0")]);
        assert_eq!(parse(&short_integer).unwrap().int32(EPOCH), None);
    }

    #[test]
    fn absurd_sizes_are_refused_before_reading() {
        let mut blob = vec![0xff; 8];
        blob.extend([0; 64]);
        assert!(matches!(parse(&blob), Err(HeaderError::TooLarge { .. })));
        let claims_more_data = [0, 0, 0, 1, 0, 0, 0x10, 0];
        assert_eq!(parse(&claims_more_data).err(), Some(HeaderError::Truncated));
    }
}
