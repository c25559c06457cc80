//! Alerts end to end: a local webhook receiver (axum on 127.0.0.1:0) gets each delivery once,
//! retries follow the receiver's answers, and the target's URL (its secret) is never shown, stored
//! nor logged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::api::data::status::TrackedFinding;
use app::mesh::health::{Finding, Severity};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::Value;
use tenant_mesh_server::alerts::{AlertRetry, Alerts, EventKind, FindingEvent};
use tenant_mesh_server::metrics::Metrics;
use tenant_mesh_server::secret::Secret;
use tenant_mesh_server::settings::{AlertKind, AlertTarget};
use tenant_mesh_server::store::Store;

/// The secret part of the webhook URLs: it must never appear anywhere but in the request itself.
const SECRET: &str = "sig-7f3a9c-not-to-be-shown";

/// A webhook receiver: the bodies it got, and the statuses it answers with (200 once they run out).
#[derive(Clone, Default)]
struct Receiver {
    bodies: Arc<Mutex<Vec<Value>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
    /// Answer with this status forever instead (a target that always fails).
    always: Option<u16>,
}

impl Receiver {
    fn answering(answers: &[u16]) -> Self {
        Self {
            answers: Arc::new(Mutex::new(answers.iter().copied().collect())),
            ..Self::default()
        }
    }

    fn always(status: u16) -> Self {
        Self {
            always: Some(status),
            ..Self::default()
        }
    }

    fn received(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }

    /// Listens on an ephemeral port; returns the webhook URL, with the secret in its path and query.
    async fn start(&self) -> String {
        let receiver = self.clone();
        let app = axum::Router::new().route(
            "/hooks/{token}",
            axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
                let receiver = receiver.clone();
                async move {
                    receiver.bodies.lock().unwrap().push(body);
                    let status = receiver
                        .always
                        .or_else(|| receiver.answers.lock().unwrap().pop_front())
                        .unwrap_or(200);
                    (
                        StatusCode::from_u16(status).unwrap(),
                        [("retry-after", "0")],
                    )
                        .into_response()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/hooks/{SECRET}?sig={SECRET}")
    }
}

fn target(name: &str, kind: AlertKind, url: &str) -> AlertTarget {
    AlertTarget {
        name: name.into(),
        kind,
        url: Secret::new(url),
        min_severity: None,
    }
}

fn quick_retry(max_attempts: u32) -> AlertRetry {
    AlertRetry {
        max_attempts,
        first_wait: Duration::from_millis(10),
        max_wait: Duration::from_millis(100),
    }
}

struct Setup {
    store: Store,
    metrics: Arc<Metrics>,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let url = tenant_mesh_server::store::sqlite_url(&dir.path().join("db.sqlite"));
    let store = tenant_mesh_server::store::open(&url, true).await.unwrap();
    Setup {
        store,
        metrics: Arc::new(Metrics::new()),
        _dir: dir,
    }
}

fn alerts(setup: &Setup, targets: Vec<AlertTarget>, retry: AlertRetry) -> Alerts {
    Alerts::new(
        targets,
        &setup.store,
        Arc::clone(&setup.metrics),
        tenant_mesh_server::alerts::http_client().unwrap(),
        retry,
    )
    .with_public_url("https://mesh.example")
}

fn quarantine(severity: Severity) -> TrackedFinding {
    TrackedFinding {
        key: "sync-quarantined:contoso,fabrikam".into(),
        finding: Finding {
            rule: "sync-quarantined".into(),
            severity,
            tenants: vec!["fabrikam".into(), "contoso".into()],
            title: "Sync from Woodgrove to Fabrikam is quarantined".into(),
            explanation: "The job stopped after repeated errors.".into(),
            fix: "Fix the mapping, then restart the job.".into(),
            link: "/pairs/woodgrove/fabrikam".into(),
        },
        opened_at: 1_700_000_000,
        last_seen_at: 1_700_000_000,
        escalated_at: None,
        cleared_at: None,
    }
}

fn event(kind: EventKind, finding: &TrackedFinding) -> FindingEvent {
    FindingEvent {
        kind,
        finding: finding.clone(),
    }
}

#[tokio::test]
async fn an_event_is_delivered_once_and_a_repeat_is_not_even_after_a_restart() {
    let setup = setup().await;
    let receiver = Receiver::default();
    let url = receiver.start().await;
    let targets = vec![target("ops hook", AlertKind::Webhook, &url)];
    let alerts = alerts(&setup, targets.clone(), quick_retry(3));
    let open = quarantine(Severity::Error);

    alerts.notify(&[event(EventKind::Opened, &open)]).await;
    alerts.settled().await;
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["event"], "opened");
    assert_eq!(received[0]["finding"]["rule"], "sync-quarantined");
    assert_eq!(received[0]["finding"]["severity"], "error");
    assert_eq!(
        received[0]["finding"]["link"],
        "https://mesh.example/pairs/woodgrove/fabrikam"
    );
    assert_eq!(received[0]["opened_at"], "2023-11-14T22:13:20Z");
    assert!(received[0]["cleared_at"].is_null());

    // The next run sees it still open and reports it again: not sent again.
    alerts.notify(&[event(EventKind::Opened, &open)]).await;
    alerts.settled().await;
    assert_eq!(receiver.received().len(), 1);
    // Nor by a new process on the same database.
    let restarted = self::alerts(&setup, targets, quick_retry(3));
    restarted.notify(&[event(EventKind::Opened, &open)]).await;
    restarted.settled().await;
    assert_eq!(receiver.received().len(), 1);

    let mut cleared = open.clone();
    cleared.cleared_at = Some(1_700_000_600);
    restarted
        .notify(&[event(EventKind::Cleared, &cleared)])
        .await;
    restarted.settled().await;
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1]["event"], "cleared");
    assert_eq!(received[1]["cleared_at"], "2023-11-14T22:23:20Z");

    let recent = restarted.recent(10).await;
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0].event, "cleared", "newest first");
    assert!(recent
        .iter()
        .all(|d| d.outcome == "sent" && d.attempts == 1 && d.target == "ops hook"));

    // The same finding opening again later is a new occurrence: told again.
    let mut reopened = open.clone();
    reopened.opened_at = 1_700_001_000;
    restarted
        .notify(&[event(EventKind::Opened, &reopened)])
        .await;
    restarted.settled().await;
    assert_eq!(receiver.received().len(), 3);
    assert!(setup
        .metrics
        .render()
        .contains("tenant_mesh_alert_deliveries_total{kind=\"webhook\",outcome=\"sent\"} 3"));
}

