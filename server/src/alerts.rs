//! Alerts: when the monitor sees a finding open, escalate or clear, each configured target
//! (`[[alerts]]`: Microsoft Teams, Slack or a generic JSON webhook) is told once, retried with
//! backoff, and every delivery is recorded.
//!
//! Each (target, finding key, event, occurrence) is claimed in the `alert_deliveries` table before
//! anything is sent, so it is sent at most once, across restarts too; every attempt is recorded in
//! `alert_attempts`. A target is known by its name only: its URL (which often carries a secret) is
//! never logged, stored nor shown, and transport errors are reported without it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::api::data::status::{AlertDelivery, TrackedFinding};
use app::mesh::health::Severity;
use serde_json::{json, Value};
use sqlx::AnyPool;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::metrics::Metrics;
use crate::settings::{AlertKind, AlertTarget};

/// What happened to a finding between two runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Opened,
    Escalated,
    Cleared,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::Escalated => "escalated",
            Self::Cleared => "cleared",
        }
    }

    fn headline(self) -> &'static str {
        match self {
            Self::Opened => "New finding",
            Self::Escalated => "Finding escalated",
            Self::Cleared => "Finding cleared",
        }
    }
}

/// One change to tell the targets about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingEvent {
    pub kind: EventKind,
    pub finding: TrackedFinding,
}

impl FindingEvent {
    /// Which occurrence of the finding the event is about: a finding that clears and comes back is
    /// a new occurrence (a new `opened_at`), and each escalation of one is its own.
    fn occurrence(&self) -> String {
        match (self.kind, self.finding.escalated_at) {
            (EventKind::Escalated, Some(at)) => format!("{}/{at}", self.finding.opened_at),
            _ => self.finding.opened_at.to_string(),
        }
    }
}

/// How a delivery is retried after a 429, a 5xx or no answer: `first_wait`, doubled each time up
/// to `max_wait`, or the target's `Retry-After` when it asks for longer; `max_attempts` in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRetry {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// The wait before the second attempt.
    pub first_wait: Duration,
    /// The longest wait; a `Retry-After` asking for more ends the delivery as failed.
    pub max_wait: Duration,
}

impl Default for AlertRetry {
    /// Six attempts over about five minutes.
    fn default() -> Self {
        Self {
            max_attempts: 6,
            first_wait: Duration::from_secs(10),
            max_wait: Duration::from_secs(10 * 60),
        }
    }
}

impl AlertRetry {
    /// The wait after attempt `attempt` (1-based), or `None` when no attempt follows.
    fn wait_after(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let doubled = self
            .first_wait
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_wait);
        match retry_after {
            Some(asked) if asked > self.max_wait => None,
            Some(asked) => Some(asked.max(doubled)),
            None => Some(doubled),
        }
    }
}

/// Deliveries sent at the same time, at most (a burst of findings does not open a burst of
/// connections).
const CONCURRENT_SENDS: usize = 4;

/// The configured targets and their delivery record.
#[derive(Default)]
pub struct Alerts {
    shared: Arc<Shared>,
    /// Deliveries under way, for [`Alerts::settled`].
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

#[derive(Default)]
struct Shared {
    targets: Vec<AlertTarget>,
    /// `None`: no database, so nothing is sent (it could not be deduplicated).
    pool: Option<AnyPool>,
    metrics: Arc<Metrics>,
    http: reqwest::Client,
    retry: AlertRetry,
    /// The dashboard's public URL, to make findings' links absolute.
    public_url: String,
    sending: Option<Semaphore>,
}

/// One claimed delivery: what to send where.
struct Delivery {
    id: i64,
    target: AlertTarget,
    finding_key: String,
    event: String,
    payload: String,
}

impl Alerts {
    /// `http` should not follow redirects (a webhook answering with one is not delivered to).
    pub fn new(
        targets: Vec<AlertTarget>,
        store: &crate::store::Store,
        metrics: Arc<Metrics>,
        http: reqwest::Client,
        retry: AlertRetry,
    ) -> Self {
        for target in &targets {
            metrics.alert_target(kind_name(target.kind));
        }
        Self {
            shared: Arc::new(Shared {
                targets,
                pool: Some(store.pool().clone()),
                metrics,
                http,
                retry,
                public_url: String::new(),
                sending: Some(Semaphore::new(CONCURRENT_SENDS)),
            }),
            tasks: Mutex::new(Vec::new()),
        }
    }

