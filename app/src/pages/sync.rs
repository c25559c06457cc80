//! `/sync`: every cross-tenant sync configuration the session can see, one row per ordered pair,
//! problems first; filters and sort are in the query string, so links and the form work without JS.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::sync::{get_sync_list, SyncList};
use crate::api::ApiError;
use crate::components::empty_state::SignInFirst;
use crate::components::mesh::HealthBadge;
use crate::mesh::time;
use crate::sync::list::{SyncQuery, SORTS};

const STATUSES: &[&str] = &["Active", "NotRun", "Paused", "Quarantine", "NotConfigured"];

#[component]
pub fn SyncPage() -> impl IntoView {
    let query = use_query_map();
    let sync_query = move || {
        let q = query.read();
        SyncQuery {
            status: q.get("status"),
            tenant: q.get("tenant"),
            q: q.get("q"),
            sort: q.get("sort"),
        }
    };
    let list = Resource::new(sync_query, get_sync_list);
    view! {
        <Title text="Cross-tenant sync"/>
        <h1>"Cross-tenant sync"</h1>
        <p class="lead">"Every cross-tenant synchronization configuration between your tenants: status, quarantine, scope and logs."</p>
        <Suspense fallback=|| view! { <p class="muted">"Reading the sync configurations…"</p> }>
            {move || list.get().map(|result| match result {
                Ok(Some(list)) => view! { <SyncTable list query=sync_query()/> }.into_any(),
                Ok(None) | Err(ApiError::NotSignedIn { .. }) => view! { <SignInFirst what="sync configurations"/> }.into_any(),
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn SyncTable(list: SyncList, query: SyncQuery) -> impl IntoView {
    let SyncList {
        taken_at,
        total,
        tenants,
        rows,
        unread,
        restricted,
    } = list;
    let status = query.status.unwrap_or_default();
    let tenant = query.tenant.unwrap_or_default();
    let sort = query.sort.unwrap_or_else(|| "problems".into());
    let shown = rows.len();
    let when = move |t: &Option<String>| {
        t.as_deref()
            .map(|t| time::ago(t, taken_at).unwrap_or_else(|| t.to_owned()))
            .unwrap_or_else(|| "—".into())
    };
    view! {
        <form method="get" action="/sync" class="form-inline filters" role="search" aria-label="Filter the configurations">
            <label>"Status "
                <select name="status">
                    <option value="" selected=status.is_empty()>"any"</option>
                    {STATUSES.iter().map(|s| view! { <option value=*s selected=status == *s>{*s}</option> }).collect_view()}
                </select>
            </label>
            <label>"Tenant "
                <select name="tenant">
                    <option value="" selected=tenant.is_empty()>"any"</option>
                    {tenants.into_iter().map(|(id, name)| {
                        let selected = tenant == id;
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Text "<input type="search" name="q" value=query.q.unwrap_or_default() placeholder="tenant or finding"/></label>
            <label>"Sort "
                <select name="sort">
                    {SORTS.iter().map(|(value, label)| view! { <option value=*value selected=sort == *value>{*label}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="button button-small">"Apply"</button>
            <a href="/sync" class="button button-small">"Clear"</a>
        </form>
        <p class="muted" role="status">{format!("{shown} of {total} configurations · snapshot taken {}", time::clock(taken_at))}</p>
        {(!restricted.is_empty()).then(|| view! {
            <p class="notice notice-role">{restricted.join(" ")}</p>
        })}
        {(!unread.is_empty()).then(|| view! {
            <p class="notice notice-error">"Sync configurations could not be read in: "{unread.join(", ")}</p>
        })}
        {if rows.is_empty() {
            view! { <p class="muted">{if total == 0 { "No sync configurations in the tenants you are signed in to." } else { "No configuration matches the filter." }}</p> }.into_any()
        } else {
            view! {
                <table class="data sync-list">
                    <thead><tr>
                        <th scope="col">"Source → target"</th><th scope="col">"Health"</th><th scope="col">"Status"</th>
                        <th scope="col">"Last run"</th><th scope="col">"Imported / exported / escrowed"</th>
                        <th scope="col">"Last success"</th><th scope="col">"Steady state"</th><th scope="col">"Findings"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| {
                            let counts = match (r.imported, r.exported, r.escrowed) {
                                (Some(i), Some(e), Some(s)) => format!("{i} / {e} / {s}"),
                                _ => "—".into(),
                            };
                            view! {
                                <tr>
                                    <th scope="row"><a href=r.link.clone()>{format!("{} → {}", r.source_name, r.target_name)}</a></th>
                                    <td><HealthBadge health=r.health/></td>
                                    <td>{r.status.to_string()}<br/><span class="muted">{r.schedule_state.as_str().to_lowercase()}</span></td>
                                    <td>{when(&r.last_run)}{r.last_run_state.as_ref().map(|s| view! { <br/><span class="muted">{s.to_string()}</span> })}</td>
                                    <td>{counts}</td>
                                    <td>{when(&r.last_success)}</td>
                                    <td>{when(&r.steady_since)}</td>
                                    <td>
                                        <p>{r.verdict.clone()}</p>
                                        {(!r.findings.is_empty()).then(|| view! {
                                            <ul class="plain">{r.findings.iter().map(|f| view! { <li>{f.clone()}</li> }).collect_view()}</ul>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
