//! One monitor run: an app-only token per tenant (asked concurrently, a bounded number at a time),
//! every tenant read with the monitor's own [`MeshService`] (`$batch`, a bounded number of tenants at
//! a time; the Graph client retries throttled calls after their `Retry-After`, microsoftgraph/
//! microsoft-graph-docs-contrib `concepts/throttling.md`), and what each tenant's reading came to.
//! One tenant's failure — no token, throttling, an outage — is that tenant's problem; the others are
//! read as usual.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use app::api::data::status::{MonitorRun, TenantRun};
use app::mesh::model::{Mesh, Node, ReadStatus};
use futures_util::stream::{self, StreamExt};
use graph::client::{AccessToken, GraphClient};
use graph::{ops, TenantId, TenantRef};

use super::credential::{AppCredential, CredentialError};
use crate::mesh::{MeshService, Source};

/// The account part of the monitor's sources: data read with the app's own permissions.
pub const APP_ACCOUNT: &str = "app";
/// Token requests sent at the same time.
const TOKEN_CONCURRENCY: usize = 16;

/// Where the monitor's app-only tokens come from: [`AppCredential`] (`azure_identity`), or
/// anything else that gives a Graph token per tenant.
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync {
    async fn token(&self, tenant: &TenantId) -> Result<AccessToken, CredentialError>;
}

#[async_trait::async_trait]
impl TokenSource for AppCredential {
    async fn token(&self, tenant: &TenantId) -> Result<AccessToken, CredentialError> {
        AppCredential::token(self, tenant).await
    }
}

/// A tenant the settings name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Tenant(TenantRef),
    /// Not a tenant id nor a domain: reported at each run.
    Invalid {
        input: String,
        why: String,
    },
}

impl Target {
    pub fn parse(input: &str) -> Self {
        match TenantRef::parse(input) {
            Ok(tenant) => Self::Tenant(tenant),
            Err(error) => Self::Invalid {
                input: input.trim().to_owned(),
                why: error.message,
            },
        }
    }
}

/// What a run read.
pub struct Outcome {
    pub mesh: Arc<Mesh>,
    pub run: MonitorRun,
    /// Tenants the run could not read (their findings cannot be said to have cleared).
    pub unread: HashSet<String>,
}

pub struct Runner {
    pub graph: GraphClient,
    pub mesh: MeshService,
    pub credential: Arc<dyn TokenSource>,
    pub targets: Vec<Target>,
    /// Verified domain (lower case) → tenant id, from the scenario or looked up once.
    pub domains: Mutex<HashMap<String, String>>,
    /// Where the directory audit events each run reads are kept (for the audit timeline); `None`:
    /// not read.
    pub audits: Option<crate::directory_audits::DirectoryAudits>,
}

/// A target's tenant id, or why there is none.
type Resolved = Result<String, TenantRun>;

fn problem(tenant_id: &str, problem: String) -> TenantRun {
    TenantRun {
        tenant_id: tenant_id.to_owned(),
        name: tenant_id.to_owned(),
        problem: Some(problem),
    }
}

impl Runner {
    /// Reads every target tenant at `now`.
    pub async fn run(&self, now: i64) -> Outcome {
        let started = Instant::now();
        let requests_before = self.mesh.requests.total();
        let resolved = self.resolve_targets().await;
        let ids: Vec<String> = resolved.iter().filter_map(|r| r.clone().ok()).collect();
        let tokens = self.tokens(&ids).await;
        let sources: Vec<Source> = ids
            .iter()
            .map(|id| Source {
                tenant_id: id.clone(),
                account: APP_ACCOUNT.to_owned(),
                token: tokens.get(id).and_then(|t| t.as_ref().ok()).cloned(),
            })
            .collect();
        // The directory audit events alongside: one more request per tenant (a few when much
        // happened since the last run).
        let (snapshot, audit_problems) = tokio::join!(
            self.mesh.snapshot(&sources, now, true),
            self.read_directory_audits(&sources, now)
        );
        let mesh = Arc::new(with_token_problems(&snapshot, &tokens));
        let mut unread = HashSet::new();
        let tenants = resolved
            .into_iter()
            .map(|target| match target {
                Ok(id) => {
                    let mut run = tenant_run(&mesh, &id);
                    if let Some(problem) = audit_problems.get(&id) {
                        run.problem = Some(match run.problem.take() {
                            Some(earlier) => format!("{earlier}; {problem}"),
                            None => problem.clone(),
                        });
                    }
                    if mesh.node(&id).is_none_or(|n| n.read != ReadStatus::Fresh) {
                        unread.insert(id);
                    }
                    run
                }
                Err(run) => run,
            })
            .collect();
        let run = MonitorRun {
            started_at: now,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            requests: self.mesh.requests.total().saturating_sub(requests_before),
            tenants,
        };
        Outcome { mesh, run, unread }
    }

