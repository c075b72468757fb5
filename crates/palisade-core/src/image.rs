//! Container image references as the Docker/OCI distribution reference grammar reads them, and
//! the registry allow-list (`[images] allowed_registries`) that manifest and Dockerfile rules
//! share.
//!
//! Normalisation follows `docker/distribution/reference`: the first path component is a
//! registry only when it contains `.` or `:` or is `localhost`; otherwise the image lives on
//! Docker Hub (`docker.io`), where one-component names get the `library/` namespace.

use std::fmt;

use globset::{GlobBuilder, GlobMatcher};

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
    /// Parses a reference as a container runtime would (the `distribution/reference` grammar,
    /// then `go-digest` validation of the digest). Templated values (`{{ .Values.image }}`,
    /// `${IMAGE}`) and other strings outside the grammar are errors. Written out by hand rather
    /// than as one regular expression: this runs for every container of every workload, and
    /// the grammar's regex costs megabytes of automaton per thread.
    pub fn parse(reference: &str) -> Result<Self, ImageRefError> {
        let error = |why: &str| Err(ImageRefError(format!("{reference:?} {why}")));
        if reference.is_empty() {
            return error("is empty");
        }
        if let Some(bad) = reference
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "._-/:@[]".contains(*c)))
        {
            return error(&format!("contains {bad:?}, which no image reference can"));
        }
        let (name_and_tag, digest) = match reference.split_once('@') {
            Some((rest, digest)) => {
                let (algorithm, hex) = digest.split_once(':').unwrap_or((digest, ""));
                let length = match algorithm {
                    "sha256" => 64,
                    "sha384" => 96,
                    "sha512" => 128,
                    _ => {
                        return error(&format!(
                            "has an unsupported digest algorithm {algorithm:?}"
                        ));
                    }
                };
                if hex.len() != length
                    || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                {
                    return error(&format!("has a malformed {algorithm} digest"));
                }
                (rest, Some(digest.to_string()))
            }
            None => (reference, None),
        };
        let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
            Some(i) => {
                let tag = &name_and_tag[last_slash + i + 1..];
                let valid = tag.len() <= 128
                    && tag
                        .bytes()
                        .next()
                        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && tag
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
                if !valid {
                    return error("has a malformed tag");
                }
                (&name_and_tag[..last_slash + i], Some(tag.to_string()))
            }
            None => (name_and_tag, None),
        };
        // docker's splitDockerDomain: the first component is a registry when it looks like a
        // host (a dot, a port, `localhost`) or has capitals (repositories cannot).
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.bytes().any(|b| b.is_ascii_uppercase()) =>
            {
                if !is_host(first) {
                    return error("has a malformed registry host");
                }
                (first.to_string(), rest.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        if !repository.split('/').all(is_path_component) {
            return error("has a malformed repository name");
        }
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

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`: a repository path component.
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
        return false;
    }
    // Every run of separators between alphanumerics is `.`, `_`, `__` or dashes.
    component
        .split(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .all(|run| matches!(run, "." | "_" | "__") || run.bytes().all(|b| b == b'-'))
}

/// `domain(:port)?` or `[ipv6](:port)?`, where a domain is dot-separated labels of
/// alphanumerics and inner dashes.
fn is_host(host: &str) -> bool {
    let (address, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some((ipv6, after)) = rest.split_once(']') else {
            return false;
        };
        if ipv6.is_empty() || !ipv6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return false;
        }
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return false,
        };
        (None, port)
    } else {
        match host.split_once(':') {
            Some((domain, port)) => (Some(domain), Some(port)),
            None => (Some(host), None),
        }
    };
    let label = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    };
    address.is_none_or(|domain| domain.split('.').all(label))
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The registries images may come from: glob patterns over `registry/repository`. The part
/// before the first `/` matches the registry alone (so `*.corp.example` can never match
/// `evil.io/x.corp.example/app`); the rest matches the repository, where `*` also crosses `/`.
/// A pattern without `/` names a whole registry (`ghcr.io` = `ghcr.io/*`). Docker Hub images
/// are matched by their normalised name (`docker.io/library/nginx`).
#[derive(Debug, Clone)]
pub struct RegistryAllowList {
    patterns: Vec<AllowedPattern>,
}

#[derive(Debug, Clone)]
struct AllowedPattern {
    text: String,
    registry: GlobMatcher,
    repository: GlobMatcher,
}

impl RegistryAllowList {
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, String> {
        let patterns = patterns
            .iter()
            .map(|pattern| {
                let text = pattern.as_ref();
                let (registry, repository) = text.split_once('/').unwrap_or((text, "*"));
                let compile = |glob: &str, literal_separator: bool| {
                    GlobBuilder::new(glob)
                        .literal_separator(literal_separator)
                        .build()
                        .map(|g| g.compile_matcher())
                        .map_err(|e| format!("invalid pattern {text:?}: {}", e.kind()))
                };
                Ok(AllowedPattern {
                    text: text.to_string(),
                    registry: compile(registry, true)?,
                    repository: compile(repository, false)?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(RegistryAllowList { patterns })
    }

    pub fn allows(&self, image: &ImageRef) -> bool {
        self.patterns.iter().any(|p| {
            p.registry.is_match(&image.registry) && p.repository.is_match(&image.repository)
        })
    }

    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(|p| p.text.as_str())
    }

    /// `allowed: "a/*", "b"` for messages (or why nothing is).
    pub fn describe(&self) -> String {
        if self.patterns.is_empty() {
            return "no registry is allowed ([images] allowed_registries is empty)".to_string();
        }
        let quoted: Vec<String> = self.patterns().map(|p| format!("{p:?}")).collect();
        format!("allowed: {}", quoted.join(", "))
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
    fn the_reference_grammar_is_followed() {
        // A capitalised first component is a registry, as docker reads it.
        let upper = parse("Registry/app:1");
        assert_eq!(
            (upper.registry.as_str(), upper.repository.as_str()),
            ("Registry", "app")
        );
        assert_eq!(parse("[::1]:5000/app:1").registry, "[::1]:5000");
        assert_eq!(
            parse("my.registry/a__b/c-d.e:v1.2_3").repository,
            "a__b/c-d.e"
        );
        assert!(ImageRef::parse(&format!("app@sha512:{}", "a".repeat(64))).is_err());
        assert!(ImageRef::parse(&format!("app@md5:{}", "a".repeat(32))).is_err());
        assert!(ImageRef::parse(&format!("app@sha256:{}", "A".repeat(64))).is_err());
        for bad in [
            "a/../b",
            "a/-x",
            "host:port/app",
            "app:1+2",
            "app:-x",
            "Upper",
            "a/Upper",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn templates_and_garbage_are_errors() {
        for bad in ["{{ .Values.image }}", "${IMAGE}", "", "a b", "x//y"] {
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
        let wildcard = RegistryAllowList::new(&["*.corp.example"]).unwrap();
        assert!(wildcard.allows(&parse("registry.corp.example/team/app:1")));
        assert!(!wildcard.allows(&parse("evil.io/x.corp.example/app:1")));
        assert!(RegistryAllowList::new(&["a/[b"]).is_err());
    }
}