#[tokio::test]
async fn each_kind_gets_its_format_and_findings_below_the_minimum_are_not_sent() {
    let setup = setup().await;
    let teams = Receiver::default();
    let slack = Receiver::default();
    let mut errors_only = target("slack errors", AlertKind::Slack, &slack.start().await);
    errors_only.min_severity = Some("error".into());
    let alerts = alerts(
        &setup,
        vec![
            target("teams", AlertKind::Teams, &teams.start().await),
            errors_only,
        ],
        quick_retry(3),
    );

    alerts
        .notify(&[event(EventKind::Opened, &quarantine(Severity::Warning))])
        .await;
    alerts.settled().await;
    assert!(slack.received().is_empty(), "a warning is below `error`");
    let card = &teams.received()[0];
    assert_eq!(card["type"], "message");
    assert_eq!(
        card["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["attachments"][0]["content"]["type"], "AdaptiveCard");

    let mut escalated = quarantine(Severity::Error);
    escalated.escalated_at = Some(1_700_000_300);
    alerts
        .notify(&[event(EventKind::Escalated, &escalated)])
        .await;
    alerts.settled().await;
    let message = &slack.received()[0];
    assert_eq!(
        message["text"],
        "Finding escalated: Sync from Woodgrove to Fabrikam is quarantined"
    );
    assert!(message["blocks"].as_array().is_some_and(|b| !b.is_empty()));
    assert_eq!(teams.received().len(), 2);

    let info = quarantine(Severity::Info);
    let mut other = info.clone();
    other.key = "info-only".into();
    alerts.notify(&[event(EventKind::Opened, &other)]).await;
    alerts.settled().await;
    assert_eq!(
        teams.received().len(),
        2,
        "info is below the default `warning`"
    );
}

#[tokio::test]
async fn a_target_answering_500_then_200_is_retried_and_sent_on_the_second_attempt() {
    let setup = setup().await;
    let receiver = Receiver::answering(&[500]);
    let url = receiver.start().await;
    let alerts = alerts(
        &setup,
        vec![target("flaky", AlertKind::Webhook, &url)],
        quick_retry(4),
    );

    alerts
        .notify(&[event(EventKind::Opened, &quarantine(Severity::Error))])
        .await;
    alerts.settled().await;

    assert_eq!(receiver.received().len(), 2);
    let recent = alerts.recent(5).await;
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].outcome, "sent");
    assert_eq!(recent[0].attempts, 2);
    assert_eq!(recent[0].error, None);
    let attempts: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT attempt, status FROM alert_attempts ORDER BY attempt")
            .fetch_all(setup.store.pool())
            .await
            .unwrap();
    assert_eq!(attempts, vec![(1, Some(500)), (2, Some(200))]);
}

