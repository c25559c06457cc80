//! Scenarios: the tenants, their accounts and the multitenant organization the emulator starts with.

/// Directory role template ids (`MicrosoftDocs/entra-docs`
/// `docs/identity/role-based-access-control/permissions-reference.md`).
pub mod roles {
    pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
    pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
    pub const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
    pub const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    pub const HYBRID_IDENTITY_ADMINISTRATOR: &str = "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2";

    /// Every role the emulator knows: display name and template id, as `permissions-reference.md`
    /// lists them.
    pub const ALL: &[(&str, &str)] = &[
        ("Global Administrator", GLOBAL_ADMINISTRATOR),
        ("Global Reader", GLOBAL_READER),
        ("Security Administrator", SECURITY_ADMINISTRATOR),
        ("Security Reader", "5d6b6bb7-de71-4623-b4af-96380a352509"),
        ("Security Operator", "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"),
        ("Helpdesk Administrator", HELPDESK_ADMINISTRATOR),
        ("Reports Reader", "4a5d8f65-41da-4de4-8968-e035b65339cf"),
        (
            "Application Administrator",
            "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        ),
        (
            "Cloud Application Administrator",
            "158c047a-c907-4556-b7ef-446551a6b5f7",
        ),
        (
            "Hybrid Identity Administrator",
            HYBRID_IDENTITY_ADMINISTRATOR,
        ),
        (
            "Privileged Role Administrator",
            "e8611ab8-c189-46e8-94e1-60213ab1f814",
        ),
        ("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"),
        (
            "Teams Administrator",
            "69091246-20e8-4a56-aa4d-066075b2a7a8",
        ),
        ("Directory Readers", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"),
    ];

    /// Display names, for `/me/transitiveMemberOf/microsoft.graph.directoryRole`.
    pub fn name(template_id: &str) -> &'static str {
        ALL.iter()
            .find(|(_, id)| *id == template_id)
            .map_or("Directory role", |(name, _)| name)
    }

    /// The template id of a role given by display name (case-insensitive) or by template id.
    pub fn template_id(name_or_id: &str) -> Option<&'static str> {
        ALL.iter()
            .find(|(name, id)| {
                name.eq_ignore_ascii_case(name_or_id) || id.eq_ignore_ascii_case(name_or_id)
            })
            .map(|(_, id)| *id)
    }
}

/// The demo app registration (design.md).
pub const DEMO_CLIENT_ID: &str = "3f1c2b9e-6a7d-4e8f-9b0a-5c4d3e2f1a0b";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret-not-for-production";
pub const DEMO_APP_NAME: &str = "Tenant Mesh (demo)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub object_id: String,
    pub upn: String,
    pub display_name: String,
    pub role_ids: Vec<String>,
}

/// A membership's role and state are Graph's (a scenario uses `Owner`/`Member`, `Pending`/`Active`).
pub use graph::mto::{MemberRole, MemberState};

/// A tenant's membership in the scenario's MTO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub role: MemberRole,
    pub state: MemberState,
    pub added_by: String,
    pub added: String,
    pub joined: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: String,
    pub display_name: String,
    /// The first is the default `*.onmicrosoft.com` domain.
    pub domains: Vec<String>,
    pub accounts: Vec<Account>,
    pub membership: Option<Membership>,
}

impl Tenant {
    pub fn default_domain(&self) -> &str {
        self.domains.first().map(String::as_str).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mto {
    pub display_name: String,
    pub description: String,
    pub created: String,
}

/// A user a scenario file places in a tenant, beyond its accounts and generated members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplicitUser {
    pub display_name: String,
    /// Internal users: their UPN in the tenant. External users: their home address (the UPN in the
    /// tenant is the `#EXT#` form of it).
    pub address: String,
    /// `Member` or `Guest`.
    pub user_type: &'static str,
    /// External (B2B, `creationType` `Invitation`) rather than a local account.
    pub external: bool,
    pub account_enabled: bool,
}

/// `count` of `from`'s generated members (after skipping `skip`) invited into a tenant as B2B users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub from: String,
    pub skip: usize,
    pub count: usize,
    /// `Member` or `Guest`.
    pub user_type: &'static str,
}

