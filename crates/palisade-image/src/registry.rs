//! Images in an OCI distribution registry, through `oci-client`: the manifest (OCI or Docker
//! schema 2, indexes resolved to the requested platform by the same code as image layouts), the
//! config, and layers streamed straight into the flattener, never stored. `oci-client` verifies
//! every blob against its digest as it streams and does the anonymous, basic and bearer-token
//! handshakes; this module finds the credentials (`--username`/`--password-stdin`, else the
//! Docker client's `config.json`: `auths`, `credHelpers`, `credsStore`) and bridges the async
//! client to the synchronous readers the flattener takes.
//!
//! Insecure registries are handled as Docker handles them: loopback registries (`localhost`,
//! `127.0.0.0/8`, `::1`) always, any registry with `--insecure`. For those, HTTPS is tried
//! first with certificate errors accepted, and plain HTTP when HTTPS cannot connect at all;
//! every other registry gets verified HTTPS only.

mod credentials;

use credentials::Credential;

use std::io::Read;
use std::sync::{Arc, Once};

use futures_util::TryStreamExt;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::manifest::{
    IMAGE_MANIFEST_LIST_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_INDEX_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE, OciDescriptor,
};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use tokio_util::io::{StreamReader, SyncIoBridge};

use crate::source::{
    BlobLocation, BlobStore, Expected, ImageError, JSON_LIMIT, LayerRef, OpenOptions, OpenedImage,
    read_blob, resolve_manifest,
};

/// One repository of a registry, with a client ready to pull from it.
struct Repository {
    runtime: Arc<tokio::runtime::Runtime>,
    client: Client,
    reference: Reference,
    name: String,
}

impl std::fmt::Debug for Repository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repository")
            .field("name", &self.name)
            .finish()
    }
}

fn registry_error(what: &str, error: impl std::fmt::Display) -> ImageError {
    ImageError::Invalid(format!("{what}: {error}"))
}

/// A registry client error, with what to do about refused access.
fn pull_error(what: &str, error: OciDistributionError) -> ImageError {
    match error {
        OciDistributionError::UnauthorizedError { .. }
        | OciDistributionError::AuthenticationFailure(_) => ImageError::Invalid(format!(
            "{what}: the registry refused access (unauthorized): log in with `docker login`, or pass --username and --password-stdin"
        )),
        error => registry_error(what, error),
    }
}

impl Repository {
    /// The reference of a blob or manifest of this repository, by digest.
    fn by_digest(&self, digest: &str) -> Reference {
        Reference::with_digest(
            self.reference.registry().to_string(),
            self.reference.repository().to_string(),
            digest.to_string(),
        )
    }

    /// A manifest or index, by the reference's tag or digest (verified when by digest).
    fn manifest(&self, reference: &Reference) -> Result<(Vec<u8>, String), ImageError> {
        let (bytes, digest) = self
            .manifest_raw(reference)
            .map_err(|e| pull_error(&format!("manifest of {reference}"), e))?;
        Ok((Self::bounded(bytes, reference)?, digest))
    }

    fn manifest_raw(
        &self,
        reference: &Reference,
    ) -> Result<(Vec<u8>, String), OciDistributionError> {
        let accepted = [
            OCI_IMAGE_MEDIA_TYPE,
            IMAGE_MANIFEST_MEDIA_TYPE,
            OCI_IMAGE_INDEX_MEDIA_TYPE,
            IMAGE_MANIFEST_LIST_MEDIA_TYPE,
        ];
        self.runtime
            .block_on(
                self.client
                    .pull_manifest_raw(reference, &RegistryAuth::Anonymous, &accepted),
            )
            .map(|(bytes, digest)| (bytes.to_vec(), digest))
    }

    /// The manifest's bytes, refused beyond the JSON size limit.
    fn bounded(bytes: Vec<u8>, reference: &Reference) -> Result<Vec<u8>, ImageError> {
        if bytes.len() as u64 > JSON_LIMIT {
            return Err(ImageError::Invalid(format!(
                "manifest of {reference}: larger than {JSON_LIMIT} bytes"
            )));
        }
        Ok(bytes)
    }
}

