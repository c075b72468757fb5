//! Berkeley DB hash databases, the format of rpm's `Packages` until rpm 4.16 (RHEL and CentOS
//! 7–8, Amazon Linux 2): just enough of it to read every value. No crate reads this format
//! without linking libdb, so this is a reader of its own, after the page layout of Berkeley DB
//! 5.3's `dbinc/db_page.h`.
//!
//! Page 0 is the metadata page: the hash magic `0x061561` at byte 12, written in the byte order
//! of the machine that created the file (which is how the order is told), the page size at 20.
//! Every other page starts with a 26-byte header (next page at 16, entry count at 20, bytes used
//! at 22, page type at 25); hash pages follow it with the 16-bit offsets of their items, keys
//! and values in pairs. A value is either on the page (`H_KEYDATA`: a type byte, then the bytes
//! up to the previous item) or on a chain of overflow pages (`H_OFFPAGE`: first page, length).
//! Reading the hash pages in file order finds every pair once without hashing keys; freed pages
//! are typed invalid, so nothing deleted comes back.
//!
//! The file is untrusted: every offset is checked, and an overflow page may serve one chain
//! once, so a cycle or chains that share pages end with an error instead of looping or
//! multiplying memory; the work is bounded by the file's size.

use std::borrow::Cow;

const HASH_MAGIC: u32 = 0x0006_1561;
/// Hash format versions whose page layout this reader knows (Berkeley DB 4.x to 6.x).
const VERSIONS: std::ops::RangeInclusive<u32> = 8..=10;
const PAGE_HEADER_SIZE: usize = 26;

// Offsets in the metadata page.
const META_MAGIC: usize = 12;
const META_VERSION: usize = 16;
const META_PAGE_SIZE: usize = 20;
const META_ENCRYPTION: usize = 24;
const META_FLAGS: usize = 26;
/// `DBMETA_CHKSUM`: pages carry a checksum, which moves the item offsets.
const META_FLAG_CHECKSUM: u8 = 0x01;

// Offsets in a page header.
const PAGE_NEXT: usize = 16;
const PAGE_ENTRIES: usize = 20;
const PAGE_USED: usize = 22;
const PAGE_TYPE: usize = 25;

// Page types.
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;

// Item types on hash pages.
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;
/// In an `H_OFFPAGE` item (type, 3 unused bytes, then these): first overflow page, total length.
const OFFPAGE_FIRST: usize = 4;
const OFFPAGE_LENGTH: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BdbError {
    #[error("not a Berkeley DB hash database")]
    NotHash,
    #[error("Berkeley DB hash version {0} is not one palisade reads (8 to 10)")]
    UnsupportedVersion(u32),
    #[error("Berkeley DB database with {0}, which rpm never writes")]
    Unsupported(&'static str),
    #[error("Berkeley DB page size {0} is not a power of two from 512 to 65536")]
    PageSize(u32),
    #[error("Berkeley DB page {page}: its item offsets run past the page")]
    BadPage { page: usize },
    #[error("Berkeley DB page {page}: item {index} lies outside the page")]
    BadItem { page: usize, index: usize },
    #[error("Berkeley DB page {page}: item of type {kind}, which rpm never writes")]
    UnsupportedItem { page: usize, kind: u8 },
    #[error("Berkeley DB overflow chain broken at page {page}")]
    BadOverflow { page: usize },
    #[error("Berkeley DB overflow page {page} reached twice (a cycle, or shared chains)")]
    OverflowCycle { page: usize },
}

/// One value of the database, or why it could not be read.
pub type Value<'a> = Result<Cow<'a, [u8]>, BdbError>;

/// Every value of a hash database, in page order. The outer error means the file is no hash
/// database this reader understands; an inner one, that this value is damaged.
pub fn values(file: &[u8]) -> Result<Vec<Value<'_>>, BdbError> {
    let database = Database::open(file)?;
    let mut overflow_pages_used = vec![false; database.page_count];
    let mut values = Vec::new();
    for number in 1..database.page_count {
        let Some(page) = database.page(number) else {
            break;
        };
        if matches!(page.get(PAGE_TYPE), Some(&(P_HASH | P_HASH_UNSORTED))) {
            database.hash_page_values(number, page, &mut overflow_pages_used, &mut values);
        }
    }
    Ok(values)
}

