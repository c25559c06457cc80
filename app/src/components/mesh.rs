//! Pieces the mesh, tenant and pair pages share: badges, the findings list, what could not be read,
//! and the picture.

use leptos::prelude::*;

use crate::components::address::PageAddress;

use crate::mesh::health::{fold_by_rule, Finding, SHOWN_PER_RULE};
use crate::mesh::model::{Health, Node, NodeState, ReadStatus};
use crate::mesh::view::Restricted;
use crate::mesh::{time, Picture};

/// The interval at which an open mesh page asks for a new snapshot.
pub const REFRESH_SECS: u64 = 5;

/// Whether the page was asked to read Graph now (`?refresh=1`, the "Refresh now" link) rather
/// than serve the snapshot.
pub fn refresh_forced() -> bool {
    PageAddress::get().param("refresh").as_deref() == Some("1")
}

/// The page's address with `refresh=1`: the same page read from Graph now. A form's answer
/// (`__said`, `__err`) is not carried over.
pub fn refresh_href(path: &str, search: &str) -> String {
    const DROPPED: [&str; 4] = ["refresh", "__said", "__err", "__path"];
    let mut query = crate::components::enhance::query_without(search, &DROPPED);
    query.push("refresh=1");
    format!("{path}?{}", query.join("&"))
}

/// When the snapshot was taken, and a link to read Graph now. The page is read again every
/// `every` seconds while open (`data-refresh-secs`, crate::browser).
#[component]
pub fn RefreshBar(taken_at: i64, #[prop(default = REFRESH_SECS)] every: u64) -> impl IntoView {
    let address = PageAddress::get();
    let href = refresh_href(&address.path, &address.search);
    view! {
        <div class="refresh-bar" data-refresh-secs=every>
            <span class="muted">"Snapshot taken "{time::clock(taken_at)}" · refreshes every "{every}" s while open"</span>
            <a class="button button-small" href=href>"Refresh now"</a>
        </div>
    }
}

#[component]
pub fn HealthBadge(health: Health) -> impl IntoView {
    view! { <span class=format!("badge health-{}", health.label().replace(' ', "-"))>{health.label()}</span> }
}

#[component]
pub fn StateBadge(state: NodeState) -> impl IntoView {
    view! { <span class=format!("badge state-{}", state.label().replace(' ', "-"))>{state.label()}</span> }
}

/// A link that starts the sign-in to `tenant_id` and comes back to `next`.
#[component]
pub fn SignInLink(tenant_id: String, next: String, label: String) -> impl IntoView {
    let href = format!(
        "/auth/login?tenant={tenant_id}&next={}",
        next.replace('/', "%2F")
    );
    view! { <a class="button button-small" rel="external" href=href>{label}</a> }
}

