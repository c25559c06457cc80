//! The `/audit/timeline` page's server function; the data it exchanges and the logic (filter,
//! merge, CSV) are in [`super::data::timeline`]. The exports are plain routes on the server
//! (`/audit/timeline.csv`, `/audit/timeline.json`).

use leptos::prelude::*;

pub use super::data::timeline::*;
use super::ApiError;

/// One page of the timeline the signed-in person may read, filtered; reads what is new in the
/// directory audit logs of the tenants the session may read them in first.
#[server(endpoint = "audit/timeline")]
pub async fn audit_timeline(filter: Option<TimelineFilter>) -> Result<TimelineView, ApiError> {
    let filter = filter.unwrap_or_default().normalised();
    filter.validate().map_err(ApiError::BadRequest)?;
    let (port, parts) = super::port::from_context()?;
    port.timeline(&parts, filter, true).await
}
