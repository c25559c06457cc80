//! The emulator's token signing key (RS256), published as a JWKS like Entra's.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::pkcs1::EncodeRsaPrivateKey;
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
        let pem = private
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .map_err(|e| KeyError(e.to_string()))?;
        let encoding =
            EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| KeyError(e.to_string()))?;
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        let decoding =
            DecodingKey::from_rsa_components(&n, &e).map_err(|e| KeyError(e.to_string()))?;
        let kid = uuid::Uuid::new_v4().simple().to_string();
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
