//! The pair page's sync section (status explained, fixes with a preview, operator actions,
//! provision on demand, scope, mappings, differences, provisioning log) and a tenant's MTO
//! templates. Every form works without JavaScript; with it, results appear in place.

use graph::sync::{JobStatusCode, ProvisioningResult, ScheduleState};
use leptos::prelude::*;

use crate::api::flash::page_action;

use crate::api::sync::{
    get_sync_detail, get_templates, ApplySyncFix, PauseSync, ProvisionOnDemand, ResetTemplates,
    RestartSync, SaveTemplates, SearchUsers, StartSync,
};
use crate::api::ApiError;
use crate::components::feedback::Said;
use crate::components::mesh::SignInLink;
use crate::mesh::model::Known;
use crate::mesh::time;
use crate::mesh::view::SyncSummary;
use crate::sync::explain::{Explanation, Side};
use crate::sync::fix::Fix;
use crate::sync::mappings::{Difference, MappingRow};
use crate::sync::templates::{TemplateForm, Templates, LEVELS};
use crate::sync::{
    interval_text, ActionResult, LogEntry, Scope, Step, SyncDetail, GROUP_SCOPE_NOTE, RESET_CHOICES,
};

#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartSync>,
    pause: ServerAction<PauseSync>,
    restart: ServerAction<RestartSync>,
    on_demand: ServerAction<ProvisionOnDemand>,
    fix: ServerAction<ApplySyncFix>,
    search: ServerAction<SearchUsers>,
}

impl Actions {
    fn new() -> Self {
        Self {
            start: page_action(),
            pause: page_action(),
            restart: page_action(),
            on_demand: page_action(),
            fix: page_action(),
            search: page_action(),
        }
    }
}

/// What an operator action came to, with the steps of a provision on demand.
#[component]
fn ActionSaid<S>(action: ServerAction<S>) -> impl IntoView
where
    S: server_fn::ServerFn<Output = ActionResult, Error = ApiError> + Clone + Send + Sync + 'static,
{
    move || {
        action.value().get().map(|result| match result {
            Ok(result) => view! {
                <div class="notice" role="status">
                    <p>{result.message.clone()}</p>
                    {(!result.steps.is_empty()).then(|| view! { <Steps steps=result.steps.clone()/> })}
                </div>
            }
            .into_any(),
            Err(error) => {
                view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }
                    .into_any()
            }
        })
    }
}

#[component]
fn Steps(steps: Vec<Step>) -> impl IntoView {
    view! {
        <ol class="steps" aria-label="Provisioning steps">
            {steps.into_iter().map(|s| view! {
                <li class=format!("step step-{}", s.status)>
                    <strong>{s.name.clone()}</strong>" ("{s.kind.to_string()}"): "{s.status.to_string()}
                    {s.description.clone().map(|d| view! { <span class="muted">" — "{d}</span> })}
                </li>
            }).collect_view()}
        </ol>
    }
}

