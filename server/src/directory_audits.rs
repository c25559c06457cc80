//! The directory audit events about the multitenant organization, its cross-tenant access settings
//! and cross-tenant provisioning (`graph::directory::MTO_AUDIT_CATEGORIES`), read from each tenant's
//! `/auditLogs/directoryAudits` — by a signed-in person's session when the audit timeline is shown,
//! and by the app-only monitor in each run — and kept in the dashboard's database (SQLite or
//! PostgreSQL, table `directory_audits`), so that the timeline still shows them after Graph has
//! dropped them (30 days: `graph::directory::AUDIT_RETENTION_DAYS`).
//!
//! A reading asks only for what is new: the events from shortly before the newest one kept, oldest
//! first, a few pages at most (a reading cut short goes on from there next time, without a gap).
//! Each event is kept once per tenant (`UNIQUE (tenant, event_id)`, `INSERT … ON CONFLICT DO
//! NOTHING`), so reading an event again, or by the monitor and a session both, adds nothing.

use app::api::timeline::{DirectoryEvent, TimelineFilter};
use graph::client::{AccessToken, GraphClient, GraphError};
use graph::directory::{DirectoryAudit, TargetResource, MTO_AUDIT_CATEGORIES};
use sqlx::{AnyPool, Row};

use crate::store::{like_escaped, Param, Params, Store};

/// Events asked for per page.
pub const PAGE_SIZE: usize = 200;
/// Pages read at most per tenant and reading: one request when little happened, a bounded number
/// when much did (the rest is read next time).
pub const MAX_PAGES: usize = 5;
/// How long before the newest kept event a reading starts again: events reach the audit log a few
/// minutes after they happen (99 % within 5 minutes: MicrosoftDocs/azure-docs
/// `articles/active-directory/reports-monitoring/reference-reports-latencies.md`, "Activity
/// reports"), and one that arrives late must not be skipped. What is read again is not kept twice.
pub const OVERLAP_SECS: i64 = 15 * 60;
/// Events one query answers at most (newest first).
pub const QUERY_LIMIT: i64 = 2_000;

/// Who read an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadBy {
    /// A signed-in person's session, with their role in the tenant.
    Delegated,
    /// The app-only monitor.
    Monitor,
}

impl ReadBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delegated => "delegated",
            Self::Monitor => "monitor",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error("the directory audit events cannot be kept or read back: {0}")]
    Store(#[from] sqlx::Error),
}

/// What one reading of a tenant did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reading {
    /// Graph requests sent.
    pub requests: usize,
    /// Events Graph answered.
    pub read: usize,
    /// Events not kept before.
    pub added: u64,
}

/// The kept directory audit events. Cheap to clone.
#[derive(Clone)]
pub struct DirectoryAudits {
    pool: AnyPool,
}

/// The user's UPN (or name, or id), or the app's name (or id), who did it.
pub fn initiator_text(entry: &DirectoryAudit) -> String {
    let initiated = &entry.initiated_by;
    if let Some(user) = &initiated.user {
        if let Some(who) = [&user.user_principal_name, &user.display_name, &user.id]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
        {
            return who.clone();
        }
    }
    if let Some(app) = &initiated.app {
        if let Some(who) = [&app.display_name, &app.service_principal_name, &app.app_id]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
        {
            return format!("{who} (app)");
        }
    }
    "unknown".to_owned()
}