    /// Links in the messages start with `public_url` (the dashboard's address as people reach it).
    pub fn with_public_url(mut self, public_url: &str) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.public_url = public_url.trim_end_matches('/').to_owned();
        }
        self
    }

    /// Tells every target about `events`: each delivery is claimed (skipped when it was claimed
    /// before) and then sent in the background.
    pub async fn notify(&self, events: &[FindingEvent]) {
        for event in events {
            for target in &self.shared.targets {
                if !wanted(target, event.finding.finding.severity) {
                    continue;
                }
                if let Some(delivery) = self.shared.claim(target, event).await {
                    self.spawn(delivery);
                }
            }
        }
    }

    /// Finishes deliveries a restart interrupted (still `retrying`), to targets still configured;
    /// those whose target is gone end as failed.
    pub async fn resume(&self) {
        for delivery in self.shared.interrupted().await {
            self.spawn(delivery);
        }
    }

    /// The latest deliveries, newest first.
    pub async fn recent(&self, limit: usize) -> Vec<AlertDelivery> {
        let Some(pool) = &self.shared.pool else {
            return Vec::new();
        };
        let rows = sqlx::query_as::<_, (String, String, String, i64, String, i64, Option<String>)>(
            "SELECT target, finding_key, event, at, outcome, attempts, error \
             FROM alert_deliveries ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await;
        match rows {
            Ok(rows) => rows
                .into_iter()
                .map(
                    |(target, finding_key, event, at, outcome, attempts, error)| AlertDelivery {
                        target,
                        finding_key,
                        event,
                        at,
                        outcome,
                        attempts: u32::try_from(attempts).unwrap_or(0),
                        error,
                    },
                )
                .collect(),
            Err(error) => {
                tracing::error!(%error, "the alert deliveries could not be read");
                Vec::new()
            }
        }
    }

    /// Waits until every delivery started so far has ended (sent or failed).
    pub async fn settled(&self) {
        loop {
            let running = std::mem::take(&mut *self.lock_tasks());
            if running.is_empty() {
                return;
            }
            for task in running {
                if let Err(error) = task.await {
                    tracing::error!(%error, "an alert delivery task ended abnormally");
                }
            }
        }
    }

    fn spawn(&self, delivery: Delivery) {
        let shared = Arc::clone(&self.shared);
        let task = tokio::spawn(async move { shared.deliver(delivery).await });
        let mut tasks = self.lock_tasks();
        tasks.retain(|task| !task.is_finished());
        tasks.push(task);
    }

    fn lock_tasks(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The HTTP client for webhooks: no redirects followed (a webhook that answers with one is not
/// delivered to, and nothing is sent where the configuration did not say), bounded waits.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("TenantMesh/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .build()
}

/// Whether `target` wants findings of `severity` (default: warnings and errors).
fn wanted(target: &AlertTarget, severity: Severity) -> bool {
    let least = match target.min_severity.as_deref().map(str::to_ascii_lowercase) {
        Some(level) if level == "error" => Severity::Error,
        Some(level) if level == "info" => Severity::Info,
        _ => Severity::Warning,
    };
    // `Severity` orders the worst first.
    severity <= least
}

fn kind_name(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Teams => "teams",
        AlertKind::Slack => "slack",
        AlertKind::Webhook => "webhook",
    }
}

/// How one attempt went.
enum Attempt {
    Sent(u16),
    /// Worth another try (429, 5xx, no answer), after the target's `Retry-After` if it gave one.
    Transient {
        status: Option<u16>,
        error: String,
        retry_after: Option<Duration>,
    },
    /// Not worth another try (another 4xx, a redirect).
    Refused {
        status: u16,
        error: String,
    },
}

impl Shared {
    /// Records the delivery as claimed; `None` when it was claimed before (or cannot be recorded,
    /// so cannot be kept from being sent twice).
    async fn claim(&self, target: &AlertTarget, event: &FindingEvent) -> Option<Delivery> {
        let pool = self.pool.as_ref()?;
        let payload = payload(target.kind, event, &self.public_url).to_string();
        let now = crate::auth::flow::now();
        // `RETURNING` gives the new row's id, and no row when the delivery was claimed before
        // (SQLite "RETURNING clause", PostgreSQL "INSERT … ON CONFLICT").
        let claimed = sqlx::query_scalar::<_, i64>(
            "INSERT INTO alert_deliveries \
             (target, target_kind, finding_key, event, occurrence, payload, created_at, at, outcome) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'retrying') \
             ON CONFLICT (target, finding_key, event, occurrence) DO NOTHING RETURNING id",
        )
        .bind(&target.name)
        .bind(kind_name(target.kind))
        .bind(&event.finding.key)
        .bind(event.kind.as_str())
        .bind(event.occurrence())
        .bind(&payload)
        .bind(now)
        .bind(now)
        .fetch_optional(pool)
        .await;
        match claimed {
            Ok(Some(id)) => Some(Delivery {
                id,
                target: target.clone(),
                finding_key: event.finding.key.clone(),
                event: event.kind.as_str().to_owned(),
                payload,
            }),
            Ok(None) => {
                tracing::debug!(alert_target = %target.name, finding = %event.finding.key,
                    event = event.kind.as_str(), "alert already delivered or under way; not sent again");
                None
            }
            Err(error) => {
                tracing::error!(%error, alert_target = %target.name, finding = %event.finding.key,
                    "the alert delivery could not be recorded; not sent");
                None
            }
        }
    }

    /// Deliveries left `retrying` by a previous process, with their target (by name) if still
    /// configured; the others are closed as failed.
    async fn interrupted(&self) -> Vec<Delivery> {
        let Some(pool) = &self.pool else {
            return Vec::new();
        };
        let rows = sqlx::query_as::<_, (i64, String, String, String, String)>(
            "SELECT id, target, finding_key, event, payload FROM alert_deliveries \
             WHERE outcome = 'retrying' ORDER BY id",
        )
        .fetch_all(pool)
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "interrupted alert deliveries could not be read");
            Vec::new()
        });
        let mut resumed = Vec::new();
        for (id, name, finding_key, event, payload) in rows {
            match self.targets.iter().find(|target| target.name == name) {
                Some(target) => resumed.push(Delivery {
                    id,
                    target: target.clone(),
                    finding_key,
                    event,
                    payload,
                }),
                None => {
                    self.update(
                        id,
                        "failed",
                        None,
                        Some("the target is no longer configured"),
                    )
                    .await
                }
            }
        }
        resumed
    }

    /// Sends one delivery, retrying as [`AlertRetry`] says, recording every attempt.
    async fn deliver(&self, delivery: Delivery) {
        let kind = kind_name(delivery.target.kind);
        let mut attempt = self.attempts_so_far(delivery.id).await + 1;
        loop {
            let outcome = {
                // Held while sending, not while waiting to retry.
                let _permit = match &self.sending {
                    Some(sending) => sending.acquire().await.ok(),
                    None => None,
                };
                self.attempt(&delivery).await
            };
            let (status, error, wait) = match &outcome {
                Attempt::Sent(status) => (Some(*status), None, None),
                Attempt::Transient {
                    status,
                    error,
                    retry_after,
                } => (
                    *status,
                    Some(error.as_str()),
                    self.retry.wait_after(attempt, *retry_after),
                ),
                Attempt::Refused { status, error } => (Some(*status), Some(error.as_str()), None),
            };
            self.record_attempt(delivery.id, attempt, status, error)
                .await;
            let state = match (&outcome, wait) {
                (Attempt::Sent(_), _) => "sent",
                (_, Some(_)) => "retrying",
                (_, None) => "failed",
            };
            self.update(delivery.id, state, Some(attempt), error).await;
            log_attempt(&delivery, attempt, state, error);
            match wait {
                Some(wait) => {
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => {
                    self.metrics.alert(kind, state == "sent");
                    return;
                }
            }
        }
    }

    /// One POST of the payload.
    async fn attempt(&self, delivery: &Delivery) -> Attempt {
        let sent = self
            .http
            .post(delivery.target.url.expose())
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(delivery.payload.clone())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                return Attempt::Transient {
                    status: None,
                    error: describe_transport(&error),
                    retry_after: None,
                }
            }
        };
        let status = response.status().as_u16();
        match status {
            200..=299 => Attempt::Sent(status),
            429 | 500..=599 => Attempt::Transient {
                status: Some(status),
                error: format!("the target answered {status}"),
                retry_after: response
                    .headers()
                    .get(http::header::RETRY_AFTER)
                    .and_then(|value| value.to_str().ok())
                    .and_then(parse_retry_after),
            },
            _ => Attempt::Refused {
                status,
                error: format!("the target answered {status}; not retried"),
            },
        }
    }

    /// Attempts recorded before (a resumed delivery goes on counting).
    async fn attempts_so_far(&self, id: i64) -> u32 {
        let Some(pool) = &self.pool else { return 0 };
        sqlx::query_scalar::<_, i64>("SELECT attempts FROM alert_deliveries WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .ok()
            .and_then(|attempts| u32::try_from(attempts).ok())
            .unwrap_or(0)
    }

    async fn record_attempt(
        &self,
        id: i64,
        attempt: u32,
        status: Option<u16>,
        error: Option<&str>,
    ) {
        let Some(pool) = &self.pool else { return };
        let recorded = sqlx::query(
            "INSERT INTO alert_attempts (delivery_id, attempt, at, status, error) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (delivery_id, attempt) DO UPDATE \
             SET at = excluded.at, status = excluded.status, error = excluded.error",
        )
        .bind(id)
        .bind(i64::from(attempt))
        .bind(crate::auth::flow::now())
        .bind(status.map(i64::from))
        .bind(error)
        .execute(pool)
        .await;
        if let Err(error) = recorded {
            tracing::error!(%error, delivery = id, "an alert attempt could not be recorded");
        }
    }

    async fn update(&self, id: i64, outcome: &str, attempts: Option<u32>, error: Option<&str>) {
        let Some(pool) = &self.pool else { return };
        let updated = sqlx::query(
            "UPDATE alert_deliveries SET outcome = $1, attempts = COALESCE($2, attempts), \
             error = $3, at = $4 WHERE id = $5",
        )
        .bind(outcome)
        .bind(attempts.map(i64::from))
        .bind(error)
        .bind(crate::auth::flow::now())
        .bind(id)
        .execute(pool)
        .await;
        if let Err(error) = updated {
            tracing::error!(%error, delivery = id, "an alert delivery could not be updated");
        }
    }
}

