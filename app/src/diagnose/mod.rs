//! "Why can't Bob see Alice?": the most common helpdesk ticket of a multitenant organization — a
//! person cannot find a colleague of another tenant in Teams, Outlook or people search. A
//! diagnosis reads what decides it in both tenants (the source tenant's cross-tenant sync to the
//! target, the person's scope, the provisioning log, the account in the target, both tenants'
//! partner settings and MTO membership, duplicates, sign-in methods, propagation delays) and
//! answers a checklist in that order, each line with its status, its evidence and the Graph read
//! it came from, then a verdict: the first blocking cause, its fix, and who must make it.
//!
//! This module holds what the page receives (plain serializable data, compiled for the browser
//! too); the evidence and the rules that turn it into a checklist ([`evidence`], [`engine`]) are
//! server-only.

#[cfg(feature = "ssr")]
mod codes;
#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod evidence;

use serde::{Deserialize, Serialize};

/// What a checklist line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Ok,
    /// Does not keep the person from being found, but explains a delay or a risk.
    Warning,
    /// Keeps the person from being found.
    Blocking,
    /// Could not be read: the session is not signed in to the tenant, its role may not read it,
    /// or the read failed. Never a failure and never an "ok".
    Unknown,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Blocking => "blocking",
            Self::Unknown => "unknown",
        }
    }

    /// The CSS class of a line or a verdict with this status.
    pub fn class(self) -> &'static str {
        match self {
            Self::Ok => "status-ok",
            Self::Warning => "status-warning",
            Self::Blocking => "status-blocking",
            Self::Unknown => "status-unknown",
        }
    }
}

/// What to change, where, and who may change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// One sentence.
    pub action: String,
    pub tenant_id: String,
    pub tenant_name: String,
    /// Directory roles that may make the change there (empty: any administrator of the tenant
    /// who may change that setting).
    pub roles: Vec<String>,
}

impl Fix {
    /// "In Fabrikam, as Hybrid Identity Administrator or Global Administrator."
    pub fn who(&self) -> String {
        match self.roles.as_slice() {
            [] => format!("In {}.", self.tenant_name),
            [only] => format!("In {}, as {only}.", self.tenant_name),
            [first @ .., last] => {
                format!(
                    "In {}, as {} or {last}.",
                    self.tenant_name,
                    first.join(", ")
                )
            }
        }
    }
}

/// A page of Microsoft's documentation a line relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocLink {
    pub title: String,
    pub url: String,
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable name of the check (e.g. `scope.assignment`), for tests and anchors.
    pub key: String,
    pub status: Status,
    /// One sentence: what was found.
    pub title: String,
    /// What it rests on, a line each.
    pub evidence: Vec<String>,
    /// Where it came from: "Fabrikam: GET /users/…", one per Graph read.
    pub reads: Vec<String>,
    pub fix: Option<Fix>,
    pub docs: Vec<DocLink>,
}

/// One numbered part of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub number: u8,
    pub title: String,
    pub checks: Vec<Check>,
    /// Why the section has no lines (e.g. no sync job whose log could be read).
    pub note: Option<String>,
}

/// The answer in one paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// `Blocking` when a cause was found, `Warning` when only delays or risks were, `Unknown` when
    /// nothing blocking was found but parts could not be read, `Ok` otherwise.
    pub status: Status,
    pub headline: String,
    /// The key of the check the verdict rests on.
    pub cause: Option<String>,
    pub fix: Option<Fix>,
    /// What could not be read, one sentence each (they could hide a cause).
    pub unread: Vec<String>,
}

/// A tenant by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantName {
    pub tenant_id: String,
    pub name: String,
}

/// A person in a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonMatch {
    pub tenant_id: String,
    pub user_id: String,
    pub display_name: String,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    /// `Member` or `Guest`.
    pub user_type: Option<String>,
    /// A B2B user of the tenant (homed elsewhere).
    pub external: bool,
}

/// A diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// The person who cannot be found ("Alice"), in their home (source) tenant.
    pub person: PersonMatch,
    /// The person who cannot find them ("Bob"), when given.
    pub viewer: Option<PersonMatch>,
    pub source: TenantName,
    pub target: TenantName,
    pub verdict: Verdict,
    pub sections: Vec<Section>,
    /// Unix seconds.
    pub read_at: i64,
    pub graph_requests: u64,
    pub millis: u64,
}

