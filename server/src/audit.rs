//! The audit log: every write made through the dashboard, recorded before it is attempted and again
//! with its outcome, in the dashboard's SQLite database. Append-only (triggers refuse updates and
//! deletes); a write whose attempt cannot be recorded is not made.

use app::api::audit::{AuditAction, AuditEntry, AuditFilter};
use serde_json::Value;
use sqlx::sqlite::SqlitePool;
use sqlx::Row;

#[derive(Debug, thiserror::Error)]
#[error("the audit log cannot be written or read: {0}")]
pub struct AuditError(#[from] pub sqlx::Error);

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub upn: String,
    pub object_id: String,
    /// The tenant the person signed in to for this action.
    pub tenant_id: String,
}

/// What was attempted, in which tenant, with which inputs.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub actor: Actor,
    pub tenant_id: String,
    pub action: AuditAction,
    pub inputs: Value,
}

/// How it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub success: bool,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_id: Option<String>,
}

/// Links an attempt to its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket(String);

#[derive(Clone)]
pub struct AuditLog {
    pool: SqlitePool,
}

/// At most this many entries per query.
pub const QUERY_LIMIT: i64 = 2_000;

impl AuditLog {
    /// The audit log in `pool` (its table comes with the store's migrations).
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Records the attempt; only then may the write be made.
    pub async fn begin(&self, attempt: &Attempt, now: i64) -> Result<Ticket, AuditError> {
        let ticket = Ticket(uuid::Uuid::new_v4().to_string());
        self.insert(&ticket, "attempt", attempt, None, now).await?;
        Ok(ticket)
    }

    /// Records how the attempt ended.
    pub async fn finish(
        &self,
        ticket: &Ticket,
        attempt: &Attempt,
        outcome: &Outcome,
        now: i64,
    ) -> Result<(), AuditError> {
        self.insert(ticket, "outcome", attempt, Some(outcome), now)
            .await
    }

    /// Records the attempt, makes the write, records how it ended: `work` answers Graph's request
    /// id and a value. An attempt that cannot be recorded is not made; an outcome that cannot be
    /// recorded is logged loudly (the write happened).
    pub async fn record<T, F>(
        &self,
        attempt: &Attempt,
        now: i64,
        work: F,
    ) -> Result<Result<T, graph::client::GraphError>, AuditError>
    where
        F: std::future::Future<Output = Result<(T, Option<String>), graph::client::GraphError>>,
    {
        let ticket = self.begin(attempt, now).await?;
        let result = work.await;
        let outcome = match &result {
            Ok((_, request_id)) => Outcome {
                success: true,
                error_code: None,
                error_message: None,
                request_id: request_id.clone(),
            },
            Err(error) => Outcome {
                success: false,
                error_code: error
                    .code
                    .clone()
                    .or_else(|| Some(format!("{:?}", error.kind))),
                error_message: Some(error.message.clone()),
                request_id: error.request_id.clone(),
            },
        };
        if let Err(e) = self.finish(&ticket, attempt, &outcome, now).await {
            tracing::error!(error = %e, action = %attempt.action, "the outcome of a write could not be audited");
        }
        Ok(result.map(|(value, _)| value))
    }

