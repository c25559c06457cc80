//! The demo's people who cannot be found by their colleagues, one per cause, for the dashboard's
//! `/diagnose` page ("Why can't Bob see Alice?"). All of them work at Fabrikam and should be
//! visible in Contoso through Fabrikam → Contoso cross-tenant sync; each is kept from it by one
//! documented cause:
//!
//! | person | cause |
//! |---|---|
//! | Nadia Petrova | in a group nested in an assigned group: nesting is not followed |
//! | Felix Wagner | fails the scoping filter (`companyName` is not Fabrikam) |
//! | Grace Holm | a guest in Fabrikam: only internal members are synced |
//! | Dmitri Sokolov | synced, then deleted by a Contoso administrator: in Contoso's deleted items |
//! | Olivia Brandt | invited into Contoso as a guest before sync, and the `userType` mapping applies on create only: still a guest |
//! | Marco Bianchi | synced, hidden from Contoso's address list (`showInAddressList` false) |
//! | Sven Larsen | SMS sign-in enabled: the provisioning service skips him |
//! | Elena Costa | disabled in Fabrikam, so disabled in Contoso too |
//! | Liam Chen | synced an hour ago: Microsoft 365 has not caught up yet |
//! | Hana Kobayashi | synced, but Contoso also has a mail contact with her address |
//!
//! Sources: `MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md` (step 9,
//! userType and "Apply this mapping"; troubleshooting: SMS sign-in, deleted users not restored),
//! `…/cross-tenant-synchronization-overview.md` (internal members only, group nesting),
//! `…/multi-tenant-organization-known-issues.md` (existing guests stay guests, contacts, address
//! list). The broken pairs of the demo cover the other causes: Woodgrove Bank → Fabrikam is
//! quarantined because Fabrikam allows neither inbound sync nor automatic redemption from
//! Woodgrove, and Contoso has no configuration to Woodgrove Bank.

use graph::sync::{FilterClause, FilterGroup, FilterOperand, ScopeFilter};
use graph::users::{PhoneMethod, PhoneType, SmsSignInState};

use crate::groups_state::{Group, Member};
use crate::people_state::Contact;
use crate::scenario::{Scenario, CONTOSO, FABRIKAM};
use crate::sync_state::{self, Principal};
use crate::users_state::{external_upn, object_id, SourceUser, User};
use crate::World;

/// A named person of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    pub display_name: &'static str,
    /// The part of the user principal name (and mail) before `@fabrikam.com`.
    pub alias: &'static str,
    /// What keeps the person from being found, in a few words.
    pub cause: &'static str,
    index: usize,
}

const fn person(
    index: usize,
    display_name: &'static str,
    alias: &'static str,
    cause: &'static str,
) -> Person {
    Person {
        display_name,
        alias,
        cause,
        index,
    }
}

pub const NESTED_GROUP: Person = person(0, "Nadia Petrova", "nadia.petrova", "nested group");
pub const SCOPING_FILTER: Person = person(1, "Felix Wagner", "felix.wagner", "scoping filter");
pub const GUEST_AT_HOME: Person = person(2, "Grace Holm", "grace.holm", "guest at home");
pub const SOFT_DELETED: Person = person(
    3,
    "Dmitri Sokolov",
    "dmitri.sokolov",
    "soft-deleted in the target",
);
pub const OLDER_GUEST: Person = person(
    4,
    "Olivia Brandt",
    "olivia.brandt",
    "older guest, userType applied on create only",
);
pub const HIDDEN: Person = person(
    5,
    "Marco Bianchi",
    "marco.bianchi",
    "hidden from the address list",
);
pub const SMS_SIGN_IN: Person = person(6, "Sven Larsen", "sven.larsen", "SMS sign-in");
pub const DISABLED: Person = person(7, "Elena Costa", "elena.costa", "disabled");
pub const NEW: Person = person(8, "Liam Chen", "liam.chen", "synced an hour ago");
pub const CONTACT: Person = person(
    9,
    "Hana Kobayashi",
    "hana.kobayashi",
    "a contact with the same mail",
);

/// Every named person, in the order above.
pub const PEOPLE: [Person; 10] = [
    NESTED_GROUP,
    SCOPING_FILTER,
    GUEST_AT_HOME,
    SOFT_DELETED,
    OLDER_GUEST,
    HIDDEN,
    SMS_SIGN_IN,
    DISABLED,
    NEW,
    CONTACT,
];

