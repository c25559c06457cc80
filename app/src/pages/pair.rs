//! `/pairs/{source}/{target}`: both directions side by side — each tenant's settings for the other,
//! what each field means, the sync job each way and a verdict.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::mesh::get_pair_detail;
use crate::components::empty_state::SignInFirst;
use crate::components::mesh::{Coverage, Findings, HealthBadge};
use crate::components::sync::SyncSection;
use crate::mesh::model::{Direction, Known};
use crate::mesh::view::PartnerSide;
use crate::mesh::words::{
    access_text, group_lines, group_sync_allowed_text, job_line, switch_text, sync_allowed_text,
};
use crate::mesh::PairDetail;
use crate::pages::not_found::InvalidTenantId;

/// The rows of the side-by-side table: label, meaning, and how to read a side.
type Row = (&'static str, &'static str, fn(&PartnerSide) -> String);

const ROWS: &[Row] = &[
    ("B2B collaboration inbound", "Whether the partner's users may be invited as guests here.", |s| access_text(&s.b2b_collaboration_inbound)),
    ("B2B collaboration outbound", "Whether this tenant's users may be invited by the partner.", |s| access_text(&s.b2b_collaboration_outbound)),
    ("B2B direct connect inbound", "Teams shared channels: the partner's users here without a guest account.", |s| access_text(&s.b2b_direct_connect_inbound)),
    ("B2B direct connect outbound", "Teams shared channels: this tenant's users in the partner.", |s| access_text(&s.b2b_direct_connect_outbound)),
    ("Trusts the partner's MFA", "Inbound trust: MFA done in the partner counts here.", |s| switch_text(&s.trusts_mfa)),
    ("Trusts compliant devices", "Inbound trust: the partner's device compliance counts here.", |s| switch_text(&s.trusts_compliant_devices)),
    ("Automatic redemption inbound", "Invitations from the partner are redeemed without a consent prompt. Needed in the target for sync.", |s| switch_text(&s.auto_redeem_inbound)),
    ("Automatic redemption outbound", "This tenant's users are redeemed in the partner without a prompt. Needed in the source for sync.", |s| switch_text(&s.auto_redeem_outbound)),
    ("Inbound sync from the partner", "Identity sync policy: the partner may sync its users into this tenant.", sync_allowed_text),
    ("Inbound group sync from the partner", "Identity sync policy (groupSyncInbound): the partner may sync its security groups into this tenant. Switched off, groups it synced before stay, no longer updated.", group_sync_allowed_text),
    ("Marked as MTO partner", "isInMultiTenantOrganization: the configuration belongs to the MTO.", |s| match s.is_in_mto { Some(true) => "yes".into(), Some(false) => "no".into(), None => "not set".into() }),
];

fn side_cell(side: &Known<PartnerSide>, read: fn(&PartnerSide) -> String) -> String {
    match side {
        Known::Present(side) => read(side),
        Known::Absent => "no partner configuration (defaults)".into(),
        Known::Unknown => "unknown (not signed in)".into(),
    }
}

