//! `/`: the whole MTO at once — picture, counts, findings, and the same data as tables.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::mesh::mesh_overview;
use crate::components::empty_state::SignInFirst;
use crate::components::matrix::PairMatrix;
use crate::components::mesh::{
    refresh_forced, Coverage, Findings, Legend, MeshPicture, PairsTable, RefreshBar, StateBadge,
};
use crate::mesh::layout::PICTURE_LIMIT;
use crate::mesh::model::NodeState;
use crate::mesh::{time, Overview};

#[component]
pub fn MeshPage() -> impl IntoView {
    let forced = refresh_forced();
    let overview = Resource::new(move || forced, mesh_overview);
    view! {
        <Title text="Tenant mesh"/>
        <h1>"Tenant mesh"</h1>
        <p class="lead">"Every tenant of the multitenant organization, both sides of every tenant pair, and what is wrong with them."</p>
        <Transition fallback=|| view! { <p class="muted">"Reading the tenants…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(Some(overview)) => view! { <MeshView overview/> }.into_any(),
                Ok(None) => view! { <SignInFirst what="the tenant mesh"/> }.into_any(),
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn MeshView(overview: Overview) -> impl IntoView {
    let Overview {
        taken_at,
        organization,
        nodes,
        counts,
        pairs,
        findings,
        picture,
    } = overview;
    let unread: Vec<_> = nodes
        .iter()
        .filter(|n| {
            n.in_mto()
                && (!n.side_known
                    || n.read != crate::mesh::model::ReadStatus::Fresh
                    || !n.problems.is_empty()
                    || !n.restricted.is_empty())
        })
        .cloned()
        .collect();
    view! {
        <RefreshBar taken_at/>
        {match organization {
            Some(org) => view! {
                <p class="organization">
                    <strong>{org.display_name}</strong>
                    {org.description.map(|d| view! { " — "{d} })}
                </p>
            }.into_any(),
            None => view! { <p class="notice">"None of the signed-in tenants is in a multitenant organization."</p> }.into_any(),
        }}
        <ul class="counts" aria-label="Tenant counts">
            <li><strong>{counts.active}</strong>" active"</li>
            <li><strong>{counts.pending}</strong>" pending"</li>
            {(counts.removing > 0).then(|| view! { <li><strong>{counts.removing}</strong>" being removed"</li> })}
            <li><strong>{counts.limit}</strong>" limit"</li>
        </ul>
        {(!unread.is_empty()).then(|| view! {
            <section class="card coverage" aria-label="What could not be read">
                <h2>"Missing or old data"</h2>
                <ul>
                    {unread.into_iter().map(|node| view! {
                        <li><strong>{node.name.clone()}</strong>" "<Coverage node taken_at next="/".to_owned()/></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <section class="card" aria-labelledby="findings-title">
            <h2 id="findings-title">"Findings"</h2>
            <Findings findings/>
        </section>
        <section class="card matrix-card" aria-labelledby="matrix-title">
            <h2 id="matrix-title">"Pair matrix"</h2>
            <PairMatrix nodes=nodes.clone() pairs=pairs.clone()/>
        </section>
        {match picture {
            Some(picture) => view! {
                <section class="card picture-card" aria-labelledby="picture-title">
                    <h2 id="picture-title">"Picture"</h2>
                    <MeshPicture picture/>
                    <Legend/>
                </section>
            }.into_any(),
            None => view! {
                <p class="muted">{format!("The picture is drawn for up to {} tenants; the pair matrix above shows all {}.", PICTURE_LIMIT, nodes.len())}</p>
            }.into_any(),
        }}
        <section class="card" aria-labelledby="tenants-title">
            <h2 id="tenants-title">"Tenants"</h2>
            <table class="data">
                <thead><tr><th scope="col">"Tenant"</th><th scope="col">"Role"</th><th scope="col">"State"</th><th scope="col">"Transition"</th><th scope="col">"Its own side"</th></tr></thead>
                <tbody>
                    {nodes.into_iter().map(|node| {
                        let transition = node.transition.as_ref().map(|t| {
                            let since = t.observed_since.map(|s| format!(", seen for {}", time::duration(taken_at - s))).unwrap_or_default();
                            format!("{} ({}{since})", t.goal(), t.status)
                        });
                        let side = if node.state == NodeState::Outside && !node.side_known {
                            "—".to_owned()
                        } else if node.side_known {
                            let by = if node.read == crate::mesh::model::ReadStatus::ReadByMonitor { "read by the monitor" } else { "read" };
                            node.read_at.map(|at| format!("{by} {} ago", time::duration(taken_at - at))).unwrap_or_else(|| by.into())
                        } else {
                            "unknown (not signed in)".to_owned()
                        };
                        view! {
                            <tr>
                                <th scope="row"><a href=format!("/tenants/{}", node.tenant_id)>{node.name.clone()}</a></th>
                                <td>{node.role.as_ref().map_or_else(|| "—".to_owned(), ToString::to_string)}</td>
                                <td><StateBadge state=node.state/></td>
                                <td>{transition.unwrap_or_else(|| "—".into())}</td>
                                <td>{side}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="pairs-title">
            <h2 id="pairs-title">"Pairs"</h2>
            <PairsTable pairs empty="No partner settings or sync between the tenants read so far."/>
        </section>
    }
}
