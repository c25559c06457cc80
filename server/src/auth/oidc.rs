//! OpenID Connect against Entra v2 (or the emulator, same contract): discovery per tenant, the
//! tenant's signing keys (cached, refreshed when a token names an unknown `kid`), and ID token
//! validation — signature, issuer of the tenant asked for, audience, expiry, nonce.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// How long discovery documents and keys are trusted before being fetched again.
const CACHE_TTL: Duration = Duration::from_secs(60 * 60);

/// The parts of `/{tenant}/v2.0/.well-known/openid-configuration` the dashboard uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
}

impl Discovery {
    /// The tenant id in the issuer (`{base}/{tid}/v2.0`).
    pub fn tenant_id(&self) -> Option<&str> {
        self.issuer
            .trim_end_matches('/')
            .strip_suffix("/v2.0")?
            .rsplit('/')
            .next()
    }
}

/// Claims of a validated ID token.
#[derive(Debug, Clone, Deserialize)]
pub struct IdClaims {
    pub tid: String,
    pub oid: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub nonce: Option<String>,
    /// Directory role template ids, when the app registration emits them.
    #[serde(default)]
    pub wids: Option<Vec<String>>,
}

/// Why sign-in could not be completed. Messages are fit to show a person; none contains a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OidcError {
    #[error("the sign-in service for this tenant could not be reached ({0})")]
    Unreachable(String),
    #[error("the sign-in service does not know this tenant")]
    UnknownTenant,
    #[error("the sign-in service answered something unexpected ({0})")]
    BadDocument(String),
    #[error("the ID token is not valid: {0}")]
    InvalidToken(String),
    #[error("the ID token is for another sign-in attempt (nonce mismatch)")]
    NonceMismatch,
    #[error("the ID token is for tenant {got}, not the tenant asked for ({expected})")]
    WrongTenant { expected: String, got: String },
}

struct Cached<T> {
    value: T,
    fetched: Instant,
}

pub struct Oidc {
    http: reqwest::Client,
    login_base: String,
    client_id: String,
    discovery: Mutex<HashMap<String, Cached<Discovery>>>,
    keys: Mutex<HashMap<String, Cached<JwkSet>>>,
}

impl Oidc {
    pub fn new(http: reqwest::Client, login_base: &str, client_id: &str) -> Self {
        Self {
            http,
            login_base: login_base.trim_end_matches('/').to_owned(),
            client_id: client_id.to_owned(),
            discovery: Mutex::new(HashMap::new()),
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// The discovery document of `tenant` (a tenant id or domain).
    pub async fn discovery(&self, tenant: &str) -> Result<Discovery, OidcError> {
        let key = tenant.to_ascii_lowercase();
        if let Some(found) = cache_get(&self.discovery, &key) {
            return Ok(found);
        }
        let url = format!(
            "{}/{}/v2.0/.well-known/openid-configuration",
            self.login_base, key
        );
        let response = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|err| OidcError::Unreachable(describe(&err)))?;
        match response.status().as_u16() {
            200 => {}
            400 | 404 => return Err(OidcError::UnknownTenant),
            status => return Err(OidcError::Unreachable(format!("HTTP {status}"))),
        }
        let document: Discovery = response
            .json()
            .await
            .map_err(|err| OidcError::BadDocument(format!("discovery: {err}")))?;
        if document.tenant_id().is_none() {
            return Err(OidcError::BadDocument("the issuer names no tenant".into()));
        }
        cache_put(&self.discovery, key, document.clone());
        Ok(document)
    }

    async fn key_set(&self, discovery: &Discovery, refresh: bool) -> Result<JwkSet, OidcError> {
        if !refresh {
            if let Some(found) = cache_get(&self.keys, &discovery.jwks_uri) {
                return Ok(found);
            }
        }
        let response = self
            .http
            .get(&discovery.jwks_uri)
            .send()
            .await
            .map_err(|err| OidcError::Unreachable(describe(&err)))?;
        if !response.status().is_success() {
            return Err(OidcError::Unreachable(format!(
                "keys: HTTP {}",
                response.status().as_u16()
            )));
        }
        let keys: JwkSet = response
            .json()
            .await
            .map_err(|err| OidcError::BadDocument(format!("keys: {err}")))?;
        cache_put(&self.keys, discovery.jwks_uri.clone(), keys.clone());
        Ok(keys)
    }

    /// Validates an ID token from a sign-in to `tenant` (as asked for: id or domain).
    pub async fn validate_id_token(
        &self,
        tenant: &str,
        id_token: &str,
        expected_nonce: &str,
    ) -> Result<IdClaims, OidcError> {
        let discovery = self.discovery(tenant).await?;
        let header = jsonwebtoken::decode_header(id_token)
            .map_err(|err| OidcError::InvalidToken(err.to_string()))?;
        if header.alg != Algorithm::RS256 {
            return Err(OidcError::InvalidToken(format!(
                "unexpected algorithm {:?}",
                header.alg
            )));
        }
        let kid = header
            .kid
            .ok_or_else(|| OidcError::InvalidToken("no key id".into()))?;
        let mut keys = self.key_set(&discovery, false).await?;
        if keys.find(&kid).is_none() {
            // Keys roll over: fetch them again once before giving up.
            keys = self.key_set(&discovery, true).await?;
        }
        let jwk = keys
            .find(&kid)
            .ok_or_else(|| OidcError::InvalidToken("signed with an unknown key".into()))?;
        let key =
            DecodingKey::from_jwk(jwk).map_err(|err| OidcError::InvalidToken(err.to_string()))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[&self.client_id]);
        validation.set_issuer(&[&discovery.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = 120;
        let claims = jsonwebtoken::decode::<IdClaims>(id_token, &key, &validation)
            .map_err(|err| OidcError::InvalidToken(err.to_string()))?
            .claims;
        if claims.nonce.as_deref() != Some(expected_nonce) {
            return Err(OidcError::NonceMismatch);
        }
        let expected_tenant = discovery.tenant_id().unwrap_or_default();
        if !claims.tid.eq_ignore_ascii_case(expected_tenant) {
            return Err(OidcError::WrongTenant {
                expected: expected_tenant.to_owned(),
                got: claims.tid,
            });
        }
        Ok(claims)
    }
}

fn cache_get<T: Clone>(cache: &Mutex<HashMap<String, Cached<T>>>, key: &str) -> Option<T> {
    let cache = cache.lock().ok()?;
    cache
        .get(key)
        .filter(|entry| entry.fetched.elapsed() < CACHE_TTL)
        .map(|entry| entry.value.clone())
}

fn cache_put<T>(cache: &Mutex<HashMap<String, Cached<T>>>, key: String, value: T) {
    if let Ok(mut cache) = cache.lock() {
        cache.insert(
            key,
            Cached {
                value,
                fetched: Instant::now(),
            },
        );
    }
}

fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connect() {
        "connection refused".into()
    } else {
        "connection failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenant_id_comes_from_the_issuer() {
        let discovery = Discovery {
            issuer: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
                .into(),
            authorization_endpoint: String::new(),
            token_endpoint: String::new(),
            jwks_uri: String::new(),
        };
        assert_eq!(
            discovery.tenant_id(),
            Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
        );
    }
}
