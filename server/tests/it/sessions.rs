//! The session store (`auth::store`): sealed at rest, no row for an anonymous visit, compare-and-set
//! between concurrent requests, expired rows purged.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use emulator::{Clock, Emulator, Scenario};
use sqlx::AnyPool;
use sqlx::Row as _;
use tenant_mesh_server::auth::session::{Account, AuthSession, StoredTokens, TenantSignIn};
use tenant_mesh_server::auth::store::{key_file_path, SealedStore, SessionKeys};
use tenant_mesh_server::{router, store, AppState, Backend, Settings};
use tower_sessions::session::Id;
use tower_sessions::{ExpiredDeletion, Session, SessionStore};

use crate::common::{browser, location};

/// The dashboard (demo mode, so with a key file beside its database) and the emulator; unlike
/// `common::start`, the database's path is known to the test.
struct Dashboard {
    url: String,
    database: PathBuf,
    _dir: tempfile::TempDir,
}

async fn start() -> Dashboard {
    let emulator = Emulator::new(Scenario::demo(), Clock::real()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let emulator_base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.serve(listener));

    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let database = dir.path().join("db.sqlite");
    let settings = Settings {
        addr,
        site_root: dir.path().to_owned(),
        database_url: store::sqlite_url(&database),
        ..Settings::default()
    };
    let state = AppState::new(settings, Backend::emulator(&emulator_base))
        .await
        .unwrap();
    let app = router::build(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Dashboard {
        url: format!("http://{addr}"),
        database,
        _dir: dir,
    }
}

async fn sign_in(d: &Dashboard, client: &reqwest::Client, tenant: &str, upn: &str) {
    let login = client
        .get(format!("{}/auth/login", d.url))
        .query(&[("tenant", tenant), ("login_hint", upn), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert!(login.status().is_redirection(), "{}", login.status());
    let authorize = client
        .get(format!("{}&prompt=none", location(&login)))
        .send()
        .await
        .unwrap();
    assert_eq!(authorize.status(), 302);
    let done = client.get(location(&authorize)).send().await.unwrap();
    assert!(done.status().is_redirection(), "{}", done.status());
}

async fn signed_in_tenants(d: &Dashboard, client: &reqwest::Client) -> serde_json::Value {
    let response = client
        .post(format!("{}/api/session/signed-in", d.url))
        .header("origin", &d.url)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// A second connection pool on the dashboard's database.
async fn open(database: &Path) -> AnyPool {
    store::open(&store::sqlite_url(database), true)
        .await
        .unwrap()
        .pool()
        .clone()
}

async fn session_rows(pool: &AnyPool) -> Vec<(String, Vec<u8>)> {
    sqlx::query_as("SELECT id, data FROM sealed_sessions")
        .fetch_all(pool)
        .await
        .unwrap()
}

/// Every (table, column) of the database where `needle` occurs, as text or bytes.
async fn occurrences(pool: &AnyPool, needle: &str) -> Vec<String> {
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut found = Vec::new();
    for (table,) in tables {
        let columns: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_table_info($1)")
            .bind(&table)
            .fetch_all(pool)
            .await
            .unwrap();
        for (column,) in columns {
            let sql = format!(
                "SELECT count(*) FROM \"{table}\" \
                 WHERE instr(CAST(\"{column}\" AS BLOB), CAST($1 AS BLOB)) > 0"
            );
            let count: i64 = sqlx::query(&sql)
                .bind(needle)
                .fetch_one(pool)
                .await
                .unwrap()
                .get(0);
            if count > 0 {
                found.push(format!("{table}.{column}"));
            }
        }
    }
    found
}

fn file_contains(path: &Path, needle: &str) -> bool {
    std::fs::read(path)
        .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .unwrap_or(false)
}

#[tokio::test]
async fn tokens_are_sealed_in_the_database() {
    let d = start().await;
    let client = browser();
    sign_in(
        &d,
        &client,
        "contoso.onmicrosoft.com",
        "admin@contoso.onmicrosoft.com",
    )
    .await;
    sign_in(
        &d,
        &client,
        "fabrikam.onmicrosoft.com",
        "admin@fabrikam.onmicrosoft.com",
    )
    .await;

    let pool = open(&d.database).await;
    let rows = session_rows(&pool).await;
    assert_eq!(rows.len(), 1, "one browser, one session");
    // The test opens the row with the demo key file to learn the tokens it must not find in clear.
    let key = std::fs::read_to_string(key_file_path(&d.database)).unwrap();
    let keys = SessionKeys::new(
        &tenant_mesh_server::auth::store::decode_key(&key).unwrap(),
        &[],
    );
    let (id, sealed) = &rows[0];
    let content = keys.open(&id.parse::<Id>().unwrap(), sealed).unwrap();
    let sign_ins = content["tenant_mesh.sign_ins"].as_object().unwrap();
    assert_eq!(sign_ins.len(), 2);
    let mut secrets = Vec::new();
    for sign_in in sign_ins.values() {
        let tokens = &sign_in["tokens"];
        secrets.push(tokens["access_token"].as_str().unwrap().to_owned());
        secrets.push(tokens["refresh_token"].as_str().unwrap().to_owned());
    }
    assert!(secrets.iter().all(|s| s.starts_with("eyJ") && s.len() > 40));

    for needle in secrets
        .iter()
        .map(String::as_str)
        .chain(["eyJ", "access_token"])
    {
        let found = occurrences(&pool, needle).await;
        assert!(found.is_empty(), "token text in {found:?}");
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut path = d.database.clone().into_os_string();
        path.push(suffix);
        for secret in &secrets {
            assert!(
                !file_contains(Path::new(&path), secret),
                "a token in clear in {path:?}"
            );
        }
    }
}

/// An anonymous page view stores nothing and sets no cookie: a session is stored only once it
/// holds a sign-in or one in progress.
#[tokio::test]
async fn an_anonymous_visit_stores_no_session() {
    let d = start().await;
    let client = browser();
    let pool = open(&d.database).await;
    let home = client.get(format!("{}/", d.url)).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(
        home.headers().get("set-cookie").is_none(),
        "no session cookie for a visit"
    );
    assert!(session_rows(&pool).await.is_empty());
}

#[tokio::test]
async fn a_sign_in_start_stores_a_session_under_the_plain_cookie_name_on_loopback() {
    let d = start().await;
    let client = browser();
    let pool = open(&d.database).await;
    let login = client
        .get(format!("{}/auth/login", d.url))
        .query(&[("tenant", "contoso.onmicrosoft.com"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert!(login.status().is_redirection());
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("tenant_mesh_session="),
        "plain-http loopback: no __Host- prefix: {cookie}"
    );
    assert_eq!(
        session_rows(&pool).await.len(),
        1,
        "the PKCE verifier is kept"
    );
}

#[tokio::test]
async fn a_row_that_does_not_open_is_no_session_not_an_error() {
    let d = start().await;
    let client = browser();
    sign_in(
        &d,
        &client,
        "contoso.onmicrosoft.com",
        "admin@contoso.onmicrosoft.com",
    )
    .await;
    assert_eq!(
        signed_in_tenants(&d, &client)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let pool = open(&d.database).await;
    // Altered: one byte of the ciphertext flipped.
    let (id, mut sealed) = session_rows(&pool).await.remove(0);
    sealed[40] ^= 1;
    sqlx::query("UPDATE sealed_sessions SET data = $1 WHERE id = $2")
        .bind(sealed)
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let home = client.get(format!("{}/", d.url)).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert_eq!(signed_in_tenants(&d, &client).await, serde_json::json!([]));
}

fn sign_in_for(tenant: &str, access_token: &str) -> TenantSignIn {
    TenantSignIn {
        tenant_id: tenant.into(),
        tenant_name: None,
        account: Account {
            object_id: format!("oid-{tenant}"),
            username: format!("admin@{tenant}"),
            display_name: "Admin".into(),
        },
        role_ids: vec![],
        tokens: StoredTokens {
            access_token: access_token.into(),
            refresh_token: Some(format!("rt-{access_token}")),
            expires_at: 0,
        },
        signed_in_at: 0,
        needs_sign_in: false,
    }
}

async fn new_store() -> (SealedStore, AnyPool, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&store::sqlite_url(&dir.path().join("db.sqlite")), true)
        .await
        .unwrap();
    let keys = SessionKeys::new(&SessionKeys::random_key(), &[]);
    (SealedStore::new(&store, keys), store.pool().clone(), dir)
}

fn handle(store: &SealedStore, id: Option<Id>) -> AuthSession {
    AuthSession(Session::new(id, Arc::new(store.clone()), None))
}

/// A session signed in to tenants `a` and `b`; its id.
async fn two_sign_ins(store: &SealedStore) -> Id {
    let first = handle(store, None);
    first.put_sign_in(sign_in_for("a", "at-a-1")).await.unwrap();
    first.put_sign_in(sign_in_for("b", "at-b-1")).await.unwrap();
    first.0.save().await.unwrap();
    first.0.id().unwrap()
}

#[tokio::test]
async fn a_stale_refresh_does_not_bring_back_a_removed_sign_in() {
    let (store, _pool, _dir) = new_store().await;
    let id = two_sign_ins(&store).await;

    // Two requests load the same session.
    let sign_out = handle(&store, Some(id));
    let refresh = handle(&store, Some(id));
    assert_eq!(sign_out.sign_ins().await.unwrap().len(), 2);
    assert_eq!(refresh.sign_ins().await.unwrap().len(), 2);

    // One signs out of `a`; the other, which loaded before, renews `b`'s tokens and saves last.
    assert!(sign_out.remove_sign_in("a").await.unwrap());
    sign_out.0.save().await.unwrap();
    refresh
        .put_sign_in(sign_in_for("b", "at-b-2"))
        .await
        .unwrap();
    refresh.0.save().await.unwrap();

    let after = handle(&store, Some(id)).sign_ins().await.unwrap();
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        ["b"],
        "a stays signed out"
    );
    assert_eq!(
        after["b"].tokens.access_token, "at-b-2",
        "the refresh is kept"
    );

    // The other order: the refresh saves first, the stale sign-out last.
    let id = two_sign_ins(&store).await;
    let sign_out = handle(&store, Some(id));
    let refresh = handle(&store, Some(id));
    assert_eq!(sign_out.sign_ins().await.unwrap().len(), 2);
    refresh
        .put_sign_in(sign_in_for("b", "at-b-2"))
        .await
        .unwrap();
    refresh.0.save().await.unwrap();
    assert!(sign_out.remove_sign_in("a").await.unwrap());
    sign_out.0.save().await.unwrap();
    let after = handle(&store, Some(id)).sign_ins().await.unwrap();
    assert_eq!(after.keys().collect::<Vec<_>>(), ["b"]);
    assert_eq!(after["b"].tokens.access_token, "at-b-2");
}

#[tokio::test]
async fn a_stale_save_does_not_re_create_a_session_signed_out_everywhere() {
    let (store, pool, _dir) = new_store().await;
    let id = two_sign_ins(&store).await;
    let sign_out = handle(&store, Some(id));
    let refresh = handle(&store, Some(id));
    assert_eq!(sign_out.sign_ins().await.unwrap().len(), 2);
    assert_eq!(refresh.sign_ins().await.unwrap().len(), 2);

    sign_out.0.flush().await.unwrap();
    refresh
        .put_sign_in(sign_in_for("b", "at-b-2"))
        .await
        .unwrap();
    refresh.0.save().await.unwrap();

    assert!(session_rows(&pool).await.is_empty(), "not re-created");
    assert!(store.load(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn concurrent_saves_on_one_row_all_land() {
    let (store, _pool, _dir) = new_store().await;
    let first = handle(&store, None);
    first.put_sign_in(sign_in_for("a", "at-a-1")).await.unwrap();
    first.0.save().await.unwrap();
    let id = first.0.id().unwrap();

    // Eight requests load the session, then each adds its own tenant, all at once.
    let handles: Vec<AuthSession> = (0..8).map(|_| handle(&store, Some(id))).collect();
    for h in &handles {
        assert_eq!(h.sign_ins().await.unwrap().len(), 1);
    }
    let tasks: Vec<_> = handles
        .into_iter()
        .enumerate()
        .map(|(n, h)| {
            tokio::spawn(async move {
                h.put_sign_in(sign_in_for(&format!("t{n}"), "at"))
                    .await
                    .unwrap();
                h.0.save().await.unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let after = handle(&store, Some(id)).sign_ins().await.unwrap();
    assert_eq!(after.len(), 9, "{:?}", after.keys().collect::<Vec<_>>());
}

#[tokio::test]
async fn expired_rows_are_purged() {
    let (store, pool, _dir) = new_store().await;
    let live = two_sign_ins(&store).await;
    let expired = two_sign_ins(&store).await;
    sqlx::query("UPDATE sealed_sessions SET expiry_date = $1 WHERE id = $2")
        .bind(time::OffsetDateTime::now_utc().unix_timestamp() - 60)
        .bind(expired.to_string())
        .execute(&pool)
        .await
        .unwrap();
    assert!(
        store.load(&expired).await.unwrap().is_none(),
        "expired: not loaded"
    );
    assert_eq!(session_rows(&pool).await.len(), 2);

    store.delete_expired().await.unwrap();
    let rows = session_rows(&pool).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, live.to_string());
    assert!(store.load(&live).await.unwrap().is_some());
}
