//! The session store: browser sessions in the dashboard's database (`sealed_sessions`, SQLite or
//! PostgreSQL), sealed at rest, written with compare-and-set.
//!
//! - **Sealed**: a session holds each tenant's access and refresh tokens. A row's `data` is the
//!   session's content (JSON) encrypted and authenticated with XChaCha20-Poly1305 under the session
//!   key, the session id being associated data (a row copied under another id does not open). Rows
//!   sealed under a previous key (`previous_token_keys`) still open, and are sealed under the current
//!   key at their next save. A row that does not open loads as no session.
//! - **Compare-and-set**: every row has a version, one more at each write. A loaded record keeps
//!   what it was loaded from (version and content, under [`BASE_KEY`], never stored); a save that
//!   finds a newer version merges three ways ([`merge`]) so that a request does not bring back what
//!   a concurrent one removed (a sign-out), and a row deleted meanwhile is not re-created. The write
//!   itself is conditional (`UPDATE … WHERE version = <the version read>`, or an insert that does
//!   nothing when the row appeared meanwhile): when another request wrote in between, the save reads
//!   again and merges again. No lock is held between the read and the write, so the same code is
//!   correct on SQLite and on PostgreSQL (under its default READ COMMITTED isolation, an `UPDATE`
//!   re-checks its `WHERE` on the newest row version: PostgreSQL documentation, "Transaction
//!   Isolation").
//! - **Purged**: expired rows are deleted by [`ExpiredDeletion::delete_expired`], run periodically
//!   by [`SealedStore::spawn_purge`].

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use crate::settings::{Mode, Settings};

/// The reserved key under which a loaded record keeps the version and content it was loaded from.
/// Stripped before sealing: it never reaches the database.
pub const BASE_KEY: &str = "tenant_mesh.store.base";

/// Length of a session key, in bytes.
pub const KEY_LEN: usize = 32;
/// How often expired rows are purged.
pub const PURGE_PERIOD: std::time::Duration = std::time::Duration::from_secs(5 * 60);
/// Reads and conditional writes a save (or a create, for a free id) tries before giving up: each
/// failed try means another request wrote the row in between, so many in a row are not expected.
const WRITE_TRIES: usize = 64;

/// First byte of a sealed row: the format.
const FORMAT: u8 = 1;
const KEY_ID_LEN: usize = 4;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = 1 + KEY_ID_LEN;
const AAD_CONTEXT: &[u8] = b"tenant-mesh/session/v1\0";

/// Decodes a session key given as base64 of [`KEY_LEN`] bytes (surrounding blanks ignored).
pub fn decode_key(text: &str) -> Option<[u8; KEY_LEN]> {
    STANDARD
        .decode(text.trim())
        .ok()
        .and_then(|bytes| <[u8; KEY_LEN]>::try_from(bytes.as_slice()).ok())
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "entra mode needs token_key, the key that seals the sign-in tokens kept in sessions: the \
         base64 of 32 random bytes (e.g. from `openssl rand -base64 32`), in the settings file or \
         TENANTMESH_TOKEN_KEY"
    )]
    Missing,
    #[error("{0} must be the base64 of 32 random bytes (e.g. from `openssl rand -base64 32`)")]
    Invalid(&'static str),
    #[error("cannot read or create the session key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the session key file {0} does not hold the base64 of 32 bytes; remove it to have a new one \
         made (every session then ends)"
    )]
    BadKeyFile(String),
}

/// One key: its id (written in each row it seals) and its cipher.
struct SealingKey {
    id: [u8; KEY_ID_LEN],
    cipher: XChaCha20Poly1305,
}

impl SealingKey {
    fn new(key: &[u8; KEY_LEN]) -> Self {
        let digest = Sha256::new()
            .chain_update(b"tenant-mesh session key id\0")
            .chain_update(key)
            .finalize();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        Self {
            id,
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }
}

/// The current key (sealing and opening) and the previous ones (opening only). `Debug` shows no key.
pub struct SessionKeys {
    current: SealingKey,
    previous: Vec<SealingKey>,
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKeys")
            .field("current", &"[redacted]")
            .field("previous", &self.previous.len())
            .finish()
    }
}

impl SessionKeys {
    pub fn new(current: &[u8; KEY_LEN], previous: &[[u8; KEY_LEN]]) -> Self {
        Self {
            current: SealingKey::new(current),
            previous: previous.iter().map(SealingKey::new).collect(),
        }
    }