#[component]
pub fn PairPage() -> impl IntoView {
    let params = use_params_map();
    let ids = move || {
        let params = params.read();
        let source = params
            .get("source")
            .unwrap_or_default()
            .parse::<graph::TenantId>();
        let target = params
            .get("target")
            .unwrap_or_default()
            .parse::<graph::TenantId>();
        source.and_then(|source| target.map(|target| (source, target)))
    };
    let detail = Resource::new(
        move || ids().map(|(s, t)| (s.to_string(), t.to_string())).ok(),
        |ids| async move {
            match ids {
                Some((source, target)) => get_pair_detail(source, target).await,
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Tenant pair"/>
        {move || match ids() {
            Err(err) => view! { <InvalidTenantId error=err.to_string()/> }.into_any(),
            Ok(_) => view! {
                <Suspense fallback=|| view! { <p class="muted">"Reading the tenants…"</p> }>
                    {move || detail.get().map(|result| match result {
                        Ok(Some(detail)) => view! { <PairView detail/> }.into_any(),
                        Ok(None) => view! { <h1>"Tenant pair"</h1><SignInFirst what="both sides of this pair"/> }.into_any(),
                        Err(error) => view! { <h1>"Tenant pair"</h1><p class="notice notice-error">{error.to_string()}</p> }.into_any(),
                    })}
                </Suspense>
            }.into_any(),
        }}
    }
}

#[component]
fn DirectionCard(direction: Direction, from: String, to: String, taken_at: i64) -> impl IntoView {
    let title = format!("{from} → {to}");
    let label = title.clone();
    view! {
        <section class="card direction" aria-label=label>
            <h2>{title}" "<HealthBadge health=direction.health/></h2>
            <p class="verdict">{direction.verdict.clone()}</p>
            {match &direction.job {
                Known::Present(job) => view! { <p>"Job "{job.name.clone()}": "{job_line(job, taken_at)}</p> }.into_any(),
                Known::Absent => view! { <p class="muted">{format!("{from} has no sync configuration to {to}.")}</p> }.into_any(),
                Known::Unknown => view! { <p class="muted">{format!("Whether {from} syncs to {to} is unknown: sign in to {from}.")}</p> }.into_any(),
            }}
            {(!direction.blockers.is_empty()).then(|| view! {
                <p><strong>"What blocks sync in this direction:"</strong></p>
                <ul class="blockers">{direction.blockers.iter().map(|b| view! { <li>{b.clone()}</li> }).collect_view()}</ul>
            })}
            {(!direction.unknowns.is_empty()).then(|| view! {
                <p class="muted">"Not known: "{direction.unknowns.join(", ")}</p>
            })}
            <GroupSyncLines direction=direction.clone() from=from.clone() to=to.clone()/>
        </section>
    }
}

/// Group sync in one direction: the target's permission, groups in scope, synced, left behind.
#[component]
fn GroupSyncLines(direction: Direction, from: String, to: String) -> impl IntoView {
    let label = format!("Group sync {from} → {to}");
    let left_behind = direction.groups.left_behind > 0;
    view! {
        <div class="group-sync" role="group" aria-label=label>
            <p><strong>"Groups"</strong></p>
            <ul class="group-sync-lines">
                {group_lines(&direction.groups, &from, &to)
                    .into_iter()
                    .enumerate()
                    .map(|(index, line)| {
                        let warn = left_behind && index == 3;
                        view! { <li class:warning=warn>{line}</li> }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

#[component]
fn PairView(detail: PairDetail) -> impl IntoView {
    let PairDetail {
        taken_at,
        pair,
        source,
        target,
        findings,
    } = detail;
    let here = format!("/pairs/{}/{}", pair.source, pair.target);
    let (a, b) = (pair.source_name.clone(), pair.target_name.clone());
    let verdict = pair.health();
    view! {
        <Title text=format!("{a} ⇄ {b}")/>
        <h1>{format!("{a} ⇄ {b}")}" "<HealthBadge health=verdict/></h1>
        <p class="muted">
            <a href=format!("/tenants/{}", pair.source)>{a.clone()}</a>" · "
            <a href=format!("/tenants/{}", pair.target)>{b.clone()}</a>" · "
            <a href=format!("/pairs/{}/{}", pair.target, pair.source)>"Swap sides"</a>
        </p>
        {source.map(|node| view! { <Coverage node taken_at next=here.clone()/> })}
        {target.map(|node| view! { <Coverage node taken_at next=here.clone()/> })}
        <div class="directions">
            <DirectionCard direction=pair.forward.clone() from=a.clone() to=b.clone() taken_at/>
            <DirectionCard direction=pair.backward.clone() from=b.clone() to=a.clone() taken_at/>
        </div>
        <SyncSection source=pair.source.clone() target=pair.target.clone()/>
        <p class="muted"><a href=format!("/pairs/{}/{}", pair.target, pair.source)>{format!("The sync {b} → {a} is on the swapped page.")}</a></p>
        <section class="card" aria-labelledby="pair-findings">
            <h2 id="pair-findings">"Findings"</h2>
            <Findings findings/>
        </section>
        <section class="card" aria-labelledby="settings-title">
            <h2 id="settings-title">"Cross-tenant access settings, both sides"</h2>
            <table class="data side-by-side" tabindex="0" aria-labelledby="settings-title">
                <thead><tr>
                    <th scope="col">"Setting"</th>
                    <th scope="col">{format!("{a}'s settings for {b}")}</th>
                    <th scope="col">{format!("{b}'s settings for {a}")}</th>
                    <th scope="col">"What it means"</th>
                </tr></thead>
                <tbody>
                    {ROWS.iter().map(|(label, meaning, read)| view! {
                        <tr>
                            <th scope="row">{*label}</th>
                            <td>{side_cell(&pair.source_settings, *read)}</td>
                            <td>{side_cell(&pair.target_settings, *read)}</td>
                            <td class="muted">{*meaning}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