/// The group the nested-group person is a direct member of, nested in [`ASSIGNED_GROUP`].
pub const NESTED_IN: &str = "Fabrikam – Engineering contractors";
/// A group of Fabrikam assigned to Fabrikam → Contoso.
pub const ASSIGNED_GROUP: &str = "Fabrikam – Engineering";
/// The scoping filter of Fabrikam → Contoso: Fabrikam's own employees.
pub const FILTER_COMPANY: &str = "Fabrikam";
/// The company of the person the filter leaves out.
pub const CONTRACTOR_COMPANY: &str = "Litware";
/// The demo's Fabrikam → Contoso cycle that brought the named people in: 26 hours ago.
pub const SYNCED_SECONDS_AGO: i64 = 26 * 3600;
/// When the new person was synced: an hour ago.
pub const NEW_SECONDS_AGO: i64 = 3600;
/// When a Contoso administrator deleted the soft-deleted person's copy.
pub const DELETED_SECONDS_AGO: i64 = 20 * 3600;
/// The mobile phone of the SMS sign-in person.
pub const SMS_PHONE: &str = "+1 4255550123";

impl Person {
    /// The person's object id in Fabrikam (stable).
    pub fn id(&self) -> String {
        object_id(FABRIKAM, "diagnose-person", self.index)
    }

    pub fn upn(&self) -> String {
        format!("{}@fabrikam.com", self.alias)
    }
}

/// The named people as Fabrikam's users: internal accounts like its generated members.
fn user(person: &Person) -> User {
    User {
        id: person.id(),
        display_name: person.display_name.to_owned(),
        user_principal_name: person.upn(),
        mail: Some(person.upn()),
        user_type: if *person == GUEST_AT_HOME {
            "Guest"
        } else {
            "Member"
        },
        creation_type: None,
        external_user_state: None,
        show_in_address_list: None,
        account_enabled: *person != DISABLED,
        company_name: Some(
            if *person == SCOPING_FILTER {
                CONTRACTOR_COMPANY
            } else {
                FILTER_COMPANY
            }
            .to_owned(),
        ),
        synced_from: None,
        created: None,
    }
}

/// Adds the named people to Fabrikam's users (after its generated members).
pub fn add_users(users: &mut std::collections::HashMap<String, Vec<User>>, scenario: &Scenario) {
    if scenario.tenant(FABRIKAM).is_none() {
        return;
    }
    if let Some(list) = users.get_mut(FABRIKAM) {
        list.extend(PEOPLE.iter().map(user));
    }
}

/// Fabrikam → Contoso as the named people need it, before the demo's last cycles: the nested
/// group, the assignments, the scoping filter and the on-create-only `userType` mapping, the older
/// guest, the SMS phone and the contact; then the cycle that synced them (26 hours ago), the
/// administrator's deletion and hiding, and the new person's cycle an hour ago.
pub fn before_the_last_cycles(world: &mut World, now: i64) {
    let Some(job_id) = world.sync.get(FABRIKAM).and_then(|configs| {
        configs
            .iter()
            .find(|c| c.target() == Some(CONTOSO))
            .and_then(|c| c.jobs.first())
            .map(|j| j.id.to_string())
    }) else {
        return;
    };
    let synced_at = now - SYNCED_SECONDS_AGO;
    nest_the_contractors(world, synced_at - 24 * 3600);
    let assigned_group =
        crate::groups_state::named(&world.groups, FABRIKAM, ASSIGNED_GROUP).map(Principal::from);
    let principal = |person: &Person| Principal {
        id: person.id(),
        display_name: person.display_name.to_owned(),
        kind: graph::sync::PrincipalType::User,
    };
    if let Some(config) = world
        .sync
        .get_mut(FABRIKAM)
        .and_then(|configs| configs.iter_mut().find(|c| c.target() == Some(CONTOSO)))
    {
        if let Some(group) = &assigned_group {
            if !config
                .assignments
                .iter()
                .any(|a| a.principal_id == group.id)
            {
                sync_state::assign(config, group, synced_at - 600);
            }
        }
        for person in PEOPLE.iter().filter(|p| **p != NEW && **p != NESTED_GROUP) {
            sync_state::assign(config, &principal(person), synced_at - 600);
        }
        if let Some(job) = config.jobs.first_mut() {
            restrict(&mut job.schema);
            job.schema_version += 1;
        }
    }
    add_older_guest(world, synced_at - 200 * 24 * 3600);
    world
        .people
        .phones
        .entry(FABRIKAM.to_owned())
        .or_default()
        .insert(
            SMS_SIGN_IN.id(),
            vec![PhoneMethod {
                id: "3179e48a-750b-4051-897c-87b9720928f7".into(),
                phone_number: Some(SMS_PHONE.into()),
                phone_type: Some(PhoneType::Mobile),
                sms_sign_in_state: Some(SmsSignInState::Ready),
            }],
        );
    world
        .people
        .contacts
        .entry(CONTOSO.to_owned())
        .or_default()
        .push(Contact {
            id: object_id(CONTOSO, "contact", 0),
            display_name: format!("{} (Fabrikam)", CONTACT.display_name),
            mail: Some(CONTACT.upn()),
            company_name: Some("Fabrikam".into()),
        });

    sync_state::run_cycle(world, FABRIKAM, &job_id, synced_at);

    // A Contoso administrator deleted Dmitri's copy and hid Marco's.
    if let Some(users) = world.users.get_mut(CONTOSO) {
        let copy_of = |u: &User, person: &Person| {
            u.synced_from
                .as_ref()
                .is_some_and(|s| s.tenant_id == FABRIKAM && s.object_id == person.id())
        };
        if let Some(hidden) = users.iter_mut().find(|u| copy_of(u, &HIDDEN)) {
            hidden.show_in_address_list = Some(false);
        }
        if let Some(index) = users.iter().position(|u| copy_of(u, &SOFT_DELETED)) {
            let removed = users.remove(index);
            world
                .deleted
                .soft_delete_by_admin(CONTOSO, removed, now - DELETED_SECONDS_AGO);
        }
    }

    // Liam was assigned a little over an hour ago; the cycle an hour ago created his copy.
    if let Some(config) = world
        .sync
        .get_mut(FABRIKAM)
        .and_then(|configs| configs.iter_mut().find(|c| c.target() == Some(CONTOSO)))
    {
        sync_state::assign(config, &principal(&NEW), now - NEW_SECONDS_AGO - 300);
    }
    sync_state::run_cycle(world, FABRIKAM, &job_id, now - NEW_SECONDS_AGO);
}

