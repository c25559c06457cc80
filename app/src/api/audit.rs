//! The audit log as the `/audit` page reads it: entries (an attempt and its outcome), the filter,
//! and the CSV export's format.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// One write made through the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Unix seconds of the attempt.
    pub at: i64,
    pub actor_name: String,
    pub actor_upn: String,
    pub actor_object_id: String,
    pub actor_tenant: String,
    /// The tenant acted in.
    pub tenant: String,
    pub action: String,
    /// The inputs, as JSON text.
    pub inputs: String,
    pub finished: Option<i64>,
    /// `success`, `failure`, or `unknown` when no outcome was recorded.
    pub outcome: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_id: Option<String>,
}

/// What to show; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub tenant: Option<String>,
    /// Part of the actor's UPN or name, any case.
    pub actor: Option<String>,
    pub action: Option<String>,
    /// `success`, `failure` or `unknown`.
    pub outcome: Option<String>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl AuditFilter {
    /// The filter as a query string for the CSV link.
    pub fn query_string(&self) -> String {
        let mut pairs = Vec::new();
        for (key, value) in [
            ("tenant", &self.tenant),
            ("actor", &self.actor),
            ("action", &self.action),
            ("outcome", &self.outcome),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                pairs.push(format!("{key}={}", encode(value)));
            }
        }
        for (key, value) in [("from", self.from), ("to", self.to)] {
            if let Some(value) = value {
                pairs.push(format!("{key}={value}"));
            }
        }
        pairs.join("&")
    }
}

/// Percent-encodes a query-string value.
pub(crate) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The actions the dashboard records.
pub const ACTIONS: &[&str] = &[
    "create-mto",
    "update-mto",
    "add-tenant",
    "change-role",
    "remove-tenant",
    "approve-join",
    "decline-join",
    "reset-join",
    "leave-mto",
];

/// One quoted CSV field; a leading formula character is defused.
pub(crate) fn csv_field(text: &str) -> String {
    // Quote everything; neutralise spreadsheet formulas.
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// RFC 4180 CSV with a header row.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from(
        "time,actor_name,actor_upn,actor_object_id,actor_tenant,tenant,action,inputs,outcome,error_code,error_message,request_id\r\n",
    );
    for e in entries {
        let fields = [
            crate::mesh::time::iso(e.at),
            e.actor_name.clone(),
            e.actor_upn.clone(),
            e.actor_object_id.clone(),
            e.actor_tenant.clone(),
            e.tenant.clone(),
            e.action.clone(),
            e.inputs.clone(),
            e.outcome.clone(),
            e.error_code.clone().unwrap_or_default(),
            e.error_message.clone().unwrap_or_default(),
            e.request_id.clone().unwrap_or_default(),
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

/// The audit entries the signed-in person may read.
#[server(endpoint = "audit/entries")]
pub async fn audit_entries(filter: Option<AuditFilter>) -> Result<Vec<AuditEntry>, ApiError> {
    let (port, parts) = super::port::from_context()?;
    port.audit(&parts, filter.unwrap_or_default()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let entry = AuditEntry {
            at: 0,
            actor_name: "Ann \"A\"".into(),
            actor_upn: "=cmd".into(),
            actor_object_id: "o".into(),
            actor_tenant: "t".into(),
            tenant: "t".into(),
            action: "add-tenant".into(),
            inputs: "{\"a\":1}".into(),
            finished: None,
            outcome: "unknown".into(),
            error_code: None,
            error_message: None,
            request_id: None,
        };
        let csv = to_csv(&[entry]);
        let line = csv.lines().nth(1).unwrap();
        assert!(line.starts_with("\"1970-01-01T00:00:00Z\",\"Ann \"\"A\"\"\",\"'=cmd\""));
        assert!(line.contains("\"{\"\"a\"\":1}\""));
    }

    #[test]
    fn the_filter_becomes_a_query_string() {
        let filter = AuditFilter {
            actor: Some("admin@contoso".into()),
            from: Some(5),
            ..AuditFilter::default()
        };
        assert_eq!(filter.query_string(), "actor=admin%40contoso&from=5");
    }
}
