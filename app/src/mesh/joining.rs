//! The joining side of a join, as the joining tenant's admin sees it on `/joins`.

use graph::mto::TransitionStatus;
use graph::TenantId;

use super::model::{Mesh, Node, NodeState};
use super::{health, time};
use crate::api::joins::{Decision, JoinRequestView};

/// The joining side of a join, for a pending tenant or one whose request failed outside any MTO
/// (not added, already in another organization, …). The tenant's own join request record says
/// whether its admin asked to join and how that went; when the record could not be read, the
/// owner's member record stands in (its transition begins only once the join is asked for).
pub fn request_view(
    mesh: &Mesh,
    node: &Node,
    declined: Option<Decision>,
) -> Option<JoinRequestView> {
    let record = node.join_request.as_ref();
    let asked = record.and_then(|r| r.transition_details.as_ref());
    let failed_outside = node.state == NodeState::Outside
        && asked.is_some_and(|t| t.status == Some(TransitionStatus::Failed));
    if node.state != NodeState::Pending && !failed_outside {
        return None;
    }
    let owner = record
        .and_then(|r| r.added_by_tenant_id.clone())
        .filter(|o| o.parse::<TenantId>().is_ok_and(|id| !id.is_zero()))
        .or_else(|| node.added_by.clone());
    let (status, details) = match (record, asked) {
        (Some(_), Some(t)) => (t.status.clone(), t.details.clone()),
        (Some(_), None) => (None, None),
        (None, _) => node.transition.as_ref().map_or((None, None), |t| {
            (Some(t.status.clone()), t.details.clone())
        }),
    };
    let progress = status.as_ref().filter(|s| s.is_in_progress()).map(|s| {
        let since = node.transition.as_ref().and_then(|t| t.observed_since);
        format!(
            "{s} for {} (Microsoft documents up to {})",
            time::duration(since.map_or(0, |at| mesh.taken_at - at)),
            time::duration(health::TRANSITION_WINDOW_SECS)
        )
    });
    Some(JoinRequestView {
        owner_name: owner.as_deref().map(|o| mesh.name(o)),
        owner_tenant_id: owner,
        organization: (node.state == NodeState::Pending)
            .then(|| mesh.organization.as_ref().map(|o| o.display_name.clone()))
            .flatten(),
        added: node.added.clone(),
        status: status.map(|s| s.to_string()),
        details: details.filter(|d| !d.is_empty()),
        progress,
        declined,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use graph::mto::{JoinRequest, JoinRequestTransition, MemberState};

    use super::*;
    use crate::mesh::model::build;
    use crate::mesh::model::tests::{member, members, reading, A, D};

    fn record(status: Option<&str>, details: Option<&str>, owner: &str) -> JoinRequest {
        JoinRequest {
            id: None,
            added_by_tenant_id: Some(owner.into()),
            member_state: None,
            role: None,
            transition_details: status.map(|s| JoinRequestTransition {
                desired_member_state: Some(MemberState::Active),
                status: Some(s.into()),
                details: details.map(Into::into),
            }),
        }
    }

    /// A mesh read by the owner A and by D, which is pending (added by A) unless `outside`.
    fn mesh_with(d_record: Option<JoinRequest>, outside: bool) -> Mesh {
        let owner_list = if outside {
            vec![member(A, "Alpha", "owner", "active")]
        } else {
            members()
        };
        let mut d = reading(D, Vec::new(), vec![], vec![]);
        if let Some(view) = d.view.as_mut() {
            view.join_request = d_record;
            view.organization = None;
        }
        build(
            &[reading(A, owner_list, vec![], vec![]), d],
            &HashMap::new(),
            &HashMap::new(),
            500,
        )
    }

    #[test]
    fn a_pending_tenant_whose_admin_has_not_asked_waits_for_approval() {
        let zero = "00000000-0000-0000-0000-000000000000";
        let mesh = mesh_with(Some(record(None, None, zero)), false);
        let view = request_view(&mesh, mesh.node(D).unwrap(), None).unwrap();
        assert_eq!(view.status, None);
        // The zero owner of a record not asked yet is no owner: the one that added it is.
        assert_eq!(view.owner_tenant_id.as_deref(), Some(A));
    }

    #[test]
    fn the_record_not_the_owners_member_transition_says_whether_the_join_was_asked() {
        // The owner's side may already show a transition not started; the record has none yet.
        let mut mesh = mesh_with(Some(record(None, None, A)), false);
        if let Some(node) = mesh.nodes.iter_mut().find(|n| n.tenant_id == D) {
            node.transition = Some(crate::mesh::model::Transition {
                desired_role: None,
                desired_state: Some(MemberState::Active),
                status: TransitionStatus::NotStarted,
                details: None,
                observed_since: Some(400),
            });
        }
        let view = request_view(&mesh, mesh.node(D).unwrap(), None).unwrap();
        assert_eq!(view.status, None, "still waiting for approval");
        let mesh = mesh_with(Some(record(Some("running"), None, A)), false);
        let view = request_view(&mesh, mesh.node(D).unwrap(), None).unwrap();
        assert_eq!(view.status.as_deref(), Some("running"));
        assert!(view.progress.unwrap().starts_with("running for"));
    }

    #[test]
    fn a_join_that_failed_outside_any_mto_is_shown_with_its_reason() {
        let reason = "The tenant was not added to the multitenant organization.";
        let mesh = mesh_with(Some(record(Some("failed"), Some(reason), A)), true);
        let node = mesh.node(D).unwrap();
        assert_eq!(node.state, NodeState::Outside);
        let view = request_view(&mesh, node, None).unwrap();
        assert_eq!(view.status.as_deref(), Some("failed"));
        assert_eq!(view.details.as_deref(), Some(reason));
        assert_eq!(view.owner_name.as_deref(), Some("Alpha"));
        assert_eq!(view.organization, None);
        // Outside and nothing asked: no request at all.
        let mesh = mesh_with(Some(record(None, None, A)), true);
        assert!(request_view(&mesh, mesh.node(D).unwrap(), None).is_none());
    }
}
