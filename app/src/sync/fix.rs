//! Fixes for a direction blocked by policy: the exact Graph calls, in the tenant that must change,
//! derived from the settings both tenants have for each other (graph-api.md §4–§5). The server
//! derives them again from its own reading when a fix is applied; the client only names one.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::mesh::model::{Known, Mesh};
use crate::mesh::view::{PartnerSide, Switch};

const PARTNERS: &str = "/policies/crossTenantAccessPolicy/partners";

/// One Graph call of a fix, shown before it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub method: String,
    pub path: String,
    /// The JSON body, pretty-printed; `None` for none.
    pub body: Option<String>,
}

impl Call {
    fn new(method: &str, path: String, body: serde_json::Value) -> Self {
        Self {
            method: method.to_owned(),
            path,
            body: serde_json::to_string_pretty(&body).ok(),
        }
    }
}

/// A change in one tenant that removes a blocker of `from → to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// Stable within a direction: `inbound-sync`, `inbound-redemption`, `outbound-redemption`.
    pub id: String,
    /// The tenant whose settings change (an admin of it applies the fix).
    pub tenant: String,
    pub tenant_name: String,
    pub title: String,
    pub calls: Vec<Call>,
}

/// A partner's own value of a switch (`None` when it inherits the default).
fn own(switch: Switch) -> Option<bool> {
    if switch.inherited {
        None
    } else {
        switch.value
    }
}

/// The fixes `from → to` needs; empty when nothing blocks it or the settings are not known.
pub fn fixes(mesh: &Mesh, from: &str, to: &str) -> Vec<Fix> {
    let (from_name, to_name) = (mesh.name(from), mesh.name(to));
    let mut fixes = Vec::new();
    let target_side = mesh.settings(to, from);
    let source_side = mesh.settings(from, to);

    // In the target: a partner configuration for the source, inbound sync, inbound redemption.
    match &target_side {
        Known::Absent => fixes.push(Fix {
            id: "inbound-sync".into(),
            tenant: to.to_owned(),
            tenant_name: to_name.clone(),
            title: format!(
                "Add cross-tenant access settings for {from_name} in {to_name} that allow inbound user sync and automatic redemption"
            ),
            calls: vec![
                Call::new(
                    "POST",
                    PARTNERS.into(),
                    json!({"tenantId": from, "automaticUserConsentSettings": {"inboundAllowed": true}}),
                ),
                Call::new(
                    "PUT",
                    format!("{PARTNERS}/{from}/identitySynchronization"),
                    json!({"userSyncInbound": {"isSyncAllowed": true}}),
                ),
            ],
        }),
        Known::Present(side) => {
            if side.inbound_sync_allowed != Some(true) {
                let method = if side.has_identity_sync { "PATCH" } else { "PUT" };
                fixes.push(Fix {
                    id: "inbound-sync".into(),
                    tenant: to.to_owned(),
                    tenant_name: to_name.clone(),
                    title: format!("Allow users of {from_name} to be synchronized into {to_name}"),
                    calls: vec![Call::new(
                        method,
                        format!("{PARTNERS}/{from}/identitySynchronization"),
                        json!({"userSyncInbound": {"isSyncAllowed": true}}),
                    )],
                });
            }
            if !side.auto_redeem_inbound.is_on() {
                fixes.push(redemption(side, to, &to_name, from, true, &from_name));
            }
        }
        Known::Unknown => {}
    }
    // In the source: automatic redemption outbound.
    match &source_side {
        Known::Absent => fixes.push(Fix {
            id: "outbound-redemption".into(),
            tenant: from.to_owned(),
            tenant_name: from_name.clone(),
            title: format!(
                "Add cross-tenant access settings for {to_name} in {from_name} that redeem invitations automatically"
            ),
            calls: vec![Call::new(
                "POST",
                PARTNERS.into(),
                json!({"tenantId": to, "automaticUserConsentSettings": {"outboundAllowed": true}}),
            )],
        }),
        Known::Present(side) if !side.auto_redeem_outbound.is_on() => {
            fixes.push(redemption(side, from, &from_name, to, false, &to_name));
        }
        _ => {}
    }
    fixes
}