    async fn insert(
        &self,
        ticket: &Ticket,
        phase: &str,
        attempt: &Attempt,
        outcome: Option<&Outcome>,
        now: i64,
    ) -> Result<(), AuditError> {
        sqlx::query(
            "INSERT INTO audit_log (correlation, phase, at, actor_name, actor_upn, actor_oid, actor_tenant,
                tenant, action, inputs, outcome, error_code, error_message, request_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&ticket.0)
        .bind(phase)
        .bind(now)
        .bind(&attempt.actor.name)
        .bind(&attempt.actor.upn)
        .bind(&attempt.actor.object_id)
        .bind(&attempt.actor.tenant_id)
        .bind(&attempt.tenant_id)
        .bind(attempt.action.as_str())
        .bind(attempt.inputs.to_string())
        .bind(outcome.map(|o| if o.success { "success" } else { "failure" }))
        .bind(outcome.and_then(|o| o.error_code.clone()))
        .bind(outcome.and_then(|o| o.error_message.clone()))
        .bind(outcome.and_then(|o| o.request_id.clone()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Attempts with their outcomes, newest first, in the tenants `visible` to the viewer.
    pub async fn query(
        &self,
        filter: &AuditFilter,
        visible: &[String],
    ) -> Result<Vec<AuditEntry>, AuditError> {
        if visible.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = vec!["?"; visible.len()].join(", ");
        let sql = format!(
            "SELECT a.at, a.actor_name, a.actor_upn, a.actor_oid, a.actor_tenant, a.tenant, a.action,
                    a.inputs, o.at AS finished, o.outcome, o.error_code, o.error_message, o.request_id
             FROM audit_log a
             LEFT JOIN audit_log o ON o.correlation = a.correlation AND o.phase = 'outcome'
             WHERE a.phase = 'attempt' AND a.tenant IN ({placeholders})
               AND (? IS NULL OR a.tenant = ?)
               AND (? IS NULL OR instr(lower(a.actor_upn || ' ' || a.actor_name), lower(?)) > 0)
               AND (? IS NULL OR a.action IN (SELECT value FROM json_each(?)))
               AND (? IS NULL OR COALESCE(o.outcome, 'unknown') = ?)
               AND (? IS NULL OR a.at >= ?)
               AND (? IS NULL OR a.at <= ?)
             ORDER BY a.seq DESC
             LIMIT {QUERY_LIMIT}"
        );
        let mut query = sqlx::query(&sql);
        for tenant in visible {
            query = query.bind(tenant);
        }
        // An action is stored under its current name, or an earlier one in older rows.
        let action = filter
            .action
            .as_deref()
            .filter(|a| !a.is_empty())
            .map(|name| {
                let names = AuditAction::parse(name).map_or(&[][..], AuditAction::stored_names);
                serde_json::to_string(names).unwrap_or_default()
            });
        for value in [
            filter.tenant.as_deref(),
            filter.actor.as_deref(),
            action.as_deref(),
            filter.outcome.as_deref(),
        ] {
            let value = value.filter(|v| !v.is_empty());
            query = query.bind(value).bind(value);
        }
        for value in [filter.from, filter.to] {
            query = query.bind(value).bind(value);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    at: row.try_get("at")?,
                    actor_name: row.try_get("actor_name")?,
                    actor_upn: row.try_get("actor_upn")?,
                    actor_object_id: row.try_get("actor_oid")?,
                    actor_tenant: row.try_get("actor_tenant")?,
                    tenant: row.try_get("tenant")?,
                    action: {
                        let stored: String = row.try_get("action")?;
                        AuditAction::parse(&stored).map_or(stored, |a| a.as_str().to_owned())
                    },
                    inputs: row.try_get("inputs")?,
                    finished: row.try_get("finished")?,
                    outcome: row
                        .try_get::<Option<String>, _>("outcome")?
                        .unwrap_or_else(|| "unknown".into()),
                    error_code: row.try_get("error_code")?,
                    error_message: row.try_get("error_message")?,
                    request_id: row.try_get("request_id")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(AuditError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn log() -> (AuditLog, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::store::open(&dir.path().join("audit.sqlite"))
            .await
            .unwrap();
        (AuditLog::new(pool), dir)
    }

    fn attempt(tenant: &str, action: AuditAction) -> Attempt {
        Attempt {
            actor: Actor {
                name: "Contoso Admin".into(),
                upn: "admin@contoso.onmicrosoft.com".into(),
                object_id: "oid".into(),
                tenant_id: tenant.into(),
            },
            tenant_id: tenant.into(),
            action,
            inputs: serde_json::json!({"tenant": "x"}),
        }
    }

    #[tokio::test]
    async fn attempts_pair_with_outcomes_and_filters_apply() {
        let (log, _dir) = log().await;
        let add = attempt("t1", AuditAction::AddTenant);
        let ticket = log.begin(&add, 100).await.unwrap();
        log.finish(
            &ticket,
            &add,
            &Outcome {
                success: false,
                error_code: Some("Request_BadRequest".into()),
                error_message: Some("Tenant is already being added".into()),
                request_id: Some("rid".into()),
            },
            101,
        )
        .await
        .unwrap();
        let crashed = attempt("t2", AuditAction::ApproveJoin);
        log.begin(&crashed, 200).await.unwrap();

        let all = log
            .query(&AuditFilter::default(), &["t1".into(), "t2".into()])
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].action, "approve-join");
        assert_eq!(all[0].outcome, "unknown", "no outcome recorded");
        assert_eq!(all[1].outcome, "failure");
        assert_eq!(all[1].request_id.as_deref(), Some("rid"));

        let only_t1 = log
            .query(&AuditFilter::default(), &["t1".into()])
            .await
            .unwrap();
        assert_eq!(only_t1.len(), 1, "other tenants' entries stay hidden");
        let filter = AuditFilter {
            outcome: Some("failure".into()),
            actor: Some("ADMIN@contoso".into()),
            ..AuditFilter::default()
        };
        let failed = log
            .query(&filter, &["t1".into(), "t2".into()])
            .await
            .unwrap();
        assert_eq!(failed.len(), 1);
        let later = AuditFilter {
            from: Some(150),
            ..AuditFilter::default()
        };
        assert_eq!(
            log.query(&later, &["t1".into(), "t2".into()])
                .await
                .unwrap()
                .len(),
            1
        );
    }

    #[tokio::test]
    async fn every_action_can_be_filtered_also_under_its_earlier_name() {
        let (log, _dir) = log().await;
        for (at, action) in AuditAction::ALL.iter().enumerate() {
            log.begin(&attempt("t1", *action), at as i64).await.unwrap();
        }
        // A row an earlier version wrote under the old name of "apply-fix".
        sqlx::query(
            "INSERT INTO audit_log (correlation, phase, at, actor_name, actor_upn, actor_oid, actor_tenant,
                tenant, action, inputs) VALUES ('old', 'attempt', 0, 'a', 'u', 'o', 't1', 't1', 'sync.fix', '{}')",
        )
        .execute(&log.pool)
        .await
        .unwrap();
        for action in AuditAction::ALL {
            let filter = AuditFilter {
                action: Some(action.as_str().into()),
                ..AuditFilter::default()
            };
            let found = log.query(&filter, &["t1".into()]).await.unwrap();
            let expected = if *action == AuditAction::ApplyFix {
                2
            } else {
                1
            };
            assert_eq!(found.len(), expected, "{action}");
            assert!(
                found.iter().all(|e| e.action == action.as_str()),
                "{found:?}"
            );
        }
        let unknown = AuditFilter {
            action: Some("drop-table".into()),
            ..AuditFilter::default()
        };
        assert!(log
            .query(&unknown, &["t1".into()])
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn the_log_is_append_only() {
        let (log, _dir) = log().await;
        log.begin(&attempt("t1", AuditAction::AddTenant), 1)
            .await
            .unwrap();
        assert!(sqlx::query("UPDATE audit_log SET action = 'x'")
            .execute(&log.pool)
            .await
            .is_err());
        assert!(sqlx::query("DELETE FROM audit_log")
            .execute(&log.pool)
            .await
            .is_err());
    }
}
