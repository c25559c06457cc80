//! Security groups per tenant: what cross-tenant sync can scope by (assign "users or groups";
//! groups are in preview, security groups only, no nesting: `MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md` and
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-overview.md`).
//!
//! Every group is a plain security group (`securityEnabled` true, `mailEnabled` false, no
//! `groupTypes`). It lists its direct members: users, and sometimes another group, so that the
//! demo shows that sync does not follow nesting.

use std::collections::HashMap;

use crate::scenario::{Custom, Scenario, CONTOSO, FABRIKAM, NORTHWIND, TAILSPIN, WOODGROVE};
use crate::users_state::{object_id, User};

/// The demo's group whose direct members Contoso syncs to Fabrikam (the configuration's only
/// assignment).
pub const CONTOSO_GROUP_SYNC: &str = "Contoso – Group sync";
/// Nested in [`CONTOSO_GROUP_SYNC`]; its members are not synced (nesting is not followed).
pub const CONTOSO_FINANCE: &str = "Contoso – Finance";
/// Fabrikam's groups that Fabrikam → Contoso creates in Contoso (group provisioning on) and that
/// stay there after Contoso switched inbound group sync from Fabrikam off: left behind.
pub const FABRIKAM_SYNCED_GROUPS: [&str; 3] = [
    "Fabrikam – Engineering",
    "Fabrikam – Design",
    "Fabrikam – Support",
];

/// A direct member of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    User(String),
    Group(String),
}

impl Member {
    pub fn id(&self) -> &str {
        match self {
            Self::User(id) | Self::Group(id) => id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub created: i64,
    /// Direct members, in the order they were added.
    pub members: Vec<Member>,
    /// For groups created by cross-tenant sync: the source tenant and group (what the service
    /// matches its copy on).
    pub synced_from: Option<SourceGroup>,
}

/// The group a synchronized copy stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceGroup {
    pub tenant_id: String,
    pub object_id: String,
}

impl Group {
    /// The `index`th group of `tenant` (a stable id), without members.
    pub fn new(
        tenant: &str,
        index: usize,
        display_name: &str,
        description: Option<&str>,
        created: i64,
    ) -> Self {
        Self {
            id: object_id(tenant, "group", index),
            display_name: display_name.to_owned(),
            description: description.map(str::to_owned),
            created,
            members: Vec::new(),
            synced_from: None,
        }
    }

    /// Whether this is `source_tenant`'s group `source_id` as cross-tenant sync copied it.
    pub fn is_copy_of(&self, source_tenant: &str, source_id: &str) -> bool {
        self.synced_from
            .as_ref()
            .is_some_and(|s| s.tenant_id == source_tenant && s.object_id == source_id)
    }

    /// Ids of the users that are direct members (members of nested groups are not).
    pub fn direct_users(&self) -> impl Iterator<Item = &str> {
        self.members.iter().filter_map(|m| match m {
            Member::User(id) => Some(id.as_str()),
            Member::Group(_) => None,
        })
    }

    /// `mailNickname`: the letters and digits of the name (a security group has no mail, but
    /// Graph requires the nickname).
    pub fn mail_nickname(&self) -> String {
        self.display_name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect()
    }

    /// `securityIdentifier`: Entra's `S-1-12-1-…` form of the object id (its bytes in GUID
    /// order read as four little-endian numbers).
    pub fn security_identifier(&self) -> String {
        let Ok(id) = uuid::Uuid::parse_str(&self.id) else {
            return String::new();
        };
        let bytes = id.to_bytes_le();
        let parts: Vec<String> = bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]).to_string())
            .collect();
        format!("S-1-12-1-{}", parts.join("-"))
    }
}

/// The group `id` of `tenant`.
pub fn find<'a>(
    groups: &'a HashMap<String, Vec<Group>>,
    tenant: &str,
    id: &str,
) -> Option<&'a Group> {
    groups.get(tenant)?.iter().find(|g| g.id == id)
}

/// `tenant`'s group named `display_name` (case-insensitive).
pub fn named<'a>(
    groups: &'a HashMap<String, Vec<Group>>,
    tenant: &str,
    display_name: &str,
) -> Option<&'a Group> {
    groups
        .get(tenant)?
        .iter()
        .find(|g| g.display_name.eq_ignore_ascii_case(display_name))
}

/// One group of a tenant as the demo describes it: members by position in the tenant's user list
/// (accounts first, then generated members) and by name among the groups described before it.
struct Described {
    name: &'static str,
    description: &'static str,
    users: std::ops::Range<usize>,
    nested: &'static [&'static str],
}

/// `tenant`'s groups from their descriptions, created `created` (the members that exist).
fn described(tenant: &str, users: &[User], list: &[Described], created: i64) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (index, d) in list.iter().enumerate() {
        let mut group = Group::new(tenant, index, d.name, Some(d.description), created);
        group.members.extend(
            users
                .get(d.users.clone())
                .unwrap_or_default()
                .iter()
                .map(|u| Member::User(u.id.clone())),
        );
        group.members.extend(
            d.nested
                .iter()
                .filter_map(|name| groups.iter().find(|g| g.display_name == *name))
                .map(|g| Member::Group(g.id.clone())),
        );
        groups.push(group);
    }
    groups
}

/// The demo's descriptions per tenant. Contoso's first group is the scope of Contoso → Fabrikam:
/// its direct members are the 60 users that configuration syncs; Finance is nested in it and
/// not synced. Fabrikam's Engineering, Design and Support are assigned to Fabrikam → Contoso
/// (their members are among the users it syncs; its last two users are assigned directly only).
fn demo_descriptions(tenant: &str) -> Vec<Described> {
    let group = |name, description, users, nested| Described {
        name,
        description,
        users,
        nested,
    };
    match tenant {
        CONTOSO => vec![
            group(CONTOSO_FINANCE, "Finance team", 62..70, &[]),
            group(
                CONTOSO_GROUP_SYNC,
                "Users synchronized to Fabrikam by cross-tenant sync",
                2..62,
                &[CONTOSO_FINANCE],
            ),
            group("Contoso – IT admins", "Directory administrators", 0..2, &[]),
        ],
        FABRIKAM => vec![
            group(FABRIKAM_SYNCED_GROUPS[0], "Engineering", 2..22, &[]),
            group(
                "Fabrikam – Sync operators",
                "Operate cross-tenant sync",
                1..2,
                &[],
            ),
            group(FABRIKAM_SYNCED_GROUPS[1], "Product design", 22..32, &[]),
            group(FABRIKAM_SYNCED_GROUPS[2], "Customer support", 32..40, &[]),
        ],
        WOODGROVE => vec![
            group("Woodgrove – Traders", "Trading desk", 1..11, &[]),
            group(
                "Woodgrove – Risk",
                "Risk management",
                11..16,
                &["Woodgrove – Traders"],
            ),
        ],
        NORTHWIND => vec![group("Northwind – Sales", "Sales", 2..12, &[])],
        TAILSPIN => vec![group("Tailspin – Design", "Product design", 1..9, &[])],
        _ => Vec::new(),
    }
}

/// The demo's groups: a few per tenant, created three days before `now` (the day before its sync
/// configurations were set up).
pub fn demo(users: &HashMap<String, Vec<User>>, now: i64) -> HashMap<String, Vec<Group>> {
    let created = now - 3 * 24 * 3600;
    users
        .iter()
        .map(|(tenant, list)| {
            let groups = described(tenant, list, &demo_descriptions(tenant), created);
            (tenant.clone(), groups)
        })
        .collect()
}

/// The user a scenario file names as a member: by user principal name, else by mail (external
/// users are listed by their home address).
fn user_by_address<'a>(users: &'a [User], address: &str) -> Option<&'a User> {
    users
        .iter()
        .find(|u| u.user_principal_name.eq_ignore_ascii_case(address))
        .or_else(|| {
            users.iter().find(|u| {
                u.mail
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(address))
            })
        })
}

/// A scenario file's groups, created a week before `now` (validated when the file was read:
/// every member exists).
fn from_file(
    custom: &Custom,
    users: &HashMap<String, Vec<User>>,
    now: i64,
) -> HashMap<String, Vec<Group>> {
    let created = now - 7 * 24 * 3600;
    let mut all = HashMap::new();
    for (tenant, setup) in &custom.tenants {
        let people = users.get(tenant).map(Vec::as_slice).unwrap_or_default();
        let mut groups: Vec<Group> = setup
            .groups
            .iter()
            .enumerate()
            .map(|(index, g)| {
                let mut group = Group::new(
                    tenant,
                    index,
                    &g.display_name,
                    g.description.as_deref(),
                    created,
                );
                group.members = g
                    .members
                    .iter()
                    .filter_map(|address| user_by_address(people, address))
                    .map(|u| Member::User(u.id.clone()))
                    .collect();
                group
            })
            .collect();
        let ids: HashMap<String, String> = groups
            .iter()
            .map(|g| (g.display_name.to_lowercase(), g.id.clone()))
            .collect();
        for (group, g) in groups.iter_mut().zip(&setup.groups) {
            group.members.extend(
                g.member_groups
                    .iter()
                    .filter_map(|name| ids.get(&name.to_lowercase()))
                    .map(|id| Member::Group(id.clone())),
            );
        }
        all.insert(tenant.clone(), groups);
    }
    all
}

/// Groups a scenario starts with (none for `scale:N:M`).
pub fn for_scenario(
    scenario: &Scenario,
    users: &HashMap<String, Vec<User>>,
    now: i64,
) -> HashMap<String, Vec<Group>> {
    if let Some(custom) = &scenario.custom {
        from_file(custom, users, now)
    } else if scenario.name == "demo" {
        demo(users, now)
    } else {
        HashMap::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users_state;

    const NOW: i64 = 1_800_000_000;

    fn demo_groups() -> (HashMap<String, Vec<User>>, HashMap<String, Vec<Group>>) {
        let users = users_state::demo(&Scenario::demo());
        let groups = demo(&users, NOW);
        (users, groups)
    }

    fn group<'a>(groups: &'a HashMap<String, Vec<Group>>, tenant: &str, name: &str) -> &'a Group {
        let found = named(groups, tenant, name).unwrap();
        assert_eq!(find(groups, tenant, &found.id), Some(found));
        found
    }

    #[test]
    fn every_demo_tenant_has_groups_with_stable_ids() {
        let (_, first) = demo_groups();
        let (_, second) = demo_groups();
        for tenant in [CONTOSO, FABRIKAM, WOODGROVE, NORTHWIND, TAILSPIN] {
            assert!(!first[tenant].is_empty(), "{tenant}");
            assert_eq!(first[tenant], second[tenant]);
        }
    }

    #[test]
    fn the_group_sync_group_lists_the_sixty_users_and_nests_finance() {
        let (users, groups) = demo_groups();
        let sync = group(&groups, CONTOSO, CONTOSO_GROUP_SYNC);
        let direct: Vec<&str> = sync.direct_users().collect();
        let expected: Vec<&str> = users[CONTOSO][2..62]
            .iter()
            .map(|u| u.id.as_str())
            .collect();
        assert_eq!(direct, expected);
        let finance = group(&groups, CONTOSO, CONTOSO_FINANCE);
        assert!(sync.members.contains(&Member::Group(finance.id.clone())));
        assert!(finance.direct_users().all(|id| !direct.contains(&id)));
        assert_eq!(finance.direct_users().count(), 8);
    }

    #[test]
    fn nicknames_and_security_identifiers_are_derived_from_name_and_id() {
        let mut group = Group::new(CONTOSO, 0, "Contoso – Group sync", None, NOW);
        assert_eq!(group.mail_nickname(), "ContosoGroupsync");
        group.id = "00000001-0002-0003-0405-060708090a0b".into();
        // Data1 = 1; Data2, Data3 = 2, 3 (little-endian 0x00030002); then bytes 04 05 06 07 and
        // 08 09 0a 0b read little-endian.
        assert_eq!(
            group.security_identifier(),
            format!(
                "S-1-12-1-1-{}-{}-{}",
                0x0003_0002_u32, 0x0706_0504_u32, 0x0b0a_0908_u32
            )
        );
    }

    #[test]
    fn members_are_found_by_upn_or_by_mail() {
        let users = users_state::demo(&Scenario::demo());
        let contoso = &users[CONTOSO];
        let guest = contoso
            .iter()
            .find(|u| u.creation_type == Some("Invitation"))
            .unwrap();
        let mail = guest.mail.clone().unwrap().to_uppercase();
        assert_eq!(
            user_by_address(contoso, &mail).map(|u| &u.id),
            Some(&guest.id)
        );
        assert_eq!(
            user_by_address(contoso, "ADMIN@contoso.onmicrosoft.com").map(|u| u.id.as_str()),
            Some("a1c0e7a2-1b34-4c5d-8e6f-000000000101")
        );
        assert!(user_by_address(contoso, "nobody@contoso.com").is_none());
    }
}
