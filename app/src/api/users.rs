//! The `/users` page's server function: one tenant's users segmented, with one page of the
//! filtered list (the CSV export is a plain route on the server, `/users/export.csv`).

use leptos::prelude::*;

use super::ApiError;
use crate::users::{UserFilter, UsersView};

/// `tenant`'s segments, home tenants and the page of the list `filter` asks for; while a large
/// tenant is still being read, how far the reading is. `refresh` reads Graph again.
#[server(endpoint = "users/view")]
pub async fn segment_users(
    tenant: String,
    filter: Option<UserFilter>,
    refresh: bool,
) -> Result<UsersView, ApiError> {
    let (port, parts) = super::port::from_context()?;
    port.users(&parts, &tenant, filter.unwrap_or_default(), refresh)
        .await
}
