//! IPv4 and IPv6 CIDR blocks as address ranges, and `ipBlock` peers (`cidr` minus `except`).
//!
//! Both families map onto `u128` ranges tagged with their family, so containment is two
//! comparisons. CIDRs are laminar (two blocks are nested or disjoint), which is what lets an
//! external endpoint stand for "the addresses of a CIDR outside every narrower CIDR the policies
//! name": every `ipBlock` either holds all of such a region or none of it.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    fn bits(self) -> u8 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }
}

/// A CIDR block, normalized to its network address (the API server reads `10.1.2.3/8` as
/// `10.0.0.0/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    family: Family,
    start: u128,
    prefix: u8,
}

impl Cidr {
    /// Every address of a family: `0.0.0.0/0` or `::/0`.
    pub fn everything(family: Family) -> Cidr {
        Cidr {
            family,
            start: 0,
            prefix: 0,
        }
    }

    /// One address as a `/32` or `/128`.
    pub fn host(address: IpAddr) -> Cidr {
        let (family, start) = match address {
            IpAddr::V4(v4) => (Family::V4, u128::from(u32::from(v4))),
            IpAddr::V6(v6) => (Family::V6, u128::from(v6)),
        };
        Cidr {
            family,
            start,
            prefix: family.bits(),
        }
    }

    pub fn family(&self) -> Family {
        self.family
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// The last address of the block.
    fn end(&self) -> u128 {
        let host_bits = u32::from(self.family.bits() - self.prefix);
        self.start | low_bits(host_bits)
    }

    /// Whether every address of `other` is in this block.
    pub fn contains(&self, other: &Cidr) -> bool {
        self.family == other.family && self.start <= other.start && other.end() <= self.end()
    }
}

/// Whether the addresses of `block` outside every narrower block of `named` are none at all:
/// the narrower blocks cover it.
pub fn covered(block: &Cidr, named: &[Cidr]) -> bool {
    let mut parts: Vec<&Cidr> = named
        .iter()
        .filter(|c| block.contains(c) && *c != block)
        .collect();
    parts.sort_unstable_by_key(|c| (c.start, c.prefix));
    let mut next = block.start;
    for part in parts {
        if part.start > next {
            return false;
        }
        match part.end().checked_add(1) {
            Some(after) => next = next.max(after),
            // The part runs to the last address of the family.
            None => return true,
        }
    }
    next > block.end()
}

/// A mask of the `n` lowest bits (`n` up to 128).
fn low_bits(n: u32) -> u128 {
    if n >= 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let invalid = || format!("{text:?} is not a CIDR block");
        let (address, prefix) = text.split_once('/').ok_or_else(invalid)?;
        let address: IpAddr = address.parse().map_err(|_| invalid())?;
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|_| !prefix.starts_with('+'))
            .ok_or_else(invalid)?;
        let host = Cidr::host(address);
        let bits = host.family.bits();
        if prefix > bits {
            return Err(invalid());
        }
        let host_bits = u32::from(bits - prefix);
        Ok(Cidr {
            family: host.family,
            start: host.start & !low_bits(host_bits),
            prefix,
        })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.family {
            // The V4 range holds 32-bit values by construction.
            Family::V4 => write!(f, "{}/{}", Ipv4Addr::from(self.start as u32), self.prefix),
            Family::V6 => write!(f, "{}/{}", Ipv6Addr::from(self.start), self.prefix),
        }
    }
}

/// An `ipBlock` peer: the addresses of `cidr` outside every `except` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpBlock {
    pub cidr: Cidr,
    pub except: Vec<Cidr>,
}

impl IpBlock {
    /// Whether the block holds every address of `region` (a block named by some policy, or a
    /// host address). Exact for regions as the matrix defines them: laminar blocks never split
    /// a region between inside and outside.
    pub fn contains_region(&self, region: &Cidr) -> bool {
        self.cidr.contains(region) && !self.except.iter().any(|e| e.contains(region))
    }
}

impl fmt::Display for IpBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.cidr)?;
        if !self.except.is_empty() {
            let except: Vec<String> = self.except.iter().map(ToString::to_string).collect();
            write!(f, " except {}", except.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Cidr {
        text.parse().unwrap()
    }

    #[test]
    fn parses_both_families_and_normalizes_host_bits() {
        assert_eq!(cidr("10.1.2.3/8").to_string(), "10.0.0.0/8");
        assert_eq!(cidr("0.0.0.0/0"), Cidr::everything(Family::V4));
        assert_eq!(cidr("2001:db8::1/32").to_string(), "2001:db8::/32");
        assert_eq!(cidr("::/0"), Cidr::everything(Family::V6));
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "::/129",
            "nonsense/8",
            "10.0.0.0/+8",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn containment_is_per_family() {
        assert!(cidr("10.0.0.0/8").contains(&cidr("10.200.0.0/16")));
        assert!(!cidr("10.200.0.0/16").contains(&cidr("10.0.0.0/8")));
        assert!(!cidr("0.0.0.0/0").contains(&cidr("::/0")));
        assert!(cidr("::/0").contains(&cidr("2001:db8::/32")));
        assert!(cidr("::/0").contains(&cidr("::/0")));
    }

    #[test]
    fn a_block_is_covered_when_narrower_blocks_fill_it() {
        let block = cidr("10.0.0.0/8");
        let halves = [
            cidr("10.0.0.0/9"),
            cidr("10.128.0.0/9"),
            cidr("10.1.0.0/16"),
        ];
        assert!(covered(&block, &halves));
        assert!(!covered(&block, &halves[1..]));
        assert!(!covered(&block, &[block]));
        let v6 = [cidr("::/1"), cidr("8000::/1")];
        assert!(covered(&Cidr::everything(Family::V6), &v6));
    }

    #[test]
    fn except_removes_addresses_from_the_block() {
        let block = IpBlock {
            cidr: cidr("10.0.0.0/8"),
            except: vec![cidr("10.1.0.0/16")],
        };
        let inside = Cidr::host("10.2.0.1".parse().unwrap());
        let excepted = Cidr::host("10.1.0.1".parse().unwrap());
        let outside = Cidr::host("192.168.0.1".parse().unwrap());
        assert!(block.contains_region(&inside));
        assert!(!block.contains_region(&excepted));
        assert!(!block.contains_region(&outside));
        let v6 = IpBlock {
            cidr: cidr("2001:db8::/32"),
            except: vec![cidr("2001:db8:1::/48")],
        };
        assert!(v6.contains_region(&Cidr::host("2001:db8:2::5".parse().unwrap())));
        assert!(!v6.contains_region(&Cidr::host("2001:db8:1::5".parse().unwrap())));
        assert!(!v6.contains_region(&inside));
    }
}