    /// A new random key (for tests and the demo key file).
    pub fn random_key() -> [u8; KEY_LEN] {
        XChaCha20Poly1305::generate_key(&mut OsRng).into()
    }

    /// The keys of the settings: `token_key` and `previous_token_keys`. Without `token_key`, `entra`
    /// mode refuses to start (and so does a PostgreSQL database: settings validation) and `demo`
    /// mode uses the key file beside the database ([`Settings::session_key_file`]), made at the
    /// first start.
    pub fn from_settings(settings: &Settings) -> Result<Self, KeyError> {
        let current = match &settings.token_key {
            Some(key) => decode_key(key.expose()).ok_or(KeyError::Invalid("token_key"))?,
            None if settings.mode == Mode::Entra => return Err(KeyError::Missing),
            None => load_or_create_key_file(&settings.session_key_file())?,
        };
        let previous = settings
            .previous_token_keys
            .iter()
            .map(|key| decode_key(key.expose()).ok_or(KeyError::Invalid("previous_token_keys")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::new(&current, &previous))
    }

    fn associated_data(header: &[u8], id: &Id) -> Vec<u8> {
        let id = id.to_string();
        let mut aad = Vec::with_capacity(AAD_CONTEXT.len() + header.len() + id.len());
        aad.extend_from_slice(AAD_CONTEXT);
        aad.extend_from_slice(header);
        aad.extend_from_slice(id.as_bytes());
        aad
    }

    /// Seals a session's content under the current key, for the session `id`:
    /// `[format 1][key id 4][nonce 24][ciphertext + tag]`.
    pub fn seal(&self, id: &Id, data: &Map<String, Value>) -> session_store::Result<Vec<u8>> {
        let plaintext = serde_json::to_vec(data)
            .map_err(|err| session_store::Error::Encode(err.to_string()))?;
        let mut header = [0u8; HEADER_LEN];
        header[0] = FORMAT;
        header[1..].copy_from_slice(&self.current.id);
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = Self::associated_data(&header, id);
        let ciphertext = self
            .current
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: &plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| session_store::Error::Encode("the session could not be sealed".into()))?;
        let mut sealed = Vec::with_capacity(HEADER_LEN + NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&header);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// Opens a sealed row of session `id` with whichever key sealed it; `None` when no key opens it
    /// (unknown key, altered row, row of another session) or it does not hold a JSON object.
    pub fn open(&self, id: &Id, sealed: &[u8]) -> Option<Map<String, Value>> {
        if sealed.len() < HEADER_LEN + NONCE_LEN || sealed[0] != FORMAT {
            return None;
        }
        let (header, rest) = sealed.split_at(HEADER_LEN);
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = XNonce::from_slice(nonce);
        let aad = Self::associated_data(header, id);
        let plaintext = std::iter::once(&self.current)
            .chain(&self.previous)
            .filter(|key| key.id[..] == header[1..])
            .find_map(|key| {
                key.cipher
                    .decrypt(
                        nonce,
                        Payload {
                            msg: ciphertext,
                            aad: &aad,
                        },
                    )
                    .ok()
            })?;
        serde_json::from_slice(&plaintext).ok()
    }
}

/// The session key file beside a SQLite database file: `<database file>.key`.
pub fn key_file_path(database_file: &Path) -> PathBuf {
    let mut path = database_file.as_os_str().to_owned();
    path.push(".key");
    PathBuf::from(path)
}

/// Reads the key file, or creates it (mode 0600 on unix) with a new random key.
fn load_or_create_key_file(path: &Path) -> Result<[u8; KEY_LEN], KeyError> {
    use std::io::Write as _;

    let shown = path.display().to_string();
    let io_error = |source| KeyError::KeyFile {
        path: shown.clone(),
        source,
    };
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(io_error)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            let key = SessionKeys::random_key();
            file.write_all(STANDARD.encode(key).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(io_error)?;
            tracing::info!(path = %shown, "made a new session key for demo mode");
            Ok(key)
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).map_err(io_error)?;
            decode_key(&text).ok_or(KeyError::BadKeyFile(shown))
        }
        Err(err) => Err(io_error(err)),
    }
}