#[tokio::test]
async fn a_target_that_always_fails_ends_failed_after_the_last_attempt() {
    let setup = setup().await;
    let receiver = Receiver::always(503);
    let url = receiver.start().await;
    let alerts = alerts(
        &setup,
        vec![target("down", AlertKind::Slack, &url)],
        quick_retry(3),
    );

    alerts
        .notify(&[event(EventKind::Opened, &quarantine(Severity::Error))])
        .await;
    alerts.settled().await;

    assert_eq!(receiver.received().len(), 3);
    let recent = alerts.recent(5).await;
    assert_eq!(recent[0].outcome, "failed");
    assert_eq!(recent[0].attempts, 3);
    assert_eq!(recent[0].error.as_deref(), Some("the target answered 503"));
    assert!(setup
        .metrics
        .render()
        .contains("tenant_mesh_alert_deliveries_total{kind=\"slack\",outcome=\"failed\"} 1"));
}

#[tokio::test]
async fn a_client_error_is_not_retried() {
    let setup = setup().await;
    let receiver = Receiver::always(404);
    let url = receiver.start().await;
    let alerts = alerts(
        &setup,
        vec![target("gone", AlertKind::Teams, &url)],
        quick_retry(3),
    );
    alerts
        .notify(&[event(EventKind::Opened, &quarantine(Severity::Error))])
        .await;
    alerts.settled().await;
    assert_eq!(receiver.received().len(), 1);
    let recent = alerts.recent(5).await;
    assert_eq!(
        (recent[0].outcome.as_str(), recent[0].attempts),
        ("failed", 1)
    );
}

/// Collects what the server's own code logs.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn the_url_is_never_shown_stored_nor_logged() {
    let logs = Logs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .with_env_filter("tenant_mesh_server=trace")
        .finish();
    // The test runtime has one thread: the deliveries' tasks log through this subscriber too.
    let _guard = tracing::subscriber::set_default(subscriber);
    // With a single subscriber in the process, tracing decides whether a log line is wanted by
    // asking the subscriber of whichever thread reaches that line first, and keeps the answer:
    // another test's thread, without one, answers "never" and this test's lines are dropped
    // (tokio-rs/tracing issue 3611). With a second one alive, every subscriber is asked.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());

    let setup = setup().await;
    let flaky = Receiver::answering(&[429]);
    let flaky_url = flaky.start().await;
    // Nothing listens there: a connection error, retried, then failed.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!(
        "http://{}/hooks/{SECRET}?sig={SECRET}",
        closed.local_addr().unwrap()
    );
    drop(closed);
    let alerts = alerts(
        &setup,
        vec![
            target("flaky", AlertKind::Webhook, &flaky_url),
            target("nowhere", AlertKind::Teams, &closed_url),
        ],
        quick_retry(2),
    );
    alerts
        .notify(&[event(EventKind::Opened, &quarantine(Severity::Error))])
        .await;
    alerts.settled().await;

    let recent = alerts.recent(10).await;
    assert_eq!(recent.len(), 2);
    let nowhere = recent.iter().find(|d| d.target == "nowhere").unwrap();
    assert_eq!(nowhere.outcome, "failed");
    assert!(nowhere.error.is_some());
    let flaky_delivery = recent.iter().find(|d| d.target == "flaky").unwrap();
    assert_eq!(
        (flaky_delivery.outcome.as_str(), flaky_delivery.attempts),
        ("sent", 2)
    );

    let shown = format!("{recent:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    let stored: Vec<(String,)> = sqlx::query_as(
        "SELECT target || target_kind || finding_key || event || occurrence || payload || \
         outcome || COALESCE(error, '') FROM alert_deliveries \
         UNION ALL SELECT COALESCE(error, '') FROM alert_attempts",
    )
    .fetch_all(setup.store.pool())
    .await
    .unwrap();
    assert!(stored.iter().all(|(row,)| !row.contains(SECRET)));
    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("alert sent"), "{logged}");
    assert!(logged.contains("alert delivery failed"), "{logged}");
    assert!(!logged.contains(SECRET), "{logged}");
    assert!(!logged.contains("/hooks/"), "{logged}");
}
