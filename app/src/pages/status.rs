//! `/status`: the app-only monitor's board — its last run, every tenant and pair as it read them,
//! the findings it follows with their age, the ones that cleared, and the alerts it sent. Read-only:
//! the only control is the refresh.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::status::{
    status_board, AlertDelivery, MonitorRun, StatusBoard, TenantRun, TrackedFinding,
};
use crate::api::ApiError;
use crate::components::empty_state::SignInFirst;
use crate::components::matrix::PairMatrix;
use crate::components::mesh::{Legend, MeshPicture, PairsTable, RefreshBar, StateBadge};
use crate::mesh::model::{Node, ReadStatus};
use crate::mesh::{time, Overview};

/// The `[monitor]` settings that turn the monitor on, shown while it is off.
const MONITOR_SETTINGS_EXAMPLE: &str = r#"[monitor]
enabled = true
interval_secs = 300
tenants = ["contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com"]

[monitor.credential]
kind = "client_secret"   # or client_certificate, workload_identity, managed_identity"#;

/// A span of time to the minute, e.g. "45 s", "12 min", "2 h 10 min", "3 days 4 h".
pub fn span(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (days, hours, minutes) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60);
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{minutes} min"),
        3600..=172_799 if minutes == 0 => format!("{} h", seconds / 3600),
        3600..=172_799 => format!("{} h {minutes} min", seconds / 3600),
        _ if hours == 0 => format!("{days} days"),
        _ => format!("{days} days {hours} h"),
    }
}

/// What a run came to for one tenant, in a few words.
fn tenant_outcome(tenant: &TenantRun) -> String {
    match &tenant.problem {
        None => "read".to_owned(),
        Some(problem) => format!("not read: {problem}"),
    }
}

/// How the latest run read a tenant of the overview, e.g. "read 3 min ago".
fn node_reading(node: &Node, now: i64) -> String {
    let age = node.read_at.map(|at| time::duration(now - at));
    match (&node.read, age) {
        (ReadStatus::Fresh, Some(age)) => format!("read {age} ago"),
        (ReadStatus::Stale { reason }, Some(age)) => {
            format!("showing the reading of {age} ago; reading it again failed: {reason}")
        }
        (ReadStatus::Failed { reason }, _) => format!("not read: {reason}"),
        (_, Some(age)) => format!("read {age} ago"),
        _ if node.in_mto() => "not read by the monitor".to_owned(),
        _ => "—".to_owned(),
    }
}

/// Each followed finding's title by its key, for the alert deliveries (which carry the key only).
fn finding_titles(open: &[TrackedFinding], cleared: &[TrackedFinding]) -> HashMap<String, String> {
    open.iter()
        .chain(cleared)
        .map(|tracked| (tracked.key.clone(), tracked.finding.title.clone()))
        .collect()
}

