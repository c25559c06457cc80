//! The HTTPS listener: a certificate authority made at start, a server certificate for `127.0.0.1`
//! and `localhost` signed by it, and the emulator's router served over rustls (ring provider).
//!
//! Clients that refuse `http` authorities (Azure's identity libraries) trust the CA's PEM and reach
//! the emulator as they would reach `https://login.microsoftonline.com` and
//! `https://graph.microsoft.com`. Requests that came in over TLS carry the [`Https`] extension, so
//! URLs the emulator builds from the request (discovery, issuers, `@odata.nextLink`) say `https`.

use std::sync::Arc;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Marks a request received over TLS (a request extension set by [`serve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Https;

/// The hosts the server certificate names by default.
pub const DEFAULT_HOSTS: &[&str] = &["127.0.0.1", "localhost", "::1"];

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot make the emulator's certificates: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("cannot configure TLS: {0}")]
    Config(#[from] rustls::Error),
}

/// A certificate authority and a server certificate it signed, made together.
pub struct TlsIdentity {
    /// The CA certificate (PEM): what clients add as a trusted root.
    pub ca_cert_pem: String,
    ca_cert_der: CertificateDer<'static>,
    server_cert_der: CertificateDer<'static>,
    server_key_der: Vec<u8>,
}

impl TlsIdentity {
    /// A fresh CA ("Tenant Mesh emulator CA") and a server certificate for [`DEFAULT_HOSTS`].
    pub fn generate() -> Result<Self, TlsError> {
        Self::for_hosts(DEFAULT_HOSTS)
    }

    /// A fresh CA and a server certificate whose subject alternative names are `hosts` (IP
    /// addresses or DNS names).
    pub fn for_hosts(hosts: &[&str]) -> Result<Self, TlsError> {
        let ca_key = KeyPair::generate()?;
        let ca_params = ca_params()?;
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);
        let server_key = KeyPair::generate()?;
        let server_cert = server_params(hosts)?.signed_by(&server_key, &issuer)?;
        Ok(Self {
            ca_cert_pem: ca_cert.pem(),
            ca_cert_der: ca_cert.der().clone(),
            server_cert_der: server_cert.der().clone(),
            server_key_der: server_key.serialize_der(),
        })
    }

    /// rustls's server configuration: the server certificate and the CA as its chain, HTTP/1.1.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key_der.clone()));
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                vec![self.server_cert_der.clone(), self.ca_cert_der.clone()],
                key,
            )?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

fn ca_params() -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = named("Tenant Mesh emulator CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    Ok(params)
}

fn server_params(hosts: &[&str]) -> Result<CertificateParams, rcgen::Error> {
    let names: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
    let mut params = CertificateParams::new(names)?;
    params.distinguished_name = named(hosts.first().copied().unwrap_or("localhost"));
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    Ok(params)
}

fn named(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name.push(DnType::OrganizationName, "Tenant Mesh emulator");
    name
}

/// Serves `router` over TLS on `listener` until the process ends: each connection is handshaken
/// with `config`, then served HTTP/1.1; every request carries the [`Https`] extension.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    config: Arc<rustls::ServerConfig>,
) -> std::io::Result<()> {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let router = router.layer(axum::Extension(Https));
    loop {
        let (stream, peer) = listener.accept().await?;
        let acceptor = acceptor.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let tls = match acceptor.accept(stream).await {
                Ok(tls) => tls,
                Err(err) => {
                    tracing::debug!("TLS handshake with {peer} failed: {err}");
                    return;
                }
            };
            let service = TowerToHyperService::new(router);
            let served = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await;
            if let Err(err) = served {
                tracing::debug!("HTTPS connection with {peer} ended: {err}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_is_a_ca_pem_and_a_usable_server_config() {
        let identity = TlsIdentity::generate().unwrap();
        assert!(identity
            .ca_cert_pem
            .starts_with("-----BEGIN CERTIFICATE-----"));
        let config = identity.server_config().unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }
}
