//! Snapshots and the baseline in the dashboard's database (tables `snapshots` and
//! `drift_baselines`, migration 0009; both only ever appended to). A snapshot is kept as its JSON
//! export, so an export is the stored text itself.

use app::drift::snapshot::Snapshot;
use app::drift::{Baseline, Origin, SnapshotInfo};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::store::Store;

/// Snapshots listed on the page (newest first); older ones stay stored and exportable.
pub const LISTED: i64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum SnapshotStoreError {
    #[error(transparent)]
    Store(#[from] sqlx::Error),
    #[error("stored snapshot {id} cannot be read: {reason}")]
    Corrupt { id: i64, reason: String },
}

/// The kept snapshots. Cheap to clone.
#[derive(Clone)]
pub struct Snapshots {
    pool: AnyPool,
}

fn info_of(row: &AnyRow) -> Result<SnapshotInfo, sqlx::Error> {
    let body: String = row.try_get("body")?;
    let id: i64 = row.try_get("id")?;
    let origin: String = row.try_get("origin")?;
    // The list needs the unread parts, which only the body holds.
    let unread = Snapshot::from_json(&body)
        .map(|s| s.unread())
        .unwrap_or_default();
    Ok(SnapshotInfo {
        id,
        taken_at: app::mesh::time::iso(row.try_get("taken_at")?),
        taken_by: row.try_get("taken_by")?,
        origin: Origin::parse(&origin).unwrap_or(Origin::Import),
        tenants: usize::try_from(row.try_get::<i64, _>("tenants")?).unwrap_or(0),
        objects: usize::try_from(row.try_get::<i64, _>("objects")?).unwrap_or(0),
        bytes: body.len(),
        unread,
    })
}

impl Snapshots {
    pub fn new(store: &Store) -> Self {
        Self {
            pool: store.pool().clone(),
        }
    }

    /// Keeps `snapshot` (taken at Unix time `at`) as `origin` (an imported file keeps the origin
    /// it says, so that it exports again byte for byte); answers its listing.
    pub async fn keep(
        &self,
        snapshot: &Snapshot,
        origin: Origin,
        at: i64,
    ) -> Result<SnapshotInfo, sqlx::Error> {
        let body = snapshot.to_json();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO snapshots (taken_at, taken_by, origin, tenants, objects, body)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(at)
        .bind(&snapshot.taken_by)
        .bind(origin.as_str())
        .bind(i64::try_from(snapshot.tenants.len()).unwrap_or(i64::MAX))
        .bind(i64::try_from(snapshot.objects()).unwrap_or(i64::MAX))
        .bind(&body)
        .fetch_one(&self.pool)
        .await?;
        let mut info = snapshot.info(id, body.len());
        info.origin = origin;
        Ok(info)
    }

    /// The newest snapshots, newest first.
    pub async fn list(&self) -> Result<Vec<SnapshotInfo>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, taken_at, taken_by, origin, tenants, objects, body FROM snapshots
             ORDER BY id DESC LIMIT $1",
        )
        .bind(LISTED)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(info_of).collect()
    }

    /// A stored snapshot's export, byte for byte as it was stored.
    pub async fn export(&self, id: i64) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT body FROM snapshots WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// A stored snapshot, read back.
    pub async fn get(
        &self,
        id: i64,
    ) -> Result<Option<(Snapshot, SnapshotInfo)>, SnapshotStoreError> {
        let row = sqlx::query(
            "SELECT id, taken_at, taken_by, origin, tenants, objects, body FROM snapshots
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let body: String = row.try_get("body")?;
        let snapshot = Snapshot::from_json(&body).map_err(|e| SnapshotStoreError::Corrupt {
            id,
            reason: e.to_string(),
        })?;
        Ok(Some((snapshot, info_of(&row)?)))
    }

    /// The newest snapshot of `origin`.
    pub async fn newest(&self, origin: Origin) -> Result<Option<Snapshot>, SnapshotStoreError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM snapshots WHERE origin = $1")
            .bind(origin.as_str())
            .fetch_one(&self.pool)
            .await?;
        match id {
            Some(id) => Ok(self.get(id).await?.map(|(snapshot, _)| snapshot)),
            None => Ok(None),
        }
    }

    /// Makes snapshot `id` the baseline.
    pub async fn accept(&self, id: i64, by: &str, at: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO drift_baselines (snapshot_id, accepted_by, accepted_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(by)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The baseline and its snapshot.
    pub async fn baseline(&self) -> Result<Option<(Snapshot, Baseline)>, SnapshotStoreError> {
        let row = sqlx::query(
            "SELECT snapshot_id, accepted_by, accepted_at FROM drift_baselines
             ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id: i64 = row.try_get("snapshot_id")?;
        let Some((snapshot, info)) = self.get(id).await? else {
            return Ok(None);
        };
        Ok(Some((
            snapshot,
            Baseline {
                snapshot: info,
                accepted_by: row.try_get("accepted_by")?,
                accepted_at: app::mesh::time::iso(row.try_get("accepted_at")?),
            },
        )))
    }
}
