//! The `/drift` page's server side: snapshots taken through the session's sign-ins (each tenant
//! the session may read, with its own token), kept in the database; the live configuration
//! compared with the baseline (or an imported or older snapshot); a drift item accepted into the
//! baseline (a new baseline snapshot: the old one with that value) or restored in Graph (checked
//! against the role in that tenant, audited step by step); the teardown plan of a departed tenant.

use std::collections::BTreeMap;

use app::api::audit::AuditAction;
use app::api::ApiError;
use app::drift::diff::{self, Located};
use app::drift::snapshot::Snapshot;
use app::drift::teardown;
use app::drift::{
    Comparison, DriftItem, DriftView, Origin, Restore, SnapshotInfo, StepRequest, TeardownPlan,
};
use graph::Request;
use http::request::Parts;
use serde_json::json;

use super::reader::{read_all, TenantSource};
use super::restore::{self, Area};
use super::whatif;
use crate::audit::{Actor, Attempt};
use crate::auth::access::{ManageMto, OperateSync, Read};
use crate::auth::flow::now;
use crate::auth::roles::{self, Capability};
use crate::auth::session::AuthSession;
use crate::dashboard::Dashboard;
use crate::error::Failure;
use crate::mesh::reader::RequestCounter;

/// A request as a person reads it before it is sent.
pub fn step_request(request: &Request) -> StepRequest {
    StepRequest {
        request: crate::diagnose::describe(request),
        body: request.pretty_body(),
    }
}

fn roles_for(area: Area) -> Vec<String> {
    roles::roles_granting(capability_of(area))
        .into_iter()
        .map(str::to_owned)
        .collect()
}

fn capability_of(area: Area) -> Capability {
    match area {
        Area::CrossTenantAccess => Capability::ManageMto,
        Area::Sync => Capability::OperateSync,
    }
}

fn store_failure(error: super::store::SnapshotStoreError) -> Failure {
    match error {
        super::store::SnapshotStoreError::Store(error) => Failure::Store(error),
        corrupt => Failure::Internal(corrupt.to_string()),
    }
}

impl Dashboard {
    /// The person acting: the first sign-in of the session that may read.
    async fn drift_actor(&self, session: &AuthSession) -> Result<Actor, Failure> {
        let sign_ins = session.sign_ins().await?;
        for tenant in sign_ins.keys() {
            if let Ok(access) = self.access::<Read>(session, tenant).await {
                return Ok(access.actor().clone());
            }
        }
        Err(ApiError::NotSignedIn {
            tenant: "a tenant".into(),
        }
        .into())
    }

    /// The live configuration of every tenant the session may read.
    async fn live_snapshot(
        &self,
        session: &AuthSession,
        actor: &Actor,
        origin: Origin,
    ) -> Result<Snapshot, Failure> {
        let sources = self.readers(session).await?;
        let sign_ins = session.sign_ins().await?;
        let sources: Vec<TenantSource> = sources
            .into_iter()
            .filter_map(|source| {
                let sign_in = sign_ins.get(&source.tenant_id);
                Some(TenantSource {
                    name: self.tenant_name(&source.tenant_id, sign_in),
                    read_by: format!(
                        "delegated: {}",
                        sign_in.map_or("?", |s| s.account.username.as_str())
                    ),
                    token: source.token?,
                    tenant_id: source.tenant_id,
                })
            })
            .collect();
        let mut snapshot = Snapshot::new(
            app::mesh::time::iso(now()),
            format!("{} ({})", actor.name, actor.upn),
            origin,
        );
        read_all(
            &self.sign_in.graph,
            &sources,
            &RequestCounter::default(),
            &mut snapshot,
        )
        .await;
        Ok(snapshot)
    }

