//! `/audit/timeline`: the directory audit events about the multitenant organization, cross-tenant
//! access settings and cross-tenant provisioning from every tenant Tenant Mesh reads, beside its
//! own audit log, newest first; filtered by a GET form (works without JavaScript), paged, and
//! exported as CSV or JSON (`/audit/timeline.csv`, `/audit/timeline.json`, same query string).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::timeline::{
    audit_timeline, TimelineFilter, TimelineRow, TimelineSource, TimelineView,
};
use crate::api::ApiError;
use crate::components::empty_state::SignInFirst;
use crate::mesh::time;

fn filter_from(query: &leptos_router::params::ParamsMap) -> TimelineFilter {
    TimelineFilter {
        tenant: query.get("tenant"),
        source: query.get("source"),
        category: query.get("category"),
        q: query.get("q"),
        from: query.get("from"),
        to: query.get("to"),
        page: query.get("page").and_then(|p| p.trim().parse().ok()),
    }
    .normalised()
}

#[component]
pub fn AuditTimelinePage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || filter_from(&query.read());
    let timeline = Resource::new(filter, |filter| audit_timeline(Some(filter)));
    view! {
        <Title text="Audit timeline"/>
        <h1>"Audit timeline"</h1>
        <p class="lead">
            "Changes to the multitenant organization, cross-tenant access settings and cross-tenant provisioning: "
            "the directory audit events of every tenant Tenant Mesh reads, beside "
            <a href="/audit">"Tenant Mesh's own audit log"</a>"."
        </p>
        <p class="muted">
            "Microsoft Graph keeps directory audit events for 30 days (seven days without Microsoft Entra ID P1 or P2). "
            "Tenant Mesh keeps every event it reads: older ones stay here, marked “kept by Tenant Mesh”."
        </p>
        <Suspense fallback=|| view! { <p class="muted" role="status">"Reading the audit logs…"</p> }>
            {move || timeline.get().map(|result| match result {
                Ok(view) => view! { <Timeline view filter=filter()/> }.into_any(),
                Err(ApiError::NotSignedIn { .. }) => view! { <SignInFirst what="the audit timeline"/> }.into_any(),
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Timeline(view: TimelineView, filter: TimelineFilter) -> impl IntoView {
    let TimelineView {
        rows,
        matching,
        page,
        pages,
        truncated,
        tenants,
        categories,
        notes,
        problems,
        now,
    } = view;
    let query = filter.query_string();
    let export = |format: &str| {
        if query.is_empty() {
            format!("/audit/timeline.{format}")
        } else {
            format!("/audit/timeline.{format}?{query}")
        }
    };
    let shown = if rows.is_empty() {
        String::new()
    } else {
        let first = (page - 1) * crate::api::timeline::PAGE_SIZE + 1;
        format!(
            "Rows {first}–{} of {matching}, as of {}.",
            first + rows.len() - 1,
            time::iso(now)
        )
    };
    view! {
        <TimelineForm filter=filter.clone() tenants categories/>
        <p class="export">
            <a class="button button-small" rel="external" download="" href=export("csv")>"Export CSV"</a>" "
            <a class="button button-small" rel="external" download="" href=export("json")>"Export JSON"</a>
        </p>
        {notes.into_iter().map(|n| view! { <p class="notice">{n}</p> }).collect_view()}
        {problems.into_iter().map(|p| view! { <p class="notice notice-error">{p}</p> }).collect_view()}
        {truncated.then(|| view! {
            <p class="notice">"Only the newest entries are shown: narrow the filter (tenant, dates) to see older ones."</p>
        })}
        {if rows.is_empty() {
            view! { <p class="muted">"Nothing recorded that matches."</p> }.into_any()
        } else {
            view! {
                <p class="muted">{shown}</p>
                <TimelineTable rows/>
                <TimelinePager filter page pages/>
            }
            .into_any()
        }}
    }
    .into_any()
}

/// The filters, as a GET form: the page's address carries them.
#[component]
fn TimelineForm(
    filter: TimelineFilter,
    tenants: Vec<(String, String)>,
    categories: Vec<String>,
) -> impl IntoView {
    let tenant = filter.tenant.clone().unwrap_or_default();
    let source = filter.source.clone().unwrap_or_default();
    let category = filter.category.clone().unwrap_or_default();
    view! {
        <form method="get" action="/audit/timeline" class="form-inline filters" role="search" aria-label="Filter the timeline">
            <label>"Tenant"
                <select name="tenant">
                    <option value="">"any"</option>
                    {tenants.into_iter().map(|(id, name)| {
                        let selected = id == tenant;
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Source"
                <select name="source">
                    <option value="">"any"</option>
                    {TimelineSource::ALL.into_iter().map(|s| {
                        let selected = source == s.as_str();
                        view! { <option value=s.as_str() selected=selected>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Category"
                <select name="category">
                    <option value="">"any"</option>
                    {categories.into_iter().map(|c| {
                        let selected = c.eq_ignore_ascii_case(&category);
                        let label = c.clone();
                        view! { <option value=c selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Text"<input type="search" name="q" maxlength="256" value=filter.q.clone().unwrap_or_default()/></label>
            <label>"From"<input type="date" name="from" value=filter.from.clone().unwrap_or_default()/></label>
            <label>"To"<input type="date" name="to" value=filter.to.clone().unwrap_or_default()/></label>
            <button type="submit" class="button">"Filter"</button>
        </form>
    }
    .into_any()
}

#[component]
fn TimelineTable(rows: Vec<TimelineRow>) -> impl IntoView {
    view! {
        <table class="data timeline">
            <thead><tr>
                <th scope="col">"Time (UTC)"</th><th scope="col">"Tenant"</th><th scope="col">"Source"</th>
                <th scope="col">"Category"</th><th scope="col">"Activity"</th><th scope="col">"Initiated by"</th>
                <th scope="col">"Target resources"</th><th scope="col">"Result"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let source = row.source_label();
                    let class = format!("outcome-{}", row.result);
                    view! {
                        <tr class=class>
                            <td>
                                {time::iso(row.at)}
                                {row.kept.then(|| view! { <br/><span class="badge" title="Microsoft Graph no longer has this event; Tenant Mesh kept it when it read it">"kept by Tenant Mesh"</span> })}
                            </td>
                            <td><a href=format!("/tenants/{}", row.tenant)>{row.tenant_name.clone()}</a></td>
                            <td>{source}</td>
                            <td><code>{row.category.clone()}</code></td>
                            <td>{row.activity.clone()}</td>
                            <td>{row.initiated_by.clone()}</td>
                            <td><code>{row.targets.clone()}</code></td>
                            <td>
                                {row.result.clone()}
                                {row.detail.clone().map(|d| view! { <br/><span class="muted">{d}</span> })}
                            </td>
                        </tr>
                    }
                    .into_any()
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn TimelinePager(filter: TimelineFilter, page: usize, pages: usize) -> impl IntoView {
    let link = move |to: usize, label: &'static str| {
        view! { <a class="button button-small" href=filter.href(to)>{label}</a> }
    };
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {(page > 1).then(|| link(page - 1, "Previous"))}
                <span>"Page "{page}" of "{pages}</span>
                {(page < pages).then(|| link(page + 1, "Next"))}
            </nav>
        }
    })
}
