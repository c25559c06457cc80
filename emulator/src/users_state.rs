//! Users per tenant (`MicrosoftDocs/entra-docs` `docs/external-id/user-properties.md`;
//! `microsoftgraph/microsoft-graph-docs-contrib` `api-reference/v1.0/resources/user.md`): internal
//! members and guests, B2B guests, and external members created by cross-tenant sync, generated
//! deterministically so that every segment is non-empty somewhere in the demo scenario.

use std::collections::HashMap;

use crate::scenario::{
    Custom, ExplicitUser, Scenario, Tenant, CONTOSO, FABRIKAM, TAILSPIN, WOODGROVE,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub mail: Option<String>,
    /// `Member` or `Guest`.
    pub user_type: &'static str,
    /// `None` for regular work accounts, `Invitation` for B2B users.
    pub creation_type: Option<&'static str>,
    pub external_user_state: Option<&'static str>,
    pub show_in_address_list: Option<bool>,
    pub account_enabled: bool,
    pub company_name: Option<String>,
    /// For users created by cross-tenant sync: the source tenant and user (the service matches on
    /// this link, `alternativeSecurityIds`, which Graph does not return).
    pub synced_from: Option<SourceUser>,
    /// `createdDateTime` on the emulator's clock; `None` for users that predate the scenario
    /// ([`BEFORE_THE_SCENARIO`]).
    pub created: Option<i64>,
}

/// The `createdDateTime` of users that were there before the scenario starts (accounts, generated
/// members, invited guests).
pub const BEFORE_THE_SCENARIO: &str = "2024-03-04T09:00:00Z";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUser {
    pub tenant_id: String,
    pub object_id: String,
}

impl User {
    /// Whether the user is a B2B user (invited, or created by cross-tenant sync), homed elsewhere.
    pub fn is_b2b(&self) -> bool {
        self.creation_type == Some("Invitation")
    }

    /// `identities` in the tenant whose default domain is `host_domain`
    /// (`microsoftgraph/microsoft-graph-docs-contrib` `api-reference/v1.0/resources/objectidentity.md`):
    /// every user has a `userPrincipalName` identity issued by the tenant (for a B2B user its
    /// `#EXT#` UPN, as in example "Get guest (B2B) users from a specific tenant or domain by
    /// userPrincipalName" of `api-reference/v1.0/api/user-list.md`); a B2B user also has a
    /// `federated` identity whose issuer is the domain of their home organization (the page's
    /// "For guests from other Microsoft Entra organization, this is the domain of the federated
    /// organization") and whose id is their home address.
    pub fn identities(&self, host_domain: &str) -> Vec<graph::users::ObjectIdentity> {
        let local = graph::users::ObjectIdentity {
            sign_in_type: Some("userPrincipalName".to_owned()),
            issuer: Some(host_domain.to_owned()),
            issuer_assigned_id: Some(self.user_principal_name.clone()),
        };
        let home = self
            .is_b2b()
            .then_some(self.mail.as_deref())
            .flatten()
            .and_then(|mail| Some((mail.split_once('@')?.1, mail)))
            .map(|(domain, mail)| graph::users::ObjectIdentity {
                sign_in_type: Some("federated".to_owned()),
                issuer: Some(domain.to_owned()),
                issuer_assigned_id: Some(mail.to_owned()),
            });
        std::iter::once(local).chain(home).collect()
    }
}

const GIVEN: &[&str] = &[
    "Adele", "Alex", "Ben", "Chloe", "Diego", "Emma", "Farah", "Grace", "Hiro", "Isla", "Jonas",
    "Kemal", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven",
];
const FAMILY: &[&str] = &[
    "Vance", "Wilber", "Novak", "Okafor", "Silva", "Berg", "Haddad", "Kim", "Moreau", "Rossi",
    "Tanaka", "Weber", "Yilmaz", "Zhou", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen",
];

/// Internal members generated per tenant in the demo scenario.
pub const DEMO_INTERNAL_USERS: usize = 300;

/// A stable object id for the `index`th object of `kind` in `tenant`.
pub(crate) fn object_id(tenant: &str, kind: &str, index: usize) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("{tenant}:{kind}:{index}").as_bytes(),
    )
    .to_string()
}

