//! The audit timeline's server side (`/audit/timeline` and its exports `/audit/timeline.csv`,
//! `/audit/timeline.json`): what the session may see, the reading of what is new in the directory
//! audit logs of the tenants it may read them in, and the kept events with the dashboard's own
//! audit log entries, merged by `app::api::timeline`.
//!
//! Who sees what: the directory events of a tenant the session is signed in to with a role that
//! may read directory audits (`graph::roles::ReadArea::DirectoryAudits`), and of every tenant the
//! app-only monitor kept events of, for anyone who may see the monitor's `/status` board (a read
//! role in a tenant of the organization); the dashboard's own entries as on `/audit` (the tenants
//! the session may read). A sign-in whose role may not read directory audits gets a note naming
//! the roles that may.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use app::api::audit::AuditFilter;
use app::api::timeline::{self as model, TimelineFilter, TimelineSource, TimelineView};
use app::api::ApiError;
use app::mesh::view::Restricted;
use axum::response::{IntoResponse, Response};
use futures_util::future::join_all;
use graph::client::GraphErrorKind;
use graph::roles::ReadArea;
use http::request::Parts;
use http::{header, StatusCode};

use crate::auth::flow::now;
use crate::auth::roles::{self, Capability};
use crate::dashboard::{may_see_board, Dashboard};
use crate::directory_audits::{ReadBy, ReadError};
use crate::error::Failure;

/// How the timeline names what a role may not read.
pub const PART: &str = "directory audit events";

/// A signed-in tenant the session may read.
struct Reader {
    tenant: String,
    name: String,
    /// Whether its role may read directory audits.
    audits: bool,
}

impl Dashboard {
    /// The timeline the session may see, `filter`ed (already checked): one page (`paged`) or
    /// every matching row.
    pub(crate) async fn timeline_view(
        &self,
        request: &Parts,
        filter: TimelineFilter,
        paged: bool,
    ) -> Result<TimelineView, ApiError> {
        let now = now();
        let session = self.session(request).await?;
        let sign_ins = session.sign_ins().await.map_err(Failure::from)?;
        let readers: Vec<Reader> = sign_ins
            .values()
            .filter_map(|sign_in| {
                let known = roles::known_roles(sign_in.role_ids.iter().map(String::as_str));
                roles::capabilities(&known)
                    .contains(&Capability::Read)
                    .then(|| Reader {
                        tenant: sign_in.tenant_id.clone(),
                        name: self.tenant_name(&sign_in.tenant_id, Some(sign_in)),
                        audits: known
                            .iter()
                            .any(|role| ReadArea::DirectoryAudits.roles().contains(&role.name)),
                    })
            })
            .collect();
        if readers.is_empty() {
            return Err(ApiError::NotSignedIn {
                tenant: "a tenant".into(),
            });
        }
        let readable: Vec<String> = readers.iter().map(|r| r.tenant.clone()).collect();
        let mut notes = Vec::new();
        let mut problems = Vec::new();
        let mut refused: Vec<&Reader> = readers.iter().filter(|r| !r.audits).collect();

        // What is new in the audit logs the session may read, before showing what is kept.
        let mut allowed: BTreeSet<String> = BTreeSet::new();
        if filter.source() != Some(TimelineSource::TenantMesh) {
            let sources = self.readers(&session).await?;
            let reads = readers.iter().filter(|r| r.audits).map(|reader| {
                let token = sources
                    .iter()
                    .find(|s| s.tenant_id == reader.tenant)
                    .and_then(|s| s.token.clone());
                async move {
                    let result = match &token {
                        Some(token) => Some(
                            self.directory_audits
                                .read_new(
                                    &self.joins.graph,
                                    token,
                                    &reader.tenant,
                                    ReadBy::Delegated,
                                    now,
                                )
                                .await,
                        ),
                        None => None,
                    };
                    (reader, result)
                }
            });
            for (reader, result) in join_all(reads).await {
                match result {
                    Some(Ok(_)) => {
                        allowed.insert(reader.tenant.clone());
                    }
                    None => {
                        allowed.insert(reader.tenant.clone());
                        problems.push(format!(
                            "{}: sign in again to read its new directory audit events; the events kept before are shown.",
                            reader.name
                        ));
                    }
                    Some(Err(ReadError::Graph(error)))
                        if error.kind == GraphErrorKind::Forbidden =>
                    {
                        refused.push(reader);
                    }
                    Some(Err(ReadError::Graph(error))) => {
                        allowed.insert(reader.tenant.clone());
                        problems.push(format!(
                            "{}: its directory audit events could not be read just now ({}); the events kept before are shown.",
                            reader.name, error.message
                        ));
                    }
                    Some(Err(ReadError::Store(error))) => return Err(Failure::from(error).into()),
                }
            }
        } else {
            allowed.extend(
                readers
                    .iter()
                    .filter(|r| r.audits)
                    .map(|r| r.tenant.clone()),
            );
        }

        // The monitor's readings, for anyone who may see its board.
        let monitored_mesh = self.monitor.latest_mesh();
        let monitored: Vec<String> = if may_see_board(&readable, monitored_mesh.as_deref()) {
            self.directory_audits
                .monitored_tenants()
                .await
                .map_err(Failure::from)?
        } else {
            Vec::new()
        };
        let mut visible = allowed.clone();
        visible.extend(monitored.iter().cloned());
        for reader in refused {
            let mut note = Restricted::new(PART, ReadArea::DirectoryAudits).sentence(&reader.name);
            if visible.contains(&reader.tenant) {
                note.push_str(" The events the app-only monitor read are shown.");
            }
            notes.push(note);
        }

        let name_of = |tenant: &str| -> String {
            readers
                .iter()
                .find(|r| r.tenant == tenant)
                .map(|r| r.name.clone())
                .or_else(|| {
                    self.tenant_choices
                        .iter()
                        .find(|c| c.tenant_id == tenant)
                        .map(|c| c.display_name.clone())
                })
                .or_else(|| monitored_mesh.as_ref().map(|m| m.name(tenant)))
                .unwrap_or_else(|| tenant.to_owned())
        };
        let names: BTreeMap<String, String> = visible
            .iter()
            .chain(readable.iter())
            .map(|t| (t.clone(), name_of(t)))
            .collect();

        let mut truncated = false;
        let directory = if filter.source() == Some(TimelineSource::TenantMesh) {
            Vec::new()
        } else {
            let named: Vec<String> = filter
                .q
                .as_deref()
                .map(|q| {
                    let q = q.to_lowercase();
                    names
                        .iter()
                        .filter(|(_, name)| name.to_lowercase().contains(&q))
                        .map(|(id, _)| id.clone())
                        .collect()
                })
                .unwrap_or_default();
            let tenants: Vec<String> = visible.iter().cloned().collect();
            let (events, cut) = self
                .directory_audits
                .query(&tenants, &filter, &named)
                .await
                .map_err(Failure::from)?;
            truncated |= cut;
            events
                .iter()
                .map(|e| {
                    let name = names
                        .get(&e.tenant)
                        .cloned()
                        .unwrap_or_else(|| e.tenant.clone());
                    model::directory_row(e, &name, now)
                })
                .collect()
        };
        let dashboard = if filter.source() == Some(TimelineSource::Directory) {
            Vec::new()
        } else {
            let audit_filter = AuditFilter {
                tenant: filter.tenant.clone(),
                from: filter.from_secs(),
                to: filter.to_secs(),
                ..AuditFilter::default()
            };
            let entries = self
                .joins
                .audit
                .query(&audit_filter, &readable)
                .await
                .map_err(Failure::from)?;
            truncated |= entries.len() as i64 >= crate::audit::QUERY_LIMIT;
            entries
                .iter()
                .map(|e| {
                    let name = names
                        .get(&e.tenant)
                        .cloned()
                        .unwrap_or_else(|| e.tenant.clone());
                    model::dashboard_row(e, &name)
                })
                .collect()
        };

        let rows = model::merge(directory, dashboard, &filter);
        let matching = rows.len();
        let (rows, page, pages) = if paged {
            model::page_of(&rows, filter.page.unwrap_or(1))
        } else {
            (rows, 1, 1)
        };
        let mut tenants: Vec<(String, String)> = names.into_iter().collect();
        tenants.sort_by_key(|a| a.1.to_lowercase());
        Ok(TimelineView {
            rows,
            matching,
            page,
            pages,
            truncated,
            tenants,
            categories: model::categories(),
            notes,
            problems,
            now,
        })
    }
}