/// Three-way merge of a session's content, for a save that finds the row changed since it was
/// loaded: `base` as loaded, `ours` as the request leaves it, `theirs` as stored now. Per top-level
/// key, and one level deeper when the values are JSON objects (e.g. the sign-ins per tenant):
/// - a key we left as in `base` takes `theirs` (present or removed);
/// - a key we changed (added, altered, removed) takes `ours`.
///
/// So a sign-in removed by the other writer and untouched by us stays removed, and our own changes
/// (e.g. refreshed tokens of another tenant) are kept.
pub fn merge(
    base: &Map<String, Value>,
    ours: &Map<String, Value>,
    theirs: &Map<String, Value>,
) -> Map<String, Value> {
    merge_level(base, ours, theirs, 1)
}

fn merge_level(
    base: &Map<String, Value>,
    ours: &Map<String, Value>,
    theirs: &Map<String, Value>,
    levels_below: u8,
) -> Map<String, Value> {
    let empty = Map::new();
    let keys: BTreeSet<&String> = base
        .keys()
        .chain(ours.keys())
        .chain(theirs.keys())
        .collect();
    let mut merged = Map::new();
    for key in keys {
        let (b, o, t) = (base.get(key), ours.get(key), theirs.get(key));
        let value = if o == b || o == t {
            t.cloned()
        } else {
            match (b, o, t) {
                (
                    None | Some(Value::Object(_)),
                    Some(Value::Object(o)),
                    None | Some(Value::Object(_)),
                ) if levels_below > 0 => {
                    let b = b.and_then(Value::as_object).unwrap_or(&empty);
                    let t = t.and_then(Value::as_object).unwrap_or(&empty);
                    Some(Value::Object(merge_level(b, o, t, levels_below - 1)))
                }
                _ => o.cloned(),
            }
        };
        if let Some(value) = value {
            merged.insert(key.clone(), value);
        }
    }
    merged
}

/// What a record was loaded from: the row's version and content.
type Base = (i64, Map<String, Value>);

/// A record's content without [`BASE_KEY`], and the base it was loaded from.
fn split_record(record: &Record) -> (Map<String, Value>, Option<Base>) {
    let mut ours = Map::new();
    let mut base = None;
    for (key, value) in &record.data {
        if key == BASE_KEY {
            base = base_of(value);
        } else {
            ours.insert(key.clone(), value.clone());
        }
    }
    (ours, base)
}

fn base_of(value: &Value) -> Option<Base> {
    let version = value.get("version")?.as_i64()?;
    let data = value.get("data")?.as_object()?.clone();
    Some((version, data))
}

fn base_value(version: i64, data: Map<String, Value>) -> Value {
    let mut base = Map::new();
    base.insert("version".into(), Value::from(version));
    base.insert("data".into(), Value::Object(data));
    Value::Object(base)
}

fn backend(err: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The sealed session store on the dashboard's database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SealedStore {
    pool: AnyPool,
    keys: std::sync::Arc<SessionKeys>,
}

impl SealedStore {
    /// The store on the dashboard's database (its schema comes with the database's migrations).
    pub fn new(store: &crate::store::Store, keys: SessionKeys) -> Self {
        Self {
            pool: store.pool().clone(),
            keys: std::sync::Arc::new(keys),
        }
    }

    /// Purges expired rows every [`PURGE_PERIOD`] until the runtime stops.
    pub fn spawn_purge(&self) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            loop {
                match store
                    .clone()
                    .continuously_delete_expired(PURGE_PERIOD)
                    .await
                {
                    Ok(()) => break,
                    Err(err) => {
                        tracing::warn!(%err, "purging expired sessions failed; trying again later");
                        tokio::time::sleep(PURGE_PERIOD).await;
                    }
                }
            }
        })
    }
}

