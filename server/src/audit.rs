//! The audit log: every write made through the dashboard, recorded before it is attempted and again
//! with its outcome, in the dashboard's database (SQLite or PostgreSQL). Append-only (triggers refuse
//! updates and deletes, and a restricted PostgreSQL role is granted only SELECT and INSERT on it);
//! a write whose attempt cannot be recorded is not made.

use std::sync::{Arc, Mutex};

use app::api::audit::{AuditAction, AuditEntry, AuditFilter, AuditStep};
use graph::client::{AccessToken, Answer, GraphClient, GraphError, GraphErrorKind};
use graph::{Method, Op, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::{AnyPool, Row};

use crate::store::{like_escaped, Param, Params};

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

/// How a write ended, in the log's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    /// Some of its Graph calls were made, a later one failed.
    Partial,
    Failure,
    /// Refused by the dashboard before any call (role, origin, input).
    Refused,
    /// No answer came for a call that may have changed the tenant.
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Partial => "partial",
            Self::Failure => "failure",
            Self::Refused => "refused",
            Self::Unknown => "unknown",
        }
    }
}

/// How it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_id: Option<String>,
}

/// Links an attempt to its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket(String);

#[derive(Clone)]
pub struct AuditLog {
    pool: AnyPool,
}

/// At most this many entries per query.
pub const QUERY_LIMIT: i64 = 2_000;

/// Why a write stopped.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// A call could not be recorded, so it was not made.
    #[error("the audit log could not record the call, so it was not made: {0}")]
    Audit(String),
    /// The write's task ended without an answer (a defect).
    #[error("the write stopped unexpectedly: {0}")]
    Internal(String),
}

/// How one Graph call of a write went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    pub label: String,
    pub status: Status,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

/// A write as it ended: its value or why it stopped, and each of its calls.
#[derive(Debug)]
pub struct Written<T> {
    pub result: Result<T, WriteError>,
    /// What the write meant to do, in order (labels of its calls).
    pub plan: Vec<String>,
    pub steps: Vec<StepReport>,
}

impl<T> Written<T> {
    /// The write's value, or the failure the page shows: `what` failed, Graph's message, and what
    /// had been changed before it stopped.
    pub fn into_result(self, what: impl FnOnce() -> String) -> Result<T, crate::error::Failure> {
        let changes = self.changes();
        let error = match self.result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let what = what();
        Err(match error {
            WriteError::Graph(error) => crate::error::Failure::Graph {
                what,
                error,
                changes,
            },
            other => crate::error::Failure::Internal(format!(
                "{what}: {other}{}",
                changes.map(|c| format!(" ({c})")).unwrap_or_default()
            )),
        })
    }

    /// What was changed and what was not, when the write stopped part-way or without an answer;
    /// `None` when it succeeded or changed nothing for sure.
    pub fn changes(&self) -> Option<String> {
        if self.result.is_ok() {
            return None;
        }
        changes_text(&self.plan, &self.steps)
    }
}

/// "Changed: a. Not changed: b, c." for a write that stopped after some of its calls.
pub fn changes_text(plan: &[String], steps: &[StepReport]) -> Option<String> {
    let done: Vec<&str> = steps
        .iter()
        .filter(|s| s.status == Status::Success)
        .map(|s| s.label.as_str())
        .collect();
    let unknown: Vec<&str> = steps
        .iter()
        .filter(|s| s.status == Status::Unknown)
        .map(|s| s.label.as_str())
        .collect();
    let not_done: Vec<&str> = steps
        .iter()
        .filter(|s| s.status == Status::Failure)
        .map(|s| s.label.as_str())
        .chain(plan.iter().skip(steps.len()).map(String::as_str))
        .collect();
    if done.is_empty() && unknown.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !done.is_empty() {
        parts.push(format!("Changed: {}.", done.join(", ")));
    }
    if !unknown.is_empty() {
        parts.push(format!(
            "No answer came for: {} — it may or may not have been applied; reload to see.",
            unknown.join(", ")
        ));
    }
    if !not_done.is_empty() {
        parts.push(format!("Not changed: {}.", not_done.join(", ")));
    }
    Some(parts.join(" "))
}