#[derive(Debug, Clone, Copy)]
enum ByteOrder {
    Little,
    Big,
}

impl ByteOrder {
    fn u16(self, bytes: &[u8], at: usize) -> Option<u16> {
        let word: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            ByteOrder::Little => u16::from_le_bytes(word),
            ByteOrder::Big => u16::from_be_bytes(word),
        })
    }

    fn u32(self, bytes: &[u8], at: usize) -> Option<u32> {
        let word: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            ByteOrder::Little => u32::from_le_bytes(word),
            ByteOrder::Big => u32::from_be_bytes(word),
        })
    }
}

struct Database<'a> {
    file: &'a [u8],
    order: ByteOrder,
    page_size: usize,
    /// Whole pages in the file (a torn last page is not read).
    page_count: usize,
}

impl<'a> Database<'a> {
    fn open(file: &'a [u8]) -> Result<Database<'a>, BdbError> {
        let order = [ByteOrder::Little, ByteOrder::Big]
            .into_iter()
            .find(|order| order.u32(file, META_MAGIC) == Some(HASH_MAGIC))
            .ok_or(BdbError::NotHash)?;
        if file.get(PAGE_TYPE) != Some(&P_HASHMETA) {
            return Err(BdbError::NotHash);
        }
        let version = order.u32(file, META_VERSION).ok_or(BdbError::NotHash)?;
        if !VERSIONS.contains(&version) {
            return Err(BdbError::UnsupportedVersion(version));
        }
        let page_size = order.u32(file, META_PAGE_SIZE).ok_or(BdbError::NotHash)?;
        if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
            return Err(BdbError::PageSize(page_size));
        }
        if file
            .get(META_ENCRYPTION)
            .is_some_and(|&algorithm| algorithm != 0)
        {
            return Err(BdbError::Unsupported("encryption"));
        }
        if file
            .get(META_FLAGS)
            .is_some_and(|&flags| flags & META_FLAG_CHECKSUM != 0)
        {
            return Err(BdbError::Unsupported("page checksums"));
        }
        let page_size = page_size as usize;
        Ok(Database {
            file,
            order,
            page_size,
            page_count: file.len() / page_size,
        })
    }