/// Logs an attempt by the target's name, never its URL.
fn log_attempt(delivery: &Delivery, attempt: u32, state: &str, error: Option<&str>) {
    let alert_target = delivery.target.name.as_str();
    let kind = kind_name(delivery.target.kind);
    let finding = delivery.finding_key.as_str();
    let event = delivery.event.as_str();
    match state {
        "sent" => tracing::info!(alert_target, kind, finding, event, attempt, "alert sent"),
        "retrying" => {
            tracing::warn!(
                alert_target,
                kind,
                finding,
                event,
                attempt,
                error,
                "alert not sent yet; retrying"
            )
        }
        _ => tracing::error!(
            alert_target,
            kind,
            finding,
            event,
            attempt,
            error,
            "alert delivery failed"
        ),
    }
}

/// A transport error in words, without the URL (`reqwest` puts it in its errors' text).
fn describe_transport(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the target did not answer in time".to_owned()
    } else if error.is_connect() {
        "no connection could be made to the target".to_owned()
    } else {
        // Lower-level causes (hyper, io) do not carry the URL.
        match std::error::Error::source(error) {
            Some(cause) => format!("the request could not be sent: {cause}"),
            None => "the request could not be sent".to_owned(),
        }
    }
}

/// `Retry-After` in seconds or as an HTTP date (RFC 9110, section 10.2.3).
fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Some(wait) = graph::client::parse_retry_after(value) {
        return Some(wait);
    }
    let at =
        time::OffsetDateTime::parse(value.trim(), &time::format_description::well_known::Rfc2822)
            .ok()?;
    let seconds = (at - time::OffsetDateTime::now_utc()).whole_seconds();
    Some(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)))
}

