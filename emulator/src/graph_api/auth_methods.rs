//! `GET /users/{id | userPrincipalName}/authentication/phoneMethods`
//! (`microsoftgraph/microsoft-graph-docs-contrib` `api-reference/v1.0/api/authentication-list-phonemethods.md`,
//! resource `…/resources/phoneauthenticationmethod.md`): a user's phones (at most three) with
//! their SMS sign-in state. No query parameters. Reading another user's needs
//! `UserAuthenticationMethod.Read.All` (or `…ReadWrite.All`) and, delegated, one of Global Reader,
//! Authentication Administrator or Privileged Authentication Administrator
//! (`…/includes/rbac-for-apis/rbac-authentication-methods-apis-read-others.md`; a Global
//! Administrator reads everything); one's own needs `UserAuthenticationMethod.Read`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{odata, Caller};
use crate::error::GraphError;
use crate::EmulatorState;

const READ_OTHERS: &[&str] = &[
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
];
const READ_OWN: &[&str] = &[
    "UserAuthenticationMethod.Read",
    "UserAuthenticationMethod.ReadWrite",
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
];
/// Global Reader, Authentication Administrator, Privileged Authentication Administrator, Global
/// Administrator (`MicrosoftDocs/entra-docs`
/// `docs/identity/role-based-access-control/permissions-reference.md` for the template ids).
pub const READ_OTHERS_ROLES: &[&str] = &[
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    "62e90394-69f5-4237-9190-012177145e10",
];

pub async fn phone_methods(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Response, GraphError> {
    let world = state.world_now();
    let user = world
        .users
        .get(&caller.tenant_id)
        .and_then(|users| {
            users
                .iter()
                .find(|u| u.id == key || u.user_principal_name.eq_ignore_ascii_case(&key))
        })
        .ok_or_else(|| GraphError::resource_not_found(&key))?;
    if !caller.app_only && user.id == caller.object_id {
        caller.require_any(READ_OWN, &[])?;
    } else {
        caller.require_any(READ_OTHERS, READ_OTHERS)?;
        caller.require_role(READ_OTHERS_ROLES)?;
    }
    let phones = world.people.phones_of(&caller.tenant_id, &user.id).to_vec();
    let body = json!({
        "@odata.context": format!(
            "{}#users('{}')/authentication/phoneMethods",
            odata::METADATA,
            user.id
        ),
        "value": phones,
    });
    Ok(Json(body).into_response())
}
