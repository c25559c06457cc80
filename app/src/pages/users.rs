//! `/users?tenant=…`: one signed-in tenant's users by segment and by home tenant, a searchable,
//! paged list and its CSV export. Everything is driven by the query string (links and a GET form),
//! so it works without JavaScript; while a large tenant is read the page shows how far it is and
//! asks again (read again in place with JavaScript, a meta refresh without).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use crate::api::session::{signed_in_tenants, SignedInTenant};
use crate::api::users::segment_users;
use crate::api::ApiError;
use crate::components::empty_state::SignInFirst;
use crate::components::mesh::SignInLink;
use crate::components::users::{users_href, FilterBar, HomeTable, Pager, SegmentChart, UserTable};
use crate::mesh::time;
use crate::users::{Method, UserFilter, UsersReport, UsersState, UsersView};

/// Seconds between two looks at a reading in progress.
const POLL_SECS: u64 = 1;

fn filter_from(query: &leptos_router::params::ParamsMap) -> UserFilter {
    UserFilter {
        segment: query.get("segment"),
        home: query.get("home"),
        q: query.get("q"),
        page: query.get("page").and_then(|p| p.trim().parse().ok()),
    }
    .normalised()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let tenant = move || {
        query
            .read()
            .get("tenant")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let sign_ins = Resource::new(|| (), |_| signed_in_tenants());
    let users = Resource::new(
        move || {
            let q = query.read();
            let refresh = q.get("refresh").as_deref() == Some("1");
            tenant().map(|t| (t, filter_from(&q), refresh))
        },
        |key| async move {
            match key {
                Some((tenant, filter, refresh)) => {
                    Some(segment_users(tenant, Some(filter), refresh).await)
                }
                None => None,
            }
        },
    );
    view! {
        <Title text="Users"/>
        <h1>"Users"</h1>
        <p class="lead">"Internal users and external members and guests, from inside and outside the organization, per home tenant."</p>
        <Transition fallback=|| view! { <p class="muted">"Reading the sign-ins…"</p> }>
            {move || sign_ins.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <SignInFirst what="user segments"/> }.into_any(),
                // Signed in to one tenant: nothing to choose, straight to its segments.
                Ok(list) if list.len() == 1 && tenant().is_none() => {
                    let path = format!("/users?tenant={}", list[0].tenant_id);
                    // `Redirect` sets the location; the status is this page's to set.
                    #[cfg(feature = "ssr")]
                    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                        response.set_status(http::StatusCode::FOUND);
                    }
                    view! { <Redirect path/> }.into_any()
                }
                Ok(list) => view! { <TenantPicker list current=tenant()/> }.into_any(),
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="muted" role="status">"Reading users…"</p> }>
            {move || users.get().flatten().map(|result| match result {
                Ok(view) => view! { <TenantUsers view filter=filter_from(&query.read())/> }.into_any(),
                Err(ApiError::NotSignedIn { tenant: name }) => {
                    let id = tenant().unwrap_or_default();
                    view! {
                        <p class="notice notice-error">{format!("Sign in to {name} to see its users.")}" "
                            <SignInLink tenant_id=id.clone() next=format!("/users?tenant={id}") label=format!("Sign in to {name}")/>
                        </p>
                    }.into_any()
                }
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

/// The signed-in tenants, one link each.
#[component]
fn TenantPicker(list: Vec<SignedInTenant>, current: Option<String>) -> impl IntoView {
    let chosen = current.is_some();
    view! {
        <nav class="tenant-picker" aria-label="Tenants">
            {(!chosen).then(|| view! { <p>"Choose a signed-in tenant to segment its users:"</p> })}
            <ul>
                {list.into_iter().map(|t| {
                    let here = current.as_deref() == Some(t.tenant_id.as_str());
                    view! {
                        <li>
                            <a class="button button-small" href=format!("/users?tenant={}", t.tenant_id) aria-current=here.then_some("page")>
                                {t.tenant_name}
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn TenantUsers(view: UsersView, filter: UserFilter) -> impl IntoView {
    let UsersView {
        tenant_id,
        tenant_name,
        state,
    } = view;
    match state {
        UsersState::Reading {
            so_far,
            total,
            started_at,
        } => {
            let of = total.map(|t| format!(" of {t}")).unwrap_or_default();
            let again = format!("{POLL_SECS}; url={}", users_href(&tenant_id, &filter));
            view! {
                <section class="card reading" aria-labelledby="reading-title" data-refresh-secs=POLL_SECS>
                    <h2 id="reading-title">{tenant_name}</h2>
                    <p role="status">{format!("Reading users… {so_far} so far{of}")}</p>
                    {total.map(|t| view! { <progress max=t.to_string() value=so_far.to_string()></progress> })}
                    <p class="muted">"Started at "{time::clock(started_at)}"; this page updates by itself."</p>
                    // Without JavaScript the browser reloads; with it, the page is read again in
                    // place (`data-refresh-secs`, crate::browser) and the noscript content is inert.
                    <noscript inner_html=format!("<meta http-equiv=\"refresh\" content=\"{again}\">")></noscript>
                </section>
            }
            .into_any()
        }
        UsersState::Failed { reason } => view! {
            <p class="notice notice-error">{format!("The users of {tenant_name} could not be read: {reason}")}</p>
            <a class="button" href=format!("/users?tenant={tenant_id}&refresh=1")>"Try again"</a>
        }
        .into_any(),
        UsersState::Ready(report) => view! { <Report tenant_id tenant_name report=*report/> }.into_any(),
    }
}

#[component]
fn Report(tenant_id: String, tenant_name: String, report: UsersReport) -> impl IntoView {
    let UsersReport {
        read_at,
        stale,
        problems,
        graph_requests,
        total,
        segments,
        methods,
        homes,
        filter,
        matching,
        page,
        pages,
        rows,
    } = report;
    let home_name = filter.home.as_ref().and_then(|wanted| {
        homes
            .iter()
            .find(|h| &h.tenant_id == wanted)
            .map(|h| h.name.clone())
    });
    let refresh = format!("/users?tenant={tenant_id}&refresh=1");
    let found_by = methods
        .iter()
        .filter(|(m, _)| *m != Method::ThisTenant)
        .map(|(m, n)| view! { <li title=m.explanation()>{m.label()}": "<strong>{*n}</strong></li> })
        .collect_view();
    view! {
        <div class="refresh-bar">
            <span class="muted">{format!("{tenant_name}: {total} users, read at {} with {graph_requests} Graph requests", time::clock(read_at))}</span>
            <a class="button button-small" href=refresh>"Refresh"</a>
        </div>
        {stale.map(|reason| view! { <p class="notice notice-error">{format!("Showing the users as read at {}; reading them again failed: {reason}", time::clock(read_at))}</p> })}
        {problems.into_iter().map(|p| view! { <p class="notice">{p}</p> }).collect_view()}
        <section class="card" aria-labelledby="segments-title">
            <h2 id="segments-title">"Segments"</h2>
            <SegmentChart tenant=tenant_id.clone() filter=filter.clone() segments/>
        </section>
        <section class="card" aria-labelledby="homes-title">
            <h2 id="homes-title">"Home tenants"</h2>
            <HomeTable tenant=tenant_id.clone() filter=filter.clone() homes/>
            <p class="muted">"How the home tenants of external users were found:"</p>
            <ul class="counts methods" aria-label="How home tenants of external users were found">{found_by}</ul>
        </section>
        <section class="card" aria-labelledby="list-title">
            <h2 id="list-title">"Users"</h2>
            <FilterBar tenant=tenant_id.clone() filter=filter.clone() home_name/>
            <p role="status">{format!("{matching} of {total} users match")}</p>
            {if rows.is_empty() {
                view! { <p class="muted">"No users match."</p> }.into_any()
            } else {
                view! { <UserTable tenant=tenant_id.clone() rows/> }.into_any()
            }}
            <Pager tenant=tenant_id filter page pages/>
        </section>
    }
}