/// A security group a scenario file places in a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSetup {
    pub display_name: String,
    pub description: Option<String>,
    /// Direct user members: user principal names (external users listed in the file: their mail),
    /// lower-case.
    pub members: Vec<String>,
    /// Direct group members: display names of other groups of the tenant.
    pub member_groups: Vec<String>,
}

/// The cross-tenant access settings a tenant keeps for one partner. `None` leaves a value unset
/// (inherited from the default); `inbound_sync: None` means no identity sync policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerSetup {
    pub partner: String,
    pub auto_redeem_inbound: Option<bool>,
    pub auto_redeem_outbound: Option<bool>,
    pub inbound_sync: Option<bool>,
}

/// A tenant's MTO templates (`None` leaves a template value null).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateSetup {
    pub auto_redeem_inbound: Option<bool>,
    pub auto_redeem_outbound: Option<bool>,
    pub inbound_sync: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Started two days before the emulator starts; its latest cycle ran ten minutes ago.
    Active,
    /// Ran like an active job, then paused.
    Paused,
    /// Created and never started.
    Disabled,
}

/// A cross-tenant sync configuration (`MTO_Sync_<target>`) with its job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSetup {
    pub source: String,
    pub target: String,
    /// The first `scope` generated members of the source are assigned.
    pub scope: usize,
    /// Groups of the source (display names) assigned too: their direct members are in scope.
    pub groups: Vec<String>,
    pub state: JobState,
}

/// One tenant's part of a scenario file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantSetup {
    pub generated_users: usize,
    pub users: Vec<ExplicitUser>,
    pub invitations: Vec<Invitation>,
    pub groups: Vec<GroupSetup>,
    pub partners: Vec<PartnerSetup>,
    pub templates: TemplateSetup,
}

/// What a scenario file describes beyond tenants, accounts and the MTO; all references are tenant ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Custom {
    /// Per tenant id.
    pub tenants: std::collections::BTreeMap<String, TenantSetup>,
    pub sync: Vec<SyncSetup>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub name: String,
    pub tenants: Vec<Tenant>,
    pub mto: Option<Mto>,
    /// Generated internal members in each tenant (the first tenant only, for scale scenarios).
    pub internal_users: usize,
    /// What a scenario file describes beyond tenants, accounts and the MTO (`None` for the built-in
    /// scenarios, whose users, policies and sync configurations are written in code).
    pub custom: Option<Custom>,
    /// How long the MTO's asynchronous transitions take.
    pub timing: Timing,
}

/// How long MTO add, join, role change and removal transitions take on the emulator's clock.
///
/// Microsoft documents them as asynchronous: "This operation can take a few minutes" (create),
/// "This operation takes a few minutes" (remove, join) in `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/multi-tenant-organization-configure-graph.md`, and
/// "wait up to 2 hours" for a join in microsoftgraph/microsoft-graph-docs-contrib
/// `api-reference/v1.0/api/multitenantorganizationjoinrequestrecord-update.md`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Timing {
    /// Demo-friendly: `notStarted` for 5 s, `running` for 15 s (the default).
    #[default]
    Fast,
    /// "A few minutes": `notStarted` for 2 minutes, `running` for 3 minutes.
    Realistic,
}

impl Timing {
    /// `fast` or `realistic` (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "fast" => Some(Self::Fast),
            "realistic" => Some(Self::Realistic),
            _ => None,
        }
    }

    /// Seconds a transition stays `notStarted`.
    pub fn not_started_seconds(self) -> i64 {
        match self {
            Self::Fast => 5,
            Self::Realistic => 120,
        }
    }

    /// Seconds a transition stays `running` before it succeeds or fails.
    pub fn running_seconds(self) -> i64 {
        match self {
            Self::Fast => 15,
            Self::Realistic => 180,
        }
    }

    /// Seconds from the request to the outcome.
    pub fn total_seconds(self) -> i64 {
        self.not_started_seconds() + self.running_seconds()
    }
}

impl Scenario {
    pub fn tenant(&self, id_or_domain: &str) -> Option<&Tenant> {
        let wanted = id_or_domain.to_ascii_lowercase();
        self.tenants
            .iter()
            .find(|t| t.id == wanted || t.domains.contains(&wanted))
    }