/// [`NESTED_IN`], with the nested-group person as its only member, nested in [`ASSIGNED_GROUP`].
fn nest_the_contractors(world: &mut World, created: i64) {
    let Some(groups) = world.groups.get_mut(FABRIKAM) else {
        return;
    };
    let mut contractors = Group::new(
        FABRIKAM,
        90,
        NESTED_IN,
        Some("Engineering contractors"),
        created,
    );
    contractors.members = vec![Member::User(NESTED_GROUP.id())];
    if let Some(parent) = groups.iter_mut().find(|g| g.display_name == ASSIGNED_GROUP) {
        parent.members.push(Member::Group(contractors.id.clone()));
    }
    groups.push(contractors);
}

/// Fabrikam → Contoso's user mapping: in scope only when `companyName` is Fabrikam, and `userType`
/// applied when a user is created only (the Microsoft Entra admin center's "Only during object
/// creation").
fn restrict(schema: &mut graph::sync::SyncSchema) {
    let Some(mapping) = schema.synchronization_rules.first_mut().and_then(|rule| {
        rule.object_mappings
            .iter_mut()
            .find(|m| m.source_object_name.eq_ignore_ascii_case("User"))
    }) else {
        return;
    };
    mapping.scope = Some(ScopeFilter {
        groups: vec![FilterGroup {
            name: "Fabrikam employees".into(),
            clauses: vec![FilterClause {
                operator_name: "EQUALS".into(),
                source_operand_name: "companyName".into(),
                target_operand: FilterOperand {
                    values: vec![FILTER_COMPANY.into()],
                },
            }],
        }],
        ..ScopeFilter::default()
    });
    if let Some(user_type) = mapping
        .attribute_mappings
        .iter_mut()
        .find(|m| m.target_attribute_name == "userType")
    {
        user_type.flow_type = Some("ObjectAddOnly".into());
    }
}

