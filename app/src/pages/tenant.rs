//! `/tenants/{tenantId}`: one tenant's membership, its settings towards every other tenant, its sync
//! jobs out and in, and its findings.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::mesh::get_tenant_detail;
use crate::components::empty_state::SignInFirst;
use crate::components::mesh::{Coverage, Findings, HealthBadge, StateBadge};
use crate::components::sync::TemplatesSection;
use crate::mesh::model::{Known, ReadStatus};
use crate::mesh::words::{access_text, job_line, switch_text, sync_allowed_text};
use crate::mesh::{time, TenantDetail};
use crate::pages::not_found::InvalidTenantId;

#[component]
pub fn TenantPage() -> impl IntoView {
    let params = use_params_map();
    let tenant_id = move || params.read().get("tenant_id").unwrap_or_default();
    let detail = Resource::new(tenant_id, get_tenant_detail);
    view! {
        <Title text="Tenant"/>
        {move || match tenant_id().parse::<graph::TenantId>() {
            Err(err) => view! { <InvalidTenantId error=err.to_string()/> }.into_any(),
            Ok(id) => view! {
                <Suspense fallback=|| view! { <p class="muted">"Reading the tenants…"</p> }>
                    {move || detail.get().map(|result| match result {
                        Ok(Some(detail)) => view! { <TenantView detail/> }.into_any(),
                        Ok(None) => view! {
                            <h1>"Tenant "<code>{id.to_string()}</code></h1>
                            <p>"This tenant is not part of the mesh as the signed-in tenants see it."</p>
                            <SignInFirst what="this tenant's membership, partner settings and sync jobs"/>
                        }.into_any(),
                        Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
                    })}
                </Suspense>
            }.into_any(),
        }}
    }
}

fn when(timestamp: Option<&str>, now: i64) -> String {
    match timestamp {
        Some(t) => match time::ago(t, now) {
            Some(ago) => format!("{t} ({ago})"),
            None => t.to_owned(),
        },
        None => "—".into(),
    }
}

#[component]
fn TenantView(detail: TenantDetail) -> impl IntoView {
    let TenantDetail {
        taken_at,
        node,
        partners,
        sync_out,
        sync_in,
        findings,
        added_by_name,
    } = detail;
    let here = format!("/tenants/{}", node.tenant_id);
    let transition = node.transition.clone().map(|t| {
        let seen = t
            .observed_since
            .map(|s| format!(", seen for {}", time::duration(taken_at - s)))
            .unwrap_or_default();
        format!(
            "{}: {}{seen}{}",
            t.goal(),
            t.status,
            t.details.map(|d| format!(" — {d}")).unwrap_or_default()
        )
    });
    view! {
        <Title text=node.name.clone()/>
        <h1>{node.name.clone()}" "<StateBadge state=node.state/></h1>
        <p class="muted"><code>{node.tenant_id.clone()}</code></p>
        <Coverage node=node.clone() taken_at next=here.clone()/>
        <section class="card" aria-labelledby="membership-title">
            <h2 id="membership-title">"Membership"</h2>
            <dl class="facts">
                <dt>"Role"</dt><dd>{node.role.as_ref().map_or_else(|| "not in the MTO".to_owned(), ToString::to_string)}</dd>
                <dt>"State"</dt><dd>{node.state.label()}</dd>
                <dt>"Added"</dt><dd>{when(node.added.as_deref(), taken_at)}</dd>
                <dt>"Added by"</dt><dd>{added_by_name.unwrap_or_else(|| "—".into())}</dd>
                <dt>"Joined"</dt><dd>{when(node.joined.as_deref(), taken_at)}</dd>
                <dt>"Transition"</dt><dd>{transition.unwrap_or_else(|| "none".into())}</dd>
            </dl>
        </section>
        <section class="card" aria-labelledby="tenant-findings">
            <h2 id="tenant-findings">"Findings"</h2>
            <Findings findings/>
        </section>
        <section class="card" aria-labelledby="partners-title">
            <h2 id="partners-title">"Its cross-tenant access settings"</h2>
            <table class="data">
                <thead><tr>
                    <th scope="col">"For tenant"</th><th scope="col">"B2B collaboration in / out"</th>
                    <th scope="col">"Direct connect in / out"</th><th scope="col">"Automatic redemption in / out"</th>
                    <th scope="col">"Inbound sync"</th><th scope="col">"Marked MTO"</th>
                </tr></thead>
                <tbody>
                    {partners.into_iter().map(|(name, id, side)| {
                        let link = format!("/pairs/{}/{id}", node.tenant_id);
                        match side {
                            Known::Present(s) => view! {
                                <tr>
                                    <th scope="row"><a href=link>{name}</a></th>
                                    <td>{access_text(&s.b2b_collaboration_inbound)}" / "{access_text(&s.b2b_collaboration_outbound)}</td>
                                    <td>{access_text(&s.b2b_direct_connect_inbound)}" / "{access_text(&s.b2b_direct_connect_outbound)}</td>
                                    <td>{switch_text(&s.auto_redeem_inbound)}" / "{switch_text(&s.auto_redeem_outbound)}</td>
                                    <td>{sync_allowed_text(&s)}</td>
                                    <td>{match s.is_in_mto { Some(true) => "yes", Some(false) => "no", None => "not set" }}</td>
                                </tr>
                            }.into_any(),
                            Known::Absent => view! {
                                <tr><th scope="row"><a href=link>{name}</a></th><td colspan="5">"No partner configuration: the default settings apply."</td></tr>
                            }.into_any(),
                            Known::Unknown => view! {
                                <tr><th scope="row"><a href=link>{name}</a></th><td colspan="5">"Unknown: sign in to this tenant to read its settings."</td></tr>
                            }.into_any(),
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="sync-out-title">
            <h2 id="sync-out-title">"Sync out (its users into other tenants)"</h2>
            {match sync_out {
                Known::Present(jobs) if jobs.is_empty() => view! { <p class="muted">"No cross-tenant sync configurations."</p> }.into_any(),
                Known::Present(jobs) => view! {
                    <ul class="plain">
                        {jobs.into_iter().map(|(target, job)| view! {
                            <li><strong>{format!("{} → {target}", node.name)}</strong>" ("{job.name.clone()}"): "{job_line(&job, taken_at)}</li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
                _ => view! { <p class="muted">"Unknown: sign in to this tenant to read its sync configurations."</p> }.into_any(),
            }}
        </section>
        <section class="card" aria-labelledby="sync-in-title">
            <h2 id="sync-in-title">"Sync in (other tenants' users into it)"</h2>
            <ul class="plain">
                {sync_in.into_iter().map(|(from_name, d)| view! {
                    <li>
                        <HealthBadge health=d.health/>" "
                        <a href=format!("/pairs/{}/{}", d.from, d.to)>{format!("{from_name} → {}", node.name)}</a>
                        ": "{d.verdict.clone()}
                        {d.job.present().map(|job| view! { " · "{job_line(job, taken_at)} })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
        {(!matches!(node.read, ReadStatus::NotSignedIn | ReadStatus::ReadByMonitor)).then(|| view! { <TemplatesSection tenant=node.tenant_id.clone()/> })}
    }
}