fn person(index: usize) -> (String, String) {
    let given = GIVEN[index % GIVEN.len()];
    let family = FAMILY[(index / GIVEN.len()) % FAMILY.len()];
    let suffix = index / (GIVEN.len() * FAMILY.len());
    let alias = if suffix == 0 {
        format!("{}.{}", given.to_lowercase(), family.to_lowercase())
    } else {
        format!("{}.{}{suffix}", given.to_lowercase(), family.to_lowercase())
    };
    (format!("{given} {family}"), alias)
}

/// The domain of generated members' UPNs: the tenant's second domain, else its first.
fn member_domain(domains: &[String]) -> &str {
    domains
        .get(1)
        .or_else(|| domains.first())
        .map(String::as_str)
        .unwrap_or_default()
}

/// The UPN of the `index`th generated member of a tenant with `domains` (first domain default).
pub(crate) fn generated_upn(domains: &[String], index: usize) -> String {
    format!("{}@{}", person(index).1, member_domain(domains))
}

/// `alias_domain#EXT#@host`: how a B2B user's UPN is formed in the resource tenant.
pub fn external_upn(home_mail: &str, host_domain: &str) -> String {
    format!("{}#EXT#@{host_domain}", home_mail.replace('@', "_"))
}

/// The internal members of a tenant: its sign-in accounts first, then generated people.
pub(crate) fn internal_members(tenant: &crate::scenario::Tenant, count: usize) -> Vec<User> {
    let mut users: Vec<User> = tenant
        .accounts
        .iter()
        .map(|account| User {
            id: account.object_id.clone(),
            display_name: account.display_name.clone(),
            user_principal_name: account.upn.clone(),
            mail: Some(account.upn.clone()),
            user_type: "Member",
            creation_type: None,
            external_user_state: None,
            show_in_address_list: None,
            account_enabled: true,
            company_name: Some(tenant.display_name.clone()),
            synced_from: None,
            created: None,
        })
        .collect();
    let domain = member_domain(&tenant.domains);
    users.extend((0..count).map(|i| {
        let (name, alias) = person(i);
        User {
            id: object_id(&tenant.id, "member", i),
            display_name: name,
            user_principal_name: format!("{alias}@{domain}"),
            mail: Some(format!("{alias}@{domain}")),
            user_type: "Member",
            creation_type: None,
            external_user_state: None,
            show_in_address_list: None,
            account_enabled: i % 50 != 49,
            company_name: Some(tenant.display_name.clone()),
            synced_from: None,
            created: None,
        }
    }));
    users
}

/// Invited B2B copies of `home`'s users `range` in `host`, as guests or external members.
fn invited_copies(
    home: &[User],
    range: std::ops::Range<usize>,
    host: &crate::scenario::Tenant,
    user_type: &'static str,
) -> Vec<User> {
    home.iter()
        .skip(range.start)
        .take(range.len())
        .enumerate()
        .map(|(i, source)| {
            let mail = source.mail.clone().unwrap_or_default();
            User {
                id: object_id(&host.id, &format!("external:{}", source.id), i),
                display_name: source.display_name.clone(),
                user_principal_name: external_upn(&mail, host.default_domain()),
                mail: Some(mail),
                user_type,
                creation_type: Some("Invitation"),
                external_user_state: Some("Accepted"),
                show_in_address_list: Some(false),
                account_enabled: true,
                company_name: source.company_name.clone(),
                synced_from: None,
                created: None,
            }
        })
        .collect()
}

/// The copy cross-tenant sync creates in `host` for `source` (a user of `source_tenant`): an
/// external user of the mapped `user_type`, `#EXT#` UPN, shown in the address list.
pub fn synced_copy(
    source: &User,
    source_tenant: &str,
    host: &crate::scenario::Tenant,
    user_type: &'static str,
) -> User {
    let mail = source
        .mail
        .clone()
        .unwrap_or_else(|| source.user_principal_name.clone());
    User {
        id: object_id(&host.id, &format!("synced:{}", source.id), 0),
        display_name: source.display_name.clone(),
        user_principal_name: external_upn(&mail, host.default_domain()),
        mail: Some(mail),
        user_type,
        creation_type: Some("Invitation"),
        external_user_state: Some("Accepted"),
        show_in_address_list: Some(true),
        account_enabled: source.account_enabled,
        company_name: source.company_name.clone(),
        synced_from: Some(SourceUser {
            tenant_id: source_tenant.to_owned(),
            object_id: source.id.clone(),
        }),
        created: None,
    }
}

