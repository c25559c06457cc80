//! The `/status` page's server function; the data it exchanges is in [`super::data::status`].

use leptos::prelude::*;

pub use super::data::status::*;
use super::ApiError;

/// The app-only monitor's board: its last run, every tenant and pair as it read them, the findings
/// it follows and the alerts it sent. For anyone signed in with a read role in a tenant of the
/// organization.
#[server(name = GetStatusBoard, endpoint = "status/board")]
pub async fn status_board() -> Result<StatusBoard, ApiError> {
    let (port, parts) = super::port::from_context()?;
    port.status(&parts).await
}
