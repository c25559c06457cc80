//! `/drift`: the organization's configuration as snapshots. Drift of the live configuration from
//! the accepted baseline (or from a chosen snapshot), each difference accepted into the baseline
//! or restored with the exact Graph change shown first; the stored snapshots, exported as JSON,
//! compared two by two; an upload to compare with live; and the teardown assistant for a tenant
//! that left. What the page shows is in the address (`compare`, `older` and `newer`, `teardown`,
//! and `error` from the upload), every choice is a GET form or a link and every write a form, so it
//! works without JavaScript.

use leptos::prelude::*;

use crate::api::flash::page_action;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::api::drift::{
    compare_snapshots, load_drift, snapshot_id, teardown_plan, AcceptBaseline, AcceptDrift,
    MakeTeardownStep, RestoreDrift, TakeSnapshot,
};
use crate::api::ApiError;
use crate::components::empty_state::SignInFirst;
use crate::components::feedback::Said;
use crate::drift::{
    Change, Comparison, DriftItem, DriftView, ObjectKind, Restore, SnapshotInfo, StepRequest,
    TeardownPlan, TeardownStep,
};
use crate::mesh::time;

/// What the address asks the page to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct DriftQuery {
    /// Compare live with this snapshot instead of the baseline.
    compare: Option<i64>,
    /// Two stored snapshots to compare.
    older: Option<i64>,
    newer: Option<i64>,
    /// The tenant whose teardown plan to show.
    teardown: Option<String>,
    /// Why the last upload was refused (the upload route redirects here with it).
    error: Option<String>,
    /// Parameters that could not be read, one sentence each.
    problems: Vec<String>,
}