    /// Page `number`; `None` past the file. Page 0 is the metadata page.
    fn page(&self, number: usize) -> Option<&'a [u8]> {
        let start = number.checked_mul(self.page_size)?;
        self.file.get(start..start.checked_add(self.page_size)?)
    }

    /// The values of one hash page (the odd items; the even ones are their keys).
    fn hash_page_values(
        &self,
        number: usize,
        page: &'a [u8],
        overflow_pages_used: &mut [bool],
        values: &mut Vec<Value<'a>>,
    ) {
        let entries = usize::from(self.order.u16(page, PAGE_ENTRIES).unwrap_or(0));
        let items_start = PAGE_HEADER_SIZE + 2 * entries;
        if items_start > self.page_size {
            values.push(Err(BdbError::BadPage { page: number }));
            return;
        }
        let offset = |index: usize| {
            self.order
                .u16(page, PAGE_HEADER_SIZE + 2 * index)
                .map(usize::from)
        };
        for index in (1..entries).step_by(2) {
            // Items fill the page from its end: each one ends where the one before it starts.
            let item = offset(index)
                .zip(offset(index - 1))
                .filter(|&(start, end)| items_start <= start && start < end)
                .and_then(|(start, end)| page.get(start..end));
            let Some(item) = item else {
                values.push(Err(BdbError::BadItem {
                    page: number,
                    index,
                }));
                continue;
            };
            values.push(self.item_value(number, index, item, overflow_pages_used));
        }
    }

    fn item_value(
        &self,
        number: usize,
        index: usize,
        item: &'a [u8],
        overflow_pages_used: &mut [bool],
    ) -> Value<'a> {
        match item.split_first() {
            Some((&H_KEYDATA, value)) => Ok(Cow::Borrowed(value)),
            Some((&H_OFFPAGE, _)) => {
                let first = self.order.u32(item, OFFPAGE_FIRST);
                let length = self.order.u32(item, OFFPAGE_LENGTH);
                match first.zip(length) {
                    Some((first, length)) => self
                        .overflow(first as usize, length as usize, overflow_pages_used)
                        .map(Cow::Owned),
                    None => Err(BdbError::BadItem {
                        page: number,
                        index,
                    }),
                }
            }
            Some((&kind, _)) => Err(BdbError::UnsupportedItem { page: number, kind }),
            None => Err(BdbError::BadItem {
                page: number,
                index,
            }),
        }
    }

    /// A value of `length` bytes on the overflow chain starting at page `first`.
    fn overflow(
        &self,
        first: usize,
        length: usize,
        pages_used: &mut [bool],
    ) -> Result<Vec<u8>, BdbError> {
        // No value is longer than the file: this bounds the allocation.
        if length > self.file.len() {
            return Err(BdbError::BadOverflow { page: first });
        }
        let mut value = Vec::with_capacity(length);
        let mut number = first;
        while value.len() < length {
            // Page 0, the metadata page, doubles as "no next page".
            let page = (number != 0)
                .then(|| self.page(number))
                .flatten()
                .filter(|page| page.get(PAGE_TYPE) == Some(&P_OVERFLOW))
                .ok_or(BdbError::BadOverflow { page: number })?;
            let used = pages_used
                .get_mut(number)
                .ok_or(BdbError::BadOverflow { page: number })?;
            if *used {
                return Err(BdbError::OverflowCycle { page: number });
            }
            *used = true;
            let bytes_on_page = self.order.u16(page, PAGE_USED).map(usize::from);
            let wanted = length - value.len();
            let bytes = bytes_on_page
                .and_then(|used| page.get(PAGE_HEADER_SIZE..PAGE_HEADER_SIZE + used.min(wanted)))
                .ok_or(BdbError::BadOverflow { page: number })?;
            value.extend_from_slice(bytes);
            number = self
                .order
                .u32(page, PAGE_NEXT)
                .ok_or(BdbError::BadOverflow { page: number })? as usize;
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: usize = 512;

    fn put_u16(page: &mut [u8], order: ByteOrder, at: usize, value: u16) {
        let bytes = match order {
            ByteOrder::Little => value.to_le_bytes(),
            ByteOrder::Big => value.to_be_bytes(),
        };
        page[at..at + 2].copy_from_slice(&bytes);
    }

    fn put_u32(page: &mut [u8], order: ByteOrder, at: usize, value: u32) {
        let bytes = match order {
            ByteOrder::Little => value.to_le_bytes(),
            ByteOrder::Big => value.to_be_bytes(),
        };
        page[at..at + 4].copy_from_slice(&bytes);
    }

    fn meta(order: ByteOrder) -> Vec<u8> {
        let mut page = vec![0; PAGE];
        put_u32(&mut page, order, META_MAGIC, HASH_MAGIC);
        put_u32(&mut page, order, META_VERSION, 9);
        put_u32(&mut page, order, META_PAGE_SIZE, PAGE as u32);
        page[PAGE_TYPE] = P_HASHMETA;
        page
    }

    /// A hash page of these items (keys and values alternating), laid out from the page's end.
    fn hash_page(order: ByteOrder, items: &[Vec<u8>]) -> Vec<u8> {
        let mut page = vec![0; PAGE];
        page[PAGE_TYPE] = P_HASH;
        put_u16(&mut page, order, PAGE_ENTRIES, items.len() as u16);
        let mut end = PAGE;
        for (index, item) in items.iter().enumerate() {
            let start = end - item.len();
            page[start..end].copy_from_slice(item);
            put_u16(&mut page, order, PAGE_HEADER_SIZE + 2 * index, start as u16);
            end = start;
        }
        page
    }

    fn overflow_page(order: ByteOrder, bytes: &[u8], next: u32) -> Vec<u8> {
        let mut page = vec![0; PAGE];
        page[PAGE_TYPE] = P_OVERFLOW;
        put_u16(&mut page, order, PAGE_USED, bytes.len() as u16);
        put_u32(&mut page, order, PAGE_NEXT, next);
        page[PAGE_HEADER_SIZE..PAGE_HEADER_SIZE + bytes.len()].copy_from_slice(bytes);
        page
    }

    fn key_data(bytes: &[u8]) -> Vec<u8> {
        [&[H_KEYDATA][..], bytes].concat()
    }

    fn off_page(order: ByteOrder, first: u32, length: u32) -> Vec<u8> {
        let mut item = vec![H_OFFPAGE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        put_u32(&mut item, order, OFFPAGE_FIRST, first);
        put_u32(&mut item, order, OFFPAGE_LENGTH, length);
        item
    }

    fn file(pages: &[Vec<u8>]) -> Vec<u8> {
        pages.concat()
    }

    fn read(file: &[u8]) -> Vec<Result<Vec<u8>, BdbError>> {
        values(file)
            .unwrap()
            .into_iter()
            .map(|value| value.map(Cow::into_owned))
            .collect()
    }

    #[test]
    fn values_on_and_off_page_in_both_byte_orders() {
        let long: Vec<u8> = (0..700u32).map(|i| i as u8).collect();
        for order in [ByteOrder::Little, ByteOrder::Big] {
            let database = file(&[
                meta(order),
                hash_page(
                    order,
                    &[
                        key_data(b"k1"),
                        key_data(b"small"),
                        key_data(b"k2"),
                        off_page(order, 2, 700),
                    ],
                ),
                overflow_page(order, &long[..400], 3),
                overflow_page(order, &long[400..], 0),
            ]);
            assert_eq!(
                read(&database),
                vec![Ok(b"small".to_vec()), Ok(long.clone())]
            );
        }
    }

    #[test]
    fn overflow_cycles_end_with_an_error() {
        let order = ByteOrder::Little;
        let value = off_page(order, 2, 1000);
        // 2 → 3 → 2, and an empty page that points at itself.
        let cycle = file(&[
            meta(order),
            hash_page(order, &[key_data(b"k"), value.clone()]),
            overflow_page(order, b"abc", 3),
            overflow_page(order, b"def", 2),
        ]);
        assert_eq!(read(&cycle), vec![Err(BdbError::OverflowCycle { page: 2 })]);
        let self_loop = file(&[
            meta(order),
            hash_page(order, &[key_data(b"k"), value]),
            overflow_page(order, b"", 2),
        ]);
        assert_eq!(
            read(&self_loop),
            vec![Err(BdbError::OverflowCycle { page: 2 })]
        );
    }

    #[test]
    fn an_overflow_chain_serves_one_value() {
        let order = ByteOrder::Big;
        let database = file(&[
            meta(order),
            hash_page(
                order,
                &[
                    key_data(b"a"),
                    off_page(order, 2, 3),
                    key_data(b"b"),
                    off_page(order, 2, 3),
                ],
            ),
            overflow_page(order, b"abc", 0),
        ]);
        assert_eq!(
            read(&database),
            vec![
                Ok(b"abc".to_vec()),
                Err(BdbError::OverflowCycle { page: 2 })
            ]
        );
    }

    #[test]
    fn broken_overflow_chains() {
        let order = ByteOrder::Little;
        let chain_of = |first: u32, length: u32, next: u32| {
            read(&file(&[
                meta(order),
                hash_page(order, &[key_data(b"k"), off_page(order, first, length)]),
                overflow_page(order, b"abc", next),
            ]))
        };
        assert_eq!(
            chain_of(2, 6, 0),
            vec![Err(BdbError::BadOverflow { page: 0 })],
            "ends early"
        );
        assert_eq!(
            chain_of(2, 6, 99),
            vec![Err(BdbError::BadOverflow { page: 99 })],
            "leaves the file"
        );
        assert_eq!(
            chain_of(2, 6, 1),
            vec![Err(BdbError::BadOverflow { page: 1 })],
            "reaches a hash page"
        );
        assert_eq!(
            chain_of(u32::MAX, 3, 0),
            vec![Err(BdbError::BadOverflow {
                page: u32::MAX as usize
            })]
        );
        assert_eq!(
            chain_of(2, u32::MAX, 0),
            vec![Err(BdbError::BadOverflow { page: 2 })],
            "longer than the file"
        );
        assert_eq!(chain_of(2, 3, 0), vec![Ok(b"abc".to_vec())]);
    }

    #[test]
    fn items_outside_their_page() {
        let order = ByteOrder::Little;
        let mut page = hash_page(order, &[key_data(b"k"), key_data(b"v")]);
        put_u16(&mut page, order, PAGE_HEADER_SIZE + 2, PAGE as u16 + 10);
        let mut before_items = hash_page(order, &[key_data(b"k"), key_data(b"v")]);
        put_u16(&mut before_items, order, PAGE_HEADER_SIZE + 2, 2);
        let mut too_many = hash_page(order, &[]);
        put_u16(&mut too_many, order, PAGE_ENTRIES, u16::MAX);
        let database = file(&[meta(order), page, before_items, too_many]);
        assert_eq!(
            read(&database),
            vec![
                Err(BdbError::BadItem { page: 1, index: 1 }),
                Err(BdbError::BadItem { page: 2, index: 1 }),
                Err(BdbError::BadPage { page: 3 }),
            ]
        );
    }

    #[test]
    fn duplicates_are_not_read() {
        let order = ByteOrder::Little;
        let database = file(&[meta(order), hash_page(order, &[key_data(b"k"), vec![2, 0]])]);
        assert_eq!(
            read(&database),
            vec![Err(BdbError::UnsupportedItem { page: 1, kind: 2 })]
        );
    }

    #[test]
    fn empty_databases_and_torn_pages() {
        let order = ByteOrder::Big;
        assert!(read(&meta(order)).is_empty());
        assert!(read(&file(&[meta(order), hash_page(order, &[])])).is_empty());
        let mut torn = file(&[
            meta(order),
            hash_page(order, &[key_data(b"k"), key_data(b"v")]),
        ]);
        torn.truncate(PAGE + PAGE / 2);
        assert!(read(&torn).is_empty(), "a torn last page is not read");
    }

    #[test]
    fn files_that_are_no_hash_database() {
        let order = ByteOrder::Little;
        let altered = |at: usize, bytes: &[u8]| {
            let mut page = meta(order);
            page[at..at + bytes.len()].copy_from_slice(bytes);
            values(&page).err()
        };
        assert_eq!(values(b"").err(), Some(BdbError::NotHash));
        assert_eq!(values(&[0xff; 4096]).err(), Some(BdbError::NotHash));
        let btree_magic = 0x0005_3162u32.to_le_bytes();
        assert_eq!(altered(META_MAGIC, &btree_magic), Some(BdbError::NotHash));
        assert_eq!(altered(PAGE_TYPE, &[9]), Some(BdbError::NotHash));
        assert_eq!(
            altered(META_VERSION, &[7, 0, 0, 0]),
            Some(BdbError::UnsupportedVersion(7))
        );
        assert_eq!(
            altered(META_PAGE_SIZE, &1000u32.to_le_bytes()),
            Some(BdbError::PageSize(1000))
        );
        assert_eq!(
            altered(META_PAGE_SIZE, &(1u32 << 20).to_le_bytes()),
            Some(BdbError::PageSize(1 << 20))
        );
        assert_eq!(
            altered(META_ENCRYPTION, &[1]),
            Some(BdbError::Unsupported("encryption"))
        );
        assert_eq!(
            altered(META_FLAGS, &[META_FLAG_CHECKSUM]),
            Some(BdbError::Unsupported("page checksums"))
        );
    }
}
