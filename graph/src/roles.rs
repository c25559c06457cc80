//! What a signed-in person's directory role lets Graph answer on reads. A delegated call is the
//! intersection of the app's permission and the user's role: with the permission but without one
//! of these roles Graph answers 403 (or, for the MTO, only its basic attributes). Each area names
//! the least-privileged roles of its Permissions section in microsoftgraph/microsoft-graph-docs-contrib
//! `api-reference/v1.0/`, with the roles above them that also read (Global Administrator reads
//! everything).

use serde::{Deserialize, Serialize};

/// Something the dashboard reads that needs a directory role beyond "a member of the tenant".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReadArea {
    /// Members' roles, states and transitions, pending members and the join request
    /// (`includes/rbac-for-apis/rbac-multitenantorganization-apis-read.md`; without it only the
    /// MTO's and its active members' basic attributes are read).
    MtoDetails,
    /// Default and partner cross-tenant access settings, identity sync policies and the MTO
    /// templates (`api/crosstenantaccesspolicy-get.md`,
    /// `api/crosstenantaccesspolicyconfigurationpartner-get.md`,
    /// `api/multitenantorganizationpartnerconfigurationtemplate-get.md`).
    Policies,
    /// Cross-tenant sync jobs, schemas and settings
    /// (`includes/rbac-for-apis/rbac-synchronization-apis.md`: no reader role is listed).
    Sync,
    /// The provisioning log (`api/provisioningobjectsummary-list.md`).
    ProvisioningLog,
    /// Another user's authentication methods, such as their phones and whether one is set up for
    /// SMS sign-in (`api/authentication-list-phonemethods.md`,
    /// `includes/rbac-for-apis/rbac-authentication-methods-apis-read-others.md`).
    AuthenticationMethods,
    /// The directory audit log (`api/directoryaudit-list.md`, whose least privileged roles are
    /// `includes/rbac-for-apis/rbac-directoryaudit-apis.md`'s; Global Reader and Global
    /// Administrator read all audit logs: MicrosoftDocs/entra-docs
    /// `docs/identity/role-based-access-control/permissions-reference.md`,
    /// `microsoft.directory/auditLogs/allProperties/read`).
    DirectoryAudits,
}

impl ReadArea {
    /// The roles that may read the area, least privileged first.
    pub fn roles(self) -> &'static [&'static str] {
        match self {
            Self::MtoDetails | Self::Policies => &[
                "Security Reader",
                "Global Reader",
                "Security Administrator",
                "Global Administrator",
            ],
            Self::Sync => &[
                "Application Administrator",
                "Cloud Application Administrator",
                "Hybrid Identity Administrator",
                "Global Administrator",
            ],
            Self::ProvisioningLog => &[
                "Reports Reader",
                "Security Reader",
                "Security Operator",
                "Global Reader",
                "Security Administrator",
                "Application Administrator",
                "Cloud Application Administrator",
                "Global Administrator",
            ],
            Self::AuthenticationMethods => &[
                "Global Reader",
                "Authentication Administrator",
                "Privileged Authentication Administrator",
                "Global Administrator",
            ],
            Self::DirectoryAudits => &[
                "Reports Reader",
                "Security Reader",
                "Global Reader",
                "Security Administrator",
                "Global Administrator",
            ],
        }
    }

    /// The roles in words: "Security Reader, Global Reader, … or Global Administrator".
    pub fn needs(self) -> String {
        match self.roles() {
            [] => String::new(),
            [only] => (*only).to_owned(),
            [first @ .., last] => format!("{} or {last}", first.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_lists_the_roles_in_words() {
        assert_eq!(
            ReadArea::MtoDetails.needs(),
            "Security Reader, Global Reader, Security Administrator or Global Administrator"
        );
        assert!(ReadArea::Sync
            .needs()
            .starts_with("Application Administrator, "));
    }

    #[test]
    fn every_area_is_readable_by_a_global_administrator() {
        for area in [
            ReadArea::MtoDetails,
            ReadArea::Policies,
            ReadArea::Sync,
            ReadArea::ProvisioningLog,
            ReadArea::AuthenticationMethods,
            ReadArea::DirectoryAudits,
        ] {
            assert!(area.roles().contains(&"Global Administrator"));
        }
    }
}
