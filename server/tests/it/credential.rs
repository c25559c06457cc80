//! The monitor's app credential (`azure_identity`) against the emulator served over HTTPS with a
//! CA of its own: tokens per tenant, Entra's errors without the secret, and a CA trust that is real.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use emulator::{Clock, Emulator, Scenario};
use graph::TenantId;
use tenant_mesh_server::backend::{monitor_http_client, start_demo_emulator};
use tenant_mesh_server::monitor::credential::{AppCredential, CertificateKey};
use tenant_mesh_server::secret::Secret;
use tenant_mesh_server::settings::CredentialSettings;
use tenant_mesh_server::{Backend, Settings};

/// The application permissions the monitor's reads need (MTO, cross-tenant access and sync
/// policies, sync jobs, provisioning and directory audit logs).
const MONITOR_ROLES: &[&str] = &[
    "MultiTenantOrganization.ReadWrite.All",
    "Policy.Read.All",
    "Synchronization.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
    "AuditLog.Read.All",
    "Directory.Read.All",
];

struct Tls {
    backend: Backend,
    clock: Clock,
}

/// One emulator (demo scenario, a clock the test moves) over http and https: the backend points
/// the monitor at the https listener and carries its CA.
async fn emulator_over_https() -> Tls {
    let clock = Clock::manual(time::OffsetDateTime::now_utc());
    let scenario = Scenario::demo();
    let emulator = Emulator::new(scenario.clone(), clock.clone()).unwrap();
    Tls {
        backend: tenant_mesh_server::backend::serve_emulator(emulator, &scenario)
            .await
            .unwrap(),
        clock,
    }
}

fn demo_tenants() -> Vec<TenantId> {
    Scenario::demo()
        .tenants
        .iter()
        .map(|t| t.id.parse().unwrap())
        .collect()
}

fn claims(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn with_secret(secret: &str) -> Settings {
    let mut settings = Settings::default();
    settings.monitor.credential = CredentialSettings::ClientSecret {
        client_id: None,
        client_secret: Some(Secret::new(secret)),
    };
    settings
}

#[tokio::test]
async fn client_secret_tokens_over_https_for_two_tenants_then_graph_reads_with_them() {
    let tls = emulator_over_https().await;
    let settings = Settings::default();
    let credential = AppCredential::from_settings(&settings, &tls.backend).unwrap();
    assert_eq!(credential.kind(), "client_secret");
    let graph = graph::client::GraphClient::new(
        monitor_http_client(&settings, &tls.backend).unwrap(),
        &tls.backend.monitor_graph_base_url,
    );
    for tenant in demo_tenants().iter().take(2) {
        let token = credential.token(tenant).await.unwrap();
        let claims = claims(token.expose());
        assert_eq!(claims["tid"], tenant.as_str());
        assert_eq!(claims["idtyp"], "app");
        let roles: Vec<&str> = claims["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        for needed in MONITOR_ROLES {
            assert!(roles.contains(needed), "{needed} missing from {roles:?}");
        }
        let organization = graph
            .run(&token, &graph::ops::mto::organization())
            .await
            .unwrap();
        assert!(organization.value.id.is_some());
    }
}

#[tokio::test]
async fn a_token_is_kept_until_shortly_before_it_expires() {
    let tls = emulator_over_https().await;
    let credential = AppCredential::from_settings(&Settings::default(), &tls.backend).unwrap();
    let tenant = &demo_tenants()[0];
    let first = credential.token(tenant).await.unwrap();
    // A token minted now would carry a later `iat`: the same one means it was not asked again.
    tls.clock.advance(120);
    let second = credential.token(tenant).await.unwrap();
    assert_eq!(first.expose(), second.expose());
}

#[tokio::test]
async fn a_wrong_secret_gives_entras_aadsts_code_and_never_the_secret() {
    let tls = emulator_over_https().await;
    let wrong = "wrong-secret-Zq9";
    let credential = AppCredential::from_settings(&with_secret(wrong), &tls.backend).unwrap();
    let err = credential.token(&demo_tenants()[0]).await.unwrap_err();
    assert!(err.0.contains("AADSTS7000215"), "{err}");
    assert!(!err.0.contains(wrong), "{err}");
    assert!(!err.0.contains('\n'), "{err}");
}

#[tokio::test]
async fn without_the_ca_the_https_emulator_cannot_be_reached() {
    let tls = emulator_over_https().await;
    let settings = Settings::default();
    let discovery = format!(
        "{}/{}/v2.0/.well-known/openid-configuration",
        tls.backend.monitor_login_base_url,
        demo_tenants()[0]
    );
    let plain = reqwest::Client::new();
    assert!(plain.get(&discovery).send().await.is_err());
    let trusting = monitor_http_client(&settings, &tls.backend).unwrap();
    assert!(trusting
        .get(&discovery)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());

    let credential = AppCredential::with_http(&settings, &tls.backend, plain).unwrap();
    let err = credential.token(&demo_tenants()[0]).await.unwrap_err();
    assert!(err.0.to_lowercase().contains("certificate"), "{err}");
}

#[tokio::test]
async fn a_ca_file_from_the_settings_is_trusted_and_a_bad_one_refused_at_start() {
    let tls = emulator_over_https().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, tls.backend.ca_pem.clone().unwrap()).unwrap();
    let mut settings = Settings::default();
    settings.monitor.ca_certificate = Some(ca);
    let backend = Backend {
        ca_pem: None,
        ..tls.backend.clone()
    };
    let credential = AppCredential::from_settings(&settings, &backend).unwrap();
    credential.token(&demo_tenants()[1]).await.unwrap();

    let bad = dir.path().join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    settings.monitor.ca_certificate = Some(bad);
    let refused = AppCredential::from_settings(&settings, &backend)
        .err()
        .unwrap();
    assert!(refused.0.contains("monitor.ca_certificate"), "{refused}");
}