/// The body for a target of `kind`.
fn payload(kind: AlertKind, event: &FindingEvent, public_url: &str) -> Value {
    let message = Message::of(event, public_url);
    match kind {
        AlertKind::Teams => teams_card(&message),
        AlertKind::Slack => slack_message(&message),
        AlertKind::Webhook => webhook_event(event, &message),
    }
}

/// What every format says, in words.
struct Message {
    headline: String,
    kind: EventKind,
    severity: Severity,
    rule: String,
    tenants: String,
    explanation: String,
    fix: String,
    link: String,
    opened_at: String,
    cleared_at: Option<String>,
}

impl Message {
    fn of(event: &FindingEvent, public_url: &str) -> Self {
        let finding = &event.finding.finding;
        Self {
            headline: format!("{}: {}", event.kind.headline(), finding.title),
            kind: event.kind,
            severity: finding.severity,
            rule: finding.rule.clone(),
            tenants: finding.tenants.join(", "),
            explanation: finding.explanation.clone(),
            fix: finding.fix.clone(),
            link: format!("{public_url}{}", finding.link),
            opened_at: rfc3339(event.finding.opened_at),
            cleared_at: event.finding.cleared_at.map(rfc3339),
        }
    }
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// A message with one Adaptive Card attachment, the format a Teams "Post to a channel when a
/// webhook request is received" workflow (Microsoft Support, "Create incoming webhooks with
/// Workflows for Microsoft Teams") and an incoming webhook take: MicrosoftDocs/msteams-docs
/// `msteams-platform/webhooks-and-connectors/how-to/connectors-using.md`, "Send Adaptive Cards
/// using an Incoming Webhook" (`type` `message`, `contentType`
/// `application/vnd.microsoft.card.adaptive`, the card in `content`; `Action.OpenUrl` is supported).
fn teams_card(message: &Message) -> Value {
    // TextBlock colours: https://adaptivecards.io/explorer/TextBlock.html
    let color = match (message.kind, message.severity) {
        (EventKind::Cleared, _) => "Good",
        (_, Severity::Error) => "Attention",
        (_, Severity::Warning) => "Warning",
        (_, Severity::Info) => "Accent",
    };
    let mut facts = vec![
        json!({ "title": "Severity", "value": message.severity.label() }),
        json!({ "title": "Rule", "value": message.rule }),
        json!({ "title": "Tenants", "value": message.tenants }),
        json!({ "title": "Opened", "value": message.opened_at }),
    ];
    if let Some(cleared_at) = &message.cleared_at {
        facts.push(json!({ "title": "Cleared", "value": cleared_at }));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    { "type": "TextBlock", "text": message.headline, "weight": "Bolder",
                      "size": "Medium", "color": color, "wrap": true },
                    { "type": "TextBlock", "text": message.explanation, "wrap": true },
                    { "type": "FactSet", "facts": facts },
                    { "type": "TextBlock", "text": format!("Fix: {}", message.fix), "wrap": true },
                ],
                "actions": [{ "type": "Action.OpenUrl", "title": "Open in Tenant Mesh",
                              "url": message.link }],
            },
        }],
    })
}