    /// Each target's tenant id: ids as they are, domains from the scenario's names or looked up
    /// with `findTenantInformationByDomainName` (microsoftgraph/microsoft-graph-docs-contrib
    /// `api-reference/v1.0/api/tenantrelationship-findtenantinformationbydomainname.md`) with a
    /// token of a tenant named by id, once.
    async fn resolve_targets(&self) -> Vec<Resolved> {
        let mut resolved = Vec::with_capacity(self.targets.len());
        let mut asker: Option<AccessToken> = None;
        for target in &self.targets {
            let answer = match target {
                Target::Invalid { input, why } => Err(problem(input, why.clone())),
                Target::Tenant(TenantRef::Id(id)) => Ok(id.to_string()),
                Target::Tenant(TenantRef::Domain(domain)) => {
                    self.resolve_domain(domain.as_str(), &mut asker).await
                }
            };
            resolved.push(answer);
        }
        let mut seen = HashSet::new();
        resolved.retain(|r| r.as_ref().map_or(true, |id| seen.insert(id.clone())));
        resolved
    }

    async fn resolve_domain(&self, domain: &str, asker: &mut Option<AccessToken>) -> Resolved {
        let domain = domain.to_ascii_lowercase();
        if let Some(id) = lock(&self.domains).get(&domain) {
            return Ok(id.clone());
        }
        if asker.is_none() {
            *asker = self.any_token().await;
        }
        let Some(token) = asker.as_ref() else {
            return Err(problem(
                &domain,
                "cannot look the domain up: no tenant named by id gave an app-only token to ask Graph with".into(),
            ));
        };
        let tenant = TenantRef::parse(&domain).map_err(|e| problem(&domain, e.message))?;
        self.mesh.requests.add(1);
        match self
            .graph
            .run(token, &ops::directory::find_tenant(&tenant))
            .await
        {
            Ok(answer) => {
                let id = answer.value.tenant_id.to_string();
                lock(&self.domains).insert(domain, id.clone());
                Ok(id)
            }
            Err(error) => Err(problem(
                &domain,
                format!("cannot look the domain up: {error}"),
            )),
        }
    }

    /// Reads what is new in each tenant's directory audit log (the organization's categories) with
    /// its app-only token and keeps it; answers each tenant's problem doing so. The requests count
    /// in the run's.
    async fn read_directory_audits(&self, sources: &[Source], now: i64) -> HashMap<String, String> {
        use crate::directory_audits::{ReadBy, ReadError};
        let Some(audits) = &self.audits else {
            return HashMap::new();
        };
        // The futures are made in a loop, not by a closure: a closure's future borrowing `self`
        // is not `Send` for every lifetime, which `tokio::spawn` of the run needs.
        let mut pending = Vec::new();
        for source in sources {
            let Some(token) = source.token.clone() else {
                continue;
            };
            let tenant = source.tenant_id.clone();
            pending.push(async move {
                let result = audits
                    .read_new(&self.graph, &token, &tenant, ReadBy::Monitor, now)
                    .await;
                (tenant, result)
            });
        }
        let readings = stream::iter(pending)
            .buffer_unordered(TOKEN_CONCURRENCY)
            .collect::<Vec<_>>()
            .await;
        let mut problems = HashMap::new();
        for (tenant, result) in readings {
            let problem = match result {
                Ok(reading) => {
                    self.mesh.requests.add(reading.requests);
                    continue;
                }
                Err(ReadError::Graph(error)) => {
                    self.mesh.requests.add(1);
                    if error.kind == graph::client::GraphErrorKind::Forbidden {
                        "Graph refuses the app the directory audit events (403): grant the \
                         application permission AuditLog.Read.All"
                            .to_owned()
                    } else {
                        format!("directory audit events not read: {error}")
                    }
                }
                Err(error @ ReadError::Store(_)) => error.to_string(),
            };
            tracing::warn!(%tenant, %problem, "the monitor's reading of the directory audit events");
            problems.insert(tenant, problem);
        }
        problems
    }

