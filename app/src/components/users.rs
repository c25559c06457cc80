//! Pieces of the `/users` page: the segment chart, the home-tenant breakdown, the filter bar, the
//! list and its pager. Every filter is a plain link or GET form, so it works before hydration.

use leptos::prelude::*;

use crate::users::filter::UNKNOWN_HOME;
use crate::users::{bar_lengths, HomeLine, Segment, SegmentCount, UserFilter, UserLine};

/// `/users?…` for `tenant` and `filter`.
pub fn users_href(tenant: &str, filter: &UserFilter) -> String {
    format!("/users?{}", filter.query_string(tenant))
}

const CHART_WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 250.0;
const BAR_ROOM: f64 = 320.0;
const ROW_HEIGHT: f64 = 30.0;

/// Users per segment as a bar chart; each bar (and each entry of the list beside it) filters the
/// list to its segment.
#[component]
pub fn SegmentChart(
    tenant: String,
    filter: UserFilter,
    segments: Vec<SegmentCount>,
) -> impl IntoView {
    let counts: Vec<u64> = segments.iter().map(|s| s.count).collect();
    let lengths = bar_lengths(&counts, BAR_ROOM);
    let height = ROW_HEIGHT * segments.len() as f64 + 10.0;
    let description = segments
        .iter()
        .map(|s| format!("{}: {}", s.segment.label(), s.count))
        .collect::<Vec<_>>()
        .join("; ");
    let selected = filter.segment.clone();
    // The picture (an image with a name and a description: no control may sit inside it) and, over
    // each of its rows, a link to the segment for the mouse. Those links are hidden from assistive
    // technology and skipped by the keyboard: the list beside the chart has the same links.
    let bars = segments
        .iter()
        .zip(lengths)
        .enumerate()
        .map(|(i, (s, length))| {
            let y = 5.0 + ROW_HEIGHT * i as f64;
            let current = selected.as_deref() == Some(s.segment.slug());
            view! {
                <g class={if current { "bar selected" } else { "bar" }}>
                    <text class="bar-label" x=format!("{:.0}", LABEL_WIDTH - 8.0) y=format!("{:.0}", y + 19.0)>{s.segment.label()}</text>
                    <rect class=format!("bar-fill segment-{}", s.segment.slug()) x=format!("{LABEL_WIDTH:.0}") y=format!("{:.0}", y + 4.0) width=format!("{length:.1}") height=format!("{:.0}", ROW_HEIGHT - 8.0) rx="3"/>
                    <text class="bar-value" x=format!("{:.1}", LABEL_WIDTH + length + 6.0) y=format!("{:.0}", y + 19.0)>{s.count}</text>
                </g>
            }
        })
        .collect_view();
    let hits = segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = 5.0 + ROW_HEIGHT * i as f64;
            let href = users_href(&tenant, &filter.with_segment(Some(s.segment)));
            view! {
                <a href=href tabindex="-1">
                    <rect class="bar-hit" x="0" y=format!("{y:.0}") width=format!("{CHART_WIDTH:.0}") height=format!("{ROW_HEIGHT:.0}")/>
                </a>
            }
        })
        .collect_view();
    let list_filter = filter.clone();
    view! {
        <div class="segment-chart">
            <svg viewBox=format!("0 0 {CHART_WIDTH} {height:.0}") role="none">
                <g role="img" aria-labelledby="segment-chart-title" aria-describedby="segment-chart-desc">
                    <title id="segment-chart-title">"Users per segment"</title>
                    <desc id="segment-chart-desc">{description}</desc>
                    {bars}
                </g>
                <g aria-hidden="true">{hits}</g>
            </svg>
            <ul class="segment-list" aria-label="Segments">
                {segments.into_iter().map(|s| {
                    let current = list_filter.segment.as_deref() == Some(s.segment.slug());
                    let href = users_href(&tenant, &list_filter.with_segment(Some(s.segment)));
                    view! {
                        <li>
                            <a href=href aria-current=current.then_some("true")>
                                <span class=format!("swatch segment-{}", s.segment.slug())></span>
                                {s.segment.label()}": "<strong>{s.count}</strong>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// Home tenant × segment: each tenant and each non-zero cell filters the list.
#[component]
pub fn HomeTable(tenant: String, filter: UserFilter, homes: Vec<HomeLine>) -> impl IntoView {
    view! {
        <table class="data homes">
            <thead><tr>
                <th scope="col">"Home tenant"</th>
                {Segment::ALL.map(|s| view! { <th scope="col">{s.label()}</th> })}
                <th scope="col">"Total"</th>
            </tr></thead>
            <tbody>
                {homes.into_iter().map(|home| {
                    let by_home = filter.with_home(Some(&home.tenant_id));
                    let note = if home.this_tenant {
                        Some("this tenant")
                    } else if home.in_mto {
                        Some("in the MTO")
                    } else if home.tenant_id == UNKNOWN_HOME {
                        None
                    } else {
                        Some("outside the MTO")
                    };
                    let cells = Segment::ALL.iter().zip(home.counts.iter()).map(|(segment, count)| {
                        let href = users_href(&tenant, &by_home.with_segment(Some(*segment)));
                        let label = format!("{}: {count} {}", home.name, segment.label());
                        if *count == 0 {
                            view! { <td class="zero">"0"</td> }.into_any()
                        } else {
                            view! { <td><a href=href aria-label=label>{*count}</a></td> }.into_any()
                        }
                    }).collect_view();
                    view! {
                        <tr>
                            <th scope="row">
                                <a href=users_href(&tenant, &by_home)>{home.name.clone()}</a>
                                {note.map(|n| view! { " "<span class="badge">{n}</span> })}
                            </th>
                            {cells}
                            <td>{home.total}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The search form and the filters in force, each with a link that removes it.
#[component]
pub fn FilterBar(
    tenant: String,
    filter: UserFilter,
    /// The selected home tenant's name, when one is selected.
    home_name: Option<String>,
) -> impl IntoView {
    let segment = filter
        .segment
        .as_deref()
        .and_then(Segment::from_slug)
        .map(|s| {
            let clear = users_href(&tenant, &filter.with_segment(None));
            view! { <li>"Segment: "<strong>{s.label()}</strong>" "<a href=clear aria-label=format!("Remove the filter segment {}", s.label())>"✕"</a></li> }
        });
    let home = filter.home.as_ref().map(|_| {
        let name = home_name.clone().unwrap_or_else(|| "unknown".into());
        let clear = users_href(&tenant, &filter.with_home(None));
        view! { <li>"Home tenant: "<strong>{name.clone()}</strong>" "<a href=clear aria-label=format!("Remove the filter home tenant {name}")>"✕"</a></li> }
    });
    let export = format!(
        "/users/export.csv?{}",
        UserFilter {
            page: None,
            ..filter.clone()
        }
        .query_string(&tenant)
    );
    view! {
        <form method="get" action="/users" class="filters search-form" role="search" aria-label="Search the users">
            <input type="hidden" name="tenant" value=tenant.clone()/>
            {filter.segment.clone().map(|s| view! { <input type="hidden" name="segment" value=s/> })}
            {filter.home.clone().map(|h| view! { <input type="hidden" name="home" value=h/> })}
            <label>"Search name, UPN or mail"<input type="search" name="q" value=filter.q.clone().unwrap_or_default()/></label>
            <button type="submit" class="button">"Search"</button>
            <a class="button" rel="external" download="" href=export>"Export CSV"</a>
        </form>
        {(segment.is_some() || home.is_some()).then(|| view! {
            <ul class="active-filters" aria-label="Filters in force">{segment}{home}</ul>
        })}
    }
}

/// One page of users.
#[component]
pub fn UserTable(tenant: String, rows: Vec<UserLine>) -> impl IntoView {
    view! {
        <table class="data users">
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"User principal name"</th><th scope="col">"Mail"</th>
                <th scope="col">"User type"</th><th scope="col">"Segment"</th><th scope="col">"Home tenant"</th>
                <th scope="col">"Method"</th><th scope="col">"In address list"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|u| {
                    let home = match &u.home_id {
                        Some(id) => view! { <a href=users_href(&tenant, &UserFilter::default().with_home(Some(id)))>{u.home_name.clone()}</a> }.into_any(),
                        None => view! { <span class="muted">"unknown"</span> }.into_any(),
                    };
                    view! {
                        <tr>
                            <th scope="row">{u.display_name}</th>
                            <td><code>{u.user_principal_name}</code></td>
                            <td>{u.mail}</td>
                            <td>{u.user_type}</td>
                            <td>{u.segment.singular()}</td>
                            <td>{home}</td>
                            <td><span class=format!("badge method-{}", u.method.label().to_lowercase().replace(' ', "-")) title=u.method.explanation()>{u.method.label()}</span></td>
                            <td>{if u.in_address_list { "yes" } else { "no" }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Previous / page x of y / next.
#[component]
pub fn Pager(tenant: String, filter: UserFilter, page: usize, pages: usize) -> impl IntoView {
    let link = move |to: usize, label: &'static str| {
        view! { <a class="button button-small" href=users_href(&tenant, &filter.on_page(to))>{label}</a> }
    };
    view! {
        <nav class="pager" aria-label="Pages">
            {(page > 1).then(|| link(page - 1, "Previous"))}
            <span>"Page "{page}" of "{pages}</span>
            {(page < pages).then(|| link(page + 1, "Next"))}
        </nav>
    }
}