/// A Slack incoming-webhook message: `text` (the notification's fallback) and Block Kit `blocks`
/// (Slack, "Sending messages using incoming webhooks"; text escaped as "Formatting text for app
/// surfaces" says: `&`, `<`, `>`).
fn slack_message(message: &Message) -> Value {
    let mut fields = vec![
        format!("*Severity*\n{}", message.severity.label()),
        format!("*Rule*\n{}", slack_escape(&message.rule)),
        format!("*Tenants*\n{}", slack_escape(&message.tenants)),
        format!("*Opened*\n{}", message.opened_at),
    ];
    if let Some(cleared_at) = &message.cleared_at {
        fields.push(format!("*Cleared*\n{cleared_at}"));
    }
    let fields: Vec<Value> = fields
        .into_iter()
        .map(|text| json!({ "type": "mrkdwn", "text": text }))
        .collect();
    json!({
        "text": message.headline,
        "blocks": [
            { "type": "header",
              "text": { "type": "plain_text", "text": truncate(&message.headline, 150) } },
            { "type": "section",
              "text": { "type": "mrkdwn", "text": slack_escape(&message.explanation) } },
            { "type": "section", "fields": fields },
            { "type": "section",
              "text": { "type": "mrkdwn", "text": format!("*Fix:* {}", slack_escape(&message.fix)) } },
            { "type": "context",
              "elements": [{ "type": "mrkdwn",
                             "text": format!("<{}|Open in Tenant Mesh>", message.link) }] },
        ],
    })
}