    /// A token of the first target named by id that gives one.
    async fn any_token(&self) -> Option<AccessToken> {
        for target in &self.targets {
            if let Target::Tenant(TenantRef::Id(id)) = target {
                if let Ok(token) = self.credential.token(id).await {
                    return Some(token);
                }
            }
        }
        None
    }

    /// A token (or why not) for each tenant.
    async fn tokens(
        &self,
        ids: &[String],
    ) -> HashMap<String, Result<AccessToken, CredentialError>> {
        stream::iter(ids.iter().cloned())
            .map(|id| async move {
                let token = match id.parse::<TenantId>() {
                    Ok(tenant) => self.credential.token(&tenant).await,
                    Err(error) => Err(CredentialError(error.message)),
                };
                if let Err(error) = &token {
                    tracing::warn!(tenant = %id, %error, "no app-only token for the monitor");
                }
                (id, token)
            })
            .buffer_unordered(TOKEN_CONCURRENCY)
            .collect()
            .await
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The mesh with each tenant that had no token marked as such: its last reading (if any) with the
/// credential's reason, never "sign in again" (nobody signs in for the monitor).
fn with_token_problems(
    mesh: &Mesh,
    tokens: &HashMap<String, Result<AccessToken, CredentialError>>,
) -> Mesh {
    let mut mesh = mesh.clone();
    for node in &mut mesh.nodes {
        if let Some(Err(error)) = tokens.get(&node.tenant_id) {
            let reason = format!("no app-only token: {error}");
            node.read = if node.side_known {
                ReadStatus::Stale { reason }
            } else {
                ReadStatus::Failed { reason }
            };
        }
    }
    mesh
}

/// What one tenant's reading came to, in words.
fn tenant_run(mesh: &Mesh, tenant_id: &str) -> TenantRun {
    let name = mesh.name(tenant_id);
    let problem = mesh.node(tenant_id).map_or_else(
        || Some("not read: Graph answered nothing for this tenant".to_owned()),
        node_problem,
    );
    TenantRun {
        tenant_id: tenant_id.to_owned(),
        name,
        problem,
    }
}

fn node_problem(node: &Node) -> Option<String> {
    let mut parts = Vec::new();
    match &node.read {
        ReadStatus::Fresh => {}
        ReadStatus::Stale { reason } => {
            parts.push(format!("not read ({reason}); its last reading is kept"));
        }
        ReadStatus::Failed { reason } => parts.push(format!("not read: {reason}")),
        ReadStatus::NeedsSignIn => {
            parts.push("not read: Graph no longer accepts the app's token".to_owned());
        }
        other => parts.push(format!("not read ({other:?})")),
    }
    if node.read == ReadStatus::Fresh {
        parts.extend(node.problems.iter().cloned());
    }
    parts.extend(node.restricted.iter().map(|r| {
        format!(
            "Graph refuses the app the {} (403): grant the application permission in {}",
            r.part, node.name
        )
    }));
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_name_tenants_by_id_or_domain() {
        assert!(matches!(
            Target::parse("72f988bf-86f1-41af-91ab-2d7cd011db47"),
            Target::Tenant(TenantRef::Id(_))
        ));
        assert!(matches!(
            Target::parse(" contoso.onmicrosoft.com "),
            Target::Tenant(TenantRef::Domain(_))
        ));
        assert!(matches!(
            Target::parse("not a tenant"),
            Target::Invalid { .. }
        ));
    }
}
