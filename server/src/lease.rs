//! A lease in the dashboard's database: at most one replica holds a named lease at a time, for a
//! period it renews; when the holder stops renewing (it died, or lost the database), any other
//! replica takes the lease over once the period has run out. The monitor runs on the holder of
//! [`MONITOR`] only.
//!
//! One statement takes or renews the lease, on SQLite and PostgreSQL alike: an upsert whose update
//! only applies when the row is ours or expired (`INSERT … ON CONFLICT … DO UPDATE … WHERE`, see
//! <https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT> and
//! <https://sqlite.org/lang_upsert.html>). Both count a row the `WHERE` skipped as not affected.

use std::time::Duration;

use crate::store::Store;

/// The monitor's lease.
pub const MONITOR: &str = "monitor";

/// A replica's claim on one named lease.
#[derive(Clone)]
pub struct Lease {
    store: Store,
    name: &'static str,
    holder: String,
    period: Duration,
}

/// Who holds a lease, and until when (unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub holder: String,
    pub expires_at_ms: i64,
}

impl Lease {
    /// The claim of `holder` (a name unique to this replica, [`replica_name`]) on the lease `name`.
    pub fn new(store: Store, name: &'static str, holder: String, period: Duration) -> Self {
        Self {
            store,
            name,
            holder,
            period,
        }
    }

    pub fn holder_name(&self) -> &str {
        &self.holder
    }

    pub fn period(&self) -> Duration {
        self.period
    }

    /// How often the holder renews: a third of the period, so that two renewals may fail before
    /// the lease runs out.
    pub fn renew_every(&self) -> Duration {
        (self.period / 3).max(Duration::from_millis(100))
    }

    /// Takes the lease when it is free or expired at `now_ms`, or renews it when it is ours, until
    /// `now_ms` + the period. `true` when this replica holds it afterwards.
    pub async fn try_acquire(&self, now_ms: i64) -> Result<bool, sqlx::Error> {
        let until =
            now_ms.saturating_add(i64::try_from(self.period.as_millis()).unwrap_or(i64::MAX));
        let done = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE leases.holder = excluded.holder OR leases.expires_at <= $4",
        )
        .bind(self.name)
        .bind(&self.holder)
        .bind(until)
        .bind(now_ms)
        .execute(self.store.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease up (when it is ours), so another replica need not wait for it to expire.
    pub async fn release(&self) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(self.name)
            .bind(&self.holder)
            .execute(self.store.pool())
            .await?;
        Ok(())
    }

    /// The current holder of the lease, expired or not; `None` when nobody ever took it.
    pub async fn current(&self) -> Result<Option<Holder>, sqlx::Error> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT holder, expires_at FROM leases WHERE name = $1")
                .bind(self.name)
                .fetch_optional(self.store.pool())
                .await?;
        Ok(row.map(|(holder, expires_at_ms)| Holder {
            holder,
            expires_at_ms,
        }))
    }
}

/// A name for this replica that no other replica shares: the host name, the process id and a
/// random part (two replicas in one process, as in tests, differ by it).
pub fn replica_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|name| !name.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
        })
        .unwrap_or_else(|| "replica".to_owned());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}:{}:{}", std::process::id(), &random[..8])
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}