/// The sync section for `source → target`; the log filter comes from `?outcome=`.
#[component]
pub fn SyncSection(source: String, target: String) -> impl IntoView {
    let actions = Actions::new();
    let outcome = crate::components::address::PageAddress::get().param("outcome");
    let ids = StoredValue::new((source, target));
    let detail = Resource::new(
        move || (ids.get_value(), outcome.clone()),
        |((source, target), outcome)| get_sync_detail(source, target, outcome),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Reading the sync configuration…"</p> }>
            {move || detail.get().map(|result| match result {
                Ok(detail) => view! { <SyncDetailView detail actions/> }.into_any(),
                Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn SyncDetailView(detail: SyncDetail, actions: Actions) -> impl IntoView {
    let title = format!("Sync {} → {}", detail.source_name, detail.target_name);
    let label = title.clone();
    let here = format!("/pairs/{}/{}", detail.source, detail.target);
    let source = detail.source.clone();
    let target = detail.target.clone();
    let operate = detail.permissions.operate;
    let taken_at = detail.taken_at;
    let job = match detail.job.clone() {
        Known::Present(job) => Some(job),
        Known::Absent => None,
        Known::Unknown => None,
    };
    let status_part = match &detail.job {
        Known::Present(job) => view! { <JobFacts job=job.clone() taken_at/> }.into_any(),
        Known::Absent => view! { <p class="muted">{format!("{} has no sync configuration to {}.", detail.source_name, detail.target_name)}</p> }.into_any(),
        Known::Unknown => view! {
            <p class="muted">{format!("Whether {} syncs to {} is unknown.", detail.source_name, detail.target_name)}</p>
            <SignInLink tenant_id=source.clone() next=here.clone() label=format!("Sign in to {}", detail.source_name)/>
        }.into_any(),
    };
    view! {
        <section class="card sync-section" aria-label=label>
            <h2>{title}</h2>
            {detail.explanation.clone().map(|e| view! { <ExplanationView e source_name=detail.source_name.clone() target_name=detail.target_name.clone()/> })}
            {status_part}
            {(!detail.fixes.is_empty()).then(|| view! {
                <FixList fixes=detail.fixes.clone() from=source.clone() to=target.clone() here=here.clone() actions/>
            })}
            {job.filter(|j| j.job_id.is_some()).map(|job| if operate {
                view! { <Operate source=source.clone() target=target.clone() job actions/> }.into_any()
            } else {
                view! { <p class="muted">{format!("Operating this job needs a sync operator or an administrator of {} (Global, Hybrid Identity, Application or Cloud Application Administrator).", detail.source_name)}</p> }.into_any()
            })}
            {detail.scope.clone().map(|scope| view! { <ScopeView scope/> })}
            {detail.mappings.clone().map(|rows| view! { <Mappings rows missing=detail.missing_mappings.clone()/> })}
            {(!detail.differences.is_empty()).then(|| view! { <Differences differences=detail.differences.clone()/> })}
            {detail.log.clone().map(|log| view! { <Log log outcome=detail.log_outcome.clone() here=here.clone()/> })}
            {(!detail.problems.is_empty()).then(|| view! {
                <p class="notice notice-error">"Not read: "{detail.problems.join("; ")}</p>
            })}
        </section>
    }
}

#[component]
fn ExplanationView(e: Explanation, source_name: String, target_name: String) -> impl IntoView {
    let fix_in = match e.fix_in {
        Some(Side::Source) => format!(" (in {source_name})"),
        Some(Side::Target) => format!(" (in {target_name})"),
        Some(Side::Both) => format!(" (in {target_name} and {source_name})"),
        None => String::new(),
    };
    view! {
        <div class="explanation" role="group" aria-label="Status explained">
            <p class="explanation-headline"><strong>{e.headline}</strong></p>
            <dl class="facts">
                <dt>"What it means"</dt><dd>{e.meaning}</dd>
                <dt>"Meanwhile"</dt><dd>{e.meanwhile}</dd>
                <dt>"What to do"{fix_in}</dt><dd>{e.fix}</dd>
            </dl>
        </div>
    }
}

#[component]
fn JobFacts(job: SyncSummary, taken_at: i64) -> impl IntoView {
    let when = move |t: &Option<String>| {
        t.as_deref()
            .map(|t| time::ago(t, taken_at).unwrap_or_else(|| t.to_owned()))
            .unwrap_or_else(|| "never".into())
    };
    let counts = job.last_counts.map(|c| {
        format!(
            "{} imported, {} exported, {} escrowed",
            c.imported, c.exported, c.escrowed
        )
    });
    view! {
        <dl class="facts">
            <dt>"Configuration"</dt><dd>{job.name.clone()}</dd>
            <dt>"Status"</dt><dd class="sync-status">{job.status.to_string()}</dd>
            <dt>"Schedule"</dt><dd>{format!("{}, {}", job.interval.as_deref().map(interval_text).unwrap_or_else(|| "no schedule".into()), job.schedule_state.as_str().to_lowercase())}</dd>
            <dt>"Last run"</dt><dd>{format!("{}{}", when(&job.last_run), job.last_run_state.as_ref().map(|s| format!(" — {s}")).unwrap_or_default())}
                {counts.map(|c| view! { <span class="muted">" ("{c}")"</span> })}</dd>
            <dt>"Last success"</dt><dd>{when(&job.last_success)}</dd>
            <dt>"Steady state"</dt><dd>{job.steady_since.as_deref().map(|s| format!("reached {}", time::ago(s, taken_at).unwrap_or_else(|| s.to_owned()))).unwrap_or_else(|| "not reached yet".into())}</dd>
            <dt>"Users synchronized"</dt><dd>{job.synchronized_users}</dd>
            {(job.synchronized_groups > 0).then(|| view! { <dt>"Groups synchronized"</dt><dd>{job.synchronized_groups}</dd> })}
        </dl>
    }
}

#[component]
fn FixList(
    fixes: Vec<(Fix, bool)>,
    from: String,
    to: String,
    here: String,
    actions: Actions,
) -> impl IntoView {
    view! {
        <div class="fixes" role="group" aria-label="Suggested fixes">
            <h3>"Suggested fixes"</h3>
            {fixes.into_iter().map(|(fix, allowed)| {
                let label = format!("Apply in {}", fix.tenant_name);
                let (from, to, here) = (from.clone(), to.clone(), here.clone());
                view! {
                    <div class="fix" role="group" aria-label=fix.title.clone()>
                        <p><strong>{fix.title.clone()}</strong>" — "{format!("a change in {}", fix.tenant_name)}</p>
                        <details open data-page-open="">
                            <summary>"The exact change"</summary>
                            {fix.calls.iter().map(|c| view! {
                                <pre class="call" tabindex="0">{format!("{} {}{}", c.method, c.path, c.pretty_body().map(|b| format!("\n{b}")).unwrap_or_default())}</pre>
                            }).collect_view()}
                        </details>
                        {if allowed {
                            view! {
                                <ActionForm action=actions.fix attr:class="form-inline">
                                    <input type="hidden" name="from" value=from/>
                                    <input type="hidden" name="to" value=to/>
                                    <input type="hidden" name="fix" value=fix.id.clone()/>
                                    <button type="submit" class="button button-primary">{label}</button>
                                </ActionForm>
                            }.into_any()
                        } else {
                            view! {
                                <p class="muted">{format!("Needs a Global or Security Administrator of {}.", fix.tenant_name)}" "
                                    <SignInLink tenant_id=fix.tenant.to_string() next=here label=format!("Sign in to {}", fix.tenant_name)/></p>
                            }.into_any()
                        }}
                    </div>
                }
            }).collect_view()}
            <Said action=actions.fix/>
        </div>
    }
}

#[component]
fn Operate(source: String, target: String, job: SyncSummary, actions: Actions) -> impl IntoView {
    let ids = StoredValue::new((source, target));
    let hidden = move || {
        let (source, target) = ids.get_value();
        view! {
            <input type="hidden" name="source" value=source/>
            <input type="hidden" name="target" value=target/>
        }
    };
    let running = job.schedule_state == ScheduleState::Active;
    view! {
        <div class="operate" role="group" aria-label="Operate the job">
            <h3>"Operate"</h3>
            <div class="row-actions">
                <ActionForm action=actions.start>
                    {hidden()}
                    <button type="submit" class="button">{if job.status == JobStatusCode::Quarantine { "Start (clears the quarantine)" } else { "Start" }}</button>
                </ActionForm>
                {running.then(|| view! {
                    <ActionForm action=actions.pause>
                        {hidden()}
                        <button type="submit" class="button">"Pause"</button>
                    </ActionForm>
                })}
            </div>
            <ActionForm action=actions.restart attr:class="form-inline">
                {hidden()}
                <label>"Restart, resetting "
                    <select name="reset_scope">
                        {RESET_CHOICES.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button">"Restart"</button>
            </ActionForm>
            <ActionSaid action=actions.start/>
            <ActionSaid action=actions.pause/>
            <ActionSaid action=actions.restart/>
            <OnDemand ids actions/>
        </div>
    }
}

#[component]
fn OnDemand(ids: StoredValue<(String, String)>, actions: Actions) -> impl IntoView {
    let found = move || actions.search.value().get();
    view! {
        <h3>"Provision on demand"</h3>
        <ActionForm action=actions.search attr:class="form-inline">
            <input type="hidden" name="tenant" value=ids.get_value().0/>
            <label>"Find a user by name or user principal name"
                <input type="search" name="text" required minlength="2" placeholder="Adele"/></label>
            <button type="submit" class="button">"Find"</button>
        </ActionForm>
        {move || found().map(|result| match result {
            Ok(users) if users.is_empty() => view! { <p class="muted" role="status">"No internal member found."</p> }.into_any(),
            Ok(users) => view! {
                <ul class="user-matches" aria-label="Users found">
                    {users.into_iter().map(|u| {
                        let (source, target) = ids.get_value();
                        view! {
                            <li>
                                <ActionForm action=actions.on_demand attr:class="form-inline">
                                    <input type="hidden" name="source" value=source/>
                                    <input type="hidden" name="target" value=target/>
                                    <input type="hidden" name="user_id" value=u.id.clone()/>
                                    <span>{u.display_name.clone()}" "<span class="muted">{u.user_principal_name.clone()}</span></span>
                                    <button type="submit" class="button button-small">{format!("Provision {}", u.display_name)}</button>
                                </ActionForm>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
            Err(error) => view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any(),
        })}
        <ActionSaid action=actions.on_demand/>
    }
}

#[component]
fn ScopeView(scope: Scope) -> impl IntoView {
    let mode = match scope.sync_all {
        Some(true) => "All users of the source tenant",
        Some(false) => "Only assigned users and groups",
        None => "Unknown (the settings could not be read)",
    };
    view! {
        <div role="group" aria-label="Scope">
            <h3>"Scope"</h3>
            <p>{mode}</p>
            {if scope.assigned.is_empty() {
                view! { <p class="muted">"Nobody is assigned."</p> }.into_any()
            } else {
                view! {
                    <ul class="assigned" aria-label="Assigned">
                        {scope.assigned.iter().cloned().map(|a| view! { <li>{a.name}" "<span class="muted">{format!("({})", a.kind.to_lowercase())}</span></li> }).collect_view()}
                    </ul>
                    {scope.has_groups().then(|| view! { <p class="muted">{GROUP_SCOPE_NOTE}</p> })}
                }.into_any()
            }}
            {if scope.filters.is_empty() {
                view! { <p class="muted">"No scoping filter: every assigned user is in scope."</p> }.into_any()
            } else {
                view! {
                    <p>"Scoping filter — a user is in scope when any of these holds:"</p>
                    <ul class="filters">{scope.filters.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
                }.into_any()
            }}
        </div>
    }
}

#[component]
fn Mappings(rows: Vec<MappingRow>, missing: Vec<String>) -> impl IntoView {
    view! {
        <div role="group" aria-label="Attribute mappings">
            <h3>"Attribute mappings"</h3>
            {missing.into_iter().map(|m| view! { <p class="notice notice-error">{m}": an MTO depends on it."</p> }).collect_view()}
            <table class="data mappings" tabindex="0" aria-label="Attribute mappings">
                <thead><tr>
                    <th scope="col">"Target attribute"</th><th scope="col">"Source"</th><th scope="col">"Type"</th>
                    <th scope="col">"Applies"</th><th scope="col">"Matching"</th><th scope="col">"For the MTO"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let class = match &r.mto_note { Some(n) if n.ok => "mto-ok", Some(_) => "mto-warn", None => "" };
                        view! {
                            <tr class=class>
                                <th scope="row">{r.target.clone()}</th>
                                <td><code>{r.source.clone()}</code></td>
                                <td>{r.kind.clone()}</td>
                                <td>{r.applies.clone()}</td>
                                <td>{r.matching.map(|m| format!("precedence {m}")).unwrap_or_default()}</td>
                                <td>{r.mto_note.map(|n| n.text).unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Differences(differences: Vec<Difference>) -> impl IntoView {
    view! {
        <div role="group" aria-label="Differences from other configurations">
            <h3>"Differences from other configurations"</h3>
            <table class="data" tabindex="0" aria-label="Differences from other configurations">
                <thead><tr><th scope="col">"Other configuration"</th><th scope="col">"Attribute"</th><th scope="col">"Here"</th><th scope="col">"There"</th></tr></thead>
                <tbody>
                    {differences.into_iter().map(|d| view! {
                        <tr>
                            <td>{d.other}</td>
                            <th scope="row">{d.target}</th>
                            <td>{d.here.unwrap_or_else(|| "not mapped".into())}</td>
                            <td>{d.there.unwrap_or_else(|| "not mapped".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Log(log: Vec<LogEntry>, outcome: Option<ProvisioningResult>, here: String) -> impl IntoView {
    let selected = outcome
        .as_ref()
        .map_or("", ProvisioningResult::as_str)
        .to_owned();
    view! {
        <div role="group" aria-label="Provisioning log">
            <h3>"Provisioning log"</h3>
            <form method="get" action=here class="form-inline">
                <label>"Outcome "
                    <select name="outcome">
                        <option value="" selected=selected.is_empty()>"all"</option>
                        {ProvisioningResult::KNOWN.iter().map(|o| { let o = o.as_str(); view! { <option value=o selected=selected == o>{o}</option> } }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button button-small">"Show"</button>
            </form>
            {if log.is_empty() {
                view! { <p class="muted">{format!("No entries{}.", outcome.map(|o| format!(" with outcome {o}")).unwrap_or_default())}</p> }.into_any()
            } else {
                view! {
                    <table class="data log" tabindex="0" aria-label="Provisioning log">
                        <thead><tr>
                            <th scope="col">"When"</th><th scope="col">"Action"</th><th scope="col">"Outcome"</th>
                            <th scope="col">"Source user"</th><th scope="col">"Target user"</th><th scope="col">"Error"</th>
                        </tr></thead>
                        <tbody>
                            {log.into_iter().map(|e| view! {
                                <tr class=format!("outcome-{}", e.status.as_ref().map_or("unknown", |s| s.as_str()))>
                                    <td>{e.at.clone()}</td>
                                    <td>{e.action.to_string()}</td>
                                    <td>{e.status.as_ref().map_or_else(|| "unknown".to_owned(), ToString::to_string)}</td>
                                    <td>{e.source_user.clone().unwrap_or_default()}</td>
                                    <td>{e.target_user.clone().unwrap_or_default()}</td>
                                    <td>{e.error_code.clone().map(|code| view! {
                                        <strong>{code}</strong>
                                        {e.reason.clone().map(|r| view! { <span>": "{r}</span> })}
                                        {e.recommended_action.clone().map(|a| view! { <br/><span class="muted">"Recommended: "{a}</span> })}
                                    })}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </div>
    }
}

/// A tenant's MTO templates, editable by its Global or Security Administrators.
#[component]
pub fn TemplatesSection(tenant: String) -> impl IntoView {
    let save = page_action::<SaveTemplates>();
    let reset = page_action::<ResetTemplates>();
    let tenant = StoredValue::new(tenant);
    let data = Resource::new(move || tenant.get_value(), get_templates);
    view! {
        <section class="card" aria-labelledby="templates-title">
            <h2 id="templates-title">"MTO templates"</h2>
            <p class="muted">"Templates apply to partners when tenants join the organization (your tenant joining applies them to every partner; another tenant joining applies them to that partner). A value left unset (null) leaves each partner's own value untouched."</p>
            <Suspense fallback=|| view! { <p class="muted">"Reading the templates…"</p> }>
                {move || data.get().map(|result| match result {
                    Ok(templates) => view! { <TemplatesForm templates save reset/> }.into_any(),
                    Err(error) => view! { <p class="notice notice-error">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
            <Said action=save/>
            <Said action=reset/>
        </section>
    }
}

#[component]
fn Choice(name: &'static str, label: &'static str, value: String, disabled: bool) -> impl IntoView {
    view! {
        <label>{label}" "
            <select name=name disabled=disabled>
                {[("unset", "unset (keep partners' values)"), ("on", "on"), ("off", "off")].into_iter().map(|(v, text)| view! {
                    <option value=v selected=value == v>{text}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn Level(name: &'static str, label: &'static str, value: String, disabled: bool) -> impl IntoView {
    view! {
        <label>{label}" "
            <select name=name disabled=disabled>
                {LEVELS.iter().map(|(v, text)| view! { <option value=*v selected=value == *v>{*text}</option> }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn TemplatesForm(
    templates: Templates,
    save: ServerAction<SaveTemplates>,
    reset: ServerAction<ResetTemplates>,
) -> impl IntoView {
    let Templates {
        tenant,
        tenant_name,
        form,
        b2b_set,
        may_edit,
    } = templates;
    let TemplateForm {
        partner_level,
        redeem_inbound,
        redeem_outbound,
        trust_mfa,
        trust_compliant_device,
        trust_hybrid_joined_device,
        sync_level,
        inbound_sync,
    } = form;
    let off = !may_edit;
    let reset_tenant = tenant.clone();
    view! {
        {off.then(|| view! { <p class="muted">{format!("Read only: editing {tenant_name}'s templates needs a Global or Security Administrator.")}</p> })}
        <ActionForm action=save attr:class="form templates-form">
            <input type="hidden" name="tenant" value=tenant/>
            <fieldset>
                <legend>"Partner configuration template"</legend>
                <Level name="partner_level" label="Applies to" value=partner_level disabled=off/>
                <Choice name="redeem_inbound" label="Automatic redemption, inbound" value=redeem_inbound disabled=off/>
                <Choice name="redeem_outbound" label="Automatic redemption, outbound" value=redeem_outbound disabled=off/>
                <Choice name="trust_mfa" label="Trust the partner's MFA" value=trust_mfa disabled=off/>
                <Choice name="trust_compliant_device" label="Trust compliant devices" value=trust_compliant_device disabled=off/>
                <Choice name="trust_hybrid_joined_device" label="Trust hybrid-joined devices" value=trust_hybrid_joined_device disabled=off/>
                <p class="muted">{b2b_set.into_iter().map(|(name, set)| format!("{name}: {}", if set { "set" } else { "unset" })).collect::<Vec<_>>().join(" · ")}</p>
            </fieldset>
            <fieldset>
                <legend>"Identity synchronization template"</legend>
                <Level name="sync_level" label="Applies to" value=sync_level disabled=off/>
                <Choice name="inbound_sync" label="Allow partners to sync users in" value=inbound_sync disabled=off/>
            </fieldset>
            {may_edit.then(|| view! { <button type="submit" class="button button-primary">"Save the templates"</button> })}
        </ActionForm>
        {may_edit.then(|| view! {
            <ActionForm action=reset attr:class="form-inline">
                <input type="hidden" name="tenant" value=reset_tenant.clone()/>
                <label class="confirm"><input type="checkbox" name="confirm" required/>"Every value becomes unset"</label>
                <button type="submit" class="button button-danger">"Reset to defaults"</button>
            </ActionForm>
        })}
    }
}
