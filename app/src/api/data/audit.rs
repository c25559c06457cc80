//! The audit log as the `/audit` page reads it: entries (an attempt and its outcome), the filter,
//! the actions the dashboard records, and the CSV export's format.

use serde::{Deserialize, Serialize};

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
    /// `success`; `partial` when some of its Graph calls were made and a later one failed;
    /// `failure`; `refused` when the dashboard refused it before any call (role, origin, input);
    /// `unknown` when no outcome was recorded.
    pub outcome: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_id: Option<String>,
    /// Each Graph call the write made, in order, with its own outcome.
    #[serde(default)]
    pub steps: Vec<AuditStep>,
}

/// One Graph call of a write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditStep {
    /// What the call changes, in words.
    pub label: String,
    pub method: String,
    pub path: String,
    /// Unix seconds the call was started.
    pub at: i64,
    pub finished: Option<i64>,
    /// `success`, `failure`, or `unknown` (no answer came, or no outcome was recorded: the call
    /// may or may not have been applied).
    pub outcome: String,
    pub error_message: Option<String>,
    pub request_id: Option<String>,
}

/// The outcomes an entry can have, in the order the filter lists them.
pub const OUTCOMES: &[&str] = &["success", "partial", "failure", "refused", "unknown"];

/// What to show; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub tenant: Option<String>,
    /// Part of the actor's UPN or name, any case.
    pub actor: Option<String>,
    pub action: Option<String>,
    /// One of [`OUTCOMES`].
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
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(char::from(b));
            }
            _ => {
                encoded.push('%');
                encoded.push(char::from(HEX[usize::from(b >> 4)]));
                encoded.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
    encoded
}

/// Declares [`AuditAction`]: each write the dashboard can make, with its name in the audit log,
/// the names earlier versions stored for it, and its label.
macro_rules! audit_actions {
    ($( $(#[$meta:meta])* $variant:ident = $name:literal $(| $legacy:literal)*, $label:literal; )+) => {
        /// Every write the dashboard can record in the audit log.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(into = "&'static str", try_from = "String")]
        pub enum AuditAction {
            $( $(#[$meta])* $variant, )+
        }

        impl AuditAction {
            /// Every action, in the order the audit page lists them.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant),+];

            /// The name stored in the audit log.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $name, )+
                }
            }

            /// Every name this action has been stored under (the current one first).
            pub fn stored_names(self) -> &'static [&'static str] {
                match self {
                    $( Self::$variant => &[$name $(, $legacy)*], )+
                }
            }

            /// What a person reads in the filter.
            pub fn label(self) -> &'static str {
                match self {
                    $( Self::$variant => $label, )+
                }
            }
        }
    };
}

audit_actions! {
    CreateMto = "create-mto", "Create the organization";
    UpdateMto = "update-mto", "Rename the organization";
    AddTenant = "add-tenant", "Add a tenant";
    ChangeRole = "change-role", "Change a tenant's role";
    RemoveTenant = "remove-tenant", "Remove a tenant";
    ApproveJoin = "approve-join", "Approve a join request";
    DeclineJoin = "decline-join", "Decline a join request";
    ResetJoin = "reset-join", "Reset a failed join and retry";
    LeaveMto = "leave-mto", "Leave the organization";
    StartSync = "start-sync" | "sync.start", "Start a sync job";
    PauseSync = "pause-sync" | "sync.pause", "Pause a sync job";
    RestartSync = "restart-sync" | "sync.restart", "Restart a sync job";
    ProvisionOnDemand = "provision-on-demand" | "sync.provision_on_demand", "Provision a user on demand";
    ApplyFix = "apply-fix" | "sync.fix", "Fix cross-tenant access settings";
    SaveTemplates = "save-templates" | "templates.save", "Save the MTO templates";
    ResetTemplates = "reset-templates" | "templates.reset", "Reset the MTO templates";
    TakeSnapshot = "take-snapshot", "Take a configuration snapshot";
    ImportSnapshot = "import-snapshot", "Import a configuration snapshot";
    AcceptBaseline = "accept-baseline", "Accept a snapshot as the baseline";
    AcceptDrift = "accept-drift", "Accept drift into the baseline";
    RestoreDrift = "restore-drift", "Restore a drifted setting";
    TeardownStep = "teardown-step", "Remove a leftover of a departed tenant";
    ResetDemo = "reset-demo", "Reset the demo";
}

impl AuditAction {
    /// The action stored under `name` (current or earlier name).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|action| action.stored_names().contains(&name))
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<AuditAction> for &'static str {
    fn from(action: AuditAction) -> Self {
        action.as_str()
    }
}

impl TryFrom<String> for AuditAction {
    type Error = String;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        Self::parse(&name)
            .ok_or_else(|| format!("\"{name}\" is not an action the dashboard records"))
    }
}

/// One quoted CSV field; a leading formula character is defused (OWASP, "CSV Injection": `=`, `+`,
/// `-`, `@`, and the tab and carriage return spreadsheets skip before reading a formula).
pub(crate) fn csv_field(text: &str) -> String {
    // Quote everything; neutralise spreadsheet formulas.
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A write's Graph calls in one line: `label (METHOD path): outcome[: message]; …`.
pub fn steps_text(steps: &[AuditStep]) -> String {
    steps
        .iter()
        .map(|step| {
            let mut text = format!(
                "{} ({} {}): {}",
                step.label, step.method, step.path, step.outcome
            );
            if let Some(message) = &step.error_message {
                text.push_str(": ");
                text.push_str(message);
            }
            text
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// RFC 4180 CSV with a header row.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from(
        "time,actor_name,actor_upn,actor_object_id,actor_tenant,tenant,action,inputs,outcome,error_code,error_message,request_id,finished,steps\r\n",
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
            e.finished.map(crate::mesh::time::iso).unwrap_or_default(),
            steps_text(&e.steps),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded_byte_by_byte() {
        assert_eq!(encode("Az09-_.~"), "Az09-_.~");
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(encode(""), "");
    }

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
            steps: Vec::new(),
        };
        let csv = to_csv(&[entry]);
        let line = csv.lines().nth(1).unwrap();
        assert!(line.starts_with("\"1970-01-01T00:00:00Z\",\"Ann \"\"A\"\"\",\"'=cmd\""));
        assert!(line.contains("\"{\"\"a\"\":1}\""));
        for formula in ["\t=1+1", "\r=1+1", "@SUM(A1)", "-2+3"] {
            assert!(
                csv_field(formula).starts_with("\"'"),
                "{formula:?} is defused"
            );
        }
        assert_eq!(csv_field("plain"), "\"plain\"");
    }

    #[test]
    fn every_action_has_one_current_name_and_reads_back_from_any_stored_name() {
        let mut names = std::collections::HashSet::new();
        for action in AuditAction::ALL {
            for name in action.stored_names() {
                assert!(names.insert(*name), "{name} is used twice");
                assert_eq!(AuditAction::parse(name), Some(*action));
            }
            assert_eq!(action.stored_names()[0], action.as_str());
            assert!(!action.label().is_empty());
        }
        assert_eq!(AuditAction::parse("sync.fix"), Some(AuditAction::ApplyFix));
        assert_eq!(AuditAction::parse("drop-table"), None);
        assert_eq!(
            serde_json::to_string(&AuditAction::StartSync).unwrap(),
            "\"start-sync\""
        );
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
