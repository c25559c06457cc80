//! The audit timeline (`/audit/timeline`): the directory audit events about the multitenant
//! organization, its cross-tenant access settings and cross-tenant provisioning from every tenant
//! the dashboard reads, beside the dashboard's own audit log entries, in one list newest first.
//! Plain Rust: the rows, the filter as the query string carries it, the merge and the CSV export.

use serde::{Deserialize, Serialize};

use super::audit::{csv_field, encode, AuditAction, AuditEntry};
use crate::mesh::time;

/// Rows per page.
pub const PAGE_SIZE: usize = 100;
/// Characters of a search text, at most (Microsoft Entra's limit for names, as elsewhere).
pub const MAX_TEXT: usize = 256;
/// The category of the dashboard's own demo reset (no Graph category describes it).
pub const DEMO_CATEGORY: &str = "TenantMeshDemo";

/// Where a row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimelineSource {
    /// A directory audit event Graph recorded in the tenant (`/auditLogs/directoryAudits`).
    Directory,
    /// An entry of Tenant Mesh's own audit log (a change made, or refused, through the dashboard).
    TenantMesh,
}

impl TimelineSource {
    pub const ALL: [TimelineSource; 2] = [Self::Directory, Self::TenantMesh];

    /// Its name in the query string and the exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Directory => "directory",
            Self::TenantMesh => "tenant-mesh",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// What the filter shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Directory => "Graph directory audit",
            Self::TenantMesh => "Tenant Mesh audit log",
        }
    }
}

/// A directory audit event as Tenant Mesh keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEvent {
    pub tenant: String,
    /// Graph's id of the event.
    pub id: String,
    /// Unix seconds of `activityDateTime`.
    pub at: i64,
    pub category: String,
    pub activity: String,
    /// The user's UPN (or name, or id), or the app's name: who did it.
    pub initiated_by: String,
    /// The target resources in words.
    pub targets: String,
    /// `success`, `failure`, `timeout`.
    pub result: String,
    pub result_reason: Option<String>,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineRow {
    /// Unix seconds.
    pub at: i64,
    pub tenant: String,
    pub tenant_name: String,
    pub source: TimelineSource,
    pub category: String,
    pub activity: String,
    pub initiated_by: String,
    pub targets: String,
    pub result: String,
    /// Why it failed, when it did.
    pub detail: Option<String>,
    /// Graph's event id (directory), or the Graph request id of the dashboard's write.
    pub reference: String,
    /// A directory event older than Graph keeps them: shown from what Tenant Mesh kept.
    pub kept: bool,
}

impl TimelineRow {
    /// "Graph directory audit in Fabrikam" or "Tenant Mesh audit log".
    pub fn source_label(&self) -> String {
        match self.source {
            TimelineSource::Directory => format!("Graph directory audit in {}", self.tenant_name),
            TimelineSource::TenantMesh => TimelineSource::TenantMesh.label().to_owned(),
        }
    }
}

/// What the timeline shows, as the query string carries it; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineFilter {
    /// A tenant id.
    pub tenant: Option<String>,
    /// [`TimelineSource::as_str`].
    pub source: Option<String>,
    pub category: Option<String>,
    /// Part of the activity, initiator, targets, category, result or tenant name, any case.
    pub q: Option<String>,
    /// `YYYY-MM-DD` (UTC), inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    /// 1-based.
    pub page: Option<usize>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Unix seconds of a `YYYY-MM-DD` day's first (or, `end`, last) second, UTC.
pub fn day_bound(day: &str, end: bool) -> Option<i64> {
    if day.len() != 10 {
        return None;
    }
    let clock = if end { "23:59:59" } else { "00:00:00" };
    time::parse(&format!("{day}T{clock}Z"))
}

impl TimelineFilter {
    /// Empty values dropped, text trimmed, tenant ids in lower case.
    pub fn normalised(self) -> Self {
        Self {
            tenant: non_empty(self.tenant).map(|t| t.to_ascii_lowercase()),
            source: non_empty(self.source),
            category: non_empty(self.category),
            q: non_empty(self.q),
            from: non_empty(self.from),
            to: non_empty(self.to),
            page: self.page.filter(|p| *p > 1),
        }
    }

