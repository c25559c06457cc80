//! What the pages ask the server for: view data types (shared by server and browser), the typed
//! error that crosses the server-function boundary, the server functions (thin: find the dashboard
//! port in context, call it), and the port the server implements.

pub mod audit;
pub mod data;
pub mod error;
pub mod joins;
pub mod mesh;
#[cfg(feature = "ssr")]
pub mod port;
pub mod session;
pub mod sync;
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
