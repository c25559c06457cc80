//! What the pages ask the server for: view data types (shared by server and browser), the typed
//! error that crosses the server-function boundary, the server functions (thin: find the dashboard
//! port in context, call it), and the port the server implements.

pub mod audit;
pub mod data;
pub mod diagnose;
pub mod drift;
pub mod error;
pub mod flash;
pub mod joins;
#[cfg(feature = "ssr")]
pub mod memo;
pub mod mesh;
#[cfg(feature = "ssr")]
pub mod port;
pub mod session;
pub mod status;
pub mod sync;
pub mod timeline;
pub mod users;

pub use error::ApiError;

/// What a person typed as a tenant id or verified domain; 400 with the reason when it is neither.
pub fn tenant_ref(text: &str) -> Result<graph::TenantRef, ApiError> {
    graph::TenantRef::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// A tenant id from a form or a URL; 400 with the reason when it is not one.
pub fn tenant_id(text: &str) -> Result<graph::TenantId, ApiError> {
    text.parse()
        .map_err(|e: graph::IdError| ApiError::BadRequest(e.to_string()))
}

/// A required confirmation checkbox, ticked.
#[cfg(feature = "ssr")]
pub(crate) fn confirmed(confirm: Option<&str>, what: &str) -> Result<(), ApiError> {
    match confirm {
        Some("on" | "true" | "yes") => Ok(()),
        _ => Err(ApiError::BadRequest(format!(
            "Tick the confirmation to {what}."
        ))),
    }
}

/// The checks made on a write's form before it reaches the port: a refusal is recorded in the
/// audit log (as `action` in `tenant`, with the form's `inputs`) before it is answered.
#[cfg(feature = "ssr")]
pub(crate) async fn checked<T>(
    tenant: &str,
    action: audit::AuditAction,
    inputs: serde_json::Value,
    checks: Result<T, ApiError>,
) -> Result<T, ApiError> {
    let error = match checks {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    let (port, parts) = port::from_context()?;
    Err(port
        .refused(&parts, vec![tenant.to_owned()], action, inputs, error)
        .await)
}
