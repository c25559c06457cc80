//! Fixes for a direction blocked by policy: the exact Graph requests, in the tenant that must
//! change, one per [`Blocker`] the mesh finds in the settings both tenants have for each other
//! (Microsoft Graph v1.0: `api-reference/v1.0/api/crosstenantaccesspolicy-post-partners.md`,
//! `…/crosstenantaccesspolicyconfigurationpartner-update.md`,
//! `…/crosstenantaccesspolicyconfigurationpartner-put-identitysynchronization.md`). The server
//! derives them again from its own reading when a fix is applied; the client only names one.

use graph::policies::{ConsentChange, IdentitySyncWrite, InboundOutbound, NewPartner};
use graph::{ops, Request, TenantId};
use serde::{Deserialize, Serialize};

use crate::mesh::model::{Blocker, Mesh};
use crate::mesh::view::{PartnerSide, Switch};

/// A change in one tenant that removes a blocker of `from → to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// Stable within a direction: `inbound-sync`, `inbound-redemption`, `outbound-redemption`.
    pub id: String,
    /// The tenant whose settings change (an admin of it applies the fix).
    pub tenant: TenantId,
    pub tenant_name: String,
    pub title: String,
    /// The requests, in order, exactly as they are sent.
    pub calls: Vec<Request>,
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
pub fn fixes(mesh: &Mesh, from: &TenantId, to: &TenantId) -> Vec<Fix> {
    let (from_name, to_name) = (mesh.name(from.as_str()), mesh.name(to.as_str()));
    let in_target = |id: &str, title: String, calls: Vec<Request>| Fix {
        id: id.to_owned(),
        tenant: to.clone(),
        tenant_name: to_name.clone(),
        title,
        calls,
    };
    let in_source = |id: &str, title: String, calls: Vec<Request>| Fix {
        id: id.to_owned(),
        tenant: from.clone(),
        tenant_name: from_name.clone(),
        title,
        calls,
    };
    let target_side = mesh.settings(to.as_str(), from.as_str());
    let source_side = mesh.settings(from.as_str(), to.as_str());
    let (blockers, _) = mesh.blockers(from.as_str(), to.as_str());
    blockers
        .into_iter()
        .filter_map(|blocker| match blocker {
            Blocker::TargetHasNoSettings => Some(in_target(
                "inbound-sync",
                format!(
                    "Add cross-tenant access settings for {from_name} in {to_name} that allow inbound user sync and automatic redemption"
                ),
                vec![
                    ops::policies::create_partner(&NewPartner {
                        tenant_id: from.clone(),
                        automatic_user_consent_settings: InboundOutbound {
                            inbound_allowed: Some(true),
                            outbound_allowed: None,
                        },
                    })
                    .into_request(),
                    ops::policies::create_identity_sync(from, &IdentitySyncWrite::allow_inbound())
                        .into_request(),
                ],
            )),
            Blocker::InboundSyncNotAllowed => {
                let side = target_side.present()?;
                let write = IdentitySyncWrite::allow_inbound();
                let call = if side.has_identity_sync {
                    ops::policies::update_identity_sync(from, &write)
                } else {
                    ops::policies::create_identity_sync(from, &write)
                };
                Some(in_target(
                    "inbound-sync",
                    format!("Allow users of {from_name} to be synchronized into {to_name}"),
                    vec![call.into_request()],
                ))
            }
            Blocker::NoInboundRedemption => {
                let side = target_side.present()?;
                Some(in_target(
                    "inbound-redemption",
                    format!(
                        "Redeem invitations of {from_name}'s users automatically in {to_name}"
                    ),
                    vec![redemption(side, from, true)],
                ))
            }
            Blocker::SourceHasNoSettings => Some(in_source(
                "outbound-redemption",
                format!(
                    "Add cross-tenant access settings for {to_name} in {from_name} that redeem invitations automatically"
                ),
                vec![ops::policies::create_partner(&NewPartner {
                    tenant_id: to.clone(),
                    automatic_user_consent_settings: InboundOutbound {
                        inbound_allowed: None,
                        outbound_allowed: Some(true),
                    },
                })
                .into_request()],
            )),
            Blocker::NoOutboundRedemption => {
                let side = source_side.present()?;
                Some(in_source(
                    "outbound-redemption",
                    format!(
                        "Let {from_name}'s users' invitations be redeemed automatically in {to_name}"
                    ),
                    vec![redemption(side, to, false)],
                ))
            }
        })
        .collect()
}

/// Turns automatic redemption on in the settings `side` for `partner`, inbound or outbound. The
/// whole complex value is sent (a PATCH replaces it), keeping the other direction as it is.
fn redemption(side: &PartnerSide, partner: &TenantId, inbound: bool) -> Request {
    let settings = if inbound {
        InboundOutbound {
            inbound_allowed: Some(true),
            outbound_allowed: own(side.auto_redeem_outbound),
        }
    } else {
        InboundOutbound {
            inbound_allowed: own(side.auto_redeem_inbound),
            outbound_allowed: Some(true),
        }
    };
    ops::policies::update_partner_consent(
        partner,
        &ConsentChange {
            automatic_user_consent_settings: settings,
        },
    )
    .into_request()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use graph::Method;
    use serde_json::json;

    use crate::mesh::model::build;
    use crate::mesh::model::tests::{job, members, reading, side, A, B};

    fn id(text: &str) -> TenantId {
        text.parse().unwrap()
    }

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
        let fixes = fixes(&mesh, &id(A), &id(B));
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0].id, "inbound-sync");
        assert_eq!(fixes[0].tenant, id(B));
        assert_eq!(fixes[0].calls[0].method, Method::Patch);
        assert!(fixes[0].calls[0]
            .path
            .ends_with(&format!("/partners/{A}/identitySynchronization")));
        assert!(fixes[0].calls[0]
            .pretty_body()
            .unwrap()
            .contains("\"isSyncAllowed\": true"));
        // The other way round, A has no identity sync policy for B yet: it is created.
        let back = super::fixes(&mesh, &id(B), &id(A));
        assert_eq!(back.len(), 1);
        assert_eq!(
            (&back[0].tenant, back[0].calls[0].method),
            (&id(A), Method::Put)
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
        let fixes = fixes(&mesh, &id(A), &id(B));
        let ids: Vec<&str> = fixes.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["inbound-sync", "outbound-redemption"]);
        assert_eq!(fixes[0].calls.len(), 2);
        assert_eq!(fixes[0].calls[0].method, Method::Post);
        assert_eq!(
            fixes[1].calls[0].body,
            Some(
                json!({"automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": true}})
            )
        );
        assert_eq!(fixes[1].tenant, id(A));
    }

    #[test]
    fn an_open_direction_needs_nothing() {
        let mesh = mesh(
            vec![side(B, Some(true), Some(true))],
            vec![side(A, Some(true), Some(true))],
        );
        assert!(fixes(&mesh, &id(A), &id(B)).is_empty());
    }
}