#[component]
pub fn StatusPage() -> impl IntoView {
    let board = Resource::new(|| (), |_| status_board());
    view! {
        <Title text="Status"/>
        <h1>"Status"</h1>
        <p class="lead">"What Tenant Mesh's own app registration reads in every tenant on a schedule (app-only), without anyone signing in: the last run, every tenant and pair, the findings it follows and the alerts it sent."</p>
        <Transition fallback=|| view! { <p class="muted">"Reading the status board…"</p> }>
            {move || board.get().map(|result| match result {
                Ok(board) => view! { <Board board/> }.into_any(),
                Err(ApiError::NotSignedIn { .. }) => view! { <SignInFirst what="the status board"/> }.into_any(),
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Board(board: StatusBoard) -> impl IntoView {
    let StatusBoard {
        now,
        enabled,
        last_run,
        overview,
        open,
        cleared,
        alerts,
    } = board;
    if !enabled {
        return view! {
            <RefreshBar taken_at=now/>
            <MonitorOff/>
        }
        .into_any();
    }
    let titles = finding_titles(&open, &cleared);
    view! {
        <RefreshBar taken_at=now/>
        <LastRun run=last_run now/>
        <OpenFindings findings=open now/>
        {overview.map(|overview| view! { <Readings overview/> }.into_any())}
        <ClearedFindings findings=cleared now/>
        <Deliveries alerts titles now/>
    }
    .into_any()
}

#[component]
fn MonitorOff() -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="monitor-off-title">
            <h2 id="monitor-off-title">"The monitor is off"</h2>
            <p>"Nothing reads the tenants on a schedule yet. Turn the monitor on in the "<code>"[monitor]"</code>" settings (or "<code>"TENANTMESH_MONITOR__ENABLED=true"</code>"): the dashboard's app registration then reads each listed tenant with application permissions, consented by an administrator of each tenant, and this page shows what it found."</p>
            <pre class="settings-example" tabindex="0">{MONITOR_SETTINGS_EXAMPLE}</pre>
            <p class="muted">"The README lists the application permissions and every credential kind."</p>
        </section>
    }
    .into_any()
}

#[component]
fn LastRun(run: Option<MonitorRun>, now: i64) -> impl IntoView {
    let Some(run) = run else {
        return view! {
            <section class="card" aria-labelledby="last-run-title">
                <h2 id="last-run-title">"Last run"</h2>
                <p class="muted">"The first run has not finished yet; this page shows it when it has."</p>
            </section>
        }
        .into_any();
    };
    let problems = run.tenants.iter().filter(|t| t.problem.is_some()).count();
    let summary = format!(
        "Started {} ({} ago), took {:.1} s, {} Graph requests, {} of {} tenants read.",
        time::clock(run.started_at),
        span(now - run.started_at),
        run.duration_ms as f64 / 1000.0,
        run.requests,
        run.tenants.len() - problems,
        run.tenants.len()
    );
    view! {
        <section class="card" aria-labelledby="last-run-title">
            <h2 id="last-run-title">"Last run"</h2>
            <p class="run-summary">{summary}</p>
            <table class="data" tabindex="0" aria-labelledby="last-run-title">
                <thead><tr><th scope="col">"Tenant"</th><th scope="col">"This run"</th></tr></thead>
                <tbody>
                    {run.tenants.into_iter().map(|tenant| {
                        let class = if tenant.problem.is_some() { "run-problem" } else { "run-ok" };
                        view! {
                            <tr>
                                <th scope="row">{tenant.name.clone()}</th>
                                <td class=class>{tenant_outcome(&tenant)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn OpenFindings(findings: Vec<TrackedFinding>, now: i64) -> impl IntoView {
    let body = if findings.is_empty() {
        view! { <p class="muted">"No open findings: the last run found nothing wrong."</p> }
            .into_any()
    } else {
        view! {
            <ul class="findings">
                {findings.into_iter().map(|tracked| view! { <OpenFinding tracked now/> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="open-findings-title">
            <h2 id="open-findings-title">"Open findings"</h2>
            {body}
        </section>
    }
    .into_any()
}

#[component]
fn OpenFinding(tracked: TrackedFinding, now: i64) -> impl IntoView {
    let TrackedFinding {
        finding,
        opened_at,
        escalated_at,
        ..
    } = tracked;
    let severity = finding.severity.label();
    let age = format!(
        "Open for {} (since {})",
        span(now - opened_at),
        time::iso(opened_at)
    );
    let escalated = escalated_at.map(|at| format!(" · worse since {} ago", span(now - at)));
    view! {
        <li class=format!("finding finding-{severity}") data-rule=finding.rule.clone()>
            <h3>
                <span class=format!("badge severity-{severity}")>{severity}</span>
                " "
                {finding.title}
            </h3>
            <p class="finding-age">{age}{escalated}</p>
            <p>{finding.explanation}</p>
            <p class="fix"><strong>"Fix: "</strong>{finding.fix}</p>
            <a href=finding.link>"Details"</a>
        </li>
    }
    .into_any()
}

#[component]
fn Readings(overview: Overview) -> impl IntoView {
    let Overview {
        taken_at,
        nodes,
        pairs,
        picture,
        ..
    } = overview;
    view! {
        <section class="card matrix-card" aria-labelledby="status-matrix-title">
            <h2 id="status-matrix-title">"Pair matrix"</h2>
            <PairMatrix nodes=nodes.clone() pairs=pairs.clone() action="/status"/>
        </section>
        {picture.map(|picture| view! {
            <section class="card picture-card" aria-labelledby="status-picture-title">
                <h2 id="status-picture-title">"Picture"</h2>
                <MeshPicture picture/>
                <Legend/>
            </section>
        })}
        <section class="card" aria-labelledby="status-tenants-title">
            <h2 id="status-tenants-title">"Tenants"</h2>
            <table class="data">
                <thead><tr><th scope="col">"Tenant"</th><th scope="col">"Role"</th><th scope="col">"State"</th><th scope="col">"Monitor's reading"</th></tr></thead>
                <tbody>
                    {nodes.into_iter().map(|node| {
                        let reading = node_reading(&node, taken_at);
                        view! {
                            <tr>
                                <th scope="row"><a href=format!("/tenants/{}", node.tenant_id)>{node.name.clone()}</a></th>
                                <td>{node.role.as_ref().map_or_else(|| "—".to_owned(), ToString::to_string)}</td>
                                <td><StateBadge state=node.state/></td>
                                <td>{reading}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="status-pairs-title">
            <h2 id="status-pairs-title">"Pairs"</h2>
            <PairsTable pairs empty="No partner settings or sync between the tenants the monitor read."/>
        </section>
    }
    .into_any()
}

#[component]
fn ClearedFindings(findings: Vec<TrackedFinding>, now: i64) -> impl IntoView {
    let body = if findings.is_empty() {
        view! { <p class="muted">"Nothing cleared in the last 7 days."</p> }.into_any()
    } else {
        view! {
            <table class="data" tabindex="0" aria-labelledby="cleared-findings-title">
                <thead><tr><th scope="col">"Finding"</th><th scope="col">"Lasted"</th><th scope="col">"Cleared"</th></tr></thead>
                <tbody>
                    {findings.into_iter().map(|tracked| {
                        let cleared = tracked
                            .cleared_at
                            .map(|at| format!("{} ago", span(now - at)))
                            .unwrap_or_else(|| "—".to_owned());
                        view! {
                            <tr>
                                <th scope="row">{tracked.finding.title.clone()}</th>
                                <td>{span(tracked.duration(now))}</td>
                                <td>{cleared}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="cleared-findings-title">
            <h2 id="cleared-findings-title">"Cleared recently"</h2>
            {body}
        </section>
    }
    .into_any()
}

#[component]
fn Deliveries(
    alerts: Vec<AlertDelivery>,
    titles: HashMap<String, String>,
    now: i64,
) -> impl IntoView {
    let body = if alerts.is_empty() {
        view! { <p class="muted">"No alerts sent yet (or no "<code>"[[alerts]]"</code>" target configured)."</p> }
            .into_any()
    } else {
        view! {
            <table class="data" tabindex="0" aria-labelledby="alerts-title">
                <thead><tr><th scope="col">"Target"</th><th scope="col">"Event"</th><th scope="col">"Finding"</th><th scope="col">"When"</th><th scope="col">"Outcome"</th><th scope="col">"Attempts"</th></tr></thead>
                <tbody>
                    {alerts.into_iter().map(|delivery| {
                        let outcome = match &delivery.error {
                            Some(error) => format!("{}: {error}", delivery.outcome),
                            None => delivery.outcome.clone(),
                        };
                        view! {
                            <tr>
                                <th scope="row">{delivery.target.clone()}</th>
                                <td>{delivery.event.clone()}</td>
                                <td>{titles.get(&delivery.finding_key).cloned().unwrap_or_else(|| delivery.finding_key.clone())}</td>
                                <td>{format!("{} ago", span(now - delivery.at))}</td>
                                <td class=format!("delivery-{}", delivery.outcome)>{outcome}</td>
                                <td>{delivery.attempts}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="alerts-title">
            <h2 id="alerts-title">"Alert deliveries"</h2>
            {body}
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_to_the_minute() {
        assert_eq!(span(-5), "0 s");
        assert_eq!(span(45), "45 s");
        assert_eq!(span(12 * 60 + 30), "12 min");
        assert_eq!(span(2 * 3600), "2 h");
        assert_eq!(span(2 * 3600 + 10 * 60 + 59), "2 h 10 min");
        assert_eq!(span(3 * 86_400), "3 days");
        assert_eq!(span(3 * 86_400 + 4 * 3600 + 120), "3 days 4 h");
    }

    #[test]
    fn a_tenant_run_says_why_it_was_not_read() {
        let read = TenantRun {
            tenant_id: "t".into(),
            name: "Contoso".into(),
            problem: None,
        };
        assert_eq!(tenant_outcome(&read), "read");
        let refused = TenantRun {
            problem: Some("the token was refused".into()),
            ..read
        };
        assert_eq!(tenant_outcome(&refused), "not read: the token was refused");
    }
}
