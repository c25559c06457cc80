//! Entra directory roles (by template id, as in the `wids` claim) and what they let a person do in
//! Tenant Mesh, per tenant. Template ids: `MicrosoftDocs/entra-docs`
//! `docs/identity/role-based-access-control/permissions-reference.md`; least-privileged roles: the
//! Permissions section of each API page in `microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/` (e.g. `multitenantorganization-update.md`,
//! `provisioningobjectsummary-list.md`).

use std::collections::BTreeSet;

/// Something a person may do in one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    /// See the tenant's MTO, partner settings, sync, users and audit log.
    Read,
    /// Start, pause, restart sync jobs; provision on demand.
    OperateSync,
    /// Create the MTO, add/remove tenants, change roles, join/leave, edit partner settings and templates.
    ManageMto,
}

/// A directory role Tenant Mesh knows, with its template id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryRole {
    pub name: &'static str,
    pub template_id: &'static str,
    pub capabilities: &'static [Capability],
}

use Capability::{ManageMto, OperateSync, Read};

pub const ROLES: &[DirectoryRole] = &[
    DirectoryRole {
        name: "Global Administrator",
        template_id: "62e90394-69f5-4237-9190-012177145e10",
        capabilities: &[Read, OperateSync, ManageMto],
    },
    DirectoryRole {
        name: "Security Administrator",
        template_id: "194ae4cb-b126-40b2-bd5b-6091b380977d",
        capabilities: &[Read, ManageMto],
    },
    DirectoryRole {
        name: "Hybrid Identity Administrator",
        template_id: "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
        capabilities: &[Read, OperateSync],
    },
    DirectoryRole {
        name: "Application Administrator",
        template_id: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        capabilities: &[Read, OperateSync],
    },
    DirectoryRole {
        name: "Cloud Application Administrator",
        template_id: "158c047a-c907-4556-b7ef-446551a6b5f7",
        capabilities: &[Read, OperateSync],
    },
    DirectoryRole {
        name: "Global Reader",
        template_id: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        capabilities: &[Read],
    },
    DirectoryRole {
        name: "Security Reader",
        template_id: "5d6b6bb7-de71-4623-b4af-96380a352509",
        capabilities: &[Read],
    },
    DirectoryRole {
        name: "Reports Reader",
        template_id: "4a5d8f65-41da-4de4-8968-e035b65339cf",
        capabilities: &[Read],
    },
    DirectoryRole {
        name: "Security Operator",
        template_id: "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
        capabilities: &[Read],
    },
    DirectoryRole {
        name: "Helpdesk Administrator",
        template_id: "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        capabilities: &[Read],
    },
];

/// The known roles among `template_ids` (unknown ids, e.g. the default user role, are ignored).
pub fn known_roles<'a>(
    template_ids: impl IntoIterator<Item = &'a str>,
) -> Vec<&'static DirectoryRole> {
    let ids: BTreeSet<String> = template_ids
        .into_iter()
        .map(str::to_ascii_lowercase)
        .collect();
    ROLES
        .iter()
        .filter(|role| ids.contains(role.template_id))
        .collect()
}

/// Everything the roles allow together.
pub fn capabilities(roles: &[&DirectoryRole]) -> BTreeSet<Capability> {
    roles
        .iter()
        .flat_map(|role| role.capabilities.iter().copied())
        .collect()
}

/// The names of the roles that grant `capability`, for "you need one of these roles" messages.
pub fn roles_granting(capability: Capability) -> Vec<&'static str> {
    ROLES
        .iter()
        .filter(|role| role.capabilities.contains(&capability))
        .map(|role| role.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
    const SECURITY_ADMIN: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
    const HELPDESK: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    const HYBRID: &str = "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2";
    const DEFAULT_USER_ROLE: &str = "b79fbf4d-3ef9-4689-8143-76b194e85509";

    fn caps(ids: &[&str]) -> BTreeSet<Capability> {
        capabilities(&known_roles(ids.iter().copied()))
    }

    #[test]
    fn global_administrator_may_do_everything() {
        assert_eq!(
            caps(&[GLOBAL_ADMIN]),
            BTreeSet::from([Read, OperateSync, ManageMto])
        );
    }

    #[test]
    fn security_administrator_manages_the_mto_but_does_not_operate_sync() {
        assert_eq!(caps(&[SECURITY_ADMIN]), BTreeSet::from([Read, ManageMto]));
    }

    #[test]
    fn helpdesk_reads_only_and_hybrid_identity_operates_sync() {
        assert_eq!(caps(&[HELPDESK]), BTreeSet::from([Read]));
        assert_eq!(caps(&[HYBRID]), BTreeSet::from([Read, OperateSync]));
    }

    #[test]
    fn an_account_without_a_known_role_has_nothing() {
        assert!(caps(&[DEFAULT_USER_ROLE]).is_empty());
        assert!(caps(&[]).is_empty());
    }

    #[test]
    fn template_ids_match_case_insensitively() {
        assert_eq!(caps(&["62E90394-69F5-4237-9190-012177145E10"]).len(), 3);
    }

    #[test]
    fn the_refusal_message_can_name_the_roles_needed() {
        let managers = roles_granting(ManageMto);
        assert_eq!(managers, ["Global Administrator", "Security Administrator"]);
        assert_eq!(roles_granting(Read).len(), ROLES.len());
    }
}