/// The target resources in words: "Policy: Partner x (x); Directory: y".
pub fn targets_text(targets: &[TargetResource]) -> String {
    targets
        .iter()
        .map(|target| {
            let kind = target.kind.as_deref().unwrap_or("Other");
            let name = target
                .user_principal_name
                .as_deref()
                .or(target.display_name.as_deref())
                .filter(|n| !n.is_empty());
            let id = target.id.as_deref().filter(|i| !i.is_empty());
            match (name, id) {
                (Some(name), Some(id)) if name != id => format!("{kind}: {name} ({id})"),
                (Some(text), _) | (None, Some(text)) => format!("{kind}: {text}"),
                (None, None) => kind.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl DirectoryAudits {
    /// The events in the dashboard's database (the table comes with the store's migrations).
    pub fn new(store: &Store) -> Self {
        Self {
            pool: store.pool().clone(),
        }
    }

    /// Unix seconds of the newest event kept for `tenant`.
    pub async fn newest(&self, tenant: &str) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT MAX(at) FROM directory_audits WHERE tenant = $1")
            .bind(tenant)
            .fetch_one(&self.pool)
            .await
    }

    /// Keeps `events` of `tenant` read at `now`; answers how many were not kept before. Events
    /// without a readable time are left out (with a warning).
    pub async fn keep(
        &self,
        tenant: &str,
        events: &[DirectoryAudit],
        read_by: ReadBy,
        now: i64,
    ) -> Result<u64, sqlx::Error> {
        let mut added = 0;
        let mut transaction = self.pool.begin().await?;
        for event in events {
            let Some(at) = app::mesh::time::parse(&event.activity_date_time) else {
                tracing::warn!(tenant, id = %event.id, time = %event.activity_date_time, "a directory audit event without a readable time is not kept");
                continue;
            };
            let entry = serde_json::to_string(event).unwrap_or_default();
            let done = sqlx::query(
                "INSERT INTO directory_audits (tenant, event_id, at, activity_date_time, category,
                    activity, result, result_reason, initiated_by, targets, entry, read_by, read_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (tenant, event_id) DO NOTHING",
            )
            .bind(tenant)
            .bind(&event.id)
            .bind(at)
            .bind(&event.activity_date_time)
            .bind(&event.category)
            .bind(&event.activity_display_name)
            .bind(&event.result)
            .bind(event.result_reason.clone())
            .bind(initiator_text(event))
            .bind(targets_text(&event.target_resources))
            .bind(entry)
            .bind(read_by.as_str())
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            added += done.rows_affected();
        }
        transaction.commit().await?;
        Ok(added)
    }

    /// Reads what is new in `tenant`'s directory audit log (the organization's categories, from
    /// [`OVERLAP_SECS`] before the newest event kept, oldest first, at most [`MAX_PAGES`] pages)
    /// with `token`, and keeps it.
    pub async fn read_new(
        &self,
        graph: &GraphClient,
        token: &AccessToken,
        tenant: &str,
        read_by: ReadBy,
        now: i64,
    ) -> Result<Reading, ReadError> {
        let since = self
            .newest(tenant)
            .await?
            .map(|at| app::mesh::time::iso(at - OVERLAP_SECS));
        let op = graph::ops::organization::directory_audits_since(
            MTO_AUDIT_CATEGORIES,
            since.as_deref(),
            PAGE_SIZE,
        );
        let mut events = Vec::new();
        let requests = graph
            .for_each_page(token, &op, Some(MAX_PAGES), |page| {
                events.extend(page.value);
            })
            .await?;
        let added = self.keep(tenant, &events, read_by, now).await?;
        Ok(Reading {
            requests,
            read: events.len(),
            added,
        })
    }

    /// The tenants the monitor has kept events of.
    pub async fn monitored_tenants(&self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT DISTINCT tenant FROM directory_audits WHERE read_by = 'monitor' ORDER BY tenant",
        )
        .fetch_all(&self.pool)
        .await
    }

    /// The kept events of `tenants`, newest first, at most [`QUERY_LIMIT`], with what `filter`
    /// says of tenant, category, dates and text (`named`: the tenants whose names contain the
    /// text, whose events match it whatever they say). Answers whether the limit was reached.
    pub async fn query(
        &self,
        tenants: &[String],
        filter: &TimelineFilter,
        named: &[String],
    ) -> Result<(Vec<DirectoryEvent>, bool), sqlx::Error> {
        if tenants.is_empty() {
            return Ok((Vec::new(), false));
        }
        let mut sql = Params::default();
        let visible = sql.list(tenants.iter().cloned().map(Param::Text));
        let mut conditions = vec![format!("tenant IN ({visible})")];
        if let Some(tenant) = &filter.tenant {
            conditions.push(format!(
                "tenant = {}",
                sql.push(Param::Text(tenant.clone()))
            ));
        }
        if let Some(category) = &filter.category {
            conditions.push(format!(
                "lower(category) = lower({})",
                sql.push(Param::Text(category.clone()))
            ));
        }
        if let Some(from) = filter.from_secs() {
            conditions.push(format!("at >= {}", sql.push(Param::Int(from))));
        }
        if let Some(to) = filter.to_secs() {
            conditions.push(format!("at <= {}", sql.push(Param::Int(to))));
        }
        if let Some(text) = &filter.q {
            // A substring, any case: LIKE with the pattern's own wildcards escaped (SQLite "The
            // LIKE, GLOB, REGEXP, MATCH, and extract operators"; PostgreSQL "Pattern Matching").
            let pattern = sql.push(Param::Text(like_escaped(&text.to_lowercase())));
            let mut either = vec![format!(
                "lower(activity || ' ' || initiated_by || ' ' || targets || ' ' || category || ' ' \
                 || result || ' ' || COALESCE(result_reason, '') || ' ' || tenant) \
                 LIKE '%' || {pattern} || '%' ESCAPE '\\'"
            )];
            if !named.is_empty() {
                let names = sql.list(named.iter().cloned().map(Param::Text));
                either.push(format!("tenant IN ({names})"));
            }
            conditions.push(format!("({})", either.join(" OR ")));
        }
        let text = format!(
            "SELECT tenant, event_id, at, category, activity, initiated_by, targets, result,
                    result_reason
             FROM directory_audits
             WHERE {}
             ORDER BY at DESC, seq DESC
             LIMIT {QUERY_LIMIT}",
            conditions.join(" AND ")
        );
        let rows = sql
            .bind_to(sqlx::query(&text))
            .fetch_all(&self.pool)
            .await?;
        let truncated = rows.len() as i64 >= QUERY_LIMIT;
        let mut events = Vec::with_capacity(rows.len());
        for row in rows {
            events.push(DirectoryEvent {
                tenant: row.try_get("tenant")?,
                id: row.try_get("event_id")?,
                at: row.try_get("at")?,
                category: row.try_get("category")?,
                activity: row.try_get("activity")?,
                initiated_by: row.try_get("initiated_by")?,
                targets: row.try_get("targets")?,
                result: row.try_get("result")?,
                result_reason: row.try_get("result_reason")?,
            });
        }
        Ok((events, truncated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use graph::directory::{AuditApp, AuditInitiator, AuditUser};

    fn event(id: &str, at: &str, category: &str, activity: &str) -> DirectoryAudit {
        DirectoryAudit {
            id: id.into(),
            category: category.into(),
            correlation_id: None,
            result: "success".into(),
            result_reason: None,
            activity_display_name: activity.into(),
            activity_date_time: at.into(),
            logged_by_service: Some("Core Directory".into()),
            operation_type: Some("Update".into()),
            initiated_by: AuditInitiator {
                user: Some(AuditUser {
                    id: Some("u1".into()),
                    display_name: Some("Fabrikam Admin".into()),
                    user_principal_name: Some("admin@fabrikam.onmicrosoft.com".into()),
                    ip_address: None,
                    home_tenant_id: None,
                    home_tenant_name: None,
                }),
                app: None,
            },
            target_resources: vec![TargetResource {
                id: Some("p1".into()),
                display_name: Some("Partner p1".into()),
                kind: Some("Policy".into()),
                user_principal_name: None,
                group_type: None,
                modified_properties: Vec::new(),
            }],
            additional_details: Vec::new(),
        }
    }

    #[test]
    fn initiators_and_targets_in_words() {
        let mut entry = event("e", "2026-09-01T00:00:00Z", "MultiTenantOrg", "x");
        assert_eq!(initiator_text(&entry), "admin@fabrikam.onmicrosoft.com");
        assert_eq!(
            targets_text(&entry.target_resources),
            "Policy: Partner p1 (p1)"
        );
        entry.initiated_by = AuditInitiator {
            user: None,
            app: Some(AuditApp {
                app_id: Some("a".into()),
                display_name: Some("Tenant Mesh".into()),
                service_principal_id: None,
                service_principal_name: None,
            }),
        };
        assert_eq!(initiator_text(&entry), "Tenant Mesh (app)");
        entry.initiated_by = AuditInitiator::default();
        assert_eq!(initiator_text(&entry), "unknown");
        let bare = TargetResource {
            id: Some("t".into()),
            display_name: Some("t".into()),
            kind: None,
            user_principal_name: None,
            group_type: None,
            modified_properties: Vec::new(),
        };
        assert_eq!(targets_text(&[bare.clone(), bare]), "Other: t; Other: t");
    }

    async fn kept() -> (DirectoryAudits, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::store::sqlite_url(&dir.path().join("db.sqlite"));
        let store = crate::store::open(&url, true).await.unwrap();
        (DirectoryAudits::new(&store), dir)
    }

    #[tokio::test]
    async fn events_are_kept_once_and_read_back_filtered() {
        let (audits, _dir) = kept().await;
        let events = [
            event(
                "e1",
                "2026-09-01T10:00:00.1234567Z",
                "MultiTenantOrg",
                "Update a MultiTenantOrg",
            ),
            event(
                "e2",
                "2026-09-02T10:00:00Z",
                "CrossTenantAccessSettings",
                "Add a partner 100%",
            ),
            event("bad", "yesterday", "MultiTenantOrg", "x"),
        ];
        assert_eq!(
            audits
                .keep("t1", &events, ReadBy::Delegated, 5)
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            audits
                .keep("t1", &events, ReadBy::Monitor, 6)
                .await
                .unwrap(),
            0,
            "idempotent"
        );
        assert_eq!(
            audits
                .keep("t2", &events[..1], ReadBy::Monitor, 6)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            audits.monitored_tenants().await.unwrap(),
            vec!["t2".to_owned()]
        );
        let newest = audits.newest("t1").await.unwrap();
        assert_eq!(newest, app::mesh::time::parse("2026-09-02T10:00:00Z"));
        assert_eq!(audits.newest("t3").await.unwrap(), None);

        let all = |filter: TimelineFilter, named: Vec<String>| {
            let audits = audits.clone();
            async move {
                audits
                    .query(&["t1".into(), "t2".into()], &filter, &named)
                    .await
                    .unwrap()
                    .0
            }
        };
        let everything = all(TimelineFilter::default(), Vec::new()).await;
        let ids: Vec<(&str, &str)> = everything
            .iter()
            .map(|e| (e.tenant.as_str(), e.id.as_str()))
            .collect();
        assert_eq!(
            ids,
            [("t1", "e2"), ("t2", "e1"), ("t1", "e1")],
            "newest first, then last kept"
        );
        assert_eq!(everything[0].initiated_by, "admin@fabrikam.onmicrosoft.com");
        assert_eq!(everything[0].targets, "Policy: Partner p1 (p1)");
        let only_t2 = audits
            .query(&["t2".into()], &TimelineFilter::default(), &[])
            .await
            .unwrap()
            .0;
        assert_eq!(only_t2.len(), 1, "other tenants stay hidden");
        let text = |q: &str| TimelineFilter {
            q: Some(q.into()),
            ..TimelineFilter::default()
        };
        assert_eq!(
            all(text("100%"), Vec::new()).await.len(),
            1,
            "wildcards are text"
        );
        assert_eq!(all(text("10_%"), Vec::new()).await.len(), 0);
        assert_eq!(all(text("FABRIKAM"), Vec::new()).await.len(), 3);
        assert_eq!(
            all(text("woodgrove"), vec!["t2".into()]).await.len(),
            1,
            "by tenant name"
        );
        let category = TimelineFilter {
            category: Some("crosstenantaccesssettings".into()),
            ..TimelineFilter::default()
        };
        assert_eq!(all(category, Vec::new()).await.len(), 1);
        let day = TimelineFilter {
            tenant: Some("t1".into()),
            from: Some("2026-09-01".into()),
            to: Some("2026-09-01".into()),
            ..TimelineFilter::default()
        };
        let first_day = all(day, Vec::new()).await;
        assert_eq!(first_day.len(), 1);
        assert_eq!(first_day[0].id, "e1");
    }
}
