//! `/audit`: every change made through Tenant Mesh in the tenants the person may read — filter by
//! tenant, actor, action, outcome and time; export what is shown as CSV.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::audit::{audit_entries, AuditAction, AuditEntry, AuditFilter, AuditStep, OUTCOMES};
use crate::api::ApiError;
use crate::components::empty_state::SignInFirst;
use crate::mesh::time;

fn filter_from(query: &leptos_router::params::ParamsMap) -> AuditFilter {
    let text = |key: &str| query.get(key).filter(|v| !v.trim().is_empty());
    let date = |key: &str, end: bool| {
        text(key).and_then(|d| {
            time::parse(&format!(
                "{d}T{}Z",
                if end { "23:59:59" } else { "00:00:00" }
            ))
        })
    };
    AuditFilter {
        tenant: text("tenant"),
        actor: text("actor"),
        action: text("action"),
        outcome: text("outcome"),
        from: date("from", false),
        to: date("to", true),
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || filter_from(&query.read());
    let entries = Resource::new(filter, |filter| audit_entries(Some(filter)));
    view! {
        <Title text="Audit"/>
        <h1>"Audit"</h1>
        <p class="lead">"Every change made through Tenant Mesh: who, in which tenant, what, and the outcome."</p>
        <p><a href="/audit/timeline">"The audit timeline"</a>": these entries beside the directory audit events of the organization's tenants (changes made anywhere, not only here)."</p>
        <form method="get" action="/audit" class="form filters" aria-label="Filter the audit log">
            <label>"Tenant id"<input type="text" name="tenant" value=move || query.read().get("tenant").unwrap_or_default()/></label>
            <label>"Actor"<input type="text" name="actor" value=move || query.read().get("actor").unwrap_or_default()/></label>
            <label>"Action"
                <select name="action">
                    <option value="">"any"</option>
                    {AuditAction::ALL.iter().map(|a| { let name = a.as_str(); view! { <option value=name selected=move || query.read().get("action").as_deref() == Some(name)>{a.label()}</option> } }).collect_view()}
                </select>
            </label>
            <label>"Outcome"
                <select name="outcome">
                    <option value="">"any"</option>
                    {OUTCOMES.iter().copied().map(|o| view! { <option value=o selected=move || query.read().get("outcome").as_deref() == Some(o)>{o}</option> }).collect_view()}
                </select>
            </label>
            <label>"From"<input type="date" name="from" value=move || query.read().get("from").unwrap_or_default()/></label>
            <label>"To"<input type="date" name="to" value=move || query.read().get("to").unwrap_or_default()/></label>
            <button type="submit" class="button">"Filter"</button>
            <a class="button" rel="external" href=move || format!("/audit/export.csv?{}", filter().query_string())>"Export CSV"</a>
        </form>
        <Suspense fallback=|| view! { <p class="muted">"Reading the audit log…"</p> }>
            {move || entries.get().map(|result| match result {
                Ok(entries) if entries.is_empty() => view! { <p class="muted">"No changes recorded that match."</p> }.into_any(),
                Ok(entries) => view! { <AuditTable entries/> }.into_any(),
                Err(ApiError::NotSignedIn { .. }) => view! { <SignInFirst what="the audit log"/> }.into_any(),
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn AuditTable(entries: Vec<AuditEntry>) -> impl IntoView {
    view! {
        <table class="data audit">
            <thead><tr>
                <th scope="col">"Time (UTC)"</th><th scope="col">"Actor"</th><th scope="col">"Tenant"</th>
                <th scope="col">"Action"</th><th scope="col">"Inputs"</th><th scope="col">"Outcome"</th><th scope="col">"Graph request id"</th>
            </tr></thead>
            <tbody>
                {entries.into_iter().map(|e| {
                    let outcome = match (&e.error_code, &e.error_message) {
                        (Some(code), Some(message)) => format!("{}: {code} — {message}", e.outcome),
                        _ => e.outcome.clone(),
                    };
                    view! {
                        <tr class=format!("outcome-{}", e.outcome)>
                            <td>{time::iso(e.at)}</td>
                            <td>{e.actor_name.clone()}<br/><span class="muted">{e.actor_upn.clone()}</span></td>
                            <td><a href=format!("/tenants/{}", e.tenant)><code>{e.tenant.clone()}</code></a></td>
                            <td>{e.action.clone()}</td>
                            <td><code>{e.inputs.clone()}</code></td>
                            <td>
                                {outcome}
                                {e.finished.map(|at| view! { <br/><span class="muted">"at "{time::iso(at)}</span> })}
                                <AuditSteps steps=e.steps.clone()/>
                            </td>
                            <td><code>{e.request_id.clone().unwrap_or_else(|| "—".into())}</code></td>
                        </tr>
                    }
                    .into_any()
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The Graph calls of one write, each with its outcome: what was changed and what was not.
#[component]
fn AuditSteps(steps: Vec<AuditStep>) -> impl IntoView {
    (!steps.is_empty()).then(|| {
        view! {
            <ol class="audit-steps">
                {steps.into_iter().map(|step| { let class = format!("outcome-{}", step.outcome); view! {
                    <li class=class>
                        {step.label}": "<strong>{step.outcome}</strong>
                        {step.error_message.map(|m| view! { " — "{m} })}
                        <br/><code class="muted">{step.method}" "{step.path}</code>
                    </li>
                }.into_any() }).collect_view()}
            </ol>
        }
        .into_any()
    })
}