fn query_from(map: &ParamsMap) -> DriftQuery {
    let text = |name: &str| {
        map.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut problems = Vec::new();
    let mut number = |name: &str| match text(name).map(|v| snapshot_id(&v)) {
        Some(Ok(id)) => Some(id),
        Some(Err(problem)) => {
            problems.push(problem);
            None
        }
        None => None,
    };
    let (compare, older, newer) = (number("compare"), number("older"), number("newer"));
    DriftQuery {
        compare,
        older,
        newer,
        teardown: text("teardown"),
        error: text("error"),
        problems,
    }
}

/// One tenant's changes, by object, in the order they came.
#[derive(Debug, Clone, PartialEq)]
struct TenantGroup<T> {
    tenant_id: String,
    tenant_name: String,
    objects: Vec<ObjectGroup<T>>,
}

/// One configuration object's changes.
#[derive(Debug, Clone, PartialEq)]
struct ObjectGroup<T> {
    object: (ObjectKind, String),
    heading: String,
    items: Vec<T>,
}

/// "partner Fabrikam (partner configuration)"; the kind alone for a tenant's singletons.
fn object_heading(change: &Change) -> String {
    if change.object_label.is_empty() {
        change.object.label().to_owned()
    } else {
        format!("{} ({})", change.object_label, change.object.label())
    }
}

/// `items` grouped by tenant, then by object, each group where its first item came.
fn group_changes<T>(items: Vec<T>, change: impl Fn(&T) -> &Change) -> Vec<TenantGroup<T>> {
    let mut groups: Vec<TenantGroup<T>> = Vec::new();
    for item in items {
        let (tenant_id, tenant_name, object, heading) = {
            let c = change(&item);
            (
                c.tenant_id.clone(),
                c.tenant_name.clone(),
                (c.object, c.key.clone()),
                object_heading(c),
            )
        };
        let index = match groups.iter().position(|g| g.tenant_id == tenant_id) {
            Some(index) => index,
            None => {
                groups.push(TenantGroup {
                    tenant_id,
                    tenant_name,
                    objects: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let objects = &mut groups[index].objects;
        match objects.iter_mut().find(|o| o.object == object) {
            Some(group) => group.items.push(item),
            None => objects.push(ObjectGroup {
                object,
                heading,
                items: vec![item],
            }),
        }
    }
    groups
}

/// A snapshot's size for people: "0.5 KB", "12.3 KB", "240 KB".
fn kilobytes(bytes: usize) -> String {
    let kb = bytes as f64 / 1024.0;
    if kb < 10.0 {
        format!("{kb:.1} KB")
    } else {
        format!("{kb:.0} KB")
    }
}

/// "1 tenant", "4 tenants".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// An RFC 3339 time as the page shows it, with its age at `now` (the live reading) when known.
fn when(taken_at: &str, now: Option<i64>) -> String {
    match time::parse(taken_at) {
        Some(at) => match now.and_then(|now| time::ago(taken_at, now)) {
            Some(ago) => format!("{} ({ago})", time::iso(at)),
            None => time::iso(at),
        },
        None => taken_at.to_owned(),
    }
}

/// "taken 2026-09-01T09:00:00Z (3 h ago) by Alex Wilber (alex@contoso.com)".
fn taken(info: &SnapshotInfo, now: Option<i64>) -> String {
    format!("taken {} by {}", when(&info.taken_at, now), info.taken_by)
}

/// What the drift section says instead of a table: no reference to compare with, nothing read
/// live, or no drift. `None` when there is drift to list.
fn drift_sentence(view: &DriftView, now: Option<i64>) -> Option<String> {
    let reference = match (&view.compared_with, &view.baseline) {
        (Some(snapshot), _) => Some((format!("snapshot #{}", snapshot.id), snapshot)),
        (None, Some(baseline)) => Some(("the baseline".to_owned(), &baseline.snapshot)),
        (None, None) => None,
    };
    match (&view.drift, reference) {
        (Some(items), _) if !items.is_empty() => None,
        (_, None) => Some("No baseline yet: take a snapshot and accept it as the baseline.".into()),
        (None, Some((name, _))) => Some(format!(
            "The live configuration could not be read, so its drift from {name} is unknown."
        )),
        (Some(_), Some((name, snapshot))) => Some(format!(
            "No drift: the live configuration matches {name} ({}).",
            taken(snapshot, now)
        )),
    }
}

/// "Snapshot #5 taken: 4 tenants, 37 objects, 12.3 KB."
fn taken_message(info: &SnapshotInfo) -> String {
    let mut text = format!(
        "Snapshot #{} taken: {}, {}, {}.",
        info.id,
        count(info.tenants, "tenant"),
        count(info.objects, "object"),
        kilobytes(info.bytes)
    );
    if !info.unread.is_empty() {
        text.push_str(&format!(" Not read: {}.", info.unread.join("; ")));
    }
    text
}

/// "#3 · 2026-09-01T09:00:00Z · on demand", for the comparison's choices.
fn snapshot_option(info: &SnapshotInfo) -> String {
    format!(
        "#{} · {} · {}",
        info.id,
        when(&info.taken_at, None),
        info.origin.label()
    )
}

/// The two snapshots the comparison form starts with: the ones asked for, else the two newest
/// (`snapshots` is newest first).
fn compare_defaults(snapshots: &[SnapshotInfo], query: &DriftQuery) -> (Option<i64>, Option<i64>) {
    let older = query.older.or_else(|| snapshots.get(1).map(|s| s.id));
    let newer = query.newer.or_else(|| snapshots.first().map(|s| s.id));
    (older, newer)
}

/// "Soft-deletes 12 users in Contoso at the next sync cycle (restorable for 30 days)".
fn deprovision_warning(users: usize, tenant: &str) -> String {
    format!(
        "Soft-deletes {} in {tenant} at the next sync cycle (restorable for 30 days).",
        count(users, "user")
    )
}

/// Who may make a change, in a sentence; empty when the roles are not known.
fn roles_sentence(roles: &[String]) -> String {
    match roles {
        [] => String::new(),
        [one] => format!("Needs the {one} role."),
        many => format!("Needs one of these roles: {}.", many.join(", ")),
    }
}

/// Values longer than this are folded: a whole sync configuration runs to kilobytes.
const LONG_VALUE_CHARS: usize = 160;

/// A long value folded: its start, for the summary, and the whole of it pretty-printed (as it
/// came when it is not JSON). `None` when it is short enough to show as it is.
fn fold(value: &str) -> Option<(String, String)> {
    if value.chars().count() <= LONG_VALUE_CHARS {
        return None;
    }
    let start: String = value.chars().take(48).collect();
    let summary = format!("{start}… ({})", kilobytes(value.len()));
    let pretty = serde_json::from_str::<serde_json::Value>(value)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| value.to_owned());
    Some((summary, pretty))
}

/// A Graph request as it will be sent: the request line, then its body.
fn request_text(request: &str, body: Option<&str>) -> String {
    match body {
        Some(body) if !body.trim().is_empty() => format!("{request}\n{body}"),
        _ => request.to_owned(),
    }
}

/// Every write of the page, each showing its answer after the form's redirect.
#[derive(Clone, Copy)]
struct Actions {
    take: ServerAction<TakeSnapshot>,
    baseline: ServerAction<AcceptBaseline>,
    accept: ServerAction<AcceptDrift>,
    restore: ServerAction<RestoreDrift>,
    step: ServerAction<MakeTeardownStep>,
}

impl Actions {
    fn new() -> Self {
        Self {
            take: page_action(),
            baseline: page_action(),
            accept: page_action(),
            restore: page_action(),
            step: page_action(),
        }
    }
}

type Found<T> = Resource<Option<Result<T, ApiError>>>;

#[component]
pub fn DriftPage() -> impl IntoView {
    let map = use_query_map();
    let query = Memo::new(move |_| query_from(&map.read()));
    let actions = Actions::new();
    let view_data = Resource::new(move || query.with(|q| q.compare), load_drift);
    let comparison: Found<Comparison> = Resource::new(
        move || query.with(|q| q.older.zip(q.newer)),
        |pair| async move {
            match pair {
                Some((older, newer)) => Some(compare_snapshots(older, newer).await),
                None => None,
            }
        },
    );
    let plan: Found<TeardownPlan> = Resource::new(
        move || query.with(|q| q.teardown.clone()),
        |tenant| async move {
            match tenant {
                Some(tenant) => Some(teardown_plan(tenant).await),
                None => None,
            }
        },
    );
    let notices = move || {
        let q = query.get();
        let problems = q.problems.into_iter().chain(q.error);
        problems
            .map(|p| view! { <p class="notice notice-error" role="alert">{p}</p> })
            .collect_view()
    };
    view! {
        <Title text="Configuration drift"/>
        <h1>"Configuration drift"</h1>
        <p class="lead">
            "A snapshot holds what every tenant you can read has set up for the organization: the organization "
            "and its members, both MTO templates, every partner configuration with its identity sync policy, and every "
            "cross-tenant sync configuration with its schedule, scope and attribute mappings. Secrets are never included. "
            "Accept one snapshot as the baseline to see what has changed since, and put it back or accept it."
        </p>
        {notices}
        <Transition fallback=|| view! { <p class="muted" role="status">"Reading the configuration…"</p> }>
            {move || view_data.get().map(|result| match result {
                Ok(data) => view! { <DriftBody data query=query.get() actions comparison plan/> }.into_any(),
                Err(ApiError::NotSignedIn { .. }) => view! { <SignInFirst what="configuration snapshots and drift"/> }.into_any(),
                Err(error) => view! {
                    <p class="notice notice-error">{error.to_string()}</p>
                    <ImportSection/>
                    <TeardownSection query=query.get() plan actions/>
                }
                .into_any(),
            })}
        </Transition>
    }
}

#[component]
fn DriftBody(
    data: DriftView,
    query: DriftQuery,
    actions: Actions,
    comparison: Found<Comparison>,
    plan: Found<TeardownPlan>,
) -> impl IntoView {
    let now = data.live.as_ref().and_then(|l| time::parse(&l.taken_at));
    let can_write = data.can_write;
    let baseline = data.baseline.as_ref().map(|b| b.snapshot.id);
    let snapshots = data.snapshots.clone();
    view! {
        <DriftSection data query=query.clone() now actions/>
        <SnapshotsSection snapshots baseline can_write now query=query.clone() comparison actions/>
        {can_write.then(|| view! { <ImportSection/> })}
        <TeardownSection query plan actions/>
    }
    .into_any()
}

#[component]
fn DriftSection(
    data: DriftView,
    query: DriftQuery,
    now: Option<i64>,
    actions: Actions,
) -> impl IntoView {
    let sentence = drift_sentence(&data, now);
    let DriftView {
        baseline,
        drift,
        compared_with,
        live,
        can_write,
        ..
    } = data;
    let compare = query.compare;
    let title = match (&compared_with, compare) {
        (Some(snapshot), _) => format!("Drift from snapshot #{}", snapshot.id),
        (None, Some(id)) => format!("Drift from snapshot #{id}"),
        (None, None) => "Drift from the baseline".to_owned(),
    };
    let reference = match (&compared_with, &baseline) {
        (Some(snapshot), _) => Some(format!(
            "Compared with snapshot #{} ({}), {}.",
            snapshot.id,
            snapshot.origin.label(),
            taken(snapshot, now)
        )),
        (None, Some(b)) => Some(format!(
            "Baseline: snapshot #{}, {}; accepted {} by {}.",
            b.snapshot.id,
            taken(&b.snapshot, now),
            when(&b.accepted_at, now),
            b.accepted_by
        )),
        (None, None) => None,
    };
    let live_unread = live.map(|l| l.unread).filter(|u| !u.is_empty());
    let column = if compare.is_some() {
        "Snapshot → live"
    } else {
        "Baseline → live"
    };
    let items = drift.unwrap_or_default();
    let table = sentence.is_none().then(|| {
        let accept = can_write && compare.is_none();
        change_tables(
            group_changes(items, |i: &DriftItem| &i.change),
            column,
            true,
            move |item| view! { <DriftRow item accept compare actions/> }.into_any(),
        )
    });
    view! {
        <section class="card" id="drift" aria-labelledby="drift-title">
            <h2 id="drift-title">{title}</h2>
            {compare.map(|_| view! { <p><a href="/drift">"Back to the baseline"</a></p> })}
            {reference.map(|r| view! { <p class="muted">{r}</p> })}
            {live_unread.map(|unread| view! {
                <div class="unread">
                    <p>"Not read live (drift there is unknown):"</p>
                    <ul>{unread.into_iter().map(|u| view! { <li>{u}</li> }).collect_view()}</ul>
                </div>
            })}
            {sentence.map(|s| view! { <p role="status">{s}</p> })}
            {table}
            <Said action=actions.accept/>
            <Said action=actions.restore/>
        </section>
    }
    .into_any()
}

/// Tables of changes, one per tenant, each object a group of rows under its heading; `row`
/// renders one row (its first cell a row header, the field).
fn change_tables<T: 'static>(
    groups: Vec<TenantGroup<T>>,
    values: &'static str,
    with_actions: bool,
    row: impl Fn(T) -> AnyView + Clone + 'static,
) -> AnyView {
    let columns = if with_actions { "3" } else { "2" };
    groups
        .into_iter()
        .map(|tenant| {
            let row = row.clone();
            let bodies = tenant
                .objects
                .into_iter()
                .map(|object| {
                    let rows = object.items.into_iter().map(row.clone()).collect_view();
                    view! {
                        <tbody>
                            <tr class="object-row"><th scope="rowgroup" colspan=columns>{object.heading}</th></tr>
                            {rows}
                        </tbody>
                    }
                })
                .collect_view();
            view! {
                <h3>{tenant.tenant_name.clone()}</h3>
                <table class="data drift" aria-label=format!("Changes in {}", tenant.tenant_name)>
                    <thead><tr>
                        <th scope="col">"Field"</th>
                        <th scope="col">{values}</th>
                        {with_actions.then(|| view! { <th scope="col">"Actions"</th> })}
                    </tr></thead>
                    {bodies}
                </table>
            }
        })
        .collect_view()
        .into_any()
}

/// The field and both values of a change.
#[component]
fn ChangeCells(change: Change) -> impl IntoView {
    let value = |v: Option<String>| match v.as_deref().map(|text| (text, fold(text))) {
        Some((_, Some((summary, pretty)))) => view! {
            <details class="value">
                <summary><code>{summary}</code></summary>
                <pre class="call" tabindex="0">{pretty}</pre>
            </details>
        }
        .into_any(),
        Some((text, None)) => view! { <code>{text.to_owned()}</code> }.into_any(),
        None => view! { <span class="muted">"none"</span> }.into_any(),
    };
    let field = if change.field.is_empty() {
        view! { <span class="muted">"the whole object"</span> }.into_any()
    } else {
        view! { <code>{change.field.clone()}</code> }.into_any()
    };
    view! {
        <th scope="row">{field}</th>
        <td>
            <span class="badge">{change.kind.label()}</span>" "
            {value(change.old)}" → "{value(change.new)}
        </td>
    }
}

#[component]
fn DriftRow(
    item: DriftItem,
    accept: bool,
    compare: Option<i64>,
    actions: Actions,
) -> impl IntoView {
    let DriftItem {
        id,
        change,
        restore,
        manual,
    } = item;
    let tenant = (change.tenant_id.clone(), change.tenant_name.clone());
    let item = id.clone();
    let accept_form = accept.then(|| {
        view! {
            <ActionForm action=actions.accept>
                <input type="hidden" name="item" value=item/>
                <button type="submit" class="button button-small">"Accept into baseline"</button>
            </ActionForm>
        }
    });
    let restore_view = match restore {
        Some(restore) => view! { <RestoreDetails restore id tenant compare actions/> }.into_any(),
        None => view! {
            <p class="muted">{manual.unwrap_or_else(|| "Graph has no request that restores this: change it in the admin center.".into())}</p>
        }
        .into_any(),
    };
    view! {
        <tr>
            <ChangeCells change/>
            <td class="row-actions">{accept_form}{restore_view}</td>
        </tr>
    }
    .into_any()
}

#[component]
fn RestoreDetails(
    restore: Restore,
    id: String,
    tenant: (String, String),
    compare: Option<i64>,
    actions: Actions,
) -> impl IntoView {
    let Restore {
        request,
        body,
        roles,
        refused,
        what_if,
        what_if_names,
        what_if_target,
    } = restore;
    let (tenant_id, tenant_name) = tenant;
    let make = match refused {
        Some(reason) => view! { <p class="notice-inline">{reason}</p> }.into_any(),
        None => view! {
            <ActionForm action=actions.restore attr:class="form-inline">
                <input type="hidden" name="tenant" value=tenant_id/>
                <input type="hidden" name="item" value=id/>
                <input type="hidden" name="compare" value=compare.map(|c| c.to_string()).unwrap_or_default()/>
                <button type="submit" class="button button-primary button-small">{format!("Make this change in {tenant_name}")}</button>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <details class="restore">
            <summary>"Restore…"</summary>
            <pre class="call" tabindex="0">{request_text(&request, body.as_deref())}</pre>
            <WhatIfView what_if what_if_names what_if_target/>
            <p class="muted">{roles_sentence(&roles)}</p>
            {make}
        </details>
    }
    .into_any()
}

/// Who a change to a sync configuration's scope would create, convert or soft-delete in its
/// target (or why that is unknown); nothing for any other change.
#[component]
fn WhatIfView(
    what_if: Option<String>,
    what_if_names: Vec<String>,
    what_if_target: Option<String>,
) -> impl IntoView {
    what_if.map(|text| {
        let heading = what_if_heading(what_if_target.as_deref());
        view! {
            <div class="what-if">
                <h4>{heading}</h4>
                <p>{text}</p>
                {(!what_if_names.is_empty()).then(|| view! {
                    <ul>{what_if_names.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                })}
            </div>
        }
    })
}

fn what_if_heading(target: Option<&str>) -> String {
    match target {
        Some(target) => format!("Who changes in {target}"),
        None => "Who changes in the target tenant".to_owned(),
    }
}

#[component]
fn SnapshotsSection(
    snapshots: Vec<SnapshotInfo>,
    baseline: Option<i64>,
    can_write: bool,
    now: Option<i64>,
    query: DriftQuery,
    comparison: Found<Comparison>,
    actions: Actions,
) -> impl IntoView {
    let (older, newer) = compare_defaults(&snapshots, &query);
    let form = (snapshots.len() >= 2)
        .then(|| view! { <CompareForm snapshots=snapshots.clone() older newer/> }.into_any());
    let table = if snapshots.is_empty() {
        view! { <p class="muted">"No snapshots yet."</p> }.into_any()
    } else {
        view! { <SnapshotTable snapshots baseline can_write now actions/> }.into_any()
    };
    view! {
        <section class="card" id="snapshots" aria-labelledby="snapshots-title">
            <h2 id="snapshots-title">"Snapshots"</h2>
            {can_write.then(|| view! {
                <ActionForm action=actions.take attr:class="form-inline">
                    <button type="submit" class="button button-primary">"Take a snapshot now"</button>
                </ActionForm>
                <Taken action=actions.take/>
            })}
            {table}
            <Said action=actions.baseline/>
            {form}
            <Transition fallback=|| view! { <p class="muted" role="status">"Comparing the snapshots…"</p> }>
                {move || comparison.get().flatten().map(|result| match result {
                    Ok(comparison) => view! { <ComparisonView comparison/> }.into_any(),
                    Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// What taking a snapshot came to.
#[component]
fn Taken(action: ServerAction<TakeSnapshot>) -> impl IntoView {
    move || {
        action.value().get().map(|result| match result {
            Ok(info) => {
                view! { <p class="notice" role="status">{taken_message(&info)}</p> }.into_any()
            }
            Err(error) => {
                view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }
                    .into_any()
            }
        })
    }
}

#[component]
fn SnapshotTable(
    snapshots: Vec<SnapshotInfo>,
    baseline: Option<i64>,
    can_write: bool,
    now: Option<i64>,
    actions: Actions,
) -> impl IntoView {
    let rows = snapshots
        .into_iter()
        .map(|s| {
            let is_baseline = baseline == Some(s.id);
            let unread = (!s.unread.is_empty()).then(|| {
                view! { <ul class="plain unread-parts">{s.unread.iter().map(|u| view! { <li>{u.clone()}</li> }).collect_view()}</ul> }
            });
            let accept = (can_write && !is_baseline).then(|| {
                view! {
                    <ActionForm action=actions.baseline>
                        <input type="hidden" name="snapshot" value=s.id.to_string()/>
                        <button type="submit" class="button button-small">"Accept as baseline"</button>
                    </ActionForm>
                }
            });
            view! {
                <tr>
                    <th scope="row">{format!("#{}", s.id)}
                        {is_baseline.then(|| view! { " "<span class="badge">"baseline"</span> })}</th>
                    <td>{when(&s.taken_at, now)}</td>
                    <td>{s.taken_by.clone()}</td>
                    <td>{s.origin.label()}</td>
                    <td>{s.tenants}</td>
                    <td>{s.objects}</td>
                    <td class="size">{kilobytes(s.bytes)}</td>
                    <td>{unread}</td>
                    <td class="row-actions">
                        <a class="button button-small" rel="external" download=format!("snapshot-{}.json", s.id)
                            href=format!("/drift/snapshots/{}.json", s.id)>"Export JSON"</a>
                        <a class="button button-small" href=format!("/drift?compare={}", s.id)>"Compare with live"</a>
                        {accept}
                    </td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <table class="data snapshots">
            <thead><tr>
                <th scope="col">"Snapshot"</th><th scope="col">"Taken at"</th><th scope="col">"By"</th>
                <th scope="col">"Origin"</th><th scope="col">"Tenants"</th><th scope="col">"Objects"</th>
                <th scope="col">"Size"</th><th scope="col">"Not read"</th><th scope="col">"Actions"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Two stored snapshots to compare, as a GET form (the address carries them).
#[component]
fn CompareForm(
    snapshots: Vec<SnapshotInfo>,
    older: Option<i64>,
    newer: Option<i64>,
) -> impl IntoView {
    let select = move |name: &'static str, chosen: Option<i64>| {
        let options = snapshots
            .iter()
            .map(|s| {
                let selected = chosen == Some(s.id);
                view! { <option value=s.id.to_string() selected=selected>{snapshot_option(s)}</option> }
            })
            .collect_view();
        view! { <select name=name>{options}</select> }
    };
    let (older_select, newer_select) = (select("older", older), select("newer", newer));
    view! {
        <form method="get" action="/drift" class="form-inline filters" aria-label="Compare two snapshots">
            <label>"Older"{older_select}</label>
            <label>"Newer"{newer_select}</label>
            <button type="submit" class="button">"Compare"</button>
        </form>
    }
    .into_any()
}

#[component]
fn ComparisonView(comparison: Comparison) -> impl IntoView {
    let Comparison {
        older,
        newer,
        changes,
    } = comparison;
    let title = format!("Snapshot #{} → snapshot #{}", older.id, newer.id);
    let facts = format!(
        "Older: {}. Newer: {}.",
        taken(&older, None),
        taken(&newer, None)
    );
    let body = if changes.is_empty() {
        view! { <p role="status">"These snapshots hold the same configuration."</p> }.into_any()
    } else {
        change_tables(
            group_changes(changes, |c: &Change| c),
            "Older → newer",
            false,
            |change| view! { <tr><ChangeCells change/></tr> }.into_any(),
        )
    };
    view! {
        <div class="comparison" id="comparison" role="region" aria-labelledby="comparison-title">
            <h3 id="comparison-title">{title}</h3>
            <p class="muted">{facts}</p>
            {body}
        </div>
    }
    .into_any()
}

#[component]
fn ImportSection() -> impl IntoView {
    view! {
        <section class="card" id="import" aria-labelledby="import-title">
            <h2 id="import-title">"Import"</h2>
            <p class="muted">"Upload a snapshot exported earlier (or reviewed in git) to compare the live configuration with it. Nothing is applied."</p>
            <form method="post" action="/drift/import" enctype="multipart/form-data" class="form import-form">
                <label>"Snapshot file (JSON)"<input type="file" name="snapshot" accept=".json,application/json"/></label>
                <label>"or paste the JSON"<textarea name="snapshot_text" rows="6" spellcheck="false"></textarea></label>
                <button type="submit" class="button button-primary">"Upload and compare with live"</button>
            </form>
        </section>
    }
}

#[component]
fn TeardownSection(
    query: DriftQuery,
    plan: Found<TeardownPlan>,
    actions: Actions,
) -> impl IntoView {
    view! {
        <section class="card" id="teardown" aria-labelledby="teardown-title">
            <h2 id="teardown-title">"Teardown assistant"</h2>
            <p class="muted">
                "A tenant that left the organization leaves partner configurations, identity sync policies, sync "
                "configurations and their scope behind, on its side and on the others'. The plan lists what remains, "
                "in the order it can be removed; nothing changes until you make a step."
            </p>
            <form method="get" action="/drift" class="form-inline filters" aria-label="Show a teardown plan">
                <label>"Tenant id"
                    <input type="text" name="teardown" class="tenant-id" required maxlength="64" spellcheck="false" placeholder="tenant id of the departed tenant"
                        value=query.teardown.unwrap_or_default()/>
                </label>
                <button type="submit" class="button">"Show the plan (dry run)"</button>
            </form>
            <Transition fallback=|| view! { <p class="muted" role="status">"Reading what remains…"</p> }>
                {move || plan.get().flatten().map(|result| match result {
                    Ok(plan) => view! { <PlanView plan actions/> }.into_any(),
                    Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <Said action=actions.step/>
        </section>
    }
    .into_any()
}

#[component]
fn PlanView(plan: TeardownPlan, actions: Actions) -> impl IntoView {
    let TeardownPlan {
        tenant_id,
        tenant_name,
        membership,
        steps,
        unread,
    } = plan;
    let steps_view = if steps.is_empty() {
        view! { <p role="status">{format!("Nothing of {tenant_name} remains in the tenants Tenant Mesh can read.")}</p> }
            .into_any()
    } else {
        let items = steps
            .into_iter()
            .map(|step| view! { <StepView step plan_tenant=tenant_id.clone() actions/> }.into_any())
            .collect_view();
        view! { <ol class="steps teardown-steps" aria-label="Teardown steps">{items}</ol> }
            .into_any()
    };
    view! {
        <h3>{format!("Teardown plan for {tenant_name}")}</h3>
        <p>{format!("Membership: {membership}.")}</p>
        {steps_view}
        {(!unread.is_empty()).then(|| view! {
            <div class="unread">
                <p>"Not read (what remains there is not in this plan):"</p>
                <ul>{unread.into_iter().map(|u| view! { <li>{u}</li> }).collect_view()}</ul>
            </div>
        })}
    }
    .into_any()
}

#[component]
fn StepView(step: TeardownStep, plan_tenant: String, actions: Actions) -> impl IntoView {
    let TeardownStep {
        id,
        tenant_name,
        description,
        requests,
        deprovisions,
        roles,
        refused,
        what_if,
        what_if_names,
        what_if_target,
        ..
    } = step;
    let calls = requests
        .into_iter()
        .map(|StepRequest { request, body }| {
            view! { <pre class="call" tabindex="0">{request_text(&request, body.as_deref())}</pre> }
        })
        .collect_view();
    let confirm = format!("Make this change in {tenant_name}: Tenant Mesh does not undo it");
    let make = match refused {
        Some(reason) => view! { <p class="notice-inline">{reason}</p> }.into_any(),
        None => view! {
            <ActionForm action=actions.step attr:class="form-inline">
                <input type="hidden" name="tenant" value=plan_tenant/>
                <input type="hidden" name="step" value=id/>
                <label class="confirm"><input type="checkbox" name="confirm" required/>{confirm}</label>
                <button type="submit" class="button button-danger">"Make this step"</button>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <li class="teardown-step">
            <p><strong>{tenant_name}</strong>": "{description}</p>
            {calls}
            {deprovisions.map(|(users, tenant)| view! {
                <p class="notice notice-warning">{deprovision_warning(users, &tenant)}</p>
            })}
            <WhatIfView what_if what_if_names what_if_target/>
            <p class="muted">{roles_sentence(&roles)}</p>
            {make}
        </li>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::{Baseline, ChangeKind, Origin};

    fn change(tenant: &str, object: ObjectKind, key: &str, field: &str) -> Change {
        Change {
            tenant_id: format!("id-{tenant}"),
            tenant_name: tenant.into(),
            object,
            key: key.into(),
            object_label: if key.is_empty() {
                String::new()
            } else {
                format!("partner {key}")
            },
            kind: ChangeKind::Changed,
            field: field.into(),
            old: Some("true".into()),
            new: Some("false".into()),
        }
    }

    fn info(id: i64) -> SnapshotInfo {
        SnapshotInfo {
            id,
            taken_at: "2026-09-01T09:00:00Z".into(),
            taken_by: "Contoso Admin (admin@contoso.onmicrosoft.com)".into(),
            origin: Origin::OnDemand,
            tenants: 4,
            objects: 37,
            bytes: 12_595,
            unread: Vec::new(),
        }
    }

    #[test]
    fn changes_group_by_tenant_then_object_in_the_order_they_came() {
        let changes = vec![
            change(
                "Contoso",
                ObjectKind::Partner,
                "Fabrikam",
                "inboundTrust.isMfaAccepted",
            ),
            change("Fabrikam", ObjectKind::Organization, "", "displayName"),
            change(
                "Contoso",
                ObjectKind::IdentitySync,
                "Fabrikam",
                "userSyncInbound",
            ),
            change(
                "Contoso",
                ObjectKind::Partner,
                "Fabrikam",
                "automaticUserConsentSettings",
            ),
            change("Contoso", ObjectKind::Partner, "Woodgrove", "inboundTrust"),
        ];
        let groups = group_changes(changes, |c| c);
        let shape: Vec<String> = groups
            .iter()
            .flat_map(|t| {
                t.objects.iter().map(|o| {
                    let fields: Vec<&str> = o.items.iter().map(|c| c.field.as_str()).collect();
                    format!("{} / {}: {}", t.tenant_name, o.heading, fields.join(", "))
                })
            })
            .collect();
        assert_eq!(
            shape,
            [
                "Contoso / partner Fabrikam (partner configuration): inboundTrust.isMfaAccepted, automaticUserConsentSettings",
                "Contoso / partner Fabrikam (identity sync policy): userSyncInbound",
                "Contoso / partner Woodgrove (partner configuration): inboundTrust",
                "Fabrikam / multitenant organization: displayName",
            ]
        );
    }

    #[test]
    fn sizes_are_in_kilobytes() {
        assert_eq!(kilobytes(0), "0.0 KB");
        assert_eq!(kilobytes(512), "0.5 KB");
        assert_eq!(kilobytes(12_595), "12 KB");
        assert_eq!(kilobytes(9_000), "8.8 KB");
        assert_eq!(kilobytes(245_760), "240 KB");
    }

    #[test]
    fn the_address_is_read_and_what_does_not_hold_is_said() {
        let map: ParamsMap = [
            ("compare", "7"),
            ("older", "latest"),
            ("newer", " 3 "),
            ("teardown", "  "),
            ("error", "The file is not a snapshot."),
        ]
        .into_iter()
        .collect();
        let query = query_from(&map);
        assert_eq!(
            query,
            DriftQuery {
                compare: Some(7),
                older: None,
                newer: Some(3),
                teardown: None,
                error: Some("The file is not a snapshot.".into()),
                problems: vec!["“latest” is not a snapshot number.".into()],
            }
        );
        assert_eq!(query_from(&ParamsMap::new()), DriftQuery::default());
    }

    #[test]
    fn the_drift_section_says_why_there_is_no_table() {
        let mut view = DriftView::default();
        assert_eq!(
            drift_sentence(&view, None).as_deref(),
            Some("No baseline yet: take a snapshot and accept it as the baseline.")
        );
        view.baseline = Some(Baseline {
            snapshot: info(3),
            accepted_by: "Contoso Admin".into(),
            accepted_at: "2026-09-01T09:05:00Z".into(),
        });
        assert_eq!(
            drift_sentence(&view, None).as_deref(),
            Some("The live configuration could not be read, so its drift from the baseline is unknown.")
        );
        view.drift = Some(Vec::new());
        let now = time::parse("2026-09-01T12:00:00Z");
        assert_eq!(
            drift_sentence(&view, now).as_deref(),
            Some(
                "No drift: the live configuration matches the baseline (taken 2026-09-01T09:00:00Z \
                 (3 h ago) by Contoso Admin (admin@contoso.onmicrosoft.com))."
            )
        );
        view.compared_with = Some(info(8));
        assert!(drift_sentence(&view, None).is_some_and(
            |s| s.starts_with("No drift: the live configuration matches snapshot #8 (")
        ));
        view.drift = Some(vec![DriftItem {
            id: "1".into(),
            change: change("Contoso", ObjectKind::Partner, "Fabrikam", "inboundTrust"),
            restore: None,
            manual: None,
        }]);
        assert_eq!(drift_sentence(&view, None), None);
    }

    #[test]
    fn messages_read_naturally() {
        assert_eq!(
            taken_message(&info(5)),
            "Snapshot #5 taken: 4 tenants, 37 objects, 12 KB."
        );
        let partial = SnapshotInfo {
            tenants: 1,
            objects: 1,
            bytes: 300,
            unread: vec!["Fabrikam: sync jobs (role)".into()],
            ..info(6)
        };
        assert_eq!(
            taken_message(&partial),
            "Snapshot #6 taken: 1 tenant, 1 object, 0.3 KB. Not read: Fabrikam: sync jobs (role)."
        );
        assert_eq!(
            deprovision_warning(12, "Contoso"),
            "Soft-deletes 12 users in Contoso at the next sync cycle (restorable for 30 days)."
        );
        assert_eq!(
            deprovision_warning(1, "Fabrikam"),
            "Soft-deletes 1 user in Fabrikam at the next sync cycle (restorable for 30 days)."
        );
        assert_eq!(roles_sentence(&[]), "");
        assert_eq!(
            roles_sentence(&["Security Administrator".into()]),
            "Needs the Security Administrator role."
        );
        assert_eq!(
            roles_sentence(&[
                "Global Administrator".into(),
                "Security Administrator".into()
            ]),
            "Needs one of these roles: Global Administrator, Security Administrator."
        );
        assert_eq!(
            request_text("PATCH /partners/x", Some("{\n  \"a\": 1\n}")),
            "PATCH /partners/x\n{\n  \"a\": 1\n}"
        );
        assert_eq!(
            request_text("DELETE /partners/x", None),
            "DELETE /partners/x"
        );
        assert_eq!(
            snapshot_option(&info(3)),
            "#3 · 2026-09-01T09:00:00Z · on demand"
        );
        assert_eq!(when("not a time", None), "not a time");
    }

    #[test]
    fn long_values_are_folded_and_pretty_printed() {
        assert_eq!(fold("{\"isMfaAccepted\":true}"), None);
        let long = format!("{{\"displayName\":\"{}\"}}", "x".repeat(200));
        let (summary, pretty) = fold(&long).unwrap_or_default();
        assert_eq!(
            summary,
            format!("{{\"displayName\":\"{}… (0.2 KB)", "x".repeat(32))
        );
        assert_eq!(
            pretty,
            format!("{{\n  \"displayName\": \"{}\"\n}}", "x".repeat(200))
        );
        let text = "y".repeat(170);
        assert_eq!(fold(&text).map(|(_, whole)| whole), Some(text));
    }

    #[test]
    fn the_comparison_form_starts_with_the_two_newest() {
        let snapshots = vec![info(9), info(8), info(2)];
        assert_eq!(
            compare_defaults(&snapshots, &DriftQuery::default()),
            (Some(8), Some(9))
        );
        let asked = DriftQuery {
            older: Some(2),
            ..DriftQuery::default()
        };
        assert_eq!(compare_defaults(&snapshots, &asked), (Some(2), Some(9)));
        assert_eq!(
            compare_defaults(&snapshots[..1], &DriftQuery::default()),
            (None, Some(9))
        );
    }
}
