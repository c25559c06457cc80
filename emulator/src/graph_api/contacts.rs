//! `GET /contacts` and `GET /contacts/{id}`: the organization's contacts
//! (`microsoftgraph/microsoft-graph-docs-contrib` `api-reference/v1.0/api/orgcontact-list.md`,
//! `…/orgcontact-get.md`, resource `…/resources/orgcontact.md`). `$filter` with `eq` and
//! `startswith` on `displayName` and `mail` (the users' grammar, other properties refused as
//! Graph refuses an unsupported clause), `$select`, `$top` (≤ 999) and paging. Reading needs
//! `OrgContact.Read.All` or `Directory.Read.All`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::query_options::{context, project, select};
use super::users_query::{self, Clause, Filtered, Property};
use super::{paging, Caller};
use crate::error::GraphError;
use crate::people_state::Contact;
use crate::EmulatorState;

const READ: &[&str] = &[
    "OrgContact.Read.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 999;
/// The properties and relationships of the v1.0 orgContact resource: what `$select` may name.
const PROPERTIES: &[&str] = &[
    "addresses",
    "companyName",
    "department",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mailNickname",
    "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors",
    "onPremisesSyncEnabled",
    "phones",
    "proxyAddresses",
    "serviceProvisioningErrors",
    "surname",
    "directReports",
    "manager",
    "memberOf",
    "transitiveMemberOf",
];
/// What the emulator returns without `$select`.
const DEFAULT_FIELDS: &[&str] = &[
    "id",
    "addresses",
    "companyName",
    "department",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mailNickname",
    "onPremisesSyncEnabled",
    "phones",
    "proxyAddresses",
    "surname",
];

impl Filtered for Contact {
    fn text(&self, property: Property) -> Option<&str> {
        match property {
            Property::DisplayName => Some(&self.display_name),
            Property::Mail => self.mail.as_deref(),
            _ => None,
        }
    }

    fn flag(&self, _: Property) -> Option<bool> {
        None
    }
}

/// The clauses served on contacts: `eq` and `startswith` on `displayName` and `mail`.
fn served(clause: &Clause) -> bool {
    let property = match clause {
        Clause::Equals {
            property,
            negated: false,
            ..
        }
        | Clause::StartsWith { property, .. } => *property,
        _ => return false,
    };
    matches!(property, Property::DisplayName | Property::Mail)
}

fn contact_json(contact: &Contact, select: Option<&[&'static str]>) -> Value {
    let full = json!({
        "id": contact.id,
        "addresses": [],
        "companyName": contact.company_name,
        "department": null,
        "displayName": contact.display_name,
        "givenName": null,
        "jobTitle": null,
        "mail": contact.mail,
        "mailNickname": contact.mail.as_deref().and_then(|m| m.split('@').next()),
        "onPremisesSyncEnabled": null,
        "phones": [],
        "proxyAddresses": contact.mail.as_ref().map(|m| vec![format!("SMTP:{m}")]).unwrap_or_default(),
        "surname": null,
    });
    project(&full, select, DEFAULT_FIELDS)
}

pub async fn list(
    State(state): State<EmulatorState>,
    caller: Caller,
    parts: Parts,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let top = paging::page_size(&query, DEFAULT_PAGE, MAX_PAGE)?;
    let filter = query
        .get("$filter")
        .map(|f| users_query::parse_filter_on(f, "OrgContact"))
        .transpose()?;
    if let Some(property) = filter.as_ref().and_then(|f| f.unsupported(served)) {
        return Err(users_query::unsupported_property(
            property.name(),
            "OrgContact",
        ));
    }
    let select = select(&query, PROPERTIES, DEFAULT_FIELDS, "orgContact")?;
    let offset = paging::offset(&query)?;
    let world = state.world_now();
    let matching: Vec<&Contact> = world
        .people
        .contacts
        .get(&caller.tenant_id)
        .map(|list| {
            list.iter()
                .filter(|c| filter.as_ref().is_none_or(|f| f.matches(*c)))
                .collect()
        })
        .unwrap_or_default();
    let (page, more) = paging::page_of(matching.into_iter(), offset, top);
    let value: Vec<Value> = page
        .into_iter()
        .map(|c| contact_json(c, select.as_deref()))
        .collect();
    let mut body = json!({ "@odata.context": context("contacts", select.as_deref()) });
    if let Some(next) = paging::next_of(&state, &parts, &query, offset + value.len(), more) {
        body["@odata.nextLink"] = json!(next);
    }
    body["value"] = Value::Array(value);
    Ok(Json(body).into_response())
}

pub async fn get(
    State(state): State<EmulatorState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    caller.require_any(READ, READ)?;
    let select = select(&query, PROPERTIES, DEFAULT_FIELDS, "orgContact")?;
    let world = state.world_now();
    let contact = world
        .people
        .contacts
        .get(&caller.tenant_id)
        .and_then(|list| list.iter().find(|c| c.id == id))
        .ok_or_else(|| GraphError::resource_not_found(&id))?;
    let mut body = contact_json(contact, select.as_deref());
    body["@odata.context"] = json!(format!(
        "{}/$entity",
        context("contacts", select.as_deref())
    ));
    Ok(Json(body).into_response())
}
