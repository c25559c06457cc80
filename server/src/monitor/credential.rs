//! The monitor's app credential: `azure_identity` credentials chosen by the settings, one per
//! tenant (made at first use, then kept), asked for `https://graph.microsoft.com/.default`.
//!
//! Every credential posts to the backend's login base URL (`azure_identity`'s custom cloud
//! `authority_host`) through the monitor's own reqwest client, which trusts the configured CA (in
//! demo mode the built-in emulator's). `azure_identity` keeps each token until five minutes before
//! it expires (azure_identity 1.0 `src/cache.rs`), so [`AppCredential::token`] is cheap to call
//! before every read.
//!
//! A client certificate is used as Microsoft Entra's signed client assertion
//! (MicrosoftDocs/entra-docs `docs/identity-platform/certificate-credentials.md`): azure_identity's
//! own `ClientCertificateCredential` needs the system's OpenSSL, this one signs with the RSA key of a
//! PEM file (PKCS #12 files are refused at start with how to convert them).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::TokenCredential;
use azure_core::error::ErrorKind;
use azure_core::http::{
    AsyncRawResponse, Body, ClientMethodOptions, ClientOptions, ExponentialRetryOptions,
    HttpClient, Request, RetryOptions, Transport,
};
use azure_identity::{
    ClientAssertion, ClientAssertionCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use graph::client::AccessToken;
use graph::TenantId;
use sha2::{Digest, Sha256};

use crate::backend::Backend;
use crate::secret::Secret;
use crate::settings::{CredentialSettings, Settings};

/// What the monitor asks for: every application permission consented to Microsoft Graph
/// (MicrosoftDocs/entra-docs `docs/identity-platform/v2-oauth2-client-creds-grant-flow.md`).
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

/// How long a signed client assertion is valid (Entra accepts up to ten minutes).
const ASSERTION_SECONDS: u64 = 600;

/// Why no token could be had (shown on the status board; never contains a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CredentialError(pub String);

/// Tokens for the monitor, per tenant.
pub struct AppCredential {
    kind: Kind,
    authority_host: String,
    http: reqwest::Client,
    per_tenant: Mutex<HashMap<TenantId, Arc<dyn TokenCredential>>>,
}

/// The configured credential, resolved against the backend's app registration.
enum Kind {
    ClientSecret {
        client_id: String,
        secret: Secret,
    },
    ClientCertificate {
        client_id: String,
        certificate: Arc<CertificateKey>,
    },
    WorkloadIdentity {
        client_id: Option<String>,
        token_file: Option<PathBuf>,
    },
    ManagedIdentity {
        client_id: Option<String>,
    },
}

impl AppCredential {
    /// The credential `monitor.credential` describes, asking `backend.monitor_login_base_url`
    /// through [`crate::backend::monitor_http_client`]. Fails at start for what can be known then
    /// (no client id or secret, an unreadable or unsupported certificate, a bad CA file).
    pub fn from_settings(settings: &Settings, backend: &Backend) -> Result<Self, CredentialError> {
        let http =
            crate::backend::monitor_http_client(settings, backend).map_err(CredentialError)?;
        Self::with_http(settings, backend, http)
    }

    /// As [`AppCredential::from_settings`], with the HTTP client given (tests use one without the
    /// CA).
    pub fn with_http(
        settings: &Settings,
        backend: &Backend,
        http: reqwest::Client,
    ) -> Result<Self, CredentialError> {
        Ok(Self {
            kind: Kind::resolve(&settings.monitor.credential, backend)?,
            authority_host: backend.monitor_login_base_url.clone(),
            http,
            per_tenant: Mutex::new(HashMap::new()),
        })
    }

    /// The configured kind, for the board and logs (`client_secret`, …).
    pub fn kind(&self) -> &'static str {
        match self.kind {
            Kind::ClientSecret { .. } => "client_secret",
            Kind::ClientCertificate { .. } => "client_certificate",
            Kind::WorkloadIdentity { .. } => "workload_identity",
            Kind::ManagedIdentity { .. } => "managed_identity",
        }
    }

    /// An app-only token for Graph in `tenant`.
    pub async fn token(&self, tenant: &TenantId) -> Result<AccessToken, CredentialError> {
        let credential = self.credential_for(tenant)?;
        let token = credential
            .get_token(&[GRAPH_SCOPE], None)
            .await
            .map_err(|err| self.error(&err))?;
        let token = token.token.secret();
        if let Kind::ManagedIdentity { .. } = self.kind {
            ensure_tenant(token, tenant)?;
        }
        Ok(AccessToken::new(token))
    }

    /// The tenant's credential, made at first use (a failure is not kept: the next call tries again).
    fn credential_for(
        &self,
        tenant: &TenantId,
    ) -> Result<Arc<dyn TokenCredential>, CredentialError> {
        let mut per_tenant = self
            .per_tenant
            .lock()
            .map_err(|_| CredentialError("the credential cache is unusable".into()))?;
        if let Some(credential) = per_tenant.get(tenant) {
            return Ok(Arc::clone(credential));
        }
        let credential = self.make(tenant).map_err(|err| self.error(&err))?;
        per_tenant.insert(tenant.clone(), Arc::clone(&credential));
        Ok(credential)
    }

    fn make(&self, tenant: &TenantId) -> azure_core::Result<Arc<dyn TokenCredential>> {
        let client_options = self.client_options();
        Ok(match &self.kind {
            Kind::ClientSecret { client_id, secret } => ClientSecretCredential::new(
                tenant.as_str(),
                client_id.clone(),
                secret.expose().to_owned().into(),
                Some(ClientSecretCredentialOptions { client_options }),
            )?,
            Kind::ClientCertificate {
                client_id,
                certificate,
            } => ClientAssertionCredential::new(
                tenant.as_str().to_owned(),
                client_id.clone(),
                SignedAssertion {
                    client_id: client_id.clone(),
                    audience: token_endpoint(&self.authority_host, tenant),
                    certificate: Arc::clone(certificate),
                },
                Some(ClientAssertionCredentialOptions { client_options }),
            )?,
            Kind::WorkloadIdentity {
                client_id,
                token_file,
            } => WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions { client_options },
                client_id: client_id.clone(),
                tenant_id: Some(tenant.as_str().to_owned()),
                token_file_path: token_file.clone(),
            }))?,
            Kind::ManagedIdentity { client_id } => {
                ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                    user_assigned_id: client_id.clone().map(UserAssignedId::ClientId),
                    client_options,
                }))?
            }
        })
    }

    /// The backend's login host as a custom cloud, the monitor's client as transport, and a few
    /// quick retries (the next run tries again anyway).
    fn client_options(&self) -> ClientOptions {
        let mut cloud = CustomConfiguration::default();
        cloud.authority_host = self.authority_host.clone();
        ClientOptions {
            transport: Some(Transport::new(Arc::new(ReqwestTransport(
                self.http.clone(),
            )))),
            cloud: Some(Arc::new(CloudConfiguration::from(cloud))),
            retry: RetryOptions::exponential(ExponentialRetryOptions {
                max_retries: 2,
                max_total_elapsed: azure_core::time::Duration::seconds(20),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// `err` with its causes on one line, any secret of ours blanked out.
    fn error(&self, err: &azure_core::Error) -> CredentialError {
        let mut message = one_line(&err.to_string());
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            let text = one_line(&cause.to_string());
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        if let Kind::ClientSecret { secret, .. } = &self.kind {
            if !secret.expose().is_empty() {
                message = message.replace(secret.expose(), "[redacted]");
            }
        }
        CredentialError(message)
    }
}

impl Kind {
    /// The settings' credential, with the backend's app registration (`[entra]`, or the demo
    /// app) where the settings name none.
    fn resolve(settings: &CredentialSettings, backend: &Backend) -> Result<Self, CredentialError> {
        let app_id = |given: &Option<String>| {
            given
                .clone()
                .filter(|id| !id.is_empty())
                .or_else(|| Some(backend.client_id.clone()).filter(|id| !id.is_empty()))
        };
        let required = |given: &Option<String>| {
            app_id(given).ok_or_else(|| {
                CredentialError(
                    "monitor.credential needs a client_id (or entra.client_id)".to_owned(),
                )
            })
        };
        Ok(match settings {
            CredentialSettings::ClientSecret {
                client_id,
                client_secret,
            } => Self::ClientSecret {
                client_id: required(client_id)?,
                secret: client_secret
                    .clone()
                    .or_else(|| Some(backend.client_secret.clone()))
                    .filter(|secret| !secret.expose().is_empty())
                    .ok_or_else(|| {
                        CredentialError(
                            "monitor.credential needs a client_secret (or entra.client_secret)"
                                .to_owned(),
                        )
                    })?,
            },
            CredentialSettings::ClientCertificate {
                client_id,
                certificate_path,
                certificate_password,
            } => Self::ClientCertificate {
                client_id: required(client_id)?,
                certificate: Arc::new(CertificateKey::load(
                    certificate_path,
                    certificate_password.as_ref(),
                )?),
            },
            CredentialSettings::WorkloadIdentity {
                client_id,
                token_file,
            } => Self::WorkloadIdentity {
                // None: azure_identity reads AZURE_CLIENT_ID (and AZURE_FEDERATED_TOKEN_FILE).
                client_id: app_id(client_id),
                token_file: token_file.clone(),
            },
            CredentialSettings::ManagedIdentity { client_id } => Self::ManagedIdentity {
                client_id: client_id.clone().filter(|id| !id.is_empty()),
            },
        })
    }
}

/// `{authority}/{tenant}/oauth2/v2.0/token`: where tokens are asked, and the `aud` of assertions.
fn token_endpoint(authority_host: &str, tenant: &TenantId) -> String {
    format!(
        "{}/{}/oauth2/v2.0/token",
        authority_host.trim_end_matches('/'),
        tenant.as_str()
    )
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A managed identity lives in one tenant: its token is refused for any other (a multitenant
/// organization's other tenants need an app registration there, MicrosoftDocs/entra-docs
/// `docs/identity/managed-identities-azure-resources/overview.md`).
fn ensure_tenant(token: &str, tenant: &TenantId) -> Result<(), CredentialError> {
    let issued_in = token_tenant(token);
    if issued_in.as_deref() == Some(tenant.as_str()) {
        return Ok(());
    }
    Err(CredentialError(format!(
        "the managed identity belongs to tenant {}, not to {tenant}: it can read its own tenant only",
        issued_in.as_deref().unwrap_or("(unknown)")
    )))
}

/// The `tid` claim of a JWT access token (read without checking the signature: Graph does that).
fn token_tenant(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    claims.get("tid")?.as_str().map(str::to_ascii_lowercase)
}

/// The RSA key of a client certificate and the certificate's SHA-256 thumbprint.
pub struct CertificateKey {
    key: jsonwebtoken::EncodingKey,
    /// `x5t#S256`: base64url of the SHA-256 of the certificate's DER.
    thumbprint: String,
}

impl fmt::Debug for CertificateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateKey")
            .field("thumbprint", &self.thumbprint)
            .finish_non_exhaustive()
    }
}

impl CertificateKey {
    /// Reads a PEM file holding the certificate and its (unencrypted) RSA private key.
    pub fn load(path: &Path, password: Option<&Secret>) -> Result<Self, CredentialError> {
        let bytes = std::fs::read(path).map_err(|err| {
            CredentialError(format!(
                "monitor.credential.certificate_path {}: {err}",
                path.display()
            ))
        })?;
        let Ok(pem) = std::str::from_utf8(&bytes) else {
            return Err(pkcs12_refused(path));
        };
        if !pem.contains("-----BEGIN") {
            return Err(pkcs12_refused(path));
        }
        if password.is_some() || pem.contains("ENCRYPTED PRIVATE KEY") {
            return Err(CredentialError(format!(
                "{}: encrypted private keys are not supported; decrypt it \
                 (`openssl pkey -in key.pem -out plain.pem`) and keep the file readable by the \
                 dashboard only",
                path.display()
            )));
        }
        Self::from_pem(pem).map_err(|why| CredentialError(format!("{}: {why}", path.display())))
    }

    /// The certificate and RSA key (PKCS #1 or #8) of one PEM text.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        let certificate = pem_block(pem, "CERTIFICATE").ok_or("no CERTIFICATE in the PEM")?;
        let der = STANDARD
            .decode(pem_body(certificate))
            .map_err(|_| "the CERTIFICATE is not valid base64")?;
        let key = pem_block(pem, "PRIVATE KEY")
            .or_else(|| pem_block(pem, "RSA PRIVATE KEY"))
            .ok_or("no PRIVATE KEY in the PEM")?;
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(key.as_bytes())
            .map_err(|err| format!("the private key is not an RSA key: {err}"))?;
        Ok(Self {
            key,
            thumbprint: URL_SAFE_NO_PAD.encode(Sha256::digest(&der)),
        })
    }

    /// A client assertion for `client_id` at `audience` (the tenant's token endpoint), valid from
    /// `now` (Unix seconds): PS256 with `x5t#S256`, as Microsoft Entra's certificate credentials
    /// page describes.
    pub fn assertion(&self, client_id: &str, audience: &str, now: u64) -> Result<String, String> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::PS256);
        header.typ = Some("JWT".to_owned());
        header.x5t_s256 = Some(self.thumbprint.clone());
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "iat": now,
            "nbf": now,
            "exp": now + ASSERTION_SECONDS,
        });
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|err| format!("cannot sign the client assertion: {err}"))
    }
}

