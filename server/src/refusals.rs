//! Writes the dashboard refuses before any Graph call — a role that does not allow it, a
//! cross-origin post, input that does not hold — are recorded in the audit log with the actor, the
//! tenant, the action and the reason (OWASP ASVS 4.0, V7.2: "all authentication decisions" and
//! "all access control decisions" are logged). A refusal needs a known actor (a sign-in in the
//! session): anonymous refusals go to the server log only, so that requests without a sign-in
//! cannot fill the append-only audit log.

use app::api::audit::AuditAction;
use app::api::ApiError;
use http::request::Parts;
use serde_json::Value;

use crate::audit::{Actor, Attempt};
use crate::auth::flow::now;
use crate::dashboard::Dashboard;

/// Longest inputs text kept for a refused write (hostile inputs can be large).
const MAX_INPUTS: usize = 2_000;

/// Whether the dashboard itself refused (as opposed to Graph failing, which `record` audits).
fn is_refusal(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::NotSignedIn { .. }
            | ApiError::Forbidden { .. }
            | ApiError::CrossOrigin
            | ApiError::NotFound(_)
            | ApiError::BadRequest(_)
            | ApiError::Transport(_)
    )
}

/// The inputs as stored: cut to [`MAX_INPUTS`] characters of JSON text when longer.
fn bounded(inputs: Value) -> Value {
    let text = inputs.to_string();
    if text.chars().count() <= MAX_INPUTS {
        return inputs;
    }
    serde_json::json!({
        "truncated": text.chars().take(MAX_INPUTS).collect::<String>(),
        "length": text.len(),
    })
}

impl Dashboard {
    /// Passes `result` through; when it is a refusal, records it in the audit log first. `tenants`
    /// are the tenants the write named, the acting one first: the actor is this session's
    /// sign-in to the first of them it has, or else any of its sign-ins.
    pub(crate) async fn audit_refusal<T>(
        &self,
        request: &Parts,
        tenants: &[&str],
        action: AuditAction,
        inputs: Value,
        result: Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) if !is_refusal(&error) => return Err(error),
            Err(error) => error,
        };
        let reason = error.to_string();
        let sign_ins = match self.session(request).await {
            Ok(session) => session.sign_ins().await.unwrap_or_default(),
            Err(_) => Default::default(),
        };
        let valid: Vec<String> = tenants
            .iter()
            .filter_map(|t| t.parse::<graph::TenantId>().ok())
            .map(|t| t.to_string())
            .collect();
        let sign_in = valid
            .iter()
            .find_map(|t| sign_ins.get(t))
            .or_else(|| sign_ins.values().next());
        let Some(sign_in) = sign_in else {
            tracing::warn!(%action, %reason, "a write without a sign-in was refused");
            return Err(error);
        };
        let attempt = Attempt {
            actor: Actor {
                name: sign_in.account.display_name.clone(),
                upn: sign_in.account.username.clone(),
                object_id: sign_in.account.object_id.clone(),
                tenant_id: sign_in.tenant_id.clone(),
            },
            // A tenant that is not an id is kept in the inputs only.
            tenant_id: valid
                .first()
                .cloned()
                .unwrap_or_else(|| sign_in.tenant_id.clone()),
            action,
            inputs: bounded(serde_json::json!({"tenants": tenants, "write": inputs})),
        };
        if let Err(audit) = self.joins.audit.refused(&attempt, &reason, now()).await {
            tracing::error!(error = %audit, %action, "a refused write could not be audited");
        }
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_inputs_are_cut_and_graph_failures_are_not_refusals() {
        let big = serde_json::json!({"name": "x".repeat(20_000)});
        let kept = bounded(big);
        assert_eq!(kept["length"], 20_011);
        assert_eq!(
            kept["truncated"].as_str().map(|t| t.chars().count()),
            Some(MAX_INPUTS)
        );
        let small = serde_json::json!({"name": "Contoso"});
        assert_eq!(bounded(small.clone()), small);
        assert!(is_refusal(&ApiError::CrossOrigin));
        assert!(!is_refusal(&ApiError::Upstream {
            message: "503".into(),
            request_id: None
        }));
    }
}
