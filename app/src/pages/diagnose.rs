//! `/diagnose`: "Why can't Bob see Alice?" Pick a person (search by name, UPN or mail in a
//! signed-in tenant), then the tenant they should be visible in — or the person who cannot find
//! them, whose tenant it then is — and read the checklist and its verdict. Everything is in the
//! query string (`/diagnose?tenant=…&user=…&target=…`), so a diagnosis can be linked, and every
//! step is a plain GET form or link, so it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::diagnose::{choose_person, diagnose, find_people};
use crate::api::session::{signed_in_tenants, SignedInTenant};
use crate::api::ApiError;
use crate::components::empty_state::SignInFirst;
use crate::diagnose::{
    Check, DiagnoseQuery, Diagnosis, Fix, PersonChoice, PersonMatch, Section, Status, Verdict,
};
use crate::mesh::time;

fn query_from(map: &leptos_router::params::ParamsMap) -> DiagnoseQuery {
    DiagnoseQuery {
        tenant: map.get("tenant"),
        user: map.get("user"),
        target: map.get("target"),
        viewer_tenant: map.get("viewer_tenant"),
        viewer: map.get("viewer"),
        q: map.get("q"),
        vq: map.get("vq"),
    }
    .normalised()
}

#[component]
pub fn DiagnosePage() -> impl IntoView {
    let map = use_query_map();
    let query = move || query_from(&map.read());
    let sign_ins = Resource::new(|| (), |_| signed_in_tenants());
    let people = Resource::new(
        move || {
            let q = query();
            q.tenant
                .clone()
                .zip(q.q.clone())
                .filter(|_| q.user.is_none())
        },
        |key| async move {
            match key {
                Some((tenant, text)) => Some(find_people(tenant, text).await),
                None => None,
            }
        },
    );
    let chosen = Resource::new(
        move || {
            let q = query();
            q.tenant.zip(q.user)
        },
        |key| async move {
            match key {
                Some((tenant, user)) => Some(choose_person(tenant, user).await),
                None => None,
            }
        },
    );
    let viewers = Resource::new(
        move || {
            let q = query();
            q.viewer_tenant
                .zip(q.vq)
                .filter(|_| q.viewer.is_none() && q.target.is_none() && q.user.is_some())
        },
        |key| async move {
            match key {
                Some((tenant, text)) => Some(find_people(tenant, text).await),
                None => None,
            }
        },
    );
    let diagnosis = Resource::new(
        move || {
            let q = query();
            q.is_complete().then_some(DiagnoseQuery {
                q: None,
                vq: None,
                ..q
            })
        },
        |key| async move {
            match key {
                Some(query) => Some(diagnose(query).await),
                None => None,
            }
        },
    );
    view! {
        <Title text="Diagnose"/>
        <h1>"Diagnose"</h1>
        <p class="lead">"Why can't someone find a colleague from another tenant in Teams, Outlook or people search? Pick the colleague, then where they should be visible: the checklist reads both tenants and names the first cause, its fix and who must make it."</p>
        <Transition fallback=|| view! { <p class="muted">"Reading the sign-ins…"</p> }>
            {move || sign_ins.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <SignInFirst what="why a colleague cannot be found"/> }.into_any(),
                Ok(list) => view! {
                    <Steps list query=query() people chosen viewers/>
                }.into_any(),
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="muted" role="status">"Reading both tenants…"</p> }>
            {move || diagnosis.get().flatten().map(|result| match result {
                Ok(found) => view! { <DiagnosisView diagnosis=found/> }.into_any(),
                Err(ApiError::NotSignedIn { tenant }) => view! {
                    <p class="notice notice-error">{format!("Sign in to {tenant} (or to the tenant the person should be visible in) to diagnose.")}</p>
                }.into_any(),
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

type Found = Resource<Option<Result<Vec<PersonMatch>, ApiError>>>;

/// Steps 1 and 2: the person, then the tenant (or the viewer).
#[component]
fn Steps(
    list: Vec<SignedInTenant>,
    query: DiagnoseQuery,
    people: Found,
    chosen: Resource<Option<Result<PersonChoice, ApiError>>>,
    viewers: Found,
) -> impl IntoView {
    let person_step =
        view! { <PersonStep list=list.clone() query=query.clone() people/> }.into_any();
    let target_step = query.user.is_some().then(|| {
        view! {
            <Transition fallback=|| view! { <p class="muted">"Reading the person…"</p> }>
                {
                    let list = list.clone();
                    let query = query.clone();
                    move || chosen.get().flatten().map(|result| match result {
                        Ok(choice) => view! { <TargetStep list=list.clone() query=query.clone() choice viewers/> }.into_any(),
                        Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
                    })
                }
            </Transition>
        }
        .into_any()
    });
    view! { {person_step} {target_step} }
}

/// A `<select>` of the signed-in tenants.
fn tenant_select(
    name: &'static str,
    label: &'static str,
    list: &[SignedInTenant],
    current: Option<&str>,
    except: Option<&str>,
) -> AnyView {
    let id = format!("diagnose-{name}");
    let options = list
        .iter()
        .filter(|t| Some(t.tenant_id.as_str()) != except)
        .map(|t| {
            let selected = current == Some(t.tenant_id.as_str());
            view! { <option value=t.tenant_id.clone() selected=selected>{t.tenant_name.clone()}</option> }
        })
        .collect_view();
    view! {
        <label for=id.clone()>{label}</label>
        <select id=id name=name>{options}</select>
    }
    .into_any()
}

#[component]
fn PersonStep(list: Vec<SignedInTenant>, query: DiagnoseQuery, people: Found) -> impl IntoView {
    let results = move || {
        people.get().flatten().map(|result| match result {
            Ok(found) if found.is_empty() => {
                view! { <p class="muted" role="status">"Nobody found."</p> }.into_any()
            }
            Ok(found) => view! {
                <ul class="people" aria-label="People found">
                    {found.into_iter().map(|p| {
                        let href = DiagnoseQuery {
                            tenant: Some(p.tenant_id.clone()),
                            user: Some(p.user_id.clone()),
                            ..DiagnoseQuery::default()
                        }
                        .href();
                        view! { <li><a href=href>{p.display_name.clone()}</a>" "<PersonFacts person=p/></li> }
                    }).collect_view()}
                </ul>
            }
            .into_any(),
            Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <section class="card" aria-labelledby="person-title">
            <h2 id="person-title">"1. Who cannot be found?"</h2>
            <form method="get" action="/diagnose" class="filters diagnose-form">
                {tenant_select("tenant", "In tenant", &list, query.tenant.as_deref(), None)}
                <label for="diagnose-q">"Name, UPN or mail starts with"</label>
                <input id="diagnose-q" name="q" type="search" value=query.q.clone().unwrap_or_default() maxlength="256" required/>
                <button type="submit" class="button">"Find"</button>
            </form>
            <Transition fallback=|| view! { <p class="muted" role="status">"Searching…"</p> }>
                {results}
            </Transition>
        </section>
    }
}

/// "alice@fabrikam.com · Member"
#[component]
fn PersonFacts(person: PersonMatch) -> impl IntoView {
    let mut facts = Vec::new();
    if let Some(upn) = &person.user_principal_name {
        facts.push(upn.clone());
    }
    if let Some(kind) = &person.user_type {
        facts.push(if person.external {
            format!("external {}", kind.to_lowercase())
        } else {
            kind.clone()
        });
    }
    view! { <span class="muted">{facts.join(" · ")}</span> }
}

#[component]
fn TargetStep(
    list: Vec<SignedInTenant>,
    query: DiagnoseQuery,
    choice: PersonChoice,
    viewers: Found,
) -> impl IntoView {
    let PersonChoice {
        person,
        tenant_name,
        targets,
    } = choice;
    let base = DiagnoseQuery {
        tenant: Some(person.tenant_id.clone()),
        user: Some(person.user_id.clone()),
        ..DiagnoseQuery::default()
    };
    let links = targets
        .into_iter()
        .map(|t| {
            let href = DiagnoseQuery {
                target: Some(t.tenant_id.clone()),
                ..base.clone()
            }
            .href();
            let here = query.target.as_deref() == Some(t.tenant_id.as_str());
            view! { <li><a class="button button-small" href=href aria-current=here.then_some("page")>{t.name}</a></li> }
        })
        .collect_view();
    let viewer_results = {
        let base = base.clone();
        move || {
            viewers.get().flatten().map(|result| match result {
                Ok(found) if found.is_empty() => {
                    view! { <p class="muted" role="status">"Nobody found."</p> }.into_any()
                }
                Ok(found) => view! {
                    <ul class="people" aria-label="Viewers found">
                        {found.into_iter().map(|p| {
                            let href = DiagnoseQuery {
                                viewer_tenant: Some(p.tenant_id.clone()),
                                viewer: Some(p.user_id.clone()),
                                ..base.clone()
                            }
                            .href();
                            view! { <li><a href=href>{p.display_name.clone()}</a>" "<PersonFacts person=p/></li> }
                        }).collect_view()}
                    </ul>
                }
                .into_any(),
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })
        }
    };
    let name = person.display_name.clone();
    view! {
        <section class="card" aria-labelledby="target-title">
            <h2 id="target-title">{format!("2. Where should {name} be visible?")}</h2>
            <p>{format!("{name}, {tenant_name}")}" "<PersonFacts person=person.clone()/></p>
            <nav aria-label="Tenants to diagnose for">
                <ul class="tenant-picker-list">{links}</ul>
            </nav>
            <form method="get" action="/diagnose" class="filters diagnose-form">
                <input type="hidden" name="tenant" value=person.tenant_id.clone()/>
                <input type="hidden" name="user" value=person.user_id.clone()/>
                {tenant_select("viewer_tenant", "Or who cannot find them, in", &list, query.viewer_tenant.as_deref(), Some(person.tenant_id.as_str()))}
                <label for="diagnose-vq">"Name, UPN or mail starts with"</label>
                <input id="diagnose-vq" name="vq" type="search" value=query.vq.clone().unwrap_or_default() maxlength="256" required/>
                <button type="submit" class="button">"Find"</button>
            </form>
            <Transition fallback=|| view! { <p class="muted" role="status">"Searching…"</p> }>
                {viewer_results}
            </Transition>
        </section>
    }
}

#[component]
fn DiagnosisView(diagnosis: Diagnosis) -> impl IntoView {
    let Diagnosis {
        person,
        viewer,
        source,
        target,
        verdict,
        sections,
        read_at,
        graph_requests,
        millis,
    } = diagnosis;
    let link = DiagnoseQuery {
        tenant: Some(source.tenant_id.clone()),
        user: Some(person.user_id.clone()),
        target: viewer.is_none().then(|| target.tenant_id.clone()),
        viewer_tenant: viewer.as_ref().map(|_| target.tenant_id.clone()),
        viewer: viewer.as_ref().map(|v| v.user_id.clone()),
        ..DiagnoseQuery::default()
    }
    .href();
    let who = match &viewer {
        Some(v) => format!(
            "Why can't {} ({}) find {} ({})?",
            v.display_name, target.name, person.display_name, source.name
        ),
        None => format!(
            "Why can't {} ({}) be found in {}?",
            person.display_name, source.name, target.name
        ),
    };
    let verdict_view = view! { <VerdictView verdict link=link.clone()/> }.into_any();
    let sections_view = sections
        .into_iter()
        .map(|s| view! { <SectionView section=s/> }.into_any())
        .collect_view();
    view! {
        <section class="diagnosis" aria-labelledby="diagnosis-title">
            <h2 id="diagnosis-title">{who}</h2>
            {verdict_view}
            <ol class="checklist" aria-label="Checklist">{sections_view}</ol>
            <p class="muted">{format!("Read at {} with {graph_requests} Graph requests in {millis} ms.", time::clock(read_at))}" "<a href=link>"Link to this diagnosis"</a></p>
        </section>
    }
}

fn fix_view(fix: Fix) -> AnyView {
    let who = fix.who();
    view! {
        <p class="fix"><strong>"Fix: "</strong>{fix.action}" "<span class="fix-who">{who}</span></p>
    }
    .into_any()
}

#[component]
fn VerdictView(verdict: Verdict, link: String) -> impl IntoView {
    let Verdict {
        status,
        headline,
        cause,
        fix,
        unread,
    } = verdict;
    let cause_link = cause.map(|key| {
        view! { <a href=format!("{link}#check-{key}")>"See the checklist line"</a> }
    });
    let unread_view = (!unread.is_empty()).then(|| {
        view! {
            <div class="unread">
                <p>"Not read (each could hide a cause):"</p>
                <ul>{unread.into_iter().map(|u| view! { <li>{u}</li> }).collect_view()}</ul>
            </div>
        }
    });
    view! {
        <div class=format!("card verdict {}", status.class()) role="status" aria-label="Verdict">
            <p class="verdict-headline"><span class=format!("badge {}", status.class())>{status.label()}</span>" "{headline}</p>
            {fix.map(fix_view)}
            {cause_link}
            {unread_view}
        </div>
    }
}

#[component]
fn SectionView(section: Section) -> impl IntoView {
    let Section {
        number,
        title,
        checks,
        note,
    } = section;
    let id = format!("section-{number}");
    let labelled = id.clone();
    let checks = checks
        .into_iter()
        .map(|c| view! { <CheckView check=c/> }.into_any())
        .collect_view();
    view! {
        <li class="card checklist-section" aria-labelledby=labelled>
            <h3 id=id>{format!("{number}. {title}")}</h3>
            {note.map(|n| view! { <p class="muted">{n}</p> })}
            <ul class="checks">{checks}</ul>
        </li>
    }
}

#[component]
fn CheckView(check: Check) -> impl IntoView {
    let Check {
        key,
        status,
        title,
        evidence,
        reads,
        fix,
        docs,
    } = check;
    let sign_in = (status == Status::Unknown)
        .then(|| {
            // A tenant the session is not signed in to: offer the sign-in, coming back here.
            evidence
                .iter()
                .any(|e| e.starts_with("Not signed in to "))
                .then(|| view! { <a class="button button-small" href="/signin">"Sign in to another tenant"</a> })
        })
        .flatten();
    view! {
        <li class=format!("check {}", status.class()) id=format!("check-{key}") data-check=key.clone()>
            <p class="check-title"><span class=format!("badge {}", status.class())>{status.label()}</span>" "{title}</p>
            {(!evidence.is_empty()).then(|| view! {
                <ul class="evidence">{evidence.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
            })}
            {fix.map(fix_view)}
            {sign_in}
            {(!reads.is_empty()).then(|| view! {
                <details class="reads">
                    <summary>"Where this comes from"</summary>
                    <ul>{reads.into_iter().map(|r| view! { <li><code>{r}</code></li> }).collect_view()}</ul>
                </details>
            })}
            {(!docs.is_empty()).then(|| view! {
                <p class="docs">"Documented in: "{docs.into_iter().map(|d| view! { <a href=d.url rel="external noopener" target="_blank">{d.title}</a>" " }).collect_view()}</p>
            })}
        </li>
    }
}