fn pkcs12_refused(path: &Path) -> CredentialError {
    CredentialError(format!(
        "{}: not a PEM file. PKCS #12 (.pfx) certificates are not supported (they need the \
         system's OpenSSL); convert it: `openssl pkcs12 -in app.pfx -out app.pem -nodes`",
        path.display()
    ))
}

/// The whole `-----BEGIN {label}-----` … `-----END {label}-----` block of `pem`.
fn pem_block<'a>(pem: &'a str, label: &str) -> Option<&'a str> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)?;
    let stop = pem[start..].find(&end)? + start + end.len();
    Some(&pem[start..stop])
}

/// The base64 between a block's BEGIN and END lines.
fn pem_body(block: &str) -> String {
    block
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .map(str::trim)
        .collect()
}

/// Signs a fresh assertion for each token request.
struct SignedAssertion {
    client_id: String,
    audience: String,
    certificate: Arc<CertificateKey>,
}

impl fmt::Debug for SignedAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedAssertion")
            .field("client_id", &self.client_id)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl ClientAssertion for SignedAssertion {
    async fn secret(
        &self,
        _options: Option<ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or_default();
        self.certificate
            .assertion(&self.client_id, &self.audience, now)
            .map_err(|why| azure_core::Error::with_message(ErrorKind::Credential, why))
    }
}