/// Turns automatic redemption on in `tenant`'s settings for `partner`, inbound or outbound. The
/// whole complex value is sent (a PATCH replaces it), keeping the other direction as it is.
fn redemption(
    side: &PartnerSide,
    tenant: &str,
    tenant_name: &str,
    partner: &str,
    inbound: bool,
    partner_name: &str,
) -> Fix {
    let (inbound_allowed, outbound_allowed) = if inbound {
        (Some(true), own(side.auto_redeem_outbound))
    } else {
        (own(side.auto_redeem_inbound), Some(true))
    };
    Fix {
        id: if inbound {
            "inbound-redemption"
        } else {
            "outbound-redemption"
        }
        .into(),
        tenant: tenant.to_owned(),
        tenant_name: tenant_name.to_owned(),
        title: if inbound {
            format!("Redeem invitations of {partner_name}'s users automatically in {tenant_name}")
        } else {
            format!("Let {tenant_name}'s users' invitations be redeemed automatically in {partner_name}")
        },
        calls: vec![Call::new(
            "PATCH",
            format!("{PARTNERS}/{partner}"),
            json!({"automaticUserConsentSettings": {
                "inboundAllowed": inbound_allowed,
                "outboundAllowed": outbound_allowed,
            }}),
        )],
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::mesh::model::build;
    use crate::mesh::model::tests::{job, members, reading, side, A, B};

    fn mesh(a_for_b: Vec<PartnerSide>, b_for_a: Vec<PartnerSide>) -> Mesh {
        build(
            &[
                reading(A, members(), a_for_b, vec![job(B, "Quarantine")]),
                reading(B, members(), b_for_a, vec![]),
            ],
            &HashMap::new(),
            &HashMap::new(),
            1_800_000_000,
        )
    }

    #[test]
    fn a_target_without_inbound_sync_gets_the_identity_sync_change() {
        let mesh = mesh(
            vec![side(B, None, Some(true))],
            vec![side(A, Some(false), Some(true))],
        );
        let fixes = fixes(&mesh, A, B);
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0].id, "inbound-sync");
        assert_eq!(fixes[0].tenant, B);
        assert_eq!(fixes[0].calls[0].method, "PATCH");
        assert_eq!(
            fixes[0].calls[0].path,
            format!("{PARTNERS}/{A}/identitySynchronization")
        );
        assert!(fixes[0].calls[0]
            .body
            .as_deref()
            .unwrap()
            .contains("\"isSyncAllowed\": true"));
        // The other way round, A has no identity sync policy for B yet: it is created.
        let back = super::fixes(&mesh, B, A);
        assert_eq!(back.len(), 1);
        assert_eq!(
            (back[0].tenant.as_str(), back[0].calls[0].method.as_str()),
            (A, "PUT")
        );
    }

    #[test]
    fn redemption_keeps_the_other_direction_and_missing_settings_are_created() {
        let mut source = side(B, None, Some(false));
        source.auto_redeem_inbound = Switch {
            value: Some(true),
            inherited: false,
        };
        let mesh = mesh(vec![source], vec![]);
        let fixes = fixes(&mesh, A, B);
        let ids: Vec<&str> = fixes.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["inbound-sync", "outbound-redemption"]);
        assert_eq!(fixes[0].calls.len(), 2);
        assert_eq!(fixes[0].calls[0].method, "POST");
        let body: serde_json::Value =
            serde_json::from_str(fixes[1].calls[0].body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": true}})
        );
        assert_eq!(fixes[1].tenant, A);
    }

    #[test]
    fn an_open_direction_needs_nothing() {
        let mesh = mesh(
            vec![side(B, Some(true), Some(true))],
            vec![side(A, Some(true), Some(true))],
        );
        assert!(fixes(&mesh, A, B).is_empty());
    }
}