#[async_trait]
impl SessionStore for SealedStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let (ours, _) = split_record(record);
        for _ in 0..WRITE_TRIES {
            let sealed = self.keys.seal(&record.id, &ours)?;
            let inserted = sqlx::query(
                "INSERT INTO sealed_sessions (id, version, data, expiry_date) VALUES ($1, 1, $2, $3) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(sealed)
            .bind(record.expiry_date.unix_timestamp())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                record.data.insert(BASE_KEY.to_owned(), base_value(1, ours));
                return Ok(());
            }
            // The id is taken: another one.
            record.id = Id::default();
        }
        Err(session_store::Error::Backend(
            "no free session id was found".into(),
        ))
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (ours, base) = split_record(record);
        let id = record.id.to_string();
        for _ in 0..WRITE_TRIES {
            let stored: Option<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT version, data FROM sealed_sessions WHERE id = $1")
                    .bind(&id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?;
            let read_version = stored.as_ref().map(|(version, _)| *version);
            let (version, data) = match (stored, &base) {
                // Deleted (signed out, or a new id at sign-in) since this record was loaded: a stale
                // save must not bring it back.
                (None, Some(_)) => {
                    tracing::debug!("session removed since it was loaded; its save is dropped");
                    return Ok(());
                }
                (None, None) => (1, ours.clone()),
                (Some((version, _)), Some((base_version, _))) if version == *base_version => {
                    (version + 1, ours.clone())
                }
                (Some((version, _)), None) => (version + 1, ours.clone()),
                (Some((version, sealed)), Some((_, base))) => {
                    match self.keys.open(&record.id, &sealed) {
                        Some(theirs) => (version + 1, merge(base, &ours, &theirs)),
                        None => {
                            tracing::warn!("a stored session could not be opened; it is replaced");
                            (version + 1, ours.clone())
                        }
                    }
                }
            };
            let sealed = self.keys.seal(&record.id, &data)?;
            let expiry = record.expiry_date.unix_timestamp();
            // Written only if the row is still as read: else another request wrote in between, and
            // the save reads again.
            let written = match read_version {
                None => {
                    sqlx::query(
                        "INSERT INTO sealed_sessions (id, version, data, expiry_date) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(&id)
                    .bind(version)
                    .bind(sealed)
                    .bind(expiry)
                    .execute(&self.pool)
                    .await
                }
                Some(read) => {
                    sqlx::query(
                        "UPDATE sealed_sessions SET version = $2, data = $3, expiry_date = $4 \
                         WHERE id = $1 AND version = $5",
                    )
                    .bind(&id)
                    .bind(version)
                    .bind(sealed)
                    .bind(expiry)
                    .bind(read)
                    .execute(&self.pool)
                    .await
                }
            }
            .map_err(backend)?;
            if written.rows_affected() == 1 {
                return Ok(());
            }
        }
        Err(session_store::Error::Backend(
            "the session kept changing while it was saved".into(),
        ))
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(i64, Vec<u8>, i64)> = sqlx::query_as(
            "SELECT version, data, expiry_date FROM sealed_sessions \
             WHERE id = $1 AND expiry_date > $2",
        )
        .bind(session_id.to_string())
        .bind(now_unix())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some((version, sealed, expiry)) = row else {
            return Ok(None);
        };
        let Some(data) = self.keys.open(session_id, &sealed) else {
            tracing::warn!(
                "a stored session could not be opened (another key, or altered); treated as no \
                 session"
            );
            return Ok(None);
        };
        let Ok(expiry_date) = OffsetDateTime::from_unix_timestamp(expiry) else {
            return Ok(None);
        };
        let mut record = Record {
            id: *session_id,
            data: data
                .iter()
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
            expiry_date,
        };
        record
            .data
            .insert(BASE_KEY.to_owned(), base_value(version, data));
        Ok(Some(record))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sealed_sessions WHERE id = $1")
            .bind(session_id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for SealedStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let purged = sqlx::query("DELETE FROM sealed_sessions WHERE expiry_date <= $1")
            .bind(now_unix())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        if purged.rows_affected() > 0 {
            tracing::debug!(rows = purged.rows_affected(), "expired sessions purged");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn merged(base: Value, ours: Value, theirs: Value) -> Value {
        Value::Object(merge(&map(base), &map(ours), &map(theirs)))
    }

    #[test]
    fn unchanged_keys_take_the_stored_value_and_changed_keys_take_ours() {
        assert_eq!(
            merged(
                json!({"a": 1, "b": 1, "c": 1}),
                json!({"a": 1, "b": 2, "c": 1}),
                json!({"a": 3, "b": 1, "c": 1, "d": 4}),
            ),
            json!({"a": 3, "b": 2, "c": 1, "d": 4})
        );
    }

    #[test]
    fn a_key_removed_by_the_other_writer_and_untouched_by_us_stays_removed() {
        assert_eq!(
            merged(
                json!({"a": 1, "b": 1}),
                json!({"a": 1, "b": 2}),
                json!({"b": 1})
            ),
            json!({"b": 2})
        );
    }

    #[test]
    fn a_key_we_removed_stays_removed_and_a_key_we_added_is_kept() {
        assert_eq!(
            merged(
                json!({"a": 1, "b": 1}),
                json!({"b": 1, "n": 5}),
                json!({"a": 1, "b": 7}),
            ),
            json!({"b": 7, "n": 5})
        );
    }

    #[test]
    fn both_writers_making_the_same_change_agree() {
        assert_eq!(
            merged(json!({"a": 1}), json!({"a": 2}), json!({"a": 2})),
            json!({"a": 2})
        );
        assert_eq!(merged(json!({"a": 1}), json!({}), json!({})), json!({}));
    }

    #[test]
    fn sign_ins_merge_per_tenant() {
        let base = json!({"tenant_mesh.sign_ins": {"t1": {"tok": "old1"}, "t2": {"tok": "old2"}},
                          "tenant_mesh.created_at": 10});
        // The other writer signed out of t1; we refreshed t2's tokens.
        let theirs =
            json!({"tenant_mesh.sign_ins": {"t2": {"tok": "old2"}}, "tenant_mesh.created_at": 10});
        let ours = json!({"tenant_mesh.sign_ins": {"t1": {"tok": "old1"}, "t2": {"tok": "new2"}},
                          "tenant_mesh.created_at": 10});
        assert_eq!(
            merged(base, ours, theirs),
            json!({"tenant_mesh.sign_ins": {"t2": {"tok": "new2"}}, "tenant_mesh.created_at": 10})
        );
    }

    #[test]
    fn sign_ins_added_on_both_sides_are_both_kept() {
        assert_eq!(
            merged(
                json!({"s": {"t1": 1}}),
                json!({"s": {"t1": 1, "t2": 2}}),
                json!({"s": {"t1": 1, "t3": 3}}),
            ),
            json!({"s": {"t1": 1, "t2": 2, "t3": 3}})
        );
        // Neither had the map before.
        assert_eq!(
            merged(json!({}), json!({"s": {"t2": 2}}), json!({"s": {"t3": 3}})),
            json!({"s": {"t2": 2, "t3": 3}})
        );
    }

    #[test]
    fn a_map_removed_by_the_other_writer_keeps_only_our_changes() {
        assert_eq!(
            merged(
                json!({"s": {"t1": 1, "t2": 2}}),
                json!({"s": {"t1": 1, "t2": 5}}),
                json!({}),
            ),
            json!({"s": {"t2": 5}})
        );
    }

    #[test]
    fn the_merge_goes_one_level_deep_only() {
        // Inside a sign-in, values are not merged: ours replaces the whole sign-in.
        assert_eq!(
            merged(
                json!({"s": {"t1": {"a": 1, "b": 1}}}),
                json!({"s": {"t1": {"a": 2, "b": 1}}}),
                json!({"s": {"t1": {"a": 1, "b": 3}}}),
            ),
            json!({"s": {"t1": {"a": 2, "b": 1}}})
        );
    }

    #[test]
    fn values_of_other_kinds_are_replaced_whole() {
        assert_eq!(
            merged(
                json!({"p": [1], "o": {"x": 1}}),
                json!({"p": [1, 2], "o": 5}),
                json!({"p": [1, 3], "o": {"x": 1, "y": 2}}),
            ),
            json!({"p": [1, 2], "o": 5})
        );
        // Ours became an object where the stored value is not one: ours.
        assert_eq!(
            merged(json!({"o": 1}), json!({"o": {"x": 1}}), json!({"o": 2})),
            json!({"o": {"x": 1}})
        );
    }

    fn content() -> Map<String, Value> {
        map(
            json!({"tenant_mesh.sign_ins": {"t": {"tokens": {"access_token": "eyJsecret",
                                                               "refresh_token": "rt-secret"}}}}),
        )
    }

    #[test]
    fn a_sealed_session_opens_again_and_shows_no_plaintext() {
        let keys = SessionKeys::new(&SessionKeys::random_key(), &[]);
        let id = Id::default();
        let sealed = keys.seal(&id, &content()).unwrap();
        let text = String::from_utf8_lossy(&sealed);
        assert!(!text.contains("eyJ") && !text.contains("rt-secret"));
        assert_eq!(sealed[0], FORMAT);
        assert_eq!(keys.open(&id, &sealed), Some(content()));
        // A fresh nonce every time.
        assert_ne!(keys.seal(&id, &content()).unwrap(), sealed);
    }

    #[test]
    fn a_wrong_key_another_id_or_an_altered_row_do_not_open() {
        let keys = SessionKeys::new(&SessionKeys::random_key(), &[]);
        let id = Id::default();
        let sealed = keys.seal(&id, &content()).unwrap();
        let other_keys = SessionKeys::new(&SessionKeys::random_key(), &[]);
        assert_eq!(other_keys.open(&id, &sealed), None);
        assert_eq!(
            keys.open(&Id::default(), &sealed),
            None,
            "copied to another id"
        );
        for index in [0, 1, HEADER_LEN, HEADER_LEN + NONCE_LEN, sealed.len() - 1] {
            let mut altered = sealed.clone();
            altered[index] ^= 1;
            assert_eq!(keys.open(&id, &altered), None, "byte {index} altered");
        }
        assert_eq!(keys.open(&id, &sealed[..10]), None);
        assert_eq!(keys.open(&id, b""), None);
    }

    #[test]
    fn rows_sealed_under_a_previous_key_still_open_and_are_sealed_under_the_current_one() {
        let old = SessionKeys::random_key();
        let new = SessionKeys::random_key();
        let id = Id::default();
        let sealed_before = SessionKeys::new(&old, &[]).seal(&id, &content()).unwrap();
        let rotated = SessionKeys::new(&new, &[old]);
        assert_eq!(rotated.open(&id, &sealed_before), Some(content()));
        let sealed_after = rotated.seal(&id, &content()).unwrap();
        assert_eq!(
            SessionKeys::new(&new, &[]).open(&id, &sealed_after),
            Some(content()),
            "re-sealed under the current key"
        );
        assert_eq!(SessionKeys::new(&old, &[]).open(&id, &sealed_after), None);
        // Once the old key is dropped from the settings, its rows no longer open.
        assert_eq!(SessionKeys::new(&new, &[]).open(&id, &sealed_before), None);
    }

    #[test]
    fn keys_are_base64_of_32_bytes() {
        let key = SessionKeys::random_key();
        assert_eq!(
            decode_key(&format!(" {}\n", STANDARD.encode(key))),
            Some(key)
        );
        assert_eq!(decode_key(&STANDARD.encode([0u8; 16])), None);
        assert_eq!(decode_key("not base64!"), None);
        assert_eq!(decode_key(""), None);
    }

    #[test]
    fn debug_shows_no_key() {
        let keys = SessionKeys::new(&[7u8; KEY_LEN], &[[8u8; KEY_LEN]]);
        let shown = format!("{keys:?}");
        assert!(
            shown.contains("redacted") && !shown.contains('7'),
            "{shown}"
        );
    }

    #[test]
    fn demo_mode_makes_a_private_key_file_once_and_entra_mode_needs_a_key() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            database_url: crate::store::sqlite_url(&dir.path().join("db.sqlite")),
            ..Settings::default()
        };
        let first = SessionKeys::from_settings(&settings).unwrap();
        let path = settings.session_key_file();
        assert_eq!(path, key_file_path(&dir.path().join("db.sqlite")));
        assert_eq!(path, dir.path().join("db.sqlite.key"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = SessionKeys::from_settings(&settings).unwrap();
        let id = Id::default();
        let sealed = first.seal(&id, &content()).unwrap();
        assert_eq!(
            again.open(&id, &sealed),
            Some(content()),
            "the file is reused"
        );

        std::fs::write(&path, "garbage").unwrap();
        assert!(matches!(
            SessionKeys::from_settings(&settings),
            Err(KeyError::BadKeyFile(_))
        ));

        let entra = Settings {
            mode: Mode::Entra,
            ..settings.clone()
        };
        let err = SessionKeys::from_settings(&entra).unwrap_err();
        assert!(matches!(err, KeyError::Missing));
        assert!(err.to_string().contains("TENANTMESH_TOKEN_KEY"), "{err}");
        let configured = Settings {
            token_key: Some(crate::secret::Secret::new(STANDARD.encode([1u8; KEY_LEN]))),
            previous_token_keys: vec![crate::secret::Secret::new("short")],
            ..entra
        };
        assert!(matches!(
            SessionKeys::from_settings(&configured),
            Err(KeyError::Invalid("previous_token_keys"))
        ));
    }
}