/// azure_core's transport over the monitor's reqwest client (azure_core's own reqwest support is
/// another reqwest major version, with its own TLS stack): the credentials' requests are small
/// forms, their answers small JSON documents.
#[derive(Debug)]
struct ReqwestTransport(reqwest::Client);

#[async_trait::async_trait]
impl HttpClient for ReqwestTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let Body::Bytes(body) = request.body() else {
            return Err(azure_core::Error::with_message(
                ErrorKind::Other,
                "streamed request bodies are not supported",
            ));
        };
        let method = reqwest::Method::from_bytes(request.method().as_ref().as_bytes())
            .map_err(|err| azure_core::Error::with_error(ErrorKind::Other, err, "bad method"))?;
        let mut outgoing = self
            .0
            .request(method, request.url().as_str())
            .body(body.to_vec());
        for (name, value) in request.headers().iter() {
            outgoing = outgoing.header(name.as_str(), value.as_str());
        }
        let response = outgoing.send().await.map_err(|err| {
            let kind = if err.is_connect() {
                ErrorKind::Connection
            } else {
                ErrorKind::Io
            };
            azure_core::Error::with_error(kind, err, "the request failed")
        })?;
        let status = response.status().as_u16();
        let mut headers = azure_core::http::headers::Headers::new();
        for (name, value) in response.headers() {
            if let Ok(value) = value.to_str() {
                headers.insert(name.as_str().to_owned(), value.to_owned());
            }
        }
        let body = response.bytes().await.map_err(|err| {
            azure_core::Error::with_error(ErrorKind::Io, err, "reading the answer failed")
        })?;
        Ok(AsyncRawResponse::from_bytes(
            status.into(),
            headers,
            body.to_vec(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> TenantId {
        "72f988bf-86f1-41af-91ab-2d7cd011db47".parse().unwrap()
    }

    #[test]
    fn the_token_endpoint_is_the_tenants_under_the_authority() {
        assert_eq!(
            token_endpoint("https://login.microsoftonline.com/", &tenant()),
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
        );
    }

    #[test]
    fn a_managed_identity_token_of_another_tenant_is_refused() {
        let claims = URL_SAFE_NO_PAD.encode(br#"{"tid":"72F988BF-86F1-41AF-91AB-2D7CD011DB47"}"#);
        assert!(ensure_tenant(&format!("e30.{claims}.sig"), &tenant()).is_ok());
        let other = URL_SAFE_NO_PAD.encode(br#"{"tid":"11111111-1111-1111-1111-111111111111"}"#);
        let refused = ensure_tenant(&format!("e30.{other}.sig"), &tenant()).unwrap_err();
        assert!(refused.0.contains("11111111-1111-1111-1111-111111111111"));
        assert!(ensure_tenant("not-a-jwt", &tenant()).is_err());
    }

    #[test]
    fn pem_blocks_are_found_by_label() {
        let pem = "x\n-----BEGIN CERTIFICATE-----\nQUJD\nREVG\n-----END CERTIFICATE-----\n\
                   -----BEGIN PRIVATE KEY-----\nR0hJ\n-----END PRIVATE KEY-----\n";
        let cert = pem_block(pem, "CERTIFICATE").unwrap();
        assert_eq!(pem_body(cert), "QUJDREVG");
        assert!(pem_block(pem, "PRIVATE KEY").unwrap().contains("R0hJ"));
        assert!(pem_block(pem, "RSA PRIVATE KEY").is_none());
    }

    #[test]
    fn pkcs12_and_encrypted_keys_are_refused_with_a_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let pfx = dir.path().join("app.pfx");
        std::fs::write(&pfx, [0x30u8, 0x82, 0x0a, 0xff, 0x02, 0x01]).unwrap();
        let refused = CertificateKey::load(&pfx, None).unwrap_err();
        assert!(refused.0.contains("openssl pkcs12"), "{refused}");
        let pem = dir.path().join("app.pem");
        std::fs::write(&pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n").unwrap();
        let refused = CertificateKey::load(&pem, None).unwrap_err();
        assert!(refused.0.contains("encrypted"), "{refused}");
        let missing = CertificateKey::load(&dir.path().join("none.pem"), None).unwrap_err();
        assert!(missing.0.contains("certificate_path"), "{missing}");
    }
}
