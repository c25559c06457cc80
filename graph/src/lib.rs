//! Microsoft Graph for Tenant Mesh: the resource types (plain serde data, wasm-safe), the
//! identifiers that go into URLs (validated), the enums Graph documents (with room for values it
//! adds later), every operation the dashboard makes ([`ops`]: paths, queries and bodies live only
//! here) and, behind the `client` feature, the HTTP client that runs them. The emulator serialises
//! the same types. Field names follow Microsoft Graph v1.0 exactly (camelCase on the wire); the
//! modules name the reference pages (microsoftgraph/microsoft-graph-docs-contrib,
//! `api-reference/v1.0/…`).

#[cfg(feature = "client")]
pub mod client;
pub mod directory;
pub mod error;
pub mod ids;
pub mod limits;
mod macros;
pub mod mto;
pub mod ops;
pub mod policies;
pub mod request;
pub mod roles;
pub mod sync;
pub mod users;

pub use error::{ErrorBody, ErrorEnvelope, InnerError};
pub use ids::{Domain, IdError, JobId, ObjectId, TenantId, TenantIdError, TenantRef};
pub use request::{Collection, Method, NoContent, Op, Request};