    /// Refuses what cannot be a filter, with the reason (for a 400).
    pub fn validate(&self) -> Result<(), String> {
        if let Some(source) = &self.source {
            if TimelineSource::parse(source).is_none() {
                return Err(format!(
                    "source \"{source}\" is not one of directory, tenant-mesh"
                ));
            }
        }
        for (key, value) in [("from", &self.from), ("to", &self.to)] {
            if let Some(day) = value {
                if day_bound(day, false).is_none() {
                    return Err(format!("{key} must be a date as YYYY-MM-DD, not \"{day}\""));
                }
            }
        }
        for (key, value) in [
            ("q", &self.q),
            ("category", &self.category),
            ("tenant", &self.tenant),
        ] {
            if value.as_ref().is_some_and(|v| v.chars().count() > MAX_TEXT) {
                return Err(format!("{key} is longer than {MAX_TEXT} characters"));
            }
        }
        Ok(())
    }

    pub fn source(&self) -> Option<TimelineSource> {
        self.source.as_deref().and_then(TimelineSource::parse)
    }

    /// The first second shown (Unix seconds).
    pub fn from_secs(&self) -> Option<i64> {
        self.from.as_deref().and_then(|d| day_bound(d, false))
    }

    /// The last second shown (Unix seconds).
    pub fn to_secs(&self) -> Option<i64> {
        self.to.as_deref().and_then(|d| day_bound(d, true))
    }

    /// The filter as a query string, without the page (for the exports and the pager).
    pub fn query_string(&self) -> String {
        [
            ("tenant", &self.tenant),
            ("source", &self.source),
            ("category", &self.category),
            ("q", &self.q),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(key, value)| {
            value
                .as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{key}={}", encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
    }

    /// The page's address with this filter on `page`.
    pub fn href(&self, page: usize) -> String {
        let mut query = self.query_string();
        if page > 1 {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&format!("page={page}"));
        }
        if query.is_empty() {
            "/audit/timeline".to_owned()
        } else {
            format!("/audit/timeline?{query}")
        }
    }

    /// Whether a row passes (the text any case, the dates inclusive).
    pub fn matches(&self, row: &TimelineRow) -> bool {
        if self.tenant.as_deref().is_some_and(|t| t != row.tenant) {
            return false;
        }
        if self.source().is_some_and(|source| source != row.source) {
            return false;
        }
        if self
            .category
            .as_deref()
            .is_some_and(|c| !c.eq_ignore_ascii_case(&row.category))
        {
            return false;
        }
        if self.from_secs().is_some_and(|from| row.at < from)
            || self.to_secs().is_some_and(|to| row.at > to)
        {
            return false;
        }
        match &self.q {
            None => true,
            Some(q) => {
                let needle = q.to_lowercase();
                [
                    &row.activity,
                    &row.initiated_by,
                    &row.targets,
                    &row.category,
                    &row.result,
                    &row.tenant_name,
                    &row.tenant,
                ]
                .into_iter()
                .chain(row.detail.as_ref())
                .any(|field| crate::users::filter::contains_ci(field, &needle))
            }
        }
    }
}

/// Whether a directory event at `at` is older than Graph keeps directory audits at `now`.
pub fn kept_by_tenant_mesh(at: i64, now: i64) -> bool {
    now - at > graph::directory::AUDIT_RETENTION_DAYS * 86_400
}

/// A kept directory event as a row.
pub fn directory_row(event: &DirectoryEvent, tenant_name: &str, now: i64) -> TimelineRow {
    TimelineRow {
        at: event.at,
        tenant: event.tenant.clone(),
        tenant_name: tenant_name.to_owned(),
        source: TimelineSource::Directory,
        category: event.category.clone(),
        activity: event.activity.clone(),
        initiated_by: event.initiated_by.clone(),
        targets: event.targets.clone(),
        result: event.result.clone(),
        detail: event.result_reason.clone().filter(|r| !r.is_empty()),
        reference: event.id.clone(),
        kept: kept_by_tenant_mesh(event.at, now),
    }
}

/// The Graph category a dashboard action changes (so that one category filter finds both the
/// dashboard's entry and the directory's event of a change), as the directory audit log files the
/// writes it makes (MicrosoftDocs/entra-docs
/// `docs/identity/monitoring-health/reference-audit-activities.md`).
pub fn dashboard_category(action: &str) -> &'static str {
    match AuditAction::parse(action) {
        Some(AuditAction::CreateMto | AuditAction::UpdateMto) => "MultiTenantOrg",
        Some(
            AuditAction::AddTenant
            | AuditAction::ChangeRole
            | AuditAction::RemoveTenant
            | AuditAction::ApproveJoin
            | AuditAction::DeclineJoin
            | AuditAction::ResetJoin
            | AuditAction::LeaveMto,
        ) => "MultiTenantOrgTenant",
        Some(
            AuditAction::StartSync
            | AuditAction::PauseSync
            | AuditAction::RestartSync
            | AuditAction::ProvisionOnDemand,
        ) => "ProvisioningManagement",
        Some(AuditAction::ApplyFix) => "CrossTenantAccessSettings",
        Some(AuditAction::SaveTemplates | AuditAction::ResetTemplates) => {
            "MultiTenantOrgPartnerConfigurationTemplate"
        }
        // A restore or a teardown step writes partner settings, identity sync or sync jobs;
        // the category of most of them.
        Some(AuditAction::RestoreDrift | AuditAction::TeardownStep) => "CrossTenantAccessSettings",
        Some(
            AuditAction::ResetDemo
            | AuditAction::TakeSnapshot
            | AuditAction::ImportSnapshot
            | AuditAction::AcceptBaseline
            | AuditAction::AcceptDrift,
        )
        | None => DEMO_CATEGORY,
    }
}

