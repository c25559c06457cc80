//! `/joins`: the MTO's lifecycle. Owners create the organization, add tenants (looked up first),
//! change roles and remove; a pending tenant's admin approves or declines its join request and
//! watches it finish; members may leave. Only people whose role allows it see the forms.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::flash::page_action;
use crate::api::joins::{
    load_joins, AddTenant, ApproveJoin, ChangeRole, CreateMto, DeclineJoin, JoinRequestView,
    JoinsView, LeaveMto, LookUpTenant, MemberLine, RemoveTenant, ResetAndRetry, TenantJoins,
    UpdateMto,
};
use crate::api::ApiError;
use crate::components::empty_state::SignInFirst;
use crate::components::feedback::Said;
use crate::components::mesh::{refresh_forced, RefreshBar};
use crate::mesh::time;

/// Every write of the page, each showing its answer after the form's redirect.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateMto>,
    update: ServerAction<UpdateMto>,
    look_up: ServerAction<LookUpTenant>,
    add: ServerAction<AddTenant>,
    role: ServerAction<ChangeRole>,
    remove: ServerAction<RemoveTenant>,
    approve: ServerAction<ApproveJoin>,
    decline: ServerAction<DeclineJoin>,
    retry: ServerAction<ResetAndRetry>,
    leave: ServerAction<LeaveMto>,
}

impl Actions {
    fn new() -> Self {
        Self {
            create: page_action(),
            update: page_action(),
            look_up: page_action(),
            add: page_action(),
            role: page_action(),
            remove: page_action(),
            approve: page_action(),
            decline: page_action(),
            retry: page_action(),
            leave: page_action(),
        }
    }
}

