//! The HTTPS listener: a client that trusts the emulator's CA (and only such a client) reaches
//! discovery, the token endpoint and Graph over https, and every URL the emulator builds from
//! the request says https — what Azure's identity libraries, which refuse http authorities, need.

use emulator::scenario::{CONTOSO, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use emulator::tls::TlsIdentity;
use emulator::{Clock, Emulator, Scenario};
use serde_json::Value;

/// An emulator serving https (and http, same state) on ephemeral ports: (https base, http base, CA PEM).
async fn start_https() -> (String, String, String) {
    let emulator = Emulator::new(
        Scenario::demo(),
        Clock::manual(time::OffsetDateTime::now_utc()),
    )
    .unwrap();
    let identity = TlsIdentity::generate().unwrap();
    let https = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let https_base = format!("https://{}", https.local_addr().unwrap());
    let http_base = format!("http://{}", http.local_addr().unwrap());
    let router = emulator.router();
    let config = identity.server_config().unwrap();
    tokio::spawn(emulator::tls::serve(https, router.clone(), config));
    tokio::spawn(async move { axum::serve(http, router).await });
    (https_base, http_base, identity.ca_cert_pem)
}

fn trusting(ca_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .https_only(true)
        .build()
        .unwrap()
}

async fn app_token(client: &reqwest::Client, base: &str) -> String {
    let tokens: Value = client
        .post(format!("{base}/{CONTOSO}/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn discovery_over_https_names_https_endpoints() {
    let (base, _, ca) = start_https().await;
    let client = trusting(&ca);
    for tenant in ["contoso.onmicrosoft.com", "organizations"] {
        let document: Value = client
            .get(format!(
                "{base}/{tenant}/v2.0/.well-known/openid-configuration"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for key in [
            "issuer",
            "authorization_endpoint",
            "token_endpoint",
            "jwks_uri",
        ] {
            let url = document[key].as_str().unwrap();
            assert!(url.starts_with(&format!("{base}/")), "{key}: {url}");
        }
    }
}

#[tokio::test]
async fn a_token_and_a_graph_call_over_https() {
    let (base, _, ca) = start_https().await;
    let client = trusting(&ca);
    let token = app_token(&client, &base).await;
    let page: Value = client
        .get(format!("{base}/v1.0/users?$top=2"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["value"].as_array().unwrap().len(), 2);
    let next = page["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with(&format!("{base}/v1.0/users?")), "{next}");
    let next_page = client.get(next).bearer_auth(&token).send().await.unwrap();
    assert_eq!(next_page.status(), 200);
}

#[tokio::test]
async fn http_and_https_share_one_emulator_and_only_the_ca_is_trusted() {
    let (https_base, http_base, ca) = start_https().await;
    // A token minted over http is good over https (one state, one key).
    let token = app_token(&reqwest::Client::new(), &http_base).await;
    let me = trusting(&ca)
        .get(format!("{https_base}/v1.0/users?$top=1"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    // Without the CA, the certificate is refused.
    let untrusted = reqwest::Client::new()
        .get(format!(
            "{https_base}/common/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await;
    assert!(untrusted.is_err());
    // Another emulator's CA does not vouch for this one.
    let other = TlsIdentity::generate().unwrap();
    let wrong = trusting(&other.ca_cert_pem)
        .get(format!(
            "{https_base}/common/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await;
    assert!(wrong.is_err());
}

#[tokio::test]
async fn the_binary_serves_https_and_writes_its_ca() {
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
    };
    let (http_addr, https_addr) = (free_port(), free_port());
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_emulator"))
        .args(["--addr", &http_addr.to_string()])
        .args(["--https-addr", &https_addr.to_string()])
        .arg("--ca-cert-out")
        .arg(&ca_path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut answer = None;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let Ok(ca) = std::fs::read_to_string(&ca_path) else {
            continue;
        };
        let Ok(client) = std::panic::catch_unwind(|| trusting(&ca)) else {
            continue;
        };
        if let Ok(response) = client
            .get(format!(
                "https://localhost:{}/common/v2.0/.well-known/openid-configuration",
                https_addr.port()
            ))
            .send()
            .await
        {
            answer = Some(response.json::<Value>().await.unwrap());
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let document = answer.expect("the binary answered over https");
    assert_eq!(
        document["token_endpoint"],
        format!(
            "https://localhost:{}/common/oauth2/v2.0/token",
            https_addr.port()
        )
    );
}