/// Makes a write's Graph calls, each audited as its own step (attempt before, outcome after).
#[derive(Clone)]
pub struct Steps {
    log: AuditLog,
    ticket: Ticket,
    graph: GraphClient,
    token: AccessToken,
    reports: Arc<Mutex<Vec<StepReport>>>,
}

impl Steps {
    /// Records the call, makes it, records how it ended. A call that cannot be recorded is not made.
    pub async fn run<T: DeserializeOwned>(
        &self,
        label: &str,
        op: &Op<T>,
    ) -> Result<Answer<T>, WriteError> {
        let request = op.request();
        let index = self.lock().len();
        self.log
            .insert_step(&self.ticket, index, "attempt", label, request, None, now())
            .await
            .map_err(|e| WriteError::Audit(e.to_string()))?;
        let answer = self.graph.run(&self.token, op).await;
        let outcome = match &answer {
            Ok(answer) => Outcome {
                status: Status::Success,
                error_code: None,
                error_message: None,
                request_id: answer.request_id.clone(),
            },
            Err(error) => Outcome::of_error(error, request.method),
        };
        self.lock().push(StepReport {
            label: label.to_owned(),
            status: outcome.status,
            message: outcome.error_message.clone(),
            request_id: outcome.request_id.clone(),
        });
        if let Err(e) = self
            .log
            .insert_step(
                &self.ticket,
                index,
                "outcome",
                label,
                request,
                Some(&outcome),
                now(),
            )
            .await
        {
            tracing::error!(error = %e, step = label, "the outcome of a Graph call could not be audited");
        }
        Ok(answer?)
    }

