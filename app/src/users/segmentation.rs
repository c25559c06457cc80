//! One tenant's users as a compact table: a row per user (the list's fields, segment, home tenant
//! and how it was found), the home tenants, and the counts per segment, per home tenant and per
//! method. Built page by page while Graph is read ([`Builder::add`]), then finished once the
//! home-tenant evidence is in ([`Builder::finish`]). Only what the list shows is kept per user.

use std::collections::{HashMap, HashSet};

use super::{classify, upn, Method, Segment, UserType};

/// One user as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub display_name: Box<str>,
    pub user_principal_name: Box<str>,
    pub mail: Option<Box<str>>,
    pub user_type: UserType,
    pub segment: Segment,
    pub method: Method,
    /// `showInAddressList`; no value means shown (`microsoftgraph/microsoft-graph-docs-contrib`
    /// `api-reference/v1.0/resources/user.md`).
    pub in_address_list: bool,
    /// Index into [`Segmentation::homes`]; `None` when the home tenant is unknown.
    pub home: Option<u32>,
}

/// A tenant users are homed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeTenant {
    pub tenant_id: String,
    pub name: String,
    /// An active tenant of the MTO.
    pub in_mto: bool,
}

/// The users of one tenant, segmented.
#[derive(Debug, Clone, PartialEq)]
pub struct Segmentation {
    pub tenant_id: String,
    pub tenant_name: String,
    /// Unix seconds at which the reading started.
    pub read_at: i64,
    pub rows: Vec<UserRow>,
    /// The tenant itself first, then the other home tenants in order of appearance.
    pub homes: Vec<HomeTenant>,
    /// Per segment ([`Segment::index`]).
    pub counts: [u64; 6],
    /// Per home tenant (parallel to `homes`), per segment.
    pub by_home: Vec<[u64; 6]>,
    /// Users whose home tenant is unknown, per segment.
    pub unknown_home: [u64; 6],
    /// Per method ([`Method::index`]).
    pub methods: [u64; 5],
    /// Parts that could not be read (the rest is still shown).
    pub problems: Vec<String>,
    /// HTTP requests the reading sent to Graph.
    pub graph_requests: u64,
}

/// A user as Graph returns it (borrowed from the page being read).
#[derive(Debug, Clone, Copy, Default)]
pub struct RawUser<'a> {
    pub id: &'a str,
    pub display_name: Option<&'a str>,
    pub user_principal_name: Option<&'a str>,
    pub mail: Option<&'a str>,
    pub user_type: Option<&'a str>,
    pub creation_type: Option<&'a str>,
    pub show_in_address_list: Option<bool>,
}

/// The home-tenant evidence gathered for the external users.
#[derive(Debug, Clone, Copy)]
pub struct Resolutions<'a> {
    /// Target user object id (lower case) → source tenant id, from provisioning logs.
    pub exact: &'a HashMap<String, String>,
    /// Domain → the tenant it belongs to (`None`: no tenant has it); absent: not looked up.
    pub domains: &'a HashMap<String, Option<String>>,
    /// Active tenants of the MTO (lower-case ids).
    pub mto: &'a HashSet<String>,
    /// Tenant id → display name.
    pub names: &'a HashMap<String, String>,
}

/// An external user still waiting for its home tenant.
#[derive(Debug)]
struct Pending {
    row: u32,
    id: Box<str>,
    mail_domain: Option<u32>,
    upn_domain: Option<u32>,
}

/// Collects rows while pages arrive; external users keep their id and domains until [`finish`].
///
/// [`finish`]: Builder::finish
#[derive(Debug)]
pub struct Builder {
    tenant_id: String,
    rows: Vec<UserRow>,
    pending: Vec<Pending>,
    domains: Vec<Box<str>>,
    domain_ids: HashMap<Box<str>, u32>,
}

