//! Microsoft Graph resource types shared by the dashboard, its Graph client and the emulator.
//!
//! Everything here is plain serde data, safe to compile to wasm. Field names follow Microsoft Graph
//! v1.0 exactly (camelCase on the wire); see `shared/graph-api.md` for the sources.

#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod ids;
pub mod mto;
pub mod policies;
pub mod sync;
pub mod users;

pub use error::{ErrorBody, ErrorEnvelope, InnerError};
pub use ids::{TenantId, TenantIdError, TenantRef};
