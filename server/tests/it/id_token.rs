//! ID token validation against the emulator's discovery and keys: a valid token passes; a bad
//! signature, wrong audience, wrong issuer, expiry, another tenant or a wrong nonce are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use emulator::scenario::{CONTOSO, DEMO_CLIENT_ID, FABRIKAM};
use emulator::{Clock, Emulator, EmulatorState, Scenario};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use tenant_mesh_server::auth::oidc::{Oidc, OidcError};

async fn start() -> (String, EmulatorState, Oidc) {
    let emulator = Emulator::new(Scenario::demo(), Clock::real()).unwrap();
    let state = emulator.state().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));
    let oidc = Oidc::new(reqwest::Client::new(), &base, DEMO_CLIENT_ID);
    (base, state, oidc)
}

fn claims(base: &str, tenant: &str) -> Value {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    json!({
        "aud": DEMO_CLIENT_ID, "iss": format!("{base}/{tenant}/v2.0"), "tid": tenant,
        "oid": "a1c0e7a2-1b34-4c5d-8e6f-000000000101", "nonce": "the-nonce",
        "iat": now, "nbf": now, "exp": now + 3600, "preferred_username": "admin@contoso.onmicrosoft.com",
    })
}

fn sign(state: &EmulatorState, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(state.0.key.kid.clone());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

#[tokio::test]
async fn a_valid_token_passes_and_every_tampering_is_refused() {
    let (base, state, oidc) = start().await;
    let key = &state.0.key.encoding;
    let valid = sign(&state, &claims(&base, CONTOSO), key);
    let ok = oidc
        .validate_id_token("contoso.onmicrosoft.com", &valid, "the-nonce")
        .await
        .unwrap();
    assert_eq!(ok.tid, CONTOSO);

    let refused = |result: Result<_, OidcError>| result.unwrap_err();

    let other_key = emulator::keys::SigningKey::generate().unwrap();
    let forged = sign(&state, &claims(&base, CONTOSO), &other_key.encoding);
    assert!(matches!(
        refused(oidc.validate_id_token(CONTOSO, &forged, "the-nonce").await),
        OidcError::InvalidToken(_)
    ));

    let mut wrong_audience = claims(&base, CONTOSO);
    wrong_audience["aud"] = json!("00000000-1111-2222-3333-444444444444");
    let token = sign(&state, &wrong_audience, key);
    assert!(matches!(
        refused(oidc.validate_id_token(CONTOSO, &token, "the-nonce").await),
        OidcError::InvalidToken(_)
    ));

    let mut wrong_issuer = claims(&base, CONTOSO);
    wrong_issuer["iss"] = json!("https://login.microsoftonline.com/evil/v2.0");
    let token = sign(&state, &wrong_issuer, key);
    assert!(matches!(
        refused(oidc.validate_id_token(CONTOSO, &token, "the-nonce").await),
        OidcError::InvalidToken(_)
    ));

    let mut expired = claims(&base, CONTOSO);
    expired["exp"] = json!(time::OffsetDateTime::now_utc().unix_timestamp() - 3600);
    let token = sign(&state, &expired, key);
    assert!(matches!(
        refused(oidc.validate_id_token(CONTOSO, &token, "the-nonce").await),
        OidcError::InvalidToken(_)
    ));

    // A genuine Fabrikam token presented for a Contoso sign-in.
    let fabrikam = sign(&state, &claims(&base, FABRIKAM), key);
    assert!(oidc
        .validate_id_token(FABRIKAM, &fabrikam, "the-nonce")
        .await
        .is_ok());
    assert!(oidc
        .validate_id_token(CONTOSO, &fabrikam, "the-nonce")
        .await
        .is_err());

    // Right issuer, but a `tid` claim naming another tenant.
    let mut other_tid = claims(&base, CONTOSO);
    other_tid["tid"] = json!(FABRIKAM);
    let token = sign(&state, &other_tid, key);
    assert!(matches!(
        refused(oidc.validate_id_token(CONTOSO, &token, "the-nonce").await),
        OidcError::WrongTenant { .. }
    ));

    assert_eq!(
        refused(
            oidc.validate_id_token(CONTOSO, &valid, "another-nonce")
                .await
        ),
        OidcError::NonceMismatch
    );
}

#[tokio::test]
async fn an_unknown_tenant_is_reported_as_such() {
    let (_, _, oidc) = start().await;
    assert_eq!(
        oidc.discovery("nobody.example").await.unwrap_err(),
        OidcError::UnknownTenant
    );
}