/// The demo scenario's users before cross-tenant sync has run (`sync_state::demo` creates the
/// synced external members): MTO guests (Woodgrove users invited as guests into Contoso); outside
/// the MTO, Tailspin guests in Contoso and Fabrikam and Tailspin external members in Fabrikam;
/// internal guests in Contoso.
pub fn demo(scenario: &Scenario) -> HashMap<String, Vec<User>> {
    let mut internal: HashMap<String, Vec<User>> = scenario
        .tenants
        .iter()
        .map(|t| (t.id.clone(), internal_members(t, DEMO_INTERNAL_USERS)))
        .collect();
    let tenant = |id: &str| scenario.tenant(id).cloned();
    let mut all = internal.clone();
    let mut add = |host: &str, users: Vec<User>| {
        if let Some(list) = all.get_mut(host) {
            list.extend(users);
        }
    };
    if let (Some(contoso), Some(fabrikam)) = (tenant(CONTOSO), tenant(FABRIKAM)) {
        let home = |id: &str| internal.get(id).cloned().unwrap_or_default();
        add(
            CONTOSO,
            invited_copies(&home(WOODGROVE), 40..48, &contoso, "Guest"),
        );
        add(
            CONTOSO,
            invited_copies(&home(TAILSPIN), 1..13, &contoso, "Guest"),
        );
        add(
            FABRIKAM,
            invited_copies(&home(TAILSPIN), 20..30, &fabrikam, "Guest"),
        );
        add(
            FABRIKAM,
            invited_copies(&home(TAILSPIN), 40..43, &fabrikam, "Member"),
        );
    }
    // Internal guests: local accounts given the Guest type.
    if let Some(users) = all.get_mut(CONTOSO) {
        for user in users
            .iter_mut()
            .filter(|u| u.creation_type.is_none())
            .skip(280)
            .take(5)
        {
            user.user_type = "Guest";
        }
    }
    crate::demo_people::add_users(&mut all, scenario);
    internal.clear();
    all
}

/// A user a scenario file lists: a local account in the tenant, or a B2B user (`#EXT#` UPN from
/// their home address, invited and accepted, hidden from the address list).
fn explicit_user(tenant: &Tenant, index: usize, user: &ExplicitUser) -> User {
    let (upn, creation_type, state, shown, company) = if user.external {
        (
            external_upn(&user.address, tenant.default_domain()),
            Some("Invitation"),
            Some("Accepted"),
            Some(false),
            None,
        )
    } else {
        (
            user.address.clone(),
            None,
            None,
            None,
            Some(tenant.display_name.clone()),
        )
    };
    User {
        id: object_id(&tenant.id, "explicit", index),
        display_name: user.display_name.clone(),
        user_principal_name: upn,
        mail: Some(user.address.clone()),
        user_type: user.user_type,
        creation_type,
        external_user_state: state,
        show_in_address_list: shown,
        account_enabled: user.account_enabled,
        company_name: company,
        synced_from: None,
        created: None,
    }
}

/// A scenario file's users: accounts and generated members, then the listed users, then the B2B
/// copies of other tenants' generated members.
fn from_file(scenario: &Scenario, custom: &Custom) -> HashMap<String, Vec<User>> {
    let generated_users = |id: &str| custom.tenants.get(id).map_or(0, |s| s.generated_users);
    let internal: HashMap<String, Vec<User>> = scenario
        .tenants
        .iter()
        .map(|t| (t.id.clone(), internal_members(t, generated_users(&t.id))))
        .collect();
    let mut all = internal.clone();
    for tenant in &scenario.tenants {
        let (Some(setup), Some(list)) = (custom.tenants.get(&tenant.id), all.get_mut(&tenant.id))
        else {
            continue;
        };
        list.extend(
            setup
                .users
                .iter()
                .enumerate()
                .map(|(i, user)| explicit_user(tenant, i, user)),
        );
        for invitation in &setup.invitations {
            let accounts = scenario
                .tenant(&invitation.from)
                .map_or(0, |t| t.accounts.len());
            let start = accounts + invitation.skip;
            let home = internal
                .get(&invitation.from)
                .map(Vec::as_slice)
                .unwrap_or_default();
            list.extend(invited_copies(
                home,
                start..start + invitation.count,
                tenant,
                invitation.user_type,
            ));
        }
    }
    all
}