    /// The demo scenario of design.md.
    pub fn demo() -> Self {
        use roles::*;
        let account = |oid: &str, upn: &str, name: &str, role: &str| Account {
            object_id: oid.into(),
            upn: upn.into(),
            display_name: name.into(),
            role_ids: vec![role.into()],
        };
        let tenant = |id: &str,
                      name: &str,
                      prefix: &str,
                      accounts: Vec<Account>,
                      membership: Option<Membership>| Tenant {
            id: id.into(),
            display_name: name.into(),
            domains: vec![format!("{prefix}.onmicrosoft.com"), format!("{prefix}.com")],
            accounts,
            membership,
        };
        let member = |role, state, joined: Option<&str>| {
            Some(Membership {
                role,
                state,
                added_by: CONTOSO.into(),
                added: "2026-09-01T09:00:00Z".into(),
                joined: joined.map(str::to_owned),
            })
        };
        Self {
            name: "demo".into(),
            internal_users: 300,
            custom: None,
            timing: Timing::Fast,
            mto: Some(Mto {
                display_name: "Contoso Group".into(),
                description: "Contoso and the companies it owns".into(),
                created: "2026-09-01T08:30:00Z".into(),
            }),
            tenants: vec![
                tenant(
                    CONTOSO,
                    "Contoso",
                    "contoso",
                    vec![
                        account(
                            "a1c0e7a2-1b34-4c5d-8e6f-000000000101",
                            "admin@contoso.onmicrosoft.com",
                            "Contoso Admin",
                            GLOBAL_ADMINISTRATOR,
                        ),
                        account(
                            "a1c0e7a2-1b34-4c5d-8e6f-000000000102",
                            "helpdesk@contoso.onmicrosoft.com",
                            "Contoso Helpdesk",
                            HELPDESK_ADMINISTRATOR,
                        ),
                    ],
                    Some(Membership {
                        role: MemberRole::Owner,
                        state: MemberState::Active,
                        added_by: CONTOSO.into(),
                        added: "2026-09-01T08:30:00Z".into(),
                        joined: None,
                    }),
                ),
                tenant(
                    FABRIKAM,
                    "Fabrikam",
                    "fabrikam",
                    vec![
                        account(
                            "b2d1f8b3-2c45-4d6e-9f70-000000000201",
                            "admin@fabrikam.onmicrosoft.com",
                            "Fabrikam Admin",
                            SECURITY_ADMINISTRATOR,
                        ),
                        account(
                            "b2d1f8b3-2c45-4d6e-9f70-000000000202",
                            "ops@fabrikam.onmicrosoft.com",
                            "Fabrikam Sync Operator",
                            HYBRID_IDENTITY_ADMINISTRATOR,
                        ),
                    ],
                    member(
                        MemberRole::Member,
                        MemberState::Active,
                        Some("2026-09-02T10:15:00Z"),
                    ),
                ),
                tenant(
                    WOODGROVE,
                    "Woodgrove Bank",
                    "woodgrovebank",
                    vec![account(
                        "c3e2a9c4-3d56-4e7f-8a81-000000000301",
                        "admin@woodgrovebank.onmicrosoft.com",
                        "Woodgrove Admin",
                        GLOBAL_ADMINISTRATOR,
                    )],
                    member(
                        MemberRole::Member,
                        MemberState::Active,
                        Some("2026-09-03T11:20:00Z"),
                    ),
                ),
                tenant(
                    NORTHWIND,
                    "Northwind Traders",
                    "northwindtraders",
                    vec![
                        account(
                            "d4f3bad5-4e67-4f80-9b92-000000000401",
                            "admin@northwindtraders.onmicrosoft.com",
                            "Northwind Admin",
                            GLOBAL_ADMINISTRATOR,
                        ),
                        account(
                            "d4f3bad5-4e67-4f80-9b92-000000000402",
                            "reader@northwindtraders.onmicrosoft.com",
                            "Northwind Reader",
                            GLOBAL_READER,
                        ),
                    ],
                    member(MemberRole::Member, MemberState::Pending, None),
                ),
                tenant(
                    TAILSPIN,
                    "Tailspin Toys",
                    "tailspintoys",
                    vec![account(
                        "e5a4cbe6-5f78-4a91-8ca3-000000000501",
                        "admin@tailspintoys.onmicrosoft.com",
                        "Tailspin Admin",
                        GLOBAL_ADMINISTRATOR,
                    )],
                    None,
                ),
            ],
        }
    }
}