impl Diagnosis {
    /// Every line, in order.
    pub fn checks(&self) -> impl Iterator<Item = &Check> {
        self.sections.iter().flat_map(|s| s.checks.iter())
    }

    pub fn check(&self, key: &str) -> Option<&Check> {
        self.checks().find(|c| c.key == key)
    }
}

/// A chosen person and the tenants they may be diagnosed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonChoice {
    pub person: PersonMatch,
    pub tenant_name: String,
    /// The other tenants: the organization's, the session's and the dashboard's known ones.
    pub targets: Vec<TenantName>,
}

/// The page's query string: `/diagnose?tenant=…&user=…&target=…` (or `viewer_tenant` and
/// `viewer` for a second person, whose home tenant is then the target), and `q` / `vq` for the
/// searches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnoseQuery {
    pub tenant: Option<String>,
    pub user: Option<String>,
    pub target: Option<String>,
    pub viewer_tenant: Option<String>,
    pub viewer: Option<String>,
    pub q: Option<String>,
    pub vq: Option<String>,
}

fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl DiagnoseQuery {
    /// Blank values dropped, the rest trimmed.
    pub fn normalised(self) -> Self {
        Self {
            tenant: clean(self.tenant),
            user: clean(self.user),
            target: clean(self.target),
            viewer_tenant: clean(self.viewer_tenant),
            viewer: clean(self.viewer),
            q: clean(self.q),
            vq: clean(self.vq),
        }
    }

    /// The tenant the person should be visible in: `target`, else the viewer's tenant.
    pub fn target_tenant(&self) -> Option<&str> {
        self.target
            .as_deref()
            .or(self.viewer.as_ref().and(self.viewer_tenant.as_deref()))
    }

    /// Everything a diagnosis needs is there.
    pub fn is_complete(&self) -> bool {
        self.tenant.is_some() && self.user.is_some() && self.target_tenant().is_some()
    }

    /// The page's URL for this query.
    pub fn href(&self) -> String {
        let pairs = [
            ("tenant", &self.tenant),
            ("user", &self.user),
            ("target", &self.target),
            ("viewer_tenant", &self.viewer_tenant),
            ("viewer", &self.viewer),
            ("q", &self.q),
            ("vq", &self.vq),
        ];
        let query: Vec<String> = pairs
            .iter()
            .filter_map(|(name, value)| {
                value
                    .as_deref()
                    .map(|v| format!("{name}={}", graph::request::encode_query_value(v)))
            })
            .collect();
        if query.is_empty() {
            "/diagnose".to_owned()
        } else {
            format!("/diagnose?{}", query.join("&"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_links_back_to_itself_and_knows_its_target() {
        let query = DiagnoseQuery {
            tenant: Some(" a ".into()),
            user: Some("u".into()),
            viewer_tenant: Some("b".into()),
            viewer: Some("v".into()),
            q: Some("".into()),
            ..DiagnoseQuery::default()
        }
        .normalised();
        assert_eq!(query.target_tenant(), Some("b"));
        assert!(query.is_complete());
        assert_eq!(
            query.href(),
            "/diagnose?tenant=a&user=u&viewer_tenant=b&viewer=v"
        );
        let with_target = DiagnoseQuery {
            target: Some("c".into()),
            ..query.clone()
        };
        assert_eq!(with_target.target_tenant(), Some("c"));
        assert_eq!(DiagnoseQuery::default().href(), "/diagnose");
        assert!(!DiagnoseQuery::default().is_complete());
        let search = DiagnoseQuery {
            q: Some("Ann & co".into()),
            ..DiagnoseQuery::default()
        };
        assert_eq!(search.href(), "/diagnose?q=Ann%20%26%20co");
    }

    #[test]
    fn a_fix_names_the_tenant_and_the_roles() {
        let fix = |roles: &[&str]| Fix {
            action: "x".into(),
            tenant_id: "t".into(),
            tenant_name: "Fabrikam".into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        };
        assert_eq!(fix(&[]).who(), "In Fabrikam.");
        assert_eq!(fix(&["A"]).who(), "In Fabrikam, as A.");
        assert_eq!(fix(&["A", "B", "C"]).who(), "In Fabrikam, as A, B or C.");
    }
}