impl BlobStore for Repository {
    fn open(&self, digest: &str) -> Result<Box<dyn Read + Send>, ImageError> {
        let descriptor = OciDescriptor {
            digest: digest.to_string(),
            ..Default::default()
        };
        let stream = self
            .runtime
            .block_on(self.client.pull_blob_stream(&self.reference, &descriptor))
            .map_err(|e| pull_error(&format!("blob {digest} of {}", self.name), e))?;
        let reader = StreamReader::new(stream.into_stream());
        Ok(Box::new(SyncIoBridge::new_with_handle(
            reader,
            self.runtime.handle().clone(),
        )))
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Whether a registry host (`host[:port]`) is on the loopback interface.
fn is_loopback(registry: &str) -> bool {
    let host = match registry.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => registry.rsplit_once(':').map_or(registry, |(host, _)| host),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Opens `reference` (`registry/repository[:tag][@digest]`; Docker Hub when no registry is
/// named) in its registry.
pub(crate) fn open(target: &str, options: &OpenOptions) -> Result<OpenedImage, ImageError> {
    static CRYPTO: Once = Once::new();
    CRYPTO.call_once(|| {
        // reqwest is built without a default rustls provider: ring is palisade's.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    let reference: Reference = target.parse().map_err(|e| {
        ImageError::Invalid(format!(
            "{target}: not a file, a directory or an image reference ({e})"
        ))
    })?;
    let registry = reference.resolve_registry().to_string();
    let insecure = options.registry.insecure || is_loopback(&registry);
    let client_for = |plain_http: bool| {
        Client::new(ClientConfig {
            protocol: if plain_http {
                ClientProtocol::HttpsExcept(vec![registry.clone()])
            } else {
                ClientProtocol::Https
            },
            accept_invalid_certificates: insecure,
            // Indexes are resolved here, with variants and a clear error.
            platform_resolver: None,
            user_agent: concat!("palisade/", env!("CARGO_PKG_VERSION")),
            connect_timeout: Some(std::time::Duration::from_secs(30)),
            read_timeout: Some(std::time::Duration::from_secs(300)),
            ..Default::default()
        })
    };
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| registry_error("cannot start the network runtime", e))?,
    );
    let mut warnings = Vec::new();
    let auth = match &options.registry.credentials {
        Some((username, password)) => RegistryAuth::Basic(username.clone(), password.clone()),
        None => match credentials::lookup(
            &registry,
            options.registry.docker_config.as_deref(),
            &mut warnings,
        ) {
            Some(Credential::Basic { username, password }) => {
                RegistryAuth::Basic(username, password)
            }
            Some(Credential::Bearer(token)) => RegistryAuth::Bearer(token),
            None => RegistryAuth::Anonymous,
        },
    };
    let name = format!("{}/{}", reference.registry(), reference.repository());
    let repository_over = |plain_http: bool| {
        let client = client_for(plain_http);
        runtime.block_on(client.store_auth_if_needed(&registry, &auth));
        Repository {
            runtime: runtime.clone(),
            client,
            reference: reference.clone(),
            name: name.clone(),
        }
    };
    let mut repository = repository_over(false);
    let mut top = repository.manifest_raw(&reference);
    // An insecure registry that cannot speak HTTPS at all: plain HTTP, as Docker falls back.
    if insecure && matches!(top, Err(OciDistributionError::RequestError(_))) {
        repository = repository_over(true);
        top = repository.manifest_raw(&reference);
    }
    let (top, top_digest) = top.map_err(|e| pull_error(&format!("manifest of {reference}"), e))?;
    let top = Repository::bounded(top, &reference)?;
    let repository = Arc::new(repository);
    // Manifests fetched by digest are verified by the client.
    let mut fetch = |digest: &str, _size: Option<u64>| {
        repository
            .manifest(&repository.by_digest(digest))
            .map(|m| m.0)
    };
    let (manifest_digest, manifest) =
        resolve_manifest(top_digest, top, &mut fetch, &options.platform)?;
    let store: Arc<dyn BlobStore> = repository;
    let config_digest = &manifest.config.digest;
    let config_bytes = read_blob(
        &BlobLocation::Remote(store.clone()),
        config_digest,
        &Expected {
            digest: None,
            size: manifest.config.size,
        },
        JSON_LIMIT,
    )?;
    let config = serde_json::from_slice(&config_bytes)
        .map_err(|e| registry_error(&format!("config {config_digest}"), e))?;
    let layers = manifest
        .layers
        .into_iter()
        .map(|layer| {
            LayerRef::remote(
                store.clone(),
                layer.digest,
                layer.media_type.unwrap_or_default(),
                layer.size,
            )
        })
        .collect();
    Ok(OpenedImage {
        reference: reference.whole(),
        manifest_digest: Some(manifest_digest),
        config,
        layers,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_registries() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost:5000"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("[::1]:5000"));
        assert!(is_loopback("127.1.2.3"));
        assert!(!is_loopback("registry.example.com:5000"));
        assert!(!is_loopback("10.0.0.1:5000"));
        assert!(!is_loopback("index.docker.io"));
    }
}