/// Characters of a write's inputs shown as its targets.
const INPUTS_SHOWN: usize = 300;

/// An entry of the dashboard's audit log as a row.
pub fn dashboard_row(entry: &AuditEntry, tenant_name: &str) -> TimelineRow {
    let activity = AuditAction::parse(&entry.action)
        .map_or_else(|| entry.action.clone(), |a| a.label().to_owned());
    let initiated_by = if entry.actor_upn.is_empty() {
        entry.actor_name.clone()
    } else {
        entry.actor_upn.clone()
    };
    let mut targets: String = entry.inputs.chars().take(INPUTS_SHOWN).collect();
    if entry.inputs.chars().count() > INPUTS_SHOWN {
        targets.push('…');
    }
    let detail = match (&entry.error_code, &entry.error_message) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (None, Some(message)) => Some(message.clone()),
        (Some(code), None) => Some(code.clone()),
        (None, None) => None,
    };
    TimelineRow {
        at: entry.at,
        tenant: entry.tenant.clone(),
        tenant_name: tenant_name.to_owned(),
        source: TimelineSource::TenantMesh,
        category: dashboard_category(&entry.action).to_owned(),
        activity,
        initiated_by,
        targets,
        result: entry.outcome.clone(),
        detail,
        reference: entry.request_id.clone().unwrap_or_default(),
        kept: false,
    }
}

/// Both sources in one list: only the rows `filter` passes, newest first (at the same second the
/// dashboard's entry before the directory's event it caused, then by tenant and reference, so the
/// order is stable).
pub fn merge(
    directory: Vec<TimelineRow>,
    dashboard: Vec<TimelineRow>,
    filter: &TimelineFilter,
) -> Vec<TimelineRow> {
    let mut rows: Vec<TimelineRow> = directory
        .into_iter()
        .chain(dashboard)
        .filter(|row| filter.matches(row))
        .collect();
    rows.sort_by(|a, b| {
        b.at.cmp(&a.at)
            .then_with(|| source_rank(a.source).cmp(&source_rank(b.source)))
            .then_with(|| a.tenant.cmp(&b.tenant))
            .then_with(|| a.reference.cmp(&b.reference))
    });
    rows
}

fn source_rank(source: TimelineSource) -> u8 {
    match source {
        TimelineSource::TenantMesh => 0,
        TimelineSource::Directory => 1,
    }
}

/// Rows `page` (1-based) of `rows`, `PAGE_SIZE` a page; a page past the end gives the last one.
/// Answers the rows, the page shown and how many pages there are.
pub fn page_of(rows: &[TimelineRow], page: usize) -> (Vec<TimelineRow>, usize, usize) {
    let pages = rows.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let start = (page - 1) * PAGE_SIZE;
    let shown = rows.iter().skip(start).take(PAGE_SIZE).cloned().collect();
    (shown, page, pages)
}