/// An export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

fn refuse(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

/// The filter from an export's query string (the page's, without the page).
pub fn parse(query: &str) -> TimelineFilter {
    let mut filter = TimelineFilter::default();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let value = Some(value.into_owned());
        match key.as_ref() {
            "tenant" => filter.tenant = value,
            "source" => filter.source = value,
            "category" => filter.category = value,
            "q" => filter.q = value,
            "from" => filter.from = value,
            "to" => filter.to = value,
            _ => {}
        }
    }
    filter.normalised()
}

/// `GET /audit/timeline.csv` and `GET /audit/timeline.json`: every row the page shows for the same
/// query string, checked like the page.
pub async fn export(
    dashboard: Arc<Dashboard>,
    request: axum::extract::Request,
    format: Format,
) -> Response {
    use app::api::port::DashboardPort;
    let (parts, _) = request.into_parts();
    let filter = parse(parts.uri.query().unwrap_or_default());
    if let Err(message) = filter.validate() {
        return refuse(StatusCode::BAD_REQUEST, message);
    }
    let view = match dashboard.timeline(&parts, filter, false).await {
        Ok(view) => view,
        Err(error) => return refuse(error.status(), error.to_string()),
    };
    let (content_type, file, body) = match format {
        Format::Csv => (
            "text/csv; charset=utf-8",
            "tenant-mesh-audit-timeline.csv",
            model::to_csv(&view.rows),
        ),
        Format::Json => (
            "application/json",
            "tenant-mesh-audit-timeline.json",
            model::to_json(&view),
        ),
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_string_gives_the_filter_without_the_page() {
        let filter = parse("tenant=ABC&source=directory&q=a%20b&from=2026-09-01&to=&page=4");
        assert_eq!(filter.tenant.as_deref(), Some("abc"));
        assert_eq!(filter.source(), Some(TimelineSource::Directory));
        assert_eq!(filter.q.as_deref(), Some("a b"));
        assert_eq!(filter.from.as_deref(), Some("2026-09-01"));
        assert_eq!(filter.to, None);
        assert_eq!(filter.page, None, "the export has every row");
    }
}