#[component]
pub fn JoinsPage() -> impl IntoView {
    let actions = Actions::new();
    let forced = refresh_forced();
    let view_data = Resource::new(move || forced, load_joins);
    view! {
        <Title text="Joins"/>
        <h1>"Joins"</h1>
        <p class="lead">"Invite tenants, approve join requests and follow each transition until it succeeds or fails."</p>
        <Transition fallback=|| view! { <p class="muted">"Reading the tenants…"</p> }>
            {move || view_data.get().map(|result| match result {
                Ok(data) if data.tenants.is_empty() => view! { <SignInFirst what="pending invitations and join requests"/> }.into_any(),
                Ok(data) => view! { <JoinsBody data actions/> }.into_any(),
                Err(ApiError::NotSignedIn { .. }) => view! { <SignInFirst what="pending invitations and join requests"/> }.into_any(),
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn JoinsBody(data: JoinsView, actions: Actions) -> impl IntoView {
    let taken_at = data.taken_at;
    view! {
        <RefreshBar taken_at/>
        {data.tenants.into_iter().map(|tenant| view! { <TenantCard tenant actions taken_at/> }).collect_view()}
    }
}

#[component]
fn TenantCard(tenant: TenantJoins, actions: Actions, taken_at: i64) -> impl IntoView {
    let title = tenant.tenant_name.clone();
    let status = match (&tenant.role, &tenant.state, &tenant.organization) {
        (Some(role), Some(state), Some(org)) => format!("{role}, {state}, in {org}"),
        (None, Some(state), _) if state == "pending" => "pending: added, not joined yet".to_owned(),
        _ => "not in a multitenant organization".to_owned(),
    };
    let id = tenant.tenant_id.clone();
    let is_owner = !tenant.members.is_empty();
    let in_mto = tenant.organization.is_some();
    let pending = tenant.request.is_some();
    let manage = tenant.can_manage;
    view! {
        <section class="card" aria-label=title.clone()>
            <h2>{title.clone()}</h2>
            <p class="muted">{status}</p>
            {(!manage).then(|| view! { <p class="muted">"Your role here can read only; changes need a Global or Security Administrator."</p> }.into_any())}
            {tenant.request.clone().map(|request| view! { <Request tenant=id.clone() name=title.clone() request manage actions taken_at/> }.into_any())}
            {(manage && !in_mto && !pending).then(|| view! { <Create tenant=id.clone() actions/> }.into_any())}
            {(is_owner && manage).then(|| view! {
                <AddForm tenant=id.clone() actions/>
                <Rename tenant=id.clone() name=tenant.organization.clone().unwrap_or_default() actions/>
            }.into_any())}
            {is_owner.then(|| view! { <Members tenant=id.clone() members=tenant.members.clone() manage actions/> }.into_any())}
            {(manage && in_mto && !pending).then(|| view! { <Leave tenant=id.clone() name=title.clone() only_owner=tenant.only_owner actions/> }.into_any())}
        </section>
    }
}

#[component]
fn Create(tenant: String, actions: Actions) -> impl IntoView {
    view! {
        <h3>"Create a multitenant organization"</h3>
        <ActionForm action=actions.create attr:class="form">
            <input type="hidden" name="tenant" value=tenant/>
            <label>"Name"<input type="text" name="name" required/></label>
            <label>"Description"<input type="text" name="description"/></label>
            <button type="submit" class="button button-primary">"Create the organization"</button>
        </ActionForm>
        <Said action=actions.create/>
    }
}

#[component]
fn Rename(tenant: String, name: String, actions: Actions) -> impl IntoView {
    view! {
        <details>
            <summary>"Rename the organization"</summary>
            <ActionForm action=actions.update attr:class="form">
                <input type="hidden" name="tenant" value=tenant/>
                <label>"Name"<input type="text" name="name" value=name required/></label>
                <label>"Description"<input type="text" name="description"/></label>
                <button type="submit" class="button">"Save"</button>
            </ActionForm>
            <Said action=actions.update/>
        </details>
    }
}

/// Look the tenant up, show who it is, then add it.
#[component]
fn AddForm(tenant: String, actions: Actions) -> impl IntoView {
    let found = move || actions.look_up.value().get();
    let acting = StoredValue::new(tenant.clone());
    view! {
        <h3>"Add a tenant"</h3>
        <ActionForm action=actions.look_up attr:class="form">
            <input type="hidden" name="tenant" value=tenant/>
            <label>"Tenant id or verified domain"<input type="text" name="query" required placeholder="tailspintoys.onmicrosoft.com"/></label>
            <button type="submit" class="button">"Look up"</button>
        </ActionForm>
        {move || found().map(|result| match result {
            Ok(resolved) => view! {
                <div class="resolved" role="status">
                    <p>"Found "<strong>{resolved.display_name.clone()}</strong>" — "<code>{resolved.tenant_id.to_string()}</code>
                        {resolved.default_domain.clone().map(|d| view! { " ("{d}")" })}</p>
                    <ActionForm action=actions.add>
                        <input type="hidden" name="tenant" value=acting.get_value()/>
                        <input type="hidden" name="target" value=resolved.tenant_id.to_string()/>
                        <button type="submit" class="button button-primary">{format!("Add {}", resolved.display_name)}</button>
                    </ActionForm>
                </div>
            }.into_any(),
            Err(error) => view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any(),
        })}
        <Said action=actions.add/>
    }
}

#[component]
fn Members(
    tenant: String,
    members: Vec<MemberLine>,
    manage: bool,
    actions: Actions,
) -> impl IntoView {
    view! {
        <h3>"Members"</h3>
        <table class="data">
            <thead><tr><th scope="col">"Tenant"</th><th scope="col">"Role"</th><th scope="col">"State"</th><th scope="col">"Transition"</th>
                {manage.then(|| view! { <th scope="col">"Change"</th> })}</tr></thead>
            <tbody>
                {members.into_iter().map(|m| {
                    let other_role = if m.role == "owner" { "member" } else { "owner" };
                    let (t1, t2) = (tenant.clone(), tenant.clone());
                    let (id1, id2) = (m.tenant_id.clone(), m.tenant_id.clone());
                    view! {
                        <tr>
                            <th scope="row"><a href=format!("/tenants/{}", m.tenant_id)>{m.name.clone()}</a></th>
                            <td>{m.role.clone()}</td>
                            <td>{m.state.clone()}
                                {m.declined.clone().map(|d| view! { <span class="notice-inline">{format!(" — declined by {} {}", d.decided_by, time::clock(d.at))}</span> })}
                            </td>
                            <td>{m.transition.clone().unwrap_or_else(|| "—".into())}</td>
                            {manage.then(|| view! {
                                <td class="row-actions">
                                    <ActionForm action=actions.role>
                                        <input type="hidden" name="tenant" value=t1/>
                                        <input type="hidden" name="target" value=id1/>
                                        <input type="hidden" name="role" value=other_role/>
                                        <button type="submit" class="button button-small">{format!("Make {other_role}")}</button>
                                    </ActionForm>
                                    <ActionForm action=actions.remove>
                                        <input type="hidden" name="tenant" value=t2/>
                                        <input type="hidden" name="target" value=id2/>
                                        <label class="confirm"><input type="checkbox" name="confirm" required/>
                                            {format!("Remove {}: asynchronous; its partner settings and sync jobs stay", m.name)}</label>
                                        <button type="submit" class="button button-small button-danger">{format!("Remove {}", m.name)}</button>
                                    </ActionForm>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <Said action=actions.role/>
        <Said action=actions.remove/>
    }
}

#[component]
fn Request(
    tenant: String,
    name: String,
    request: JoinRequestView,
    manage: bool,
    actions: Actions,
    taken_at: i64,
) -> impl IntoView {
    let owner = StoredValue::new(request.owner_tenant_id.clone().unwrap_or_default());
    let tenant = StoredValue::new(tenant);
    let owner_known = request.owner_tenant_id.is_some();
    let status = request.status.clone();
    let failed = status.as_deref() == Some("failed");
    let waiting = status.is_none();
    view! {
        <div class="join-request" role="group" aria-label=format!("Join request for {name}")>
            <h3>"Join request"</h3>
            <dl class="facts">
                <dt>"Organization"</dt><dd>{request.organization.clone().unwrap_or_else(|| "unknown".into())}</dd>
                <dt>"Owner"</dt><dd>{request.owner_name.clone().unwrap_or_else(|| "unknown — enter the owner's tenant id or domain".into())}</dd>
                <dt>"Added"</dt><dd>{request.added.as_deref().map(|a| time::ago(a, taken_at).unwrap_or_else(|| a.to_owned())).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Status"</dt><dd class="join-status">{match &status {
                    None => "waiting for your approval".to_owned(),
                    Some(s) => request.progress.clone().unwrap_or_else(|| s.clone()),
                }}</dd>
                {request.details.clone().filter(|d| !d.is_empty()).map(|d| view! { <dt>"Reason"</dt><dd class="error-text">{d}</dd> })}
                {request.declined.clone().map(|d| view! { <dt>"Declined"</dt><dd>{format!("by {} at {}", d.decided_by, time::clock(d.at))}</dd> })}
            </dl>
            {(manage && waiting).then(|| view! {
                <div class="row-actions">
                    <ActionForm action=actions.approve>
                        <input type="hidden" name="tenant" value=tenant.get_value()/>
                        {if owner_known {
                            view! { <input type="hidden" name="owner" value=owner.get_value()/> }.into_any()
                        } else {
                            view! { <label>"Owner tenant id or domain"<input type="text" name="owner" required/></label> }.into_any()
                        }}
                        <button type="submit" class="button button-primary">"Approve and join"</button>
                    </ActionForm>
                    {owner_known.then(|| view! {
                        <ActionForm action=actions.decline>
                            <input type="hidden" name="tenant" value=tenant.get_value()/>
                            <input type="hidden" name="owner" value=owner.get_value()/>
                            <button type="submit" class="button">"Decline"</button>
                        </ActionForm>
                    })}
                </div>
            })}
            {(manage && failed && owner_known).then(|| view! {
                <ActionForm action=actions.retry>
                    <input type="hidden" name="tenant" value=tenant.get_value()/>
                    <input type="hidden" name="owner" value=owner.get_value()/>
                    <button type="submit" class="button button-primary">"Reset and retry"</button>
                </ActionForm>
            })}
            <Said action=actions.approve/>
            <Said action=actions.decline/>
            <Said action=actions.retry/>
        </div>
    }
}

#[component]
fn Leave(tenant: String, name: String, only_owner: bool, actions: Actions) -> impl IntoView {
    if only_owner {
        return view! { <p class="muted">{format!("{name} is the only active owner: make another tenant an owner before it can leave.")}</p> }.into_any();
    }
    view! {
        <details>
            <summary>"Leave the organization"</summary>
            <ActionForm action=actions.leave attr:class="form">
                <input type="hidden" name="tenant" value=tenant/>
                <label class="confirm"><input type="checkbox" name="confirm" required/>
                    {format!("{name} leaves: asynchronous; partner settings and sync jobs are not removed")}</label>
                <button type="submit" class="button button-danger">{format!("Leave as {name}")}</button>
            </ActionForm>
            <Said action=actions.leave/>
        </details>
    }
    .into_any()
}