/// The timeline as the page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineView {
    /// The rows of this page (every matching row for an export).
    pub rows: Vec<TimelineRow>,
    /// How many rows match.
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    /// A source gave as many rows as it gives at most: older ones exist beyond; narrow the filter.
    pub truncated: bool,
    /// The tenants whose rows the session may see (id, name), for the filter.
    pub tenants: Vec<(String, String)>,
    /// The categories the filter offers.
    pub categories: Vec<String>,
    /// What the session's roles cannot see, one sentence per tenant ("Your role in Contoso cannot
    /// see the directory audit events (needs …).").
    pub notes: Vec<String>,
    /// Tenants whose events could not be read just now (what was kept is still shown).
    pub problems: Vec<String>,
    /// Unix seconds the view was made.
    pub now: i64,
}

/// The categories the filter offers: Graph's for the organization, and the demo reset's.
pub fn categories() -> Vec<String> {
    graph::directory::MTO_AUDIT_CATEGORIES
        .iter()
        .map(|c| (*c).to_owned())
        .chain([DEMO_CATEGORY.to_owned()])
        .collect()
}

/// The CSV export's header row.
pub const CSV_HEADER: &str = "time,tenant_id,tenant,source,category,activity,initiated_by,targets,result,detail,reference,kept_by_tenant_mesh\r\n";

