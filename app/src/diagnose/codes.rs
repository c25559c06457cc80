//! Provisioning log error codes and skip reasons in plain words, with what to do and where.
//! Sources: `MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`
//! (troubleshooting: `AzureDirectoryB2BManagementPolicyCheckFailure`,
//! `AzureActiveDirectoryForbidden`, users skipped for SMS sign-in) and
//! `microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/synchronization-synchronizationjob-provisionondemand.md`
//! (`RedundantExport`). A code not listed here is shown with the reason and recommended action
//! the log itself gives.

/// Which tenant has to act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    Source,
    Target,
}

/// A code explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub meaning: String,
    pub action: String,
    pub fix_in: Where,
    pub roles: &'static [&'static str],
}

/// Roles that change cross-tenant access settings (`cross-tenant-synchronization-configure.md`,
/// prerequisites: "Security Administrator role to configure cross-tenant access settings").
pub const POLICY_ROLES: &[&str] = &["Security Administrator", "Global Administrator"];
/// Roles that configure cross-tenant sync ("Hybrid Identity Administrator role to configure
/// cross-tenant synchronization"; application administrators manage the configuration's
/// enterprise application too: `api/synchronization-synchronizationjob-restart.md`).
pub const SYNC_ROLES: &[&str] = &[
    "Hybrid Identity Administrator",
    "Application Administrator",
    "Cloud Application Administrator",
    "Global Administrator",
];

/// The documented meaning of `code` in a log entry of `source → target`.
pub fn decode(code: &str, source: &str, target: &str) -> Option<Decoded> {
    Some(match code {
        crate::sync::explain::POLICY_CHECK_FAILURE => Decoded {
            meaning: format!(
                "The cross-tenant access settings do not allow the sync: {target} must allow users \
                 to sync in from {source} and redeem invitations automatically, and {source} must \
                 redeem invitations automatically towards {target}."
            ),
            action: format!(
                "In {target}'s cross-tenant access settings for {source}, allow user sync into \
                 {target} and automatic redemption (inbound); then restart the job in {source}."
            ),
            fix_in: Where::Target,
            roles: POLICY_ROLES,
        },
        "AzureActiveDirectoryForbidden" => Decoded {
            meaning: format!(
                "{target} does not allow guest invitations at all (\"No one in the organization can \
                 invite guest users including admins\"), so the service cannot create the account."
            ),
            action: format!(
                "In {target}'s external collaboration settings, choose a less restrictive guest \
                 invite setting."
            ),
            fix_in: Where::Target,
            roles: &[],
        },
        "AzureActiveDirectoryInvalidCredentials" => Decoded {
            meaning: format!(
                "The configuration cannot reach its target tenant: its tenant id is missing or \
                 wrong, so nothing is provisioned into {target}."
            ),
            action: format!(
                "In {source}, check the configuration's target tenant id (Provisioning, Admin \
                 Credentials) and test the connection."
            ),
            fix_in: Where::Source,
            roles: SYNC_ROLES,
        },
        "RedundantExport" => Decoded {
            meaning: "The account in the target already matches the source: nothing to change."
                .into(),
            action: "Nothing to do.".into(),
            fix_in: Where::Source,
            roles: &[],
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_codes_say_what_to_do_and_where() {
        let policy = decode(
            "AzureDirectoryB2BManagementPolicyCheckFailure",
            "Woodgrove",
            "Fabrikam",
        )
        .unwrap();
        assert_eq!(policy.fix_in, Where::Target);
        assert!(policy.action.contains("restart the job in Woodgrove"));
        assert!(decode("AzureActiveDirectoryForbidden", "A", "B")
            .unwrap()
            .meaning
            .contains("guest invitations"));
        assert!(decode("SomethingNew", "A", "B").is_none());
    }
}