#[tokio::test]
async fn the_demo_emulator_serves_one_state_over_http_and_https() {
    let dir = tempfile::tempdir().unwrap();
    let backend = start_demo_emulator(&dir.path().join("key.pem"))
        .await
        .unwrap();
    assert!(backend
        .monitor_login_base_url
        .starts_with("https://127.0.0.1:"));
    assert_eq!(
        backend.monitor_login_base_url,
        backend.monitor_graph_base_url
    );
    assert!(backend.login_base_url.starts_with("http://127.0.0.1:"));
    assert!(backend.ca_pem.is_some());

    let settings = Settings::default();
    let credential = AppCredential::from_settings(&settings, &backend).unwrap();
    let tenant = &backend.tenant_choices[0].tenant_id;
    let token = credential.token(&tenant.parse().unwrap()).await.unwrap();
    // A Graph call over https shows in the request log read over http: one emulator state.
    let graph = graph::client::GraphClient::new(
        monitor_http_client(&settings, &backend).unwrap(),
        &backend.monitor_graph_base_url,
    );
    graph
        .run(&token, &graph::ops::mto::organization())
        .await
        .unwrap();
    let controls = backend.demo_controls.clone().unwrap();
    let log: serde_json::Value = reqwest::get(format!("{controls}/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seen = log["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|entry| entry["tenant"] == tenant.as_str());
    assert!(seen, "{log}");
}

#[tokio::test]
async fn a_client_certificate_signs_a_ps256_assertion_with_its_sha256_thumbprint() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("key.pem");
    let signing = emulator::keys::SigningKey::load_or_generate(&key_path).unwrap();
    let certificate_der = b"stands for the certificate's DER";
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n{}",
        base64::engine::general_purpose::STANDARD.encode(certificate_der),
        std::fs::read_to_string(&key_path).unwrap()
    );
    let path = dir.path().join("app.pem");
    std::fs::write(&path, pem).unwrap();

    let key = CertificateKey::load(&path, None).unwrap();
    let audience = "https://login.microsoftonline.com/contoso/oauth2/v2.0/token";
    let assertion = key.assertion("app-id", audience, 1_700_000_000).unwrap();
    let header = jsonwebtoken::decode_header(&assertion).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::PS256);
    use sha2::Digest;
    assert_eq!(
        header.x5t_s256.as_deref(),
        Some(
            URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(certificate_der))
                .as_str()
        )
    );
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::PS256);
    validation.set_audience(&[audience]);
    validation.validate_exp = false;
    let claims =
        jsonwebtoken::decode::<serde_json::Value>(&assertion, &signing.decoding, &validation)
            .unwrap()
            .claims;
    assert_eq!(claims["iss"], "app-id");
    assert_eq!(claims["sub"], "app-id");
    assert_eq!(claims["exp"], 1_700_000_600);

    // The same file configured: accepted at start, with the [entra] app's id.
    let mut settings = Settings::default();
    settings.monitor.credential = CredentialSettings::ClientCertificate {
        client_id: None,
        certificate_path: path,
        certificate_password: None,
    };
    let credential =
        AppCredential::from_settings(&settings, &Backend::emulator("https://127.0.0.1:9")).unwrap();
    assert_eq!(credential.kind(), "client_certificate");
}