/// RFC 4180 CSV with a header row, every field quoted and spreadsheet formulas defused (the
/// audit export's [`csv_field`]).
pub fn to_csv(rows: &[TimelineRow]) -> String {
    let mut out = String::from(CSV_HEADER);
    for row in rows {
        let fields = [
            time::iso(row.at),
            row.tenant.clone(),
            row.tenant_name.clone(),
            row.source_label(),
            row.category.clone(),
            row.activity.clone(),
            row.initiated_by.clone(),
            row.targets.clone(),
            row.result.clone(),
            row.detail.clone().unwrap_or_default(),
            row.reference.clone(),
            if row.kept { "yes" } else { "no" }.to_owned(),
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

/// The JSON export: when it was made, Graph's retention, the notes and problems of the view, and
/// every row (its time also as RFC 3339, its source also in words).
pub fn to_json(view: &TimelineView) -> String {
    #[derive(Serialize)]
    struct Row<'a> {
        time: String,
        source_label: String,
        #[serde(flatten)]
        row: &'a TimelineRow,
    }
    let rows: Vec<Row<'_>> = view
        .rows
        .iter()
        .map(|row| Row {
            time: time::iso(row.at),
            source_label: row.source_label(),
            row,
        })
        .collect();
    let export = serde_json::json!({
        "generated_at": time::iso(view.now),
        "graph_retention_days": graph::directory::AUDIT_RETENTION_DAYS,
        "notes": view.notes,
        "problems": view.problems,
        "truncated": view.truncated,
        "rows": rows,
    });
    serde_json::to_string_pretty(&export).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T1: &str = "11111111-1111-1111-1111-111111111111";
    const T2: &str = "22222222-2222-2222-2222-222222222222";
    const DAY: i64 = 86_400;

    fn event(tenant: &str, id: &str, at: i64, category: &str, activity: &str) -> DirectoryEvent {
        DirectoryEvent {
            tenant: tenant.into(),
            id: id.into(),
            at,
            category: category.into(),
            activity: activity.into(),
            initiated_by: "admin@fabrikam.onmicrosoft.com".into(),
            targets: "Policy: multiTenantOrganizationPartnerConfiguration".into(),
            result: "success".into(),
            result_reason: Some(String::new()),
        }
    }

    fn entry(tenant: &str, at: i64, action: AuditAction, outcome: &str) -> AuditEntry {
        AuditEntry {
            at,
            actor_name: "Fabrikam Admin".into(),
            actor_upn: "admin@fabrikam.onmicrosoft.com".into(),
            actor_object_id: "o".into(),
            actor_tenant: tenant.into(),
            tenant: tenant.into(),
            action: action.as_str().into(),
            inputs: "{\"tenant\":\"x\"}".into(),
            finished: Some(at + 1),
            outcome: outcome.into(),
            error_code: None,
            error_message: None,
            request_id: Some("rid".into()),
            steps: Vec::new(),
        }
    }

    fn sample(now: i64) -> (Vec<TimelineRow>, Vec<TimelineRow>) {
        let directory = vec![
            directory_row(
                &event(
                    T1,
                    "e1",
                    now - 100,
                    "MultiTenantOrgPartnerConfigurationTemplate",
                    "Update a multi tenant org partner configuration template",
                ),
                "Fabrikam",
                now,
            ),
            directory_row(
                &event(
                    T2,
                    "e2",
                    now - 40 * DAY,
                    "CrossTenantAccessSettings",
                    "Update a partner cross-tenant access setting",
                ),
                "Contoso",
                now,
            ),
        ];
        let dashboard = vec![
            dashboard_row(
                &entry(T1, now - 100, AuditAction::SaveTemplates, "success"),
                "Fabrikam",
            ),
            dashboard_row(
                &entry(T2, now - 5, AuditAction::StartSync, "failure"),
                "Contoso",
            ),
        ];
        (directory, dashboard)
    }

    #[test]
    fn both_sources_merge_newest_first_with_the_dashboards_entry_before_its_event() {
        let now = 1_800_000_000;
        let (directory, dashboard) = sample(now);
        let rows = merge(directory, dashboard, &TimelineFilter::default());
        let order: Vec<(i64, TimelineSource)> = rows.iter().map(|r| (r.at, r.source)).collect();
        assert_eq!(
            order,
            vec![
                (now - 5, TimelineSource::TenantMesh),
                (now - 100, TimelineSource::TenantMesh),
                (now - 100, TimelineSource::Directory),
                (now - 40 * DAY, TimelineSource::Directory),
            ]
        );
        assert_eq!(rows[1].activity, "Save the MTO templates");
        assert_eq!(rows[1].category, rows[2].category, "one category for both");
        assert_eq!(rows[2].source_label(), "Graph directory audit in Fabrikam");
        assert_eq!(rows[1].source_label(), "Tenant Mesh audit log");
        assert!(!rows[2].kept);
        assert!(
            rows[3].kept,
            "older than Graph's 30 days: kept by Tenant Mesh"
        );
        assert_eq!(rows[2].detail, None, "an empty result reason is no detail");
    }

    #[test]
    fn filters_apply_to_both_sources() {
        let now = 1_800_000_000;
        let (directory, dashboard) = sample(now);
        let count = |filter: TimelineFilter| {
            merge(directory.clone(), dashboard.clone(), &filter.normalised()).len()
        };
        assert_eq!(
            count(TimelineFilter {
                tenant: Some(T1.to_uppercase()),
                ..TimelineFilter::default()
            }),
            2
        );
        assert_eq!(
            count(TimelineFilter {
                source: Some("directory".into()),
                ..TimelineFilter::default()
            }),
            2
        );
        assert_eq!(
            count(TimelineFilter {
                category: Some("provisioningmanagement".into()),
                ..TimelineFilter::default()
            }),
            1
        );
        assert_eq!(
            count(TimelineFilter {
                q: Some("PARTNER CROSS-TENANT".into()),
                ..TimelineFilter::default()
            }),
            1
        );
        assert_eq!(
            count(TimelineFilter {
                q: Some("contoso".into()),
                ..TimelineFilter::default()
            }),
            2,
            "the tenant's name is searched"
        );
        let today = time::iso(now)[..10].to_owned();
        assert_eq!(
            count(TimelineFilter {
                from: Some(today.clone()),
                to: Some(today),
                ..TimelineFilter::default()
            }),
            3
        );
        assert_eq!(
            count(TimelineFilter {
                to: Some(time::iso(now - 30 * DAY)[..10].to_owned()),
                ..TimelineFilter::default()
            }),
            1
        );
    }

    #[test]
    fn bad_filters_are_refused_and_good_ones_round_trip_the_query_string() {
        let bad = |filter: TimelineFilter| filter.normalised().validate().unwrap_err();
        assert!(bad(TimelineFilter {
            source: Some("graph".into()),
            ..TimelineFilter::default()
        })
        .contains("directory, tenant-mesh"));
        assert!(bad(TimelineFilter {
            from: Some("01/09/2026".into()),
            ..TimelineFilter::default()
        })
        .contains("YYYY-MM-DD"));
        assert!(bad(TimelineFilter {
            q: Some("x".repeat(MAX_TEXT + 1)),
            ..TimelineFilter::default()
        })
        .contains("256"));
        let filter = TimelineFilter {
            tenant: Some(T1.into()),
            source: Some(" tenant-mesh ".into()),
            q: Some("a&b c".into()),
            from: Some("2026-09-01".into()),
            to: Some(String::new()),
            page: Some(3),
            ..TimelineFilter::default()
        }
        .normalised();
        filter.validate().unwrap();
        assert_eq!(
            filter.query_string(),
            format!("tenant={T1}&source=tenant-mesh&q=a%26b%20c&from=2026-09-01")
        );
        assert_eq!(
            filter.href(3),
            format!("/audit/timeline?{}&page=3", filter.query_string())
        );
        assert_eq!(TimelineFilter::default().href(1), "/audit/timeline");
        assert_eq!(
            day_bound("2026-09-01", true),
            day_bound("2026-09-02", false).map(|s| s - 1)
        );
    }

    #[test]
    fn pages_hold_a_hundred_rows() {
        let now = 1_800_000_000;
        let rows: Vec<TimelineRow> = (0..250)
            .map(|i| {
                directory_row(
                    &event(
                        T1,
                        &format!("e{i}"),
                        now - i,
                        "MultiTenantOrg",
                        "Update a MultiTenantOrg",
                    ),
                    "Fabrikam",
                    now,
                )
            })
            .collect();
        let (first, page, pages) = page_of(&rows, 1);
        assert_eq!((first.len(), page, pages), (100, 1, 3));
        let (last, page, _) = page_of(&rows, 9);
        assert_eq!((last.len(), page), (50, 3), "past the end: the last page");
        assert_eq!(page_of(&[], 1).2, 1);
    }

    #[test]
    fn every_dashboard_action_has_a_category_the_filter_offers() {
        let offered = categories();
        for action in AuditAction::ALL {
            let category = dashboard_category(action.as_str());
            assert!(
                offered.iter().any(|c| c == category),
                "{action}: {category}"
            );
        }
        assert_eq!(dashboard_category("sync.fix"), "CrossTenantAccessSettings");
    }

    #[test]
    fn the_json_export_has_every_row_with_its_time() {
        let now = 1_800_000_000;
        let (directory, dashboard) = sample(now);
        let rows = merge(directory, dashboard, &TimelineFilter::default());
        let view = TimelineView {
            rows,
            now,
            notes: vec!["a note".into()],
            ..TimelineView::default()
        };
        let json: serde_json::Value = serde_json::from_str(&to_json(&view)).unwrap();
        assert_eq!(json["generated_at"], time::iso(now));
        assert_eq!(json["graph_retention_days"], 30);
        assert_eq!(json["notes"][0], "a note");
        let rows = json["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0]["time"], time::iso(now - 5));
        assert_eq!(rows[0]["source"], "tenant-mesh");
        assert_eq!(rows[2]["source"], "directory");
        assert_eq!(rows[2]["source_label"], "Graph directory audit in Fabrikam");
        assert_eq!(rows[3]["kept"], true);
    }

    #[test]
    fn the_csv_quotes_and_defuses_formulas() {
        let now = 1_800_000_000;
        let mut hostile = event(T1, "e1", now, "MultiTenantOrg", "=HYPERLINK(\"x\")");
        hostile.initiated_by = "@evil".into();
        hostile.targets = "a, \"b\"\r\nc".into();
        let csv = to_csv(&[directory_row(&hostile, "Fabrikam", now)]);
        let mut lines = csv.split("\r\n");
        assert_eq!(lines.next(), Some(CSV_HEADER.trim_end()));
        let line = lines.next().unwrap();
        assert!(line.starts_with(&format!(
            "\"{}\",\"{T1}\",\"Fabrikam\",\"Graph directory audit in Fabrikam\",\"MultiTenantOrg\",\"'=HYPERLINK(\"\"x\"\")\",\"'@evil\",\"a, \"\"b\"\"",
            time::iso(now)
        )), "{line}");
        assert!(csv.ends_with("\"e1\",\"no\"\r\n"), "{csv}");
    }
}