impl Builder {
    pub fn new(tenant_id: &str) -> Self {
        Self {
            tenant_id: tenant_id.to_ascii_lowercase(),
            rows: Vec::new(),
            pending: Vec::new(),
            domains: Vec::new(),
            domain_ids: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Reserves room for `total` users (from `$count`), so the table is allocated once.
    pub fn reserve(&mut self, total: usize) {
        self.rows.reserve(total.saturating_sub(self.rows.len()));
    }

    fn intern(&mut self, domain: Option<String>) -> Option<u32> {
        let domain = domain?;
        if let Some(&id) = self.domain_ids.get(domain.as_str()) {
            return Some(id);
        }
        let id = u32::try_from(self.domains.len()).ok()?;
        let domain: Box<str> = domain.into();
        self.domains.push(domain.clone());
        self.domain_ids.insert(domain, id);
        Some(id)
    }

    pub fn add(&mut self, user: RawUser<'_>) {
        let upn = user.user_principal_name.unwrap_or_default();
        let external = classify::is_external(user.creation_type, upn);
        let guest = classify::is_guest(user.user_type);
        let Ok(index) = u32::try_from(self.rows.len()) else {
            return;
        };
        self.rows.push(UserRow {
            display_name: user.display_name.unwrap_or_default().into(),
            user_principal_name: upn.into(),
            mail: user.mail.filter(|m| !m.is_empty()).map(Into::into),
            user_type: UserType::from_graph(user.user_type),
            segment: classify::segment(external, guest, false),
            method: if external {
                Method::Unknown
            } else {
                Method::ThisTenant
            },
            in_address_list: user.show_in_address_list.unwrap_or(true),
            home: if external { None } else { Some(0) },
        });
        if external {
            let mail_domain = self.intern(user.mail.and_then(upn::mail_domain));
            let upn_domain = self.intern(upn::ext_domain(upn));
            self.pending.push(Pending {
                row: index,
                id: user.id.to_ascii_lowercase().into(),
                mail_domain,
                upn_domain,
            });
        }
    }

    /// The tenant a looked-up domain gave, unless it is the tenant being read (an external user is
    /// not homed here, so such a result is no evidence).
    fn tenant_of<'r>(
        &self,
        domain: Option<u32>,
        domains: &'r HashMap<String, Option<String>>,
    ) -> Option<&'r String> {
        let domain = self.domains.get(domain? as usize)?;
        domains
            .get(&**domain)?
            .as_ref()
            .filter(|t| **t != self.tenant_id)
    }

    /// The domains to look up next: mail domains of external users without an exact match, then
    /// (once their mail domain gave nothing) the domains of their `#EXT#` UPNs. Each at most once.
    pub fn wanted_domains(
        &self,
        exact: &HashMap<String, String>,
        looked_up: &HashMap<String, Option<String>>,
    ) -> Vec<String> {
        let mut wanted = vec![false; self.domains.len()];
        for pending in &self.pending {
            if exact.contains_key(&*pending.id) {
                continue;
            }
            if let Some(mail) = pending.mail_domain {
                if !looked_up.contains_key(&*self.domains[mail as usize]) {
                    wanted[mail as usize] = true;
                    continue;
                }
                if self.tenant_of(Some(mail), looked_up).is_some() {
                    continue;
                }
            }
            if let Some(upn) = pending.upn_domain {
                if !looked_up.contains_key(&*self.domains[upn as usize]) {
                    wanted[upn as usize] = true;
                }
            }
        }
        wanted
            .iter()
            .zip(&self.domains)
            .filter(|(w, _)| **w)
            .map(|(_, d)| d.to_string())
            .collect()
    }

    /// Resolves every external user's home tenant (exact, then mail domain, then UPN domain),
    /// classifies it, and counts.
    pub fn finish(
        mut self,
        evidence: Resolutions<'_>,
        tenant_name: &str,
        read_at: i64,
    ) -> Segmentation {
        let name_of = |id: &str| {
            evidence
                .names
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_owned())
        };
        let mut homes = vec![HomeTenant {
            tenant_id: self.tenant_id.clone(),
            name: tenant_name.to_owned(),
            in_mto: evidence.mto.contains(&self.tenant_id),
        }];
        let mut home_ids: HashMap<String, u32> = HashMap::from([(self.tenant_id.clone(), 0)]);
        let pending = std::mem::take(&mut self.pending);
        for p in &pending {
            let exact = evidence.exact.get(&*p.id);
            let by_mail = self.tenant_of(p.mail_domain, evidence.domains);
            let by_upn = self.tenant_of(p.upn_domain, evidence.domains);
            let (home, method) = classify::resolve(exact, by_mail, by_upn);
            let home = home.map(|id| id.to_ascii_lowercase());
            let in_mto = home.as_ref().is_some_and(|h| evidence.mto.contains(h));
            let home_index = home.map(|id| {
                let next = homes.len() as u32;
                *home_ids.entry(id.clone()).or_insert_with(|| {
                    homes.push(HomeTenant {
                        name: name_of(&id),
                        tenant_id: id,
                        in_mto,
                    });
                    next
                })
            });
            if let Some(row) = self.rows.get_mut(p.row as usize) {
                let guest = row.user_type == UserType::Guest;
                row.segment = classify::segment(true, guest, in_mto);
                row.method = method;
                row.home = home_index;
            }
        }
        let mut counts = [0u64; 6];
        let mut by_home = vec![[0u64; 6]; homes.len()];
        let mut unknown_home = [0u64; 6];
        let mut methods = [0u64; 5];
        for row in &self.rows {
            let s = row.segment.index();
            counts[s] += 1;
            methods[row.method.index()] += 1;
            match row.home.and_then(|h| by_home.get_mut(h as usize)) {
                Some(home) => home[s] += 1,
                None => unknown_home[s] += 1,
            }
        }
        self.rows.shrink_to_fit();
        Segmentation {
            tenant_id: self.tenant_id,
            tenant_name: tenant_name.to_owned(),
            read_at,
            rows: self.rows,
            homes,
            counts,
            by_home,
            unknown_home,
            methods,
            problems: Vec::new(),
            graph_requests: 0,
        }
    }
}

