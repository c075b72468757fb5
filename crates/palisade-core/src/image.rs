//! Container image references as the Docker/OCI distribution reference grammar reads them, and
//! the registry allow-list (`[images] allowed_registries`) that manifest and Dockerfile rules
//! share.
//!
//! Normalisation follows `docker/distribution/reference`: the first path component is a
//! registry only when it contains `.` or `:` or is `localhost`; otherwise the image lives on
//! Docker Hub (`docker.io`), where one-component names get the `library/` namespace.

use std::fmt;

use globset::{Glob, GlobMatcher};

const DOCKER_HUB: &str = "docker.io";

/// A parsed image reference such as `registry.corp.example:5000/team/api:1.4@sha256:…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (and port), `docker.io` when the reference names none.
    pub registry: String,
    /// Repository path inside the registry, e.g. `library/nginx`.
    pub repository: String,
    pub tag: Option<String>,
    /// `algorithm:hex`, e.g. `sha256:…`.
    pub digest: Option<String>,
}

/// Why a string is not an image reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ImageRefError(String);

impl ImageRef {
    /// Parses a reference as a container runtime would. Templated values (`{{ .Values.image }}`,
    /// `${IMAGE}`) and other strings outside the grammar are errors.
    pub fn parse(reference: &str) -> Result<Self, ImageRefError> {
        let error = |why: &str| Err(ImageRefError(format!("{reference:?} {why}")));
        if reference.is_empty() {
            return error("is empty");
        }
        if let Some(bad) = reference
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "._-/:@+".contains(*c)))
        {
            return error(&format!("contains {bad:?}, which no image reference can"));
        }
        let (name_and_tag, digest) = match reference.split_once('@') {
            Some((rest, digest)) => {
                let valid = digest.split_once(':').is_some_and(|(algorithm, hex)| {
                    !algorithm.is_empty()
                        && hex.len() >= 32
                        && hex.bytes().all(|b| b.is_ascii_hexdigit())
                });
                if !valid {
                    return error("has a malformed digest");
                }
                (rest, Some(digest.to_string()))
            }
            None => (reference, None),
        };
        let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
            Some(i) => {
                let tag = &name_and_tag[last_slash + i + 1..];
                if tag.is_empty() || tag.len() > 128 || tag.starts_with(['.', '-']) {
                    return error("has a malformed tag");
                }
                (&name_and_tag[..last_slash + i], Some(tag.to_string()))
            }
            None => (name_and_tag, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
                (first.to_string(), rest.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        let registry = if registry == "index.docker.io" {
            DOCKER_HUB.to_string()
        } else {
            registry
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if repository.is_empty()
            || repository
                .split('/')
                .any(|c| c.is_empty() || c.bytes().any(|b| b.is_ascii_uppercase() || b == b':'))
        {
            return error("has a malformed repository name");
        }
        Ok(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// `registry/repository`, the name allow-list patterns are matched against.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The tag a runtime pulls: the explicit one, else `latest` (unless pinned by digest only).
    pub fn effective_tag(&self) -> Option<&str> {
        match (&self.tag, &self.digest) {
            (Some(tag), _) => Some(tag),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// The registries images may come from: glob patterns over `registry/repository`, where `*`
/// also crosses `/`. A pattern without `/` names a whole registry (`ghcr.io` = `ghcr.io/*`);
/// Docker Hub images are matched by their normalised name (`docker.io/library/nginx`).
#[derive(Debug, Clone)]
pub struct RegistryAllowList {
    patterns: Vec<(String, GlobMatcher)>,
}

impl RegistryAllowList {
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, String> {
        let patterns = patterns
            .iter()
            .map(|pattern| {
                let pattern = pattern.as_ref();
                let glob = if pattern.contains('/') {
                    pattern.to_string()
                } else {
                    format!("{pattern}/*")
                };
                Glob::new(&glob)
                    .map(|g| (pattern.to_string(), g.compile_matcher()))
                    .map_err(|e| format!("invalid pattern {pattern:?}: {}", e.kind()))
            })
            .collect::<Result<_, _>>()?;
        Ok(RegistryAllowList { patterns })
    }

    pub fn allows(&self, image: &ImageRef) -> bool {
        let name = image.name();
        self.patterns.iter().any(|(_, m)| m.is_match(&name))
    }

    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(|(p, _)| p.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn docker_hub_names_are_normalised() {
        let nginx = parse("nginx");
        assert_eq!(nginx.name(), "docker.io/library/nginx");
        assert_eq!(nginx.tag, None);
        assert_eq!(nginx.effective_tag(), Some("latest"));
        assert_eq!(parse("bitnami/redis:7.2").name(), "docker.io/bitnami/redis");
        assert_eq!(
            parse("index.docker.io/library/nginx:1").name(),
            "docker.io/library/nginx"
        );
    }

    #[test]
    fn registry_is_recognised_by_dot_colon_or_localhost() {
        let r = parse("localhost:5000/shop/api:1.4");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("localhost:5000", "shop/api")
        );
        assert_eq!(r.tag.as_deref(), Some("1.4"));
        assert_eq!(parse("localhost/api").registry, "localhost");
        assert_eq!(parse("ghcr.io/org/app").registry, "ghcr.io");
        // `team` has no dot or colon: a Docker Hub namespace, not a registry.
        assert_eq!(parse("team/app").name(), "docker.io/team/app");
    }

    #[test]
    fn digests_and_tags() {
        let hex = "a".repeat(64);
        let both = parse(&format!("nginx:1.25@sha256:{hex}"));
        assert_eq!(both.tag.as_deref(), Some("1.25"));
        assert_eq!(both.digest, Some(format!("sha256:{hex}")));
        let digest_only = parse(&format!("nginx@sha256:{hex}"));
        assert_eq!(digest_only.effective_tag(), None);
        assert!(ImageRef::parse("nginx@sha256:zz").is_err());
        assert!(ImageRef::parse("nginx:").is_err());
    }

    #[test]
    fn templates_and_garbage_are_errors() {
        for bad in [
            "{{ .Values.image }}",
            "${IMAGE}",
            "",
            "a b",
            "Upper/case",
            "x//y",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn allow_list_globs() {
        let list =
            RegistryAllowList::new(&["registry.corp.example/*", "ghcr.io", "docker.io/library/*"])
                .unwrap();
        assert!(list.allows(&parse("registry.corp.example/team/api:1")));
        assert!(list.allows(&parse("ghcr.io/org/tool")));
        assert!(list.allows(&parse("nginx:1.25")));
        assert!(!list.allows(&parse("bitnami/redis")));
        assert!(!list.allows(&parse("registry.corp.example.evil.io/x")));
        assert!(!list.allows(&parse("quay.io/registry.corp.example/x")));
        assert!(RegistryAllowList::new(&["a/[b"]).is_err());
    }
}