impl Scenario {
    /// `scale:N:M`: `n` tenants (at most 100) all active in one MTO owned by the first, one Global
    /// Administrator `admin@tenantNNN.onmicrosoft.com` each, and `m` generated users in the first tenant.
    pub fn scale(n: usize, m: usize) -> Self {
        let tenants = (0..n.clamp(1, 100))
            .map(|i| {
                let id = uuid::Uuid::new_v5(
                    &uuid::Uuid::NAMESPACE_OID,
                    format!("scale-tenant:{i}").as_bytes(),
                )
                .to_string();
                let prefix = format!("tenant{:03}", i + 1);
                Tenant {
                    id: id.clone(),
                    display_name: format!("Tenant {:03}", i + 1),
                    domains: vec![
                        format!("{prefix}.onmicrosoft.com"),
                        format!("{prefix}.example.com"),
                    ],
                    accounts: vec![Account {
                        object_id: uuid::Uuid::new_v5(
                            &uuid::Uuid::NAMESPACE_OID,
                            format!("scale-admin:{i}").as_bytes(),
                        )
                        .to_string(),
                        upn: format!("admin@{prefix}.onmicrosoft.com"),
                        display_name: format!("Tenant {:03} Admin", i + 1),
                        role_ids: vec![roles::GLOBAL_ADMINISTRATOR.into()],
                    }],
                    membership: None,
                }
            })
            .collect::<Vec<_>>();
        let owner = tenants.first().map(|t| t.id.clone()).unwrap_or_default();
        let tenants = tenants
            .into_iter()
            .enumerate()
            .map(|(i, tenant)| Tenant {
                membership: Some(Membership {
                    role: if i == 0 {
                        MemberRole::Owner
                    } else {
                        MemberRole::Member
                    },
                    state: MemberState::Active,
                    added_by: owner.clone(),
                    added: "2026-09-01T09:00:00Z".into(),
                    joined: (i != 0).then(|| "2026-09-02T09:00:00Z".to_owned()),
                }),
                ..tenant
            })
            .collect();
        Self {
            name: format!("scale:{n}:{m}"),
            tenants,
            mto: Some(Mto {
                display_name: "Scale Group".into(),
                description: "Generated for benchmarks".into(),
                created: "2026-09-01T08:30:00Z".into(),
            }),
            internal_users: m,
            custom: None,
            timing: Timing::Fast,
        }
    }

    /// The tenants of [`Scenario::scale`] with a living mesh, as `scale:N:M` loads them (the
    /// emulator binary's `--scenario`, the dashboard's `scenario` setting), written as a scenario
    /// file would describe it ([`Custom`]):
    ///
    /// - users: the first tenant has `m` generated members, every other
    ///   [`SCALE_MESH_GENERATED_USERS`];
    /// - partner settings: every active tenant has a partner configuration (flagged as in the MTO)
    ///   for every other, automatic redemption allowed both ways, and an identity sync policy
    ///   allowing inbound sync — the settings an MTO creates for its tenants as they join, with
    ///   sync allowed (`MicrosoftDocs/entra-docs`
    ///   `docs/identity/multi-tenant-organizations/multi-tenant-organization-templates.md`);
    /// - sync: a ring, Tenant 001 → 002 → … → N → 001, one `MTO_Sync_<target>` configuration
    ///   each, its first [`SCALE_MESH_SCOPE`] generated members assigned, started two days before
    ///   the emulator starts;
    /// - exactly one quarantined job: **Tenant 042 → Tenant 043** — Tenant 043's identity sync
    ///   policy for Tenant 042 does not allow inbound sync, so every cycle fails with
    ///   `AzureDirectoryB2BManagementPolicyCheckFailure` (`sync_state::policy_check`), as the
    ///   demo's Woodgrove Bank → Fabrikam does;
    /// - one paused job: **Tenant 010 → Tenant 011** (it ran, then was paused);
    /// - every pair off the ring has partner settings both ways but no sync.
    ///
    /// With fewer than 43 tenants the ring's middle job (from tenant `(N + 1) / 2`) is the
    /// quarantined one and the next the paused one ([`scale_mesh_picks`]); one tenant has no ring.
    pub fn scale_meshed(n: usize, m: usize) -> Self {
        let mut scenario = Self::scale(n, m);
        let ids: Vec<String> = scenario.tenants.iter().map(|t| t.id.clone()).collect();
        let count = ids.len();
        let picks = scale_mesh_picks(count);
        let generated = |i: usize| {
            if i == 0 {
                m
            } else {
                SCALE_MESH_GENERATED_USERS
            }
        };
        let next = |i: usize| (i + 1) % count;
        let tenants = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let partners = ids
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(j, partner)| PartnerSetup {
                        partner: partner.clone(),
                        auto_redeem_inbound: Some(true),
                        auto_redeem_outbound: Some(true),
                        // The quarantined job's target refuses inbound sync from its source.
                        inbound_sync: Some(
                            !picks.is_some_and(|p| p.quarantined == j && next(j) == i),
                        ),
                    })
                    .collect();
                let setup = TenantSetup {
                    generated_users: generated(i),
                    partners,
                    ..TenantSetup::default()
                };
                (id.clone(), setup)
            })
            .collect();
        let sync = match picks {
            None => Vec::new(),
            Some(picks) => (0..count)
                .map(|i| SyncSetup {
                    source: ids[i].clone(),
                    target: ids[next(i)].clone(),
                    scope: SCALE_MESH_SCOPE.min(generated(i)),
                    groups: Vec::new(),
                    state: if i == picks.paused {
                        JobState::Paused
                    } else {
                        JobState::Active
                    },
                })
                .collect(),
        };
        scenario.custom = Some(Custom { tenants, sync });
        scenario
    }

    /// `demo` or `scale:N:M` ([`Scenario::scale_meshed`]).
    pub fn named(name: &str) -> Option<Self> {
        if name == "demo" {
            return Some(Self::demo());
        }
        let rest = name.strip_prefix("scale:")?;
        let (n, m) = rest.split_once(':')?;
        Some(Self::scale_meshed(n.parse().ok()?, m.parse().ok()?))
    }
}