/// Olivia as Contoso invited her long before sync: a B2B guest under the name the inviter typed.
/// Cross-tenant sync matches her by her home account (`alternativeSecurityIds`), as it matches
/// every existing B2B user ("Cross-tenant synchronization can update existing B2B users to ensure
/// that each user has only one account": `…/cross-tenant-synchronization-overview.md`).
fn add_older_guest(world: &mut World, invited: i64) {
    let Some(contoso) = world.scenario.tenant(CONTOSO).cloned() else {
        return;
    };
    let mail = OLDER_GUEST.upn();
    let guest = User {
        id: object_id(CONTOSO, &format!("external:{}", OLDER_GUEST.id()), 0),
        display_name: format!("{} (Fabrikam)", OLDER_GUEST.display_name),
        user_principal_name: external_upn(&mail, contoso.default_domain()),
        mail: Some(mail),
        user_type: "Guest",
        creation_type: Some("Invitation"),
        external_user_state: Some("Accepted"),
        // An administrator put Contoso's guests in the address list.
        show_in_address_list: Some(true),
        account_enabled: true,
        company_name: None,
        synced_from: Some(SourceUser {
            tenant_id: FABRIKAM.to_owned(),
            object_id: OLDER_GUEST.id(),
        }),
        created: Some(invited),
    };
    world
        .users
        .entry(CONTOSO.to_owned())
        .or_default()
        .push(guest);
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn copy<'a>(world: &'a World, person: &Person) -> Option<&'a User> {
        world.users[CONTOSO].iter().find(|u| {
            u.synced_from
                .as_ref()
                .is_some_and(|s| s.tenant_id == FABRIKAM && s.object_id == person.id())
        })
    }

    fn check(world: &World, now: i64) {
        for person in [NESTED_GROUP, SCOPING_FILTER, GUEST_AT_HOME, SMS_SIGN_IN] {
            assert!(
                copy(world, &person).is_none(),
                "{} is not synced",
                person.display_name
            );
        }
        assert!(copy(world, &SOFT_DELETED).is_none());
        let deleted = world
            .deleted
            .synced_copy(CONTOSO, FABRIKAM, &SOFT_DELETED.id(), now)
            .expect("in Contoso's deleted items");
        assert!(deleted.by_admin);
        assert_eq!(deleted.deleted_at, NOW - DELETED_SECONDS_AGO);
        let olivia = copy(world, &OLDER_GUEST).unwrap();
        assert_eq!(
            olivia.user_type, "Guest",
            "on-create-only userType keeps her a guest"
        );
        assert_eq!(
            olivia.display_name, OLDER_GUEST.display_name,
            "but her name was updated"
        );
        assert_eq!(olivia.creation_type, Some("Invitation"));
        assert_eq!(
            copy(world, &HIDDEN).unwrap().show_in_address_list,
            Some(false)
        );
        assert!(!copy(world, &DISABLED).unwrap().account_enabled);
        assert_eq!(
            copy(world, &NEW).unwrap().created,
            Some(NOW - NEW_SECONDS_AGO)
        );
        assert_eq!(copy(world, &CONTACT).unwrap().user_type, "Member");
        assert!(world.people.contacts[CONTOSO]
            .iter()
            .any(|c| c.mail.as_deref() == Some(CONTACT.upn().as_str())));
        let skipped = world.provisioning[FABRIKAM].iter().any(|e| {
            e.source_identity.as_ref().and_then(|s| s.id.as_deref())
                == Some(SMS_SIGN_IN.id().as_str())
                && e.provisioning_status_info.as_ref().map(|i| &i.status)
                    == Some(&graph::sync::ProvisioningResult::Skipped)
        });
        assert!(skipped, "the SMS skip is logged");
    }

    #[test]
    fn each_person_is_kept_out_by_their_cause_and_stays_so_cycle_after_cycle() {
        let mut world = World::new(Scenario::demo(), NOW);
        check(&world, NOW);
        let later = NOW + 3 * sync_state::CYCLE_SECONDS;
        sync_state::advance(&mut world, later);
        check(&world, later);
        // The other users of Fabrikam → Contoso are still synced (the filter lets them through).
        let synced = world.users[CONTOSO]
            .iter()
            .filter(|u| {
                u.synced_from
                    .as_ref()
                    .is_some_and(|s| s.tenant_id == FABRIKAM)
            })
            .count();
        assert_eq!(
            synced,
            40 + 5,
            "40 generated members, Olivia, Marco, Elena, Liam, Hana"
        );
    }

    #[test]
    fn the_nested_person_is_in_the_assigned_group_only_through_nesting() {
        let world = World::new(Scenario::demo(), NOW);
        let groups = &world.groups[FABRIKAM];
        let parent = groups
            .iter()
            .find(|g| g.display_name == ASSIGNED_GROUP)
            .unwrap();
        let nested = groups.iter().find(|g| g.display_name == NESTED_IN).unwrap();
        assert!(parent.members.contains(&Member::Group(nested.id.clone())));
        assert_eq!(nested.members, [Member::User(NESTED_GROUP.id())]);
        let config = world.sync[FABRIKAM]
            .iter()
            .find(|c| c.target() == Some(CONTOSO))
            .unwrap();
        assert!(config
            .assignments
            .iter()
            .any(|a| a.principal_id == parent.id));
        assert!(!config
            .assignments
            .iter()
            .any(|a| a.principal_id == NESTED_GROUP.id()));
    }
}