impl Builder {
    /// Finishes without any home-tenant evidence: every external user's home is unknown.
    pub fn finish_unresolved(self, tenant_name: &str, read_at: i64) -> Segmentation {
        let (exact, domains) = (HashMap::new(), HashMap::new());
        let (mto, names) = (HashSet::new(), HashMap::new());
        let evidence = Resolutions {
            exact: &exact,
            domains: &domains,
            mto: &mto,
            names: &names,
        };
        self.finish(evidence, tenant_name, read_at)
    }
}

impl Segmentation {
    pub fn total(&self) -> u64 {
        self.rows.len() as u64
    }

    pub fn home(&self, row: &UserRow) -> Option<&HomeTenant> {
        self.homes.get(row.home? as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FABRIKAM: &str = "f0000000-0000-0000-0000-000000000002";
    const CONTOSO: &str = "c0000000-0000-0000-0000-000000000001";
    const TAILSPIN: &str = "e0000000-0000-0000-0000-000000000005";
    const WOODGROVE: &str = "d0000000-0000-0000-0000-000000000003";

    fn user<'a>(id: &'a str, upn: &'a str, mail: &'a str, user_type: &'a str) -> RawUser<'a> {
        RawUser {
            id,
            display_name: Some(id),
            user_principal_name: Some(upn),
            mail: Some(mail),
            user_type: Some(user_type),
            creation_type: upn.contains("#EXT#").then_some("Invitation"),
            show_in_address_list: None,
        }
    }

    fn fabrikam() -> Builder {
        let mut b = Builder::new(FABRIKAM);
        b.add(user(
            "internal",
            "ann@fabrikam.com",
            "ann@fabrikam.com",
            "Member",
        ));
        b.add(user(
            "int-guest",
            "bob@fabrikam.com",
            "bob@fabrikam.com",
            "Guest",
        ));
        b.add(user(
            "SYNCED",
            "cy_contoso.com#EXT#@fabrikam.onmicrosoft.com",
            "cy@contoso.com",
            "Member",
        ));
        b.add(user(
            "tailspin-guest",
            "di_tailspintoys.com#EXT#@fabrikam.onmicrosoft.com",
            "di@tailspintoys.com",
            "Guest",
        ));
        b.add(user(
            "renamed",
            "ed_woodgrovebank.com#EXT#@fabrikam.onmicrosoft.com",
            "ed@gmail.example",
            "Guest",
        ));
        b.add(user(
            "nobody",
            "fay_nowhere.example#EXT#@fabrikam.onmicrosoft.com",
            "",
            "Member",
        ));
        b
    }

    /// The evidence of the demo-like tenant, owned.
    struct Evidence {
        exact: HashMap<String, String>,
        domains: HashMap<String, Option<String>>,
        mto: HashSet<String>,
        names: HashMap<String, String>,
    }

    impl Evidence {
        fn resolutions(&self) -> Resolutions<'_> {
            Resolutions {
                exact: &self.exact,
                domains: &self.domains,
                mto: &self.mto,
                names: &self.names,
            }
        }
    }

    fn maps() -> Evidence {
        let exact = HashMap::from([("synced".to_owned(), CONTOSO.to_owned())]);
        let domains = HashMap::from([
            ("contoso.com".to_owned(), Some(CONTOSO.to_owned())),
            ("tailspintoys.com".to_owned(), Some(TAILSPIN.to_owned())),
            ("gmail.example".to_owned(), None),
            ("woodgrovebank.com".to_owned(), Some(WOODGROVE.to_owned())),
            ("nowhere.example".to_owned(), None),
        ]);
        let mto = HashSet::from([
            CONTOSO.to_owned(),
            FABRIKAM.to_owned(),
            WOODGROVE.to_owned(),
        ]);
        let names = HashMap::from([
            (CONTOSO.to_owned(), "Contoso".to_owned()),
            (TAILSPIN.to_owned(), "Tailspin Toys".to_owned()),
        ]);
        Evidence {
            exact,
            domains,
            mto,
            names,
        }
    }

    #[test]
    fn lookups_are_asked_for_once_mail_first_then_upn() {
        let b = fabrikam();
        let exact = maps().exact;
        let first = b.wanted_domains(&exact, &HashMap::new());
        // Not for the exact match; the UPN's domain only for the user without a mail address.
        assert_eq!(
            first,
            ["tailspintoys.com", "gmail.example", "nowhere.example"]
        );
        let looked_up = HashMap::from([
            ("tailspintoys.com".to_owned(), Some(TAILSPIN.to_owned())),
            ("gmail.example".to_owned(), None),
        ]);
        // The mail domain gave nothing: now the UPN's.
        let second = b.wanted_domains(&exact, &looked_up);
        assert_eq!(second, ["woodgrovebank.com", "nowhere.example"]);
    }

    #[test]
    fn every_user_gets_a_segment_a_home_and_a_method() {
        let evidence = maps();
        let s = fabrikam().finish(evidence.resolutions(), "Fabrikam", 7);
        let row = |name: &str| {
            let row = s.rows.iter().find(|r| &*r.display_name == name).unwrap();
            (
                row.segment,
                s.home(row).map(|h| h.name.as_str()),
                row.method,
            )
        };
        assert_eq!(
            row("internal"),
            (
                Segment::InternalMember,
                Some("Fabrikam"),
                Method::ThisTenant
            )
        );
        assert_eq!(
            row("int-guest"),
            (Segment::InternalGuest, Some("Fabrikam"), Method::ThisTenant)
        );
        assert_eq!(
            row("SYNCED"),
            (Segment::MtoMember, Some("Contoso"), Method::Exact)
        );
        assert_eq!(
            row("tailspin-guest"),
            (
                Segment::ExternalGuest,
                Some("Tailspin Toys"),
                Method::Domain
            )
        );
        assert_eq!(
            row("renamed"),
            (Segment::MtoGuest, Some(WOODGROVE), Method::Upn),
            "no name known: the id stands in"
        );
        assert_eq!(
            row("nobody"),
            (Segment::ExternalMember, None, Method::Unknown)
        );
        assert_eq!(s.counts, [1, 1, 1, 1, 1, 1]);
        assert_eq!(s.methods, [2, 1, 1, 1, 1]);
        assert_eq!(s.homes[0].tenant_id, FABRIKAM);
        assert!(s.homes[0].in_mto);
        let contoso = s.homes.iter().position(|h| h.tenant_id == CONTOSO).unwrap();
        assert_eq!(s.by_home[contoso], [0, 0, 1, 0, 0, 0]);
        assert_eq!(s.by_home[0], [1, 1, 0, 0, 0, 0]);
        assert_eq!(s.unknown_home, [0, 0, 0, 0, 1, 0]);
    }

    #[test]
    fn a_domain_of_the_tenant_itself_is_no_evidence_for_an_external_user() {
        let mut b = Builder::new(FABRIKAM);
        b.add(user(
            "x",
            "x_contoso.com#EXT#@fabrikam.onmicrosoft.com",
            "x@fabrikam.com",
            "Member",
        ));
        let domains = HashMap::from([
            ("fabrikam.com".to_owned(), Some(FABRIKAM.to_owned())),
            ("contoso.com".to_owned(), Some(CONTOSO.to_owned())),
        ]);
        assert_eq!(
            b.wanted_domains(&HashMap::new(), &domains),
            Vec::<String>::new()
        );
        let (exact, _, mto, names) = (HashMap::new(), (), HashSet::new(), HashMap::new());
        let s = b.finish(
            Resolutions {
                exact: &exact,
                domains: &domains,
                mto: &mto,
                names: &names,
            },
            "Fabrikam",
            0,
        );
        assert_eq!(s.rows[0].method, Method::Upn);
        assert_eq!(s.rows[0].segment, Segment::ExternalMember);
    }
}