/// The generic webhook's JSON: the event, the finding and its times.
fn webhook_event(event: &FindingEvent, message: &Message) -> Value {
    let finding = &event.finding.finding;
    json!({
        "event": event.kind.as_str(),
        "finding": {
            "key": event.finding.key,
            "rule": finding.rule,
            "severity": finding.severity.label(),
            "title": finding.title,
            "explanation": finding.explanation,
            "fix": finding.fix,
            "tenants": finding.tenants,
            "link": message.link,
        },
        "opened_at": message.opened_at,
        "escalated_at": event.finding.escalated_at.map(rfc3339),
        "cleared_at": message.cleared_at,
    })
}

fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// At most `max` characters, with an ellipsis when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::mesh::health::Finding;

    fn event(kind: EventKind, severity: Severity) -> FindingEvent {
        FindingEvent {
            kind,
            finding: TrackedFinding {
                key: "sync-quarantined:a,b".into(),
                finding: Finding {
                    rule: "sync-quarantined".into(),
                    severity,
                    tenants: vec!["a".into(), "b".into()],
                    title: "Sync <quarantined>".into(),
                    explanation: "Because & why".into(),
                    fix: "Fix it".into(),
                    link: "/pairs/a/b".into(),
                },
                opened_at: 1_700_000_000,
                last_seen_at: 1_700_000_300,
                escalated_at: None,
                cleared_at: (kind == EventKind::Cleared).then_some(1_700_000_600),
            },
        }
    }

    fn target(min_severity: Option<&str>) -> AlertTarget {
        AlertTarget {
            name: "ops".into(),
            kind: AlertKind::Webhook,
            url: crate::secret::Secret::new("http://127.0.0.1/hook"),
            min_severity: min_severity.map(str::to_owned),
        }
    }

    #[test]
    fn minimum_severity_defaults_to_warning() {
        assert!(wanted(&target(None), Severity::Error));
        assert!(wanted(&target(None), Severity::Warning));
        assert!(!wanted(&target(None), Severity::Info));
        assert!(!wanted(&target(Some("error")), Severity::Warning));
        assert!(wanted(&target(Some("info")), Severity::Info));
    }

    #[test]
    fn backoff_doubles_honours_retry_after_and_ends() {
        let retry = AlertRetry {
            max_attempts: 4,
            first_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(3),
        };
        assert_eq!(retry.wait_after(1, None), Some(Duration::from_secs(1)));
        assert_eq!(retry.wait_after(2, None), Some(Duration::from_secs(2)));
        assert_eq!(retry.wait_after(3, None), Some(Duration::from_secs(3)));
        assert_eq!(retry.wait_after(4, None), None);
        assert_eq!(
            retry.wait_after(1, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(retry.wait_after(1, Some(Duration::from_secs(60))), None);
    }

    #[test]
    fn occurrences_tell_reopenings_and_escalations_apart() {
        let mut opened = event(EventKind::Opened, Severity::Warning);
        assert_eq!(opened.occurrence(), "1700000000");
        opened.kind = EventKind::Escalated;
        opened.finding.escalated_at = Some(1_700_000_100);
        assert_eq!(opened.occurrence(), "1700000000/1700000100");
    }

    #[test]
    fn each_format_carries_the_finding() {
        let opened = event(EventKind::Opened, Severity::Error);
        let teams = payload(AlertKind::Teams, &opened, "https://mesh.example");
        assert_eq!(teams["type"], "message");
        let attachment = &teams["attachments"][0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(attachment["content"]["type"], "AdaptiveCard");
        assert_eq!(
            attachment["content"]["actions"][0]["url"],
            "https://mesh.example/pairs/a/b"
        );

        let slack = payload(AlertKind::Slack, &opened, "https://mesh.example");
        assert_eq!(slack["text"], "New finding: Sync <quarantined>");
        assert_eq!(slack["blocks"][1]["text"]["text"], "Because &amp; why");

        let cleared = event(EventKind::Cleared, Severity::Error);
        let generic = payload(AlertKind::Webhook, &cleared, "");
        assert_eq!(generic["event"], "cleared");
        assert_eq!(generic["finding"]["rule"], "sync-quarantined");
        assert_eq!(generic["finding"]["severity"], "error");
        assert_eq!(generic["finding"]["tenants"], json!(["a", "b"]));
        assert_eq!(generic["opened_at"], "2023-11-14T22:13:20Z");
        assert_eq!(generic["cleared_at"], "2023-11-14T22:23:20Z");
    }

    #[test]
    fn retry_after_reads_seconds() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