#[test]
#[allow(clippy::result_large_err)] // figment::Jail closures return figment::Error
fn every_credential_kind_is_read_from_the_settings_file_and_a_secret_from_the_environment() {
    use figment::providers::Env;
    use tenant_mesh_server::settings::Cli;
    let env = Env::prefixed("TENANTMESH_TEST_CRED_").split("__");
    figment::Jail::expect_with(|jail| {
        let kinds = [
            (
                "kind = \"client_certificate\"\ncertificate_path = \"app.pem\"",
                "client_certificate",
            ),
            (
                "kind = \"workload_identity\"\nclient_id = \"app\"\ntoken_file = \"/var/run/token\"",
                "workload_identity",
            ),
            ("kind = \"managed_identity\"", "managed_identity"),
        ];
        for (toml, kind) in kinds {
            jail.create_file("mesh.toml", &format!("[monitor.credential]\n{toml}\n"))?;
            let cli = Cli {
                config: Some("mesh.toml".into()),
                ..Cli::default()
            };
            let settings = Settings::from_figment(env.clone(), &cli).unwrap();
            let parsed = serde_json::to_value(&settings.monitor.credential).unwrap();
            assert_eq!(parsed["kind"], kind);
        }

        jail.set_env(
            "TENANTMESH_TEST_CRED_MONITOR__CREDENTIAL__CLIENT_SECRET",
            "from-env",
        );
        let settings = Settings::from_figment(env.clone(), &Cli::default()).unwrap();
        let CredentialSettings::ClientSecret { client_secret, .. } = settings.monitor.credential
        else {
            panic!("the default kind is client_secret");
        };
        assert_eq!(client_secret.unwrap().expose(), "from-env");
        Ok(())
    });
}

#[tokio::test]
async fn workload_identity_posts_its_federated_token_to_the_same_endpoint() {
    let tls = emulator_over_https().await;
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    let mut settings = Settings::default();
    settings.monitor.credential = CredentialSettings::WorkloadIdentity {
        client_id: None,
        token_file: Some(token_file.clone()),
    };
    let credential = AppCredential::from_settings(&settings, &tls.backend).unwrap();
    let missing = credential.token(&demo_tenants()[0]).await.unwrap_err();
    assert!(missing.0.contains("token"), "{missing}");

    // The emulator takes client secrets only: Entra's refusal shows the request reached it.
    std::fs::write(&token_file, "eyJ.federated.token").unwrap();
    let refused = credential.token(&demo_tenants()[0]).await.unwrap_err();
    assert!(
        refused.0.contains("WorkloadIdentityCredential"),
        "{refused}"
    );
    assert!(refused.0.contains("AADSTS"), "{refused}");
}