    /// Runs a request an operation built, its answer as plain JSON.
    pub async fn run_request(
        &self,
        label: &str,
        request: &Request,
    ) -> Result<Answer<serde_json::Value>, WriteError> {
        self.run(label, &Op::raw(request.clone())).await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<StepReport>> {
        self.reports.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Outcome {
    fn of_error(error: &GraphError, method: Method) -> Self {
        // Without an answer, a call that changes something may have been applied.
        let status = if error.kind == GraphErrorKind::Transport && method != Method::Get {
            Status::Unknown
        } else {
            Status::Failure
        };
        Self {
            status,
            error_code: error
                .code
                .clone()
                .or_else(|| Some(format!("{:?}", error.kind))),
            error_message: Some(error.message.clone()),
            request_id: error.request_id.clone(),
        }
    }

    /// The outcome of a whole write from its result and its calls.
    fn of_write<T>(result: &Result<T, WriteError>, steps: &[StepReport]) -> Self {
        match result {
            Ok(_) => Self {
                status: Status::Success,
                error_code: None,
                error_message: None,
                request_id: steps.iter().rev().find_map(|s| s.request_id.clone()),
            },
            Err(error) => {
                let status = if steps.iter().any(|s| s.status == Status::Success) {
                    Status::Partial
                } else if steps.iter().any(|s| s.status == Status::Unknown) {
                    Status::Unknown
                } else {
                    Status::Failure
                };
                let (code, request_id) = match error {
                    WriteError::Graph(g) => (
                        g.code.clone().or_else(|| Some(format!("{:?}", g.kind))),
                        g.request_id.clone(),
                    ),
                    WriteError::Audit(_) => (Some("AuditLogUnavailable".into()), None),
                    WriteError::Internal(_) => (Some("Internal".into()), None),
                };
                Self {
                    status,
                    error_code: code,
                    error_message: Some(error.to_string()),
                    request_id,
                }
            }
        }
    }
}

/// Unix seconds now.
fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl AuditLog {
    /// The audit log in the dashboard's database (its tables come with the store's migrations).
    pub fn new(store: &crate::store::Store) -> Self {
        Self {
            pool: store.pool().clone(),
        }
    }

    /// Records the attempt; only then may the write be made.
    pub async fn begin(&self, attempt: &Attempt, now: i64) -> Result<Ticket, AuditError> {
        let ticket = Ticket(uuid::Uuid::new_v4().to_string());
        self.insert(&ticket, "attempt", attempt, None, now).await?;
        Ok(ticket)
    }

    /// Records how the attempt ended, at `now` (the outcome's own time).
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

    /// Records a write the dashboard refused before making any call, with the reason.
    pub async fn refused(
        &self,
        attempt: &Attempt,
        reason: &str,
        now: i64,
    ) -> Result<(), AuditError> {
        let ticket = self.begin(attempt, now).await?;
        let outcome = Outcome {
            status: Status::Refused,
            error_code: Some("Refused".into()),
            error_message: Some(reason.to_owned()),
            request_id: None,
        };
        self.finish(&ticket, attempt, &outcome, now).await
    }

    /// Records the attempt, then makes the write in a task of its own, so that its calls and its
    /// outcome are recorded even when the request that asked for it is cancelled. `work` makes its
    /// Graph calls through the [`Steps`] it is given (each audited as a step); `plan` names them
    /// in order. An attempt that cannot be recorded is not made.
    pub async fn record<T, F, Fut>(
        &self,
        attempt: Attempt,
        now: i64,
        plan: Vec<String>,
        graph: &GraphClient,
        token: &AccessToken,
        work: F,
    ) -> Result<Written<T>, AuditError>
    where
        F: FnOnce(Steps) -> Fut,
        Fut: std::future::Future<Output = Result<T, WriteError>> + Send + 'static,
        T: Send + 'static,
    {
        let ticket = self.begin(&attempt, now).await?;
        let steps = Steps {
            log: self.clone(),
            ticket: ticket.clone(),
            graph: graph.clone(),
            token: token.clone(),
            reports: Arc::default(),
        };
        let reports = Arc::clone(&steps.reports);
        let future = work(steps);
        let log = self.clone();
        let task = tokio::spawn(async move {
            let result = future.await;
            let steps = reports.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let outcome = Outcome::of_write(&result, &steps);
            let finished = self::now().max(now);
            if let Err(e) = log.finish(&ticket, &attempt, &outcome, finished).await {
                tracing::error!(error = %e, action = %attempt.action, "the outcome of a write could not be audited");
            }
            (result, steps)
        });
        let (result, steps) = match task.await {
            Ok(done) => done,
            Err(join) => (Err(WriteError::Internal(join.to_string())), Vec::new()),
        };
        Ok(Written {
            result,
            plan,
            steps,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_step(
        &self,
        ticket: &Ticket,
        index: usize,
        phase: &str,
        label: &str,
        request: &Request,
        outcome: Option<&Outcome>,
        now: i64,
    ) -> Result<(), AuditError> {
        sqlx::query(
            "INSERT INTO audit_steps (correlation, step, phase, at, label, method, path, outcome,
                error_code, error_message, request_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&ticket.0)
        .bind(index as i64)
        .bind(phase)
        .bind(now)
        .bind(label)
        .bind(request.method.as_str())
        .bind(&request.path)
        .bind(outcome.map(|o| o.status.as_str()))
        .bind(outcome.and_then(|o| o.error_code.clone()))
        .bind(outcome.and_then(|o| o.error_message.clone()))
        .bind(outcome.and_then(|o| o.request_id.clone()))
        .execute(&self.pool)
        .await?;
        Ok(())
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
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
        .bind(outcome.map(|o| o.status.as_str()))
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
        let given = |value: Option<&str>| value.filter(|v| !v.is_empty()).map(str::to_owned);
        // An action is stored under its current name, or an earlier one in older rows; a name that
        // is no action matches nothing.
        let actions: Option<&[&str]> = given(filter.action.as_deref())
            .map(|name| AuditAction::parse(&name).map_or(&[][..], AuditAction::stored_names));
        let mut sql = Params::default();
        let tenants = sql.list(visible.iter().cloned().map(Param::Text));
        let mut conditions = vec![
            "a.phase = 'attempt'".to_owned(),
            format!("a.tenant IN ({tenants})"),
        ];
        if let Some(tenant) = given(filter.tenant.as_deref()) {
            conditions.push(format!("a.tenant = {}", sql.push(Param::Text(tenant))));
        }
        if let Some(actor) = given(filter.actor.as_deref()) {
            // A substring, case-insensitively: LIKE with the pattern's own wildcards escaped
            // (SQLite "The LIKE, GLOB, REGEXP, MATCH, and extract operators"; PostgreSQL "Pattern
            // Matching": both take `ESCAPE`).
            let pattern = sql.push(Param::Text(like_escaped(&actor)));
            conditions.push(format!(
                "lower(a.actor_upn || ' ' || a.actor_name) LIKE '%' || lower({pattern}) || '%' \
                 ESCAPE '\\'"
            ));
        }
        if let Some(actions) = actions {
            if actions.is_empty() {
                conditions.push("1 = 0".to_owned());
            } else {
                let names = sql.list(actions.iter().map(|a| Param::Text((*a).to_owned())));
                conditions.push(format!("a.action IN ({names})"));
            }
        }
        if let Some(outcome) = given(filter.outcome.as_deref()) {
            conditions.push(format!(
                "COALESCE(o.outcome, 'unknown') = {}",
                sql.push(Param::Text(outcome))
            ));
        }
        if let Some(from) = filter.from {
            conditions.push(format!("a.at >= {}", sql.push(Param::Int(from))));
        }
        if let Some(to) = filter.to {
            conditions.push(format!("a.at <= {}", sql.push(Param::Int(to))));
        }
        let text = format!(
            "SELECT a.correlation, a.at, a.actor_name, a.actor_upn, a.actor_oid, a.actor_tenant, a.tenant, a.action,
                    a.inputs, o.at AS finished, o.outcome, o.error_code, o.error_message, o.request_id
             FROM audit_log a
             LEFT JOIN audit_log o ON o.correlation = a.correlation AND o.phase = 'outcome'
             WHERE {}
             ORDER BY a.seq DESC
             LIMIT {QUERY_LIMIT}",
            conditions.join(" AND ")
        );
        let query = sql.bind_to(sqlx::query(&text));
        let rows = query.fetch_all(&self.pool).await?;
        let mut entries = Vec::with_capacity(rows.len());
        let mut correlations = Vec::with_capacity(rows.len());
        for row in &rows {
            correlations.push(row.try_get::<String, _>("correlation")?);
            entries.push(AuditEntry {
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
                steps: Vec::new(),
            });
        }
        let mut steps = self.steps_of(&correlations).await?;
        for (entry, correlation) in entries.iter_mut().zip(&correlations) {
            entry.steps = steps.remove(correlation).unwrap_or_default();
        }
        Ok(entries)
    }

    /// The steps of these writes, in order, each with its outcome (`unknown` when none was
    /// recorded: the call may or may not have been made).
    async fn steps_of(
        &self,
        correlations: &[String],
    ) -> Result<std::collections::HashMap<String, Vec<AuditStep>>, AuditError> {
        let mut found: std::collections::HashMap<String, Vec<AuditStep>> = Default::default();
        if correlations.is_empty() {
            return Ok(found);
        }
        let mut sql = Params::default();
        let wanted = sql.list(correlations.iter().cloned().map(Param::Text));
        let text = format!(
            "SELECT a.correlation, a.at, a.label, a.method, a.path, o.at AS finished, o.outcome,
                    o.error_message, o.request_id
             FROM audit_steps a
             LEFT JOIN audit_steps o ON o.correlation = a.correlation AND o.step = a.step
                                    AND o.phase = 'outcome'
             WHERE a.phase = 'attempt' AND a.correlation IN ({wanted})
             ORDER BY a.correlation, a.step"
        );
        let rows = sql
            .bind_to(sqlx::query(&text))
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            let correlation: String = row.try_get("correlation")?;
            found.entry(correlation).or_default().push(AuditStep {
                label: row.try_get("label")?,
                method: row.try_get("method")?,
                path: row.try_get("path")?,
                at: row.try_get("at")?,
                finished: row.try_get("finished")?,
                outcome: row
                    .try_get::<Option<String>, _>("outcome")?
                    .unwrap_or_else(|| "unknown".into()),
                error_message: row.try_get("error_message")?,
                request_id: row.try_get("request_id")?,
            });
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn log() -> (AuditLog, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::store::sqlite_url(&dir.path().join("audit.sqlite"));
        let store = crate::store::open(&url, true).await.unwrap();
        (AuditLog::new(&store), dir)
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
                status: Status::Failure,
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