/// Users a scenario starts with.
pub fn for_scenario(scenario: &Scenario) -> HashMap<String, Vec<User>> {
    if let Some(custom) = &scenario.custom {
        from_file(scenario, custom)
    } else if scenario.name == "demo" {
        demo(scenario)
    } else {
        scenario
            .tenants
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    t.id.clone(),
                    internal_members(t, if i == 0 { scenario.internal_users } else { 0 }),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_segment_is_non_empty_somewhere_in_the_demo() {
        let users = demo(&Scenario::demo());
        let count =
            |tenant: &str, f: &dyn Fn(&User) -> bool| users[tenant].iter().filter(|u| f(u)).count();
        assert!(
            count(CONTOSO, &|u| u.user_type == "Member"
                && u.creation_type.is_none())
                >= 290
        );
        assert_eq!(
            count(CONTOSO, &|u| u.user_type == "Guest"
                && u.creation_type.is_none()),
            5
        );
        assert_eq!(
            count(CONTOSO, &|u| u.user_type == "Guest"
                && u.user_principal_name.contains("woodgrovebank.com#EXT#")),
            8
        );
        assert_eq!(
            count(CONTOSO, &|u| u.user_type == "Guest"
                && u.user_principal_name.contains("tailspintoys.com#EXT#")),
            12
        );
        assert_eq!(
            count(FABRIKAM, &|u| u.user_type == "Member"
                && u.user_principal_name.contains("tailspintoys.com#EXT#")),
            3
        );
    }

    #[test]
    fn ids_are_unique_and_stable() {
        let first = demo(&Scenario::demo());
        let second = demo(&Scenario::demo());
        assert_eq!(first[CONTOSO], second[CONTOSO]);
        let mut ids: Vec<&str> = first[CONTOSO].iter().map(|u| u.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), first[CONTOSO].len());
    }

    #[test]
    fn generated_upns_are_those_of_the_generated_members() {
        let scenario = Scenario::demo();
        let contoso = scenario.tenant(CONTOSO).unwrap();
        let members = internal_members(contoso, 3);
        let accounts = contoso.accounts.len();
        for i in 0..3 {
            assert_eq!(
                members[accounts + i].user_principal_name,
                generated_upn(&contoso.domains, i)
            );
        }
        assert_eq!(
            generated_upn(&contoso.domains, 0),
            "adele.vance@contoso.com"
        );
        assert_eq!(
            generated_upn(&["only.onmicrosoft.com".to_owned()], 1),
            "alex.vance@only.onmicrosoft.com"
        );
    }

    #[test]
    fn b2b_users_have_a_federated_identity_besides_their_upn() {
        let users = demo(&Scenario::demo());
        let internal = &users[CONTOSO][0];
        let identities = internal.identities("contoso.onmicrosoft.com");
        assert_eq!(identities.len(), 1);
        assert_eq!(
            identities[0].sign_in_type.as_deref(),
            Some("userPrincipalName")
        );
        assert_eq!(
            identities[0].issuer.as_deref(),
            Some("contoso.onmicrosoft.com")
        );
        let guest = users[CONTOSO].iter().find(|u| u.is_b2b()).unwrap();
        let identities = guest.identities("contoso.onmicrosoft.com");
        assert_eq!(identities.len(), 2);
        assert_eq!(
            identities[0].issuer_assigned_id.as_deref(),
            Some(guest.user_principal_name.as_str())
        );
        assert_eq!(identities[1].sign_in_type.as_deref(), Some("federated"));
        assert_eq!(identities[1].issuer.as_deref(), Some("woodgrovebank.com"));
        assert_eq!(identities[1].issuer_assigned_id, guest.mail);
    }

    #[test]
    fn external_upns_use_the_ext_form() {
        assert_eq!(
            external_upn("alex.vance@contoso.com", "fabrikam.onmicrosoft.com"),
            "alex.vance_contoso.com#EXT#@fabrikam.onmicrosoft.com"
        );
    }
}
