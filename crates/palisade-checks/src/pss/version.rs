//! Pod Security Standards policy levels and versions, parsed as Pod Security Admission parses
//! the `pod-security.kubernetes.io/*` labels.

use std::fmt;
use std::str::FromStr;

/// The newest policy version any check defines. `latest`, and any newer `v1.N`, evaluate as
/// this version (Pod Security Admission clamps them the same way).
pub const LATEST_MINOR: u32 = 37;

/// A policy version `v1.N`, or `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    Latest,
    V1(u32),
}

impl Version {
    /// The minor version the checks run at: `latest` and future versions clamp to the newest.
    pub fn effective_minor(self) -> u32 {
        match self {
            Version::Latest => LATEST_MINOR,
            Version::V1(minor) => minor.min(LATEST_MINOR),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::V1(minor) => write!(f, "v1.{minor}"),
        }
    }
}

impl FromStr for Version {
    type Err = String;

    /// Exactly `latest` or `v1.N` with no leading zero, like `api.ParseVersion`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "latest" {
            return Ok(Version::Latest);
        }
        let minor = s
            .strip_prefix("v1.")
            .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
            .filter(|m| *m == "0" || !m.starts_with('0'))
            .and_then(|m| m.parse::<u32>().ok());
        minor
            .map(Version::V1)
            .ok_or_else(|| format!("{s:?}: must be \"latest\" or \"v1.x\""))
    }
}

/// A Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(format!(
                "{s:?}: must be one of privileged, baseline, restricted"
            )),
        }
    }
}

/// The level and version a pod is evaluated at, shown as `restricted:latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Policy {
    pub level: Level,
    pub version: Version,
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_like_pod_security_admission() {
        assert_eq!("latest".parse::<Version>(), Ok(Version::Latest));
        assert_eq!("v1.0".parse::<Version>(), Ok(Version::V1(0)));
        assert_eq!("v1.25".parse::<Version>(), Ok(Version::V1(25)));
        assert_eq!("v1.99".parse::<Version>(), Ok(Version::V1(99)));
        for bad in [
            "v1.01", "1.25", "v1.25.0", "v2.0", "V1.25", "", " v1.25", "v1.",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad}");
        }
    }

    #[test]
    fn latest_and_future_versions_clamp_to_the_newest_definition() {
        assert_eq!(Version::Latest.effective_minor(), LATEST_MINOR);
        assert_eq!(Version::V1(99).effective_minor(), LATEST_MINOR);
        assert_eq!(Version::V1(20).effective_minor(), 20);
    }
}
