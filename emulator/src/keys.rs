//! The emulator's token signing key (RS256), published as a JWKS like Entra's.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};

pub struct SigningKey {
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    jwk: Value,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot create the signing key: {0}")]
pub struct KeyError(String);

impl SigningKey {
    /// A fresh 2048-bit key (once per emulator start).
    pub fn generate() -> Result<Self, KeyError> {
        let mut rng = rand::thread_rng();
        let private = RsaPrivateKey::new(&mut rng, 2048).map_err(|e| KeyError(e.to_string()))?;
        Self::from_private(&private)
    }

    /// The key kept at `path` (PKCS#1 PEM), created there when missing, so that tokens the
    /// emulator signed stay valid across restarts (the dashboard's demo mode keeps its sessions).
    pub fn load_or_generate(path: &std::path::Path) -> Result<Self, KeyError> {
        if let Ok(pem) = std::fs::read_to_string(path) {
            if let Ok(private) = RsaPrivateKey::from_pkcs1_pem(&pem) {
                return Self::from_private(&private);
            }
            tracing::warn!(path = %path.display(), "the saved emulator key is unreadable; making a new one");
        }
        let mut rng = rand::thread_rng();
        let private = RsaPrivateKey::new(&mut rng, 2048).map_err(|e| KeyError(e.to_string()))?;
        let pem = private
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .map_err(|e| KeyError(e.to_string()))?;
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|e| KeyError(e.to_string()))?;
        }
        std::fs::write(path, pem.as_bytes()).map_err(|e| KeyError(e.to_string()))?;
        Self::from_private(&private)
    }

    fn from_private(private: &RsaPrivateKey) -> Result<Self, KeyError> {
        let pem = private
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .map_err(|e| KeyError(e.to_string()))?;
        let encoding =
            EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| KeyError(e.to_string()))?;
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        let decoding =
            DecodingKey::from_rsa_components(&n, &e).map_err(|e| KeyError(e.to_string()))?;
        // The key id follows from the key, so a kept key keeps its id.
        let kid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, n.as_bytes())
            .simple()
            .to_string();
        let jwk = json!({"kty": "RSA", "use": "sig", "kid": kid, "n": n, "e": e, "alg": "RS256"});
        Ok(Self {
            kid,
            encoding,
            decoding,
            jwk,
        })
    }

    /// `{"keys":[...]}` as served at `/{tenant}/discovery/v2.0/keys`.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk.clone()] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_key_is_the_same_key_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("emulator.pem");
        let first = SigningKey::load_or_generate(&path).unwrap();
        let second = SigningKey::load_or_generate(&path).unwrap();
        assert_eq!(first.kid, second.kid);
        assert_eq!(first.jwks(), second.jwks());
    }
}