    fn names(&self) -> impl Fn(&str) -> String + '_ {
        move |id: &str| self.tenant_name(id, None)
    }

    /// Records a write that changes only the dashboard's own data (a snapshot kept, a baseline
    /// accepted), then makes it.
    async fn audited_note<T: Send + 'static>(
        &self,
        actor: &Actor,
        action: AuditAction,
        inputs: serde_json::Value,
        work: impl std::future::Future<Output = Result<T, Failure>> + Send,
    ) -> Result<T, Failure> {
        let attempt = Attempt {
            actor: actor.clone(),
            tenant_id: actor.tenant_id.clone(),
            action,
            inputs,
        };
        let result = work.await;
        let token = graph::client::AccessToken::new("");
        let outcome = match &result {
            Ok(_) => Ok(()),
            Err(error) => Err(crate::audit::WriteError::Internal(error.to_string())),
        };
        self.joins
            .audit
            .record(
                attempt,
                now(),
                Vec::new(),
                &self.joins.graph,
                &token,
                |_| async move { outcome },
            )
            .await?;
        result
    }

    /// The drift of `live` from `reference`, each item with its restore and whether the session
    /// may make it.
    async fn drift_items(
        &self,
        session: &AuthSession,
        reference: &Snapshot,
        live: &Snapshot,
    ) -> Result<Vec<DriftItem>, Failure> {
        let names = self.names();
        let found = diff::compare(reference, live, &names);
        let mut refusals: BTreeMap<(String, bool), Option<String>> = BTreeMap::new();
        let mut items = Vec::with_capacity(found.len());
        // The restores that change a configuration's scope, by item.
        let mut questions: Vec<(usize, whatif::Question)> = Vec::new();
        for located in found {
            let (restore, manual) = match restore::plan(reference, live, &located) {
                Ok((requests, area)) => {
                    if let Some(question) = whatif::restore_question(reference, live, &located) {
                        questions.push((items.len(), question));
                    }
                    let tenant = located.change.tenant_id.clone();
                    let key = (tenant.clone(), area == Area::Sync);
                    let refused = match refusals.get(&key) {
                        Some(refused) => refused.clone(),
                        None => {
                            let refused = self.refusal(session, &tenant, area).await?;
                            refusals.insert(key, refused.clone());
                            refused
                        }
                    };
                    let shown: Vec<StepRequest> = requests.iter().map(step_request).collect();
                    (
                        Some(Restore {
                            request: shown
                                .iter()
                                .map(|s| s.request.clone())
                                .collect::<Vec<_>>()
                                .join("\nthen "),
                            body: shown
                                .iter()
                                .filter_map(|s| s.body.clone())
                                .collect::<Vec<_>>()
                                .join("\n")
                                .into(),
                            roles: roles_for(area),
                            refused,
                            what_if: None,
                            what_if_names: Vec::new(),
                            what_if_target: None,
                        })
                        .map(|mut r| {
                            if r.body.as_deref() == Some("") {
                                r.body = None;
                            }
                            r
                        }),
                        None,
                    )
                }
                Err(manual) => (None, Some(manual)),
            };
            items.push(DriftItem {
                id: located.change.id(),
                change: located.change,
                restore,
                manual,
            });
        }
        let (at, questions): (Vec<usize>, Vec<whatif::Question>) = questions.into_iter().unzip();
        let shown = self.what_ifs(session, &questions).await?;
        for (index, shown) in at.into_iter().zip(shown) {
            if let Some(restore) = items.get_mut(index).and_then(|i| i.restore.as_mut()) {
                restore.what_if = Some(shown.text);
                restore.what_if_names = shown.names;
                restore.what_if_target = Some(shown.target_name);
            }
        }
        Ok(items)
    }

    /// Why the session may not write `area` in `tenant` (`None`: it may).
    async fn refusal(
        &self,
        session: &AuthSession,
        tenant: &str,
        area: Area,
    ) -> Result<Option<String>, Failure> {
        let result = match area {
            Area::CrossTenantAccess => self.access::<ManageMto>(session, tenant).await.map(|_| ()),
            Area::Sync => self
                .access::<OperateSync>(session, tenant)
                .await
                .map(|_| ()),
        };
        match result {
            Ok(()) => Ok(None),
            Err(Failure::Api(error)) => Ok(Some(error.to_string())),
            Err(failure) => Err(failure),
        }
    }

    /// The reference the live state is compared with: snapshot `compare`, or the baseline.
    async fn reference(
        &self,
        compare: Option<i64>,
    ) -> Result<Option<(Snapshot, SnapshotInfo)>, Failure> {
        let snapshots = &self.snapshots;
        match compare {
            Some(id) => match snapshots.get(id).await.map_err(store_failure)? {
                Some(found) => Ok(Some(found)),
                None => Err(ApiError::BadRequest(format!("There is no snapshot {id}.")).into()),
            },
            None => Ok(snapshots
                .baseline()
                .await
                .map_err(store_failure)?
                .map(|(snapshot, baseline)| (snapshot, baseline.snapshot))),
        }
    }

    pub(crate) async fn drift_view(
        &self,
        request: &Parts,
        compare: Option<i64>,
    ) -> Result<DriftView, ApiError> {
        Ok(self.drift_view_inner(request, compare).await?)
    }

    async fn drift_view_inner(
        &self,
        request: &Parts,
        compare: Option<i64>,
    ) -> Result<DriftView, Failure> {
        let session = self.session(request).await?;
        let actor = self.drift_actor(&session).await?;
        let snapshots = self.snapshots.list().await?;
        let baseline = self
            .snapshots
            .baseline()
            .await
            .map_err(store_failure)?
            .map(|(_, baseline)| baseline);
        let reference = self.reference(compare).await?;
        let (drift, live, compared_with) = match reference {
            Some((reference, info)) => {
                let live = self
                    .live_snapshot(&session, &actor, Origin::OnDemand)
                    .await?;
                let items = self.drift_items(&session, &reference, &live).await?;
                let live_info = live.info(0, live.to_json().len());
                (
                    Some(items),
                    Some(live_info),
                    compare.is_some().then_some(info),
                )
            }
            None => (None, None, None),
        };
        Ok(DriftView {
            snapshots,
            baseline,
            drift,
            compared_with,
            live,
            can_write: true,
        })
    }

    pub(crate) async fn drift_take_snapshot(
        &self,
        request: &Parts,
    ) -> Result<SnapshotInfo, ApiError> {
        let session = self.session(request).await?;
        let actor = self.drift_actor(&session).await?;
        let snapshot = self
            .live_snapshot(&session, &actor, Origin::OnDemand)
            .await?;
        let inputs = json!({"tenants": snapshot.tenants.keys().collect::<Vec<_>>()});
        Ok(self
            .audited_note(&actor, AuditAction::TakeSnapshot, inputs, async {
                Ok(self
                    .snapshots
                    .keep(&snapshot, Origin::OnDemand, now())
                    .await?)
            })
            .await?)
    }

    pub(crate) async fn drift_accept_baseline(
        &self,
        request: &Parts,
        id: i64,
    ) -> Result<String, ApiError> {
        let session = self.session(request).await?;
        let actor = self.drift_actor(&session).await?;
        let Some((_, info)) = self.snapshots.get(id).await.map_err(store_failure)? else {
            return Err(ApiError::BadRequest(format!("There is no snapshot {id}.")));
        };
        let by = format!("{} ({})", actor.name, actor.upn);
        self.audited_note(
            &actor,
            AuditAction::AcceptBaseline,
            json!({"snapshot": id}),
            async { Ok(self.snapshots.accept(id, &by, now()).await?) },
        )
        .await?;
        Ok(format!(
            "The snapshot of {} is the baseline: drift is now measured from it.",
            info.taken_at
        ))
    }

    pub(crate) async fn drift_compare(
        &self,
        request: &Parts,
        older: i64,
        newer: i64,
    ) -> Result<Comparison, ApiError> {
        let session = self.session(request).await?;
        self.drift_actor(&session).await?;
        let get = |id: i64| async move {
            self.snapshots
                .get(id)
                .await
                .map_err(store_failure)?
                .ok_or_else(|| {
                    Failure::from(ApiError::BadRequest(format!("There is no snapshot {id}.")))
                })
        };
        let (a, a_info) = get(older).await?;
        let (b, b_info) = get(newer).await?;
        let names = self.names();
        Ok(Comparison {
            older: a_info,
            newer: b_info,
            changes: diff::compare(&a, &b, &names)
                .into_iter()
                .map(|l| l.change)
                .collect(),
        })
    }

    /// The drift item `item` of the live state from `reference`, found again now.
    async fn find_item(
        &self,
        session: &AuthSession,
        actor: &Actor,
        item: &str,
        compare: Option<i64>,
    ) -> Result<(Snapshot, Snapshot, Located), Failure> {
        let Some((reference, _)) = self.reference(compare).await? else {
            return Err(
                ApiError::BadRequest("There is no baseline to compare with.".into()).into(),
            );
        };
        let live = self.live_snapshot(session, actor, Origin::OnDemand).await?;
        let names = self.names();
        let found = diff::compare(&reference, &live, &names)
            .into_iter()
            .find(|l| l.change.id() == item)
            .ok_or_else(|| {
                ApiError::BadRequest(
                    "That difference is no longer there: the page was out of date. Nothing was changed."
                        .into(),
                )
            })?;
        Ok((reference, live, found))
    }

    pub(crate) async fn drift_accept_item(
        &self,
        request: &Parts,
        item: String,
    ) -> Result<String, ApiError> {
        let session = self.session(request).await?;
        let actor = self.drift_actor(&session).await?;
        let (baseline, live, at) = self.find_item(&session, &actor, &item, None).await?;
        let mut accepted =
            diff::carry(&live, &baseline, &at).map_err(|e| Failure::Internal(e.to_string()))?;
        accepted.origin = Origin::Accepted;
        accepted.taken_at = app::mesh::time::iso(now());
        accepted.taken_by = format!("{} ({})", actor.name, actor.upn);
        let by = accepted.taken_by.clone();
        let change = at.change.clone();
        self.audited_note(
            &actor,
            AuditAction::AcceptDrift,
            json!({"tenant": change.tenant_id, "object": change.object_label, "field": change.field, "old": change.old, "new": change.new}),
            async {
                let info = self.snapshots.keep(&accepted, Origin::Accepted, now()).await?;
                self.snapshots.accept(info.id, &by, now()).await?;
                Ok(())
            },
        )
        .await?;
        Ok(format!(
            "Accepted into the baseline: {} of {} in {}.",
            if change.field.is_empty() {
                "the whole object"
            } else {
                &change.field
            },
            change.object_label,
            change.tenant_name
        ))
    }

    pub(crate) async fn drift_restore_item(
        &self,
        request: &Parts,
        item: String,
        compare: Option<i64>,
    ) -> Result<String, ApiError> {
        Ok(self.restore_inner(request, &item, compare).await?)
    }

    async fn restore_inner(
        &self,
        request: &Parts,
        item: &str,
        compare: Option<i64>,
    ) -> Result<String, Failure> {
        let session = self.session(request).await?;
        let actor = self.drift_actor(&session).await?;
        let (reference, live, at) = self.find_item(&session, &actor, item, compare).await?;
        let (requests, area) =
            restore::plan(&reference, &live, &at).map_err(ApiError::BadRequest)?;
        let tenant = at.change.tenant_id.clone();
        let (actor, token) = match area {
            Area::CrossTenantAccess => {
                let access = self.access::<ManageMto>(&session, &tenant).await?;
                (access.actor().clone(), access.token().clone())
            }
            Area::Sync => {
                let access = self.access::<OperateSync>(&session, &tenant).await?;
                (access.actor().clone(), access.token().clone())
            }
        };
        let change = &at.change;
        let attempt = Attempt {
            actor,
            tenant_id: tenant.clone(),
            action: AuditAction::RestoreDrift,
            inputs: json!({
                "object": change.object_label,
                "field": change.field,
                "from": change.new,
                "to": change.old,
                "reference": compare,
                "calls": requests,
            }),
        };
        self.joins
            .audit
            .record(
                attempt,
                now(),
                crate::sync::labels(&requests),
                &self.joins.graph,
                &token,
                |steps| crate::sync::run_in_order(steps, requests.clone()),
            )
            .await?
            .into_result(|| {
                format!(
                    "Restoring {} in {} failed",
                    change.object_label, change.tenant_name
                )
            })?;
        Ok(format!(
            "Restored in {}: {} of {} has its {} value again.",
            change.tenant_name,
            if change.field.is_empty() {
                "the whole object"
            } else {
                &change.field
            },
            change.object_label,
            if compare.is_some() {
                "snapshot's"
            } else {
                "baseline"
            }
        ))
    }

    pub(crate) async fn drift_import(
        &self,
        request: &Parts,
        json: String,
    ) -> Result<SnapshotInfo, ApiError> {
        let session = self.session(request).await?;
        let actor = self.drift_actor(&session).await?;
        let snapshot =
            Snapshot::from_json(&json).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let inputs = json!({"takenAt": snapshot.taken_at, "takenBy": snapshot.taken_by, "tenants": snapshot.tenants.len()});
        Ok(self
            .audited_note(&actor, AuditAction::ImportSnapshot, inputs, async {
                Ok(self
                    .snapshots
                    .keep(&snapshot, Origin::Import, now())
                    .await?)
            })
            .await?)
    }

    /// A stored snapshot's export, for anyone signed in with a read role.
    pub(crate) async fn drift_export(
        &self,
        request: &Parts,
        id: i64,
    ) -> Result<Option<String>, ApiError> {
        let session = self.session(request).await?;
        self.drift_actor(&session).await?;
        Ok(self.snapshots.export(id).await.map_err(Failure::from)?)
    }

    /// The teardown plan of `tenant` from the live state, with each step's refusal (if any) and,
    /// when `what_if`, who each scope step would soft-delete.
    async fn teardown(
        &self,
        request: &Parts,
        session: &AuthSession,
        tenant: &str,
        what_if: bool,
    ) -> Result<(Vec<teardown::PlannedStep>, TeardownPlan), Failure> {
        let tenant: graph::TenantId = tenant
            .parse()
            .map_err(|e: graph::IdError| ApiError::BadRequest(e.to_string()))?;
        let tenant = tenant.to_string();
        let actor = self.drift_actor(session).await?;
        let live = self
            .live_snapshot(session, &actor, Origin::OnDemand)
            .await?;
        // How many users each configuration keeps in its target, from the jobs' last runs.
        let mesh = app::api::port::DashboardPort::mesh(self, request, false).await?;
        let synced: BTreeMap<String, usize> = mesh
            .iter()
            .flat_map(|mesh| mesh.sync.values().flatten())
            .map(|s| {
                (
                    s.service_principal_id.to_string(),
                    usize::try_from(s.synchronized_users).unwrap_or(0),
                )
            })
            .collect();
        let node = mesh
            .as_ref()
            .and_then(|mesh| mesh.nodes.iter().find(|n| n.tenant_id == tenant).cloned());
        let membership = match node.as_ref().map(|n| (n.role.is_some(), n.state)) {
            Some((true, app::mesh::model::NodeState::Active)) => {
                "still an active member: remove it on the joins page before tearing its relationships down"
            }
            Some((true, app::mesh::model::NodeState::Removing)) => "its removal is in progress",
            Some((true, app::mesh::model::NodeState::Pending)) => "added, but it has not joined",
            _ => "not in the organization (it left, was removed or never joined)",
        }
        .to_owned();
        let names = self.names();
        let steps = teardown::plan(&live, &tenant, &synced, &names);
        let mut refusals: BTreeMap<(String, bool), Option<String>> = BTreeMap::new();
        let mut shown = Vec::with_capacity(steps.len());
        for step in &steps {
            let area = match step.area {
                teardown::WriteArea::CrossTenantAccess => Area::CrossTenantAccess,
                teardown::WriteArea::Sync => Area::Sync,
            };
            let key = (step.tenant_id.clone(), area == Area::Sync);
            let refused = match refusals.get(&key) {
                Some(refused) => refused.clone(),
                None => {
                    let refused = self.refusal(session, &step.tenant_id, area).await?;
                    refusals.insert(key, refused.clone());
                    refused
                }
            };
            shown.push(teardown::to_view(step, &names, refused, roles_for(area)));
        }
        if what_if {
            let questions: Vec<(usize, whatif::Question)> = steps
                .iter()
                .enumerate()
                .filter(|(_, step)| step.object == app::drift::ObjectKind::Assignment)
                .filter_map(|(index, step)| {
                    Some((
                        index,
                        whatif::teardown_question(&live, &step.tenant_id, &step.key)?,
                    ))
                })
                .collect();
            let (at, questions): (Vec<usize>, Vec<whatif::Question>) =
                questions.into_iter().unzip();
            let answers = self.what_ifs(session, &questions).await?;
            for (index, answer) in at.into_iter().zip(answers) {
                if let Some(step) = shown.get_mut(index) {
                    step.what_if = Some(answer.text);
                    step.what_if_names = answer.names;
                    step.what_if_target = Some(answer.target_name);
                }
            }
        }
        let mut unread = live.unread();
        // Tenants of the organization no sign-in of the session reads: their side is unknown.
        if let Some(mesh) = &mesh {
            for node in &mesh.nodes {
                if node.role.is_some() && !live.tenants.contains_key(&node.tenant_id) {
                    unread.push(format!(
                        "{}: not read (sign in there to plan its side)",
                        node.name
                    ));
                }
            }
        }
        let plan = TeardownPlan {
            tenant_name: names(&tenant),
            tenant_id: tenant,
            membership,
            steps: shown,
            unread,
        };
        Ok((steps, plan))
    }

    pub(crate) async fn drift_teardown_plan(
        &self,
        request: &Parts,
        tenant: &str,
    ) -> Result<TeardownPlan, ApiError> {
        let session = self.session(request).await?;
        Ok(self.teardown(request, &session, tenant, true).await?.1)
    }

    pub(crate) async fn drift_teardown_step(
        &self,
        request: &Parts,
        tenant: &str,
        step: String,
    ) -> Result<String, ApiError> {
        Ok(self.teardown_step_inner(request, tenant, &step).await?)
    }

    async fn teardown_step_inner(
        &self,
        request: &Parts,
        tenant: &str,
        step: &str,
    ) -> Result<String, Failure> {
        let session = self.session(request).await?;
        let (steps, plan) = self.teardown(request, &session, tenant, false).await?;
        let step = steps.into_iter().find(|s| s.id == step).ok_or_else(|| {
            ApiError::BadRequest(
                "That step is no longer in the plan: it was made already, or the page was out of date. Nothing was changed."
                    .into(),
            )
        })?;
        let (actor, token) = match step.area {
            teardown::WriteArea::CrossTenantAccess => {
                let access = self.access::<ManageMto>(&session, &step.tenant_id).await?;
                (access.actor().clone(), access.token().clone())
            }
            teardown::WriteArea::Sync => {
                let access = self
                    .access::<OperateSync>(&session, &step.tenant_id)
                    .await?;
                (access.actor().clone(), access.token().clone())
            }
        };
        let where_name = self.tenant_name(&step.tenant_id, None);
        let attempt = Attempt {
            actor,
            tenant_id: step.tenant_id.clone(),
            action: AuditAction::TeardownStep,
            inputs: json!({
                "departed": plan.tenant_id,
                "step": step.id,
                "description": step.description,
                "deprovisions": step.deprovisions,
                "calls": step.requests,
            }),
        };
        let requests = step.requests.clone();
        self.joins
            .audit
            .record(
                attempt,
                now(),
                crate::sync::labels(&requests),
                &self.joins.graph,
                &token,
                |steps| crate::sync::run_in_order(steps, requests.clone()),
            )
            .await?
            .into_result(|| format!("The step in {where_name} failed"))?;
        Ok(format!("Done in {where_name}: {}", step.description))
    }
}