/// Generated members of every tenant of [`Scenario::scale_meshed`] but the first.
pub const SCALE_MESH_GENERATED_USERS: usize = 5;
/// Generated members of a ring job's source assigned to its configuration in
/// [`Scenario::scale_meshed`] (fewer when the source has fewer).
pub const SCALE_MESH_SCOPE: usize = 3;

/// The ring jobs of [`Scenario::scale_meshed`] that are not simply active, by the index of their
/// source (the job goes to the next tenant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleMeshPicks {
    /// Quarantined: its target does not allow inbound sync from its source.
    pub quarantined: usize,
    /// Paused after it ran.
    pub paused: usize,
}

/// Tenant 042 → 043 quarantined and Tenant 010 → 011 paused with 43 tenants or more; with fewer,
/// the middle job and the next; `None` without a ring (one tenant).
pub fn scale_mesh_picks(tenants: usize) -> Option<ScaleMeshPicks> {
    if tenants < 2 {
        return None;
    }
    Some(if tenants >= 43 {
        ScaleMeshPicks {
            quarantined: 41,
            paused: 9,
        }
    } else {
        let quarantined = (tenants - 1) / 2;
        ScaleMeshPicks {
            quarantined,
            paused: (quarantined + 1) % tenants,
        }
    })
}

pub const CONTOSO: &str = "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11";
pub const FABRIKAM: &str = "7b9e4c2d-1a3f-4e8b-a5c6-0d2e4f6a8b22";
pub const WOODGROVE: &str = "4c8a2e6f-9b1d-4a3c-8e5f-7a9b1c3d5e33";
pub const NORTHWIND: &str = "9e3b5d7f-2c4a-4b6e-9f1a-3c5e7a9b1d44";
pub const TAILSPIN: &str = "1a5c7e9b-3d2f-4c8a-b6e4-8f0a2c4e6a55";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_scenario_has_the_documented_tenants_and_accounts() {
        let demo = Scenario::demo();
        let names: Vec<&str> = demo
            .tenants
            .iter()
            .map(|t| t.display_name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Contoso",
                "Fabrikam",
                "Woodgrove Bank",
                "Northwind Traders",
                "Tailspin Toys"
            ]
        );
        let accounts: Vec<&str> = demo
            .tenants
            .iter()
            .flat_map(|t| t.accounts.iter().map(|a| a.upn.as_str()))
            .collect();
        assert_eq!(accounts.len(), 8);
        assert!(accounts.contains(&"ops@fabrikam.onmicrosoft.com"));
        assert!(demo
            .tenants
            .iter()
            .all(|t| graph::TenantId::ZERO != t.id && t.id.parse::<graph::TenantId>().is_ok()));
        assert_eq!(
            demo.tenant("FABRIKAM.onmicrosoft.com")
                .map(|t| t.id.as_str()),
            Some(FABRIKAM)
        );
        assert_eq!(
            demo.tenant(TAILSPIN).and_then(|t| t.membership.clone()),
            None
        );
    }

    #[test]
    fn scale_stays_the_benchmarks_scenario() {
        let scale = Scenario::scale(100, 300);
        assert_eq!(scale.name, "scale:100:300");
        assert_eq!(scale.tenants.len(), 100);
        assert_eq!(scale.internal_users, 300);
        assert_eq!(scale.custom, None, "no scenario-file mesh");
        assert!(scale
            .tenants
            .iter()
            .all(|t| t.membership.as_ref().map(|m| &m.state) == Some(&MemberState::Active)));
    }

    #[test]
    fn named_scale_is_the_meshed_variant_of_the_same_tenants() {
        let named = Scenario::named("scale:100:300").unwrap();
        assert_eq!(named, Scenario::scale_meshed(100, 300));
        let bare = Scenario::scale(100, 300);
        assert_eq!(named.name, bare.name);
        assert_eq!(named.tenants, bare.tenants);
        assert_eq!(named.mto, bare.mto);
        let custom = named.custom.unwrap();
        let id = |number: usize| bare.tenants[number - 1].id.clone();
        let setup = |number: usize| &custom.tenants[&id(number)];
        assert_eq!(setup(1).generated_users, 300);
        assert!((2..=100).all(|n| setup(n).generated_users == SCALE_MESH_GENERATED_USERS));
        assert!((1..=100).all(|n| setup(n).partners.len() == 99));

        // A ring: each tenant to the next, the last to the first.
        assert_eq!(custom.sync.len(), 100);
        for (i, job) in custom.sync.iter().enumerate() {
            assert_eq!(job.source, id(i + 1));
            assert_eq!(job.target, id((i + 1) % 100 + 1));
            assert_eq!(job.scope, SCALE_MESH_SCOPE);
        }
        let paused: Vec<(&str, &str)> = custom
            .sync
            .iter()
            .filter(|j| j.state == JobState::Paused)
            .map(|j| (j.source.as_str(), j.target.as_str()))
            .collect();
        assert_eq!(paused, [(id(10).as_str(), id(11).as_str())]);
        assert!(custom.sync.iter().all(|j| j.state != JobState::Disabled));

        // Exactly one refusal of inbound sync: Tenant 043's for Tenant 042.
        let refusals: Vec<(String, String)> = custom
            .tenants
            .iter()
            .flat_map(|(owner, setup)| {
                setup
                    .partners
                    .iter()
                    .filter(|p| p.inbound_sync != Some(true))
                    .map(move |p| (owner.clone(), p.partner.clone()))
            })
            .collect();
        assert_eq!(refusals, [(id(43), id(42))]);
        assert!(custom
            .tenants
            .values()
            .all(|t| t.partners.iter().all(
                |p| p.auto_redeem_inbound == Some(true) && p.auto_redeem_outbound == Some(true)
            )));
    }

    #[test]
    fn small_meshes_pick_two_different_ring_jobs() {
        assert_eq!(scale_mesh_picks(0), None);
        assert_eq!(scale_mesh_picks(1), None);
        for n in 2..=100 {
            let picks = scale_mesh_picks(n).unwrap();
            assert!(picks.quarantined < n && picks.paused < n, "{n}");
            assert_ne!(picks.quarantined, picks.paused, "{n}");
        }
        let one = Scenario::scale_meshed(1, 4).custom.unwrap();
        assert!(one.sync.is_empty());
        let few = Scenario::scale_meshed(4, 0).custom.unwrap();
        assert_eq!(few.sync.len(), 4);
        assert_eq!(few.sync[0].scope, 0, "the first tenant has no users");
        assert_eq!(few.sync[1].scope, SCALE_MESH_SCOPE);
        assert_eq!(
            Scenario::named("scale:4:0").map(|s| s.tenants.len()),
            Some(4)
        );
        assert_eq!(Scenario::named("scale:4"), None);
        assert_eq!(Scenario::named("scale:x:1"), None);
    }
}