/// The findings, worst first; a rule with many findings shows its first few and folds the rest
/// into a disclosure (at 100 tenants one rule can make a hundred).
#[component]
pub fn Findings(findings: Vec<Finding>) -> impl IntoView {
    if findings.is_empty() {
        return view! { <p class="muted">"No findings: nothing known to be wrong."</p> }.into_any();
    }
    view! {
        <ul class="findings">
            {fold_by_rule(findings, SHOWN_PER_RULE)
                .into_iter()
                .map(|group| {
                    let folded = (!group.folded.is_empty()).then(|| {
                        let summary = format!(
                            "{} more {} findings like these",
                            group.folded.len(),
                            group.folded[0].severity.label()
                        );
                        view! {
                            <li class="finding-more">
                                <details>
                                    <summary>{summary}</summary>
                                    <ul class="findings">
                                        {group.folded.into_iter().map(|f| view! { <FindingItem f/> }).collect_view()}
                                    </ul>
                                </details>
                            </li>
                        }
                    });
                    view! {
                        {group.shown.into_iter().map(|f| view! { <FindingItem f/> }).collect_view()}
                        {folded}
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn FindingItem(f: Finding) -> impl IntoView {
    view! {
        <li class=format!("finding finding-{}", f.severity.label()) data-rule=f.rule.clone()>
            <h3>
                <span class=format!("badge severity-{}", f.severity.label())>{f.severity.label()}</span>
                " "
                {f.title}
            </h3>
            <p>{f.explanation}</p>
            <p class="fix"><strong>"Fix: "</strong>{f.fix}</p>
            <a href=f.link>"Details"</a>
        </li>
    }
}

/// Why a tenant's own side is missing or old, with the way to fix it.
#[component]
pub fn Coverage(node: Node, taken_at: i64, next: String) -> impl IntoView {
    let age = node
        .read_at
        .map(|at| time::duration(taken_at - at))
        .unwrap_or_default();
    let name = node.name.clone();
    let sign_in = move |label: &str| {
        view! { <SignInLink tenant_id=node.tenant_id.clone() next=next.clone() label=format!("{label} {name}")/> }
    };
    let restricted = (!node.restricted.is_empty()).then(|| {
        let sentences = Restricted::sentences(&node.restricted, &node.name);
        view! { <p class="notice notice-role">{sentences.join(" ")}</p> }
    });
    let status = match node.read {
        ReadStatus::Fresh if node.problems.is_empty() => ().into_any(),
        ReadStatus::Fresh => view! {
            <p class="notice">"Partly read: "{node.problems.join("; ")}</p>
        }
        .into_any(),
        ReadStatus::Stale { reason } => view! {
            <p class="notice notice-error">"Showing data from "{age}" ago; reading it again failed: "{reason}</p>
        }
        .into_any(),
        ReadStatus::Failed { reason } => view! {
            <p class="notice notice-error">"Could not be read: "{reason}</p>
        }
        .into_any(),
        ReadStatus::NeedsSignIn => view! {
            <p class="notice notice-error">"The sign-in has expired. "{sign_in("Sign in again to")}</p>
        }
        .into_any(),
        ReadStatus::NotSignedIn => view! {
            <p class="notice">"Its own side is unknown: shown as the other tenants see it. "{sign_in("Sign in to")}</p>
        }
        .into_any(),
        ReadStatus::ReadByMonitor => view! {
            <p class="notice notice-monitor">{monitor_reading(node.read_at.map(|at| taken_at - at))}</p>
        }
        .into_any(),
    };
    view! { {status} {restricted} }
}

/// What the Coverage line says of a tenant nobody in the session is signed in to, shown as the
/// app-only monitor last read it `age` seconds before the snapshot.
pub fn monitor_reading(age: Option<i64>) -> String {
    match age {
        Some(age) => format!(
            "Read by the monitor {} ago (app-only).",
            time::duration(age)
        ),
        None => "Read by the monitor (app-only).".to_owned(),
    }
}

/// The SVG picture: tenants as circles, each direction of a pair as its own line.
#[component]
pub fn MeshPicture(picture: Picture) -> impl IntoView {
    let frame = picture.frame;
    let r = frame.node_radius;
    let view_box = format!("0 0 {:.0} {:.0}", frame.width, frame.height);
    view! {
        <svg class="mesh-picture" viewBox=view_box width=format!("{:.0}", frame.width) height=format!("{:.0}", frame.height) role="group" aria-labelledby="mesh-picture-title">
            <title id="mesh-picture-title">"Tenants of the multitenant organization and the sync between them"</title>
            <defs>
                {["healthy", "idle", "unknown", "warning", "error"].map(|h| view! {
                    <marker id=format!("arrow-{h}") class=format!("arrow health-{h}") viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z"/>
                    </marker>
                })}
            </defs>
            <g class="edges">
                {picture.edges.into_iter().map(|e| {
                    let health = e.health.label().replace(' ', "-");
                    view! {
                        <a href=e.href>
                            <line class=format!("edge health-{health}") x1=format!("{:.1}", e.from.x) y1=format!("{:.1}", e.from.y)
                                x2=format!("{:.1}", e.to.x) y2=format!("{:.1}", e.to.y) marker-end=format!("url(#arrow-{health})")>
                                <title>{e.title}</title>
                            </line>
                        </a>
                    }
                }).collect_view()}
            </g>
            <g class="nodes">
                {picture.dots.into_iter().map(|d| {
                    let state = d.state.label().replace(' ', "-");
                    let class = format!("node state-{state}{}{}", if d.owner { " owner" } else { "" }, if d.side_known { "" } else { " side-unknown" });
                    let (x, y) = (d.at.x, d.at.y);
                    let label = d.label_at;
                    let title = format!("{} ({}{})", d.label, d.state.label(), if d.owner { ", owner" } else { "" });
                    view! {
                        <a href=format!("/tenants/{}", d.tenant_id)>
                            <g class=class>
                                <title>{title}</title>
                                <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r=format!("{r:.1}")/>
                                {d.transition_running.then(|| view! {
                                    <circle class="progress" cx=format!("{x:.1}") cy=format!("{y:.1}") r=format!("{:.1}", r + 5.0)/>
                                })}
                                <text class="label" x=format!("{:.1}", label.at.x) y=format!("{:.1}", label.at.y) text-anchor=label.anchor.svg()>{d.label}</text>
                            </g>
                        </a>
                    }
                }).collect_view()}
            </g>
        </svg>
    }
}

#[component]
pub fn Legend() -> impl IntoView {
    view! {
        <ul class="legend" aria-label="Legend">
            <li><span class="swatch node-owner"></span>"Owner (thick ring)"</li>
            <li><span class="swatch state-active"></span>"Active"</li>
            <li><span class="swatch state-pending"></span>"Pending (dashed)"</li>
            <li><span class="swatch state-removing"></span>"Removing"</li>
            <li><span class="swatch state-not-in-the-MTO"></span>"Not in the MTO"</li>
            <li><span class="swatch progress-mark"></span>"Transition running"</li>
            <li><span class="line health-healthy"></span>"Syncing"</li>
            <li><span class="line health-error"></span>"Quarantined, failing or blocked"</li>
            <li><span class="line health-warning"></span>"Warning"</li>
            <li><span class="line health-unknown"></span>"Unknown (not signed in)"</li>
            <li><span class="line health-no-sync"></span>"Settings only, no sync"</li>
            <li>"Each line is one direction: users of the tenant it starts at, synced into the one the arrow points to."</li>
        </ul>
    }
}

/// The pairs in words (the pair matrix's text alternative): each pair with sync or something to
/// say in either direction; pairs whose settings would let sync run and that have none either way
/// are counted, not listed (in a large organization they are nearly every pair).
#[component]
pub fn PairsTable(pairs: Vec<crate::mesh::PairLine>, empty: &'static str) -> impl IntoView {
    if pairs.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    let total = pairs.len();
    let pairs: Vec<_> = pairs
        .into_iter()
        .filter(|p| !(p.forward_mark.is_quiet() && p.backward_mark.is_quiet()))
        .collect();
    let quiet = total - pairs.len();
    view! {
        {(quiet > 0).then(|| view! {
            <p class="muted">{format!("{quiet} more pairs have partner settings that allow sync and no sync either way.")}</p>
        })}
        <table class="data">
            <thead><tr><th scope="col">"Pair"</th><th scope="col">"Sync →"</th><th scope="col">"Sync ←"</th></tr></thead>
            <tbody>
                {pairs.into_iter().map(|p| view! {
                    <tr>
                        <th scope="row"><a href=format!("/pairs/{}/{}", p.source, p.target)>{format!("{} ⇄ {}", p.source_name, p.target_name)}</a></th>
                        <td><HealthBadge health=p.forward/>" "{format!("{} → {}: {}", p.source_name, p.target_name, p.forward_verdict)}</td>
                        <td><HealthBadge health=p.backward/>" "{format!("{} → {}: {}", p.target_name, p.source_name, p.backward_verdict)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::refresh_href;

    #[test]
    fn refresh_now_keeps_the_page_and_its_options_but_not_a_forms_answer() {
        assert_eq!(refresh_href("/", ""), "/?refresh=1");
        assert_eq!(
            refresh_href("/", "?show=problems&order=name"),
            "/?show=problems&order=name&refresh=1"
        );
        assert_eq!(
            refresh_href("/joins", "refresh=1&__said=ab12"),
            "/joins?refresh=1"
        );
        assert_eq!(
            refresh_href("/joins", "__path=%2Fapi%2Fjoins%2Fadd&__err=e"),
            "/joins?refresh=1"
        );
    }
}
