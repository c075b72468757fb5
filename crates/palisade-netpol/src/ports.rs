//! Sets of protocol + port ranges: what a rule, a pair of endpoints or a matrix cell allows.
//!
//! A set is a sorted vector of disjoint, non-adjacent ranges. No crate: the sets here hold a
//! handful of ranges, union and intersection are linear merges, and the interval crates on
//! crates.io (`rangemap`, `intervallum`, …) are generic maps or float-friendly machinery for
//! what is a few dozen lines over `u16`.

use std::fmt;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// The protocols a NetworkPolicy port can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Protocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "SCTP")]
    Sctp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    /// The API spelling (`TCP`, `UDP`, `SCTP`); the API server is case-sensitive here.
    pub fn parse(text: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// Like [`Protocol::parse`], ignoring case: for command-line input such as `5432/tcp`.
    pub fn parse_lenient(text: &str) -> Option<Protocol> {
        Protocol::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Ports `start..=end` of one protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    pub protocol: Protocol,
    pub start: u16,
    pub end: u16,
}

impl Serialize for PortRange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ranged = self.start != self.end;
        let mut map = serializer.serialize_map(Some(2 + usize::from(ranged)))?;
        map.serialize_entry("protocol", &self.protocol)?;
        map.serialize_entry("port", &self.start)?;
        if ranged {
            map.serialize_entry("endPort", &self.end)?;
        }
        map.end()
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}/{}", self.start, self.protocol)
        } else {
            write!(f, "{}-{}/{}", self.start, self.end, self.protocol)
        }
    }
}

/// The lowest and highest port a NetworkPolicy can name.
pub const MIN_PORT: u16 = 1;
pub const MAX_PORT: u16 = 65535;

/// A set of ports over the three protocols. Serializes as `"all"` when it holds every port of
/// every protocol, else as a list of `{protocol, port, endPort}` (`endPort` only for ranges).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PortSet {
    ranges: Vec<PortRange>,
}

impl PortSet {
    pub fn empty() -> PortSet {
        PortSet::default()
    }

    /// Every port of every protocol.
    pub fn all() -> PortSet {
        PortSet {
            ranges: Protocol::ALL
                .into_iter()
                .map(|protocol| PortRange {
                    protocol,
                    start: MIN_PORT,
                    end: MAX_PORT,
                })
                .collect(),
        }
    }

    /// One range; empty when `start > end`.
    pub fn range(protocol: Protocol, start: u16, end: u16) -> PortSet {
        let mut set = PortSet::empty();
        set.insert(PortRange {
            protocol,
            start,
            end,
        });
        set
    }

    pub fn single(protocol: Protocol, port: u16) -> PortSet {
        PortSet::range(protocol, port, port)
    }

    pub fn ranges(&self) -> &[PortRange] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn is_all(&self) -> bool {
        // Normalized: every protocol full means exactly these three ranges.
        self.ranges.len() == Protocol::ALL.len()
            && self
                .ranges
                .iter()
                .all(|r| r.start == MIN_PORT && r.end == MAX_PORT)
    }

    pub fn contains(&self, protocol: Protocol, port: u16) -> bool {
        self.ranges
            .iter()
            .any(|r| r.protocol == protocol && r.start <= port && port <= r.end)
    }

    /// Adds one range, keeping the set sorted and merged.
    pub fn insert(&mut self, range: PortRange) {
        if range.start > range.end {
            return;
        }
        self.ranges.push(range);
        self.normalize();
    }

    pub fn union_with(&mut self, other: &PortSet) {
        if other.is_empty() || self.is_all() {
            return;
        }
        self.ranges.extend_from_slice(&other.ranges);
        self.normalize();
    }

    pub fn intersection(&self, other: &PortSet) -> PortSet {
        if self.is_all() {
            return other.clone();
        }
        if other.is_all() {
            return self.clone();
        }
        let mut ranges = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a, b) = (self.ranges[i], other.ranges[j]);
            if a.protocol == b.protocol {
                let start = a.start.max(b.start);
                let end = a.end.min(b.end);
                if start <= end {
                    ranges.push(PortRange {
                        protocol: a.protocol,
                        start,
                        end,
                    });
                }
            }
            // Advance whichever range ends first in (protocol, end) order.
            if (a.protocol, a.end) < (b.protocol, b.end) {
                i += 1;
            } else {
                j += 1;
            }
        }
        PortSet { ranges }
    }

    fn normalize(&mut self) {
        self.ranges.sort_unstable();
        let mut merged: Vec<PortRange> = Vec::with_capacity(self.ranges.len());
        for range in self.ranges.drain(..) {
            match merged.last_mut() {
                Some(last)
                    if last.protocol == range.protocol
                        && u32::from(range.start) <= u32::from(last.end) + 1 =>
                {
                    last.end = last.end.max(range.end);
                }
                _ => merged.push(range),
            }
        }
        self.ranges = merged;
    }
}

impl FromIterator<PortRange> for PortSet {
    fn from_iter<I: IntoIterator<Item = PortRange>>(iter: I) -> PortSet {
        let mut set = PortSet {
            ranges: iter.into_iter().filter(|r| r.start <= r.end).collect(),
        };
        set.normalize();
        set
    }
}

impl Serialize for PortSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_all() {
            return serializer.serialize_str("all");
        }
        let mut seq = serializer.serialize_seq(Some(self.ranges.len()))?;
        for range in &self.ranges {
            seq.serialize_element(range)?;
        }
        seq.end()
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("all");
        }
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, range) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{range}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_merges_overlapping_and_adjacent_ranges_per_protocol() {
        let mut set = PortSet::range(Protocol::Tcp, 80, 90);
        set.union_with(&PortSet::range(Protocol::Tcp, 91, 100));
        set.union_with(&PortSet::range(Protocol::Tcp, 85, 95));
        set.union_with(&PortSet::single(Protocol::Udp, 53));
        assert_eq!(set.to_string(), "80-100/TCP, 53/UDP");
        assert!(set.contains(Protocol::Tcp, 100));
        assert!(!set.contains(Protocol::Udp, 80));
    }

    #[test]
    fn intersection_keeps_only_common_ports() {
        let a: PortSet = [
            PortRange {
                protocol: Protocol::Tcp,
                start: 1,
                end: 100,
            },
            PortRange {
                protocol: Protocol::Udp,
                start: 53,
                end: 53,
            },
        ]
        .into_iter()
        .collect();
        let b: PortSet = [
            PortRange {
                protocol: Protocol::Tcp,
                start: 50,
                end: 200,
            },
            PortRange {
                protocol: Protocol::Sctp,
                start: 53,
                end: 53,
            },
        ]
        .into_iter()
        .collect();
        assert_eq!(a.intersection(&b).to_string(), "50-100/TCP");
        assert_eq!(a.intersection(&PortSet::all()), a);
        assert!(a.intersection(&PortSet::empty()).is_empty());
    }

    #[test]
    fn every_port_of_every_protocol_is_all() {
        let mut set = PortSet::empty();
        for protocol in Protocol::ALL {
            set.union_with(&PortSet::range(protocol, 1, 1000));
            set.union_with(&PortSet::range(protocol, 1001, MAX_PORT));
        }
        assert!(set.is_all());
        assert_eq!(serde_json::to_value(&set).unwrap(), "all");
        let ranged = PortSet::range(Protocol::Tcp, 8000, 8080);
        assert_eq!(
            serde_json::to_value(&ranged).unwrap(),
            serde_json::json!([{"protocol": "TCP", "port": 8000, "endPort": 8080}])
        );
    }
}
