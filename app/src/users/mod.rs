//! User segmentation as plain Rust: who is external or a guest and which segment follows
//! ([`classify`]), home domains from `#EXT#` UPNs and mail addresses ([`upn`]), the compact table of
//! one tenant's users with its counts ([`segmentation`]), the list's filter, search, paging and CSV
//! ([`filter`]), and what the `/users` page receives ([`view`]). No I/O here.

pub mod classify;
pub mod filter;
pub mod segmentation;
pub mod upn;
pub mod view;

use serde::{Deserialize, Serialize};

pub use filter::{Matcher, UserFilter};
pub use segmentation::{Builder, HomeTenant, RawUser, Resolutions, Segmentation, UserRow};
pub use view::{report, HomeLine, SegmentCount, UserLine, UsersReport, UsersState, UsersView};

/// The six segments, in the order the page shows them: internal members and guests as in
/// `MicrosoftDocs/entra-docs` `docs/external-id/user-properties.md`, external members and guests
/// from within and outside the MTO as in
/// `docs/identity/multi-tenant-organizations/multi-tenant-organization-overview.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Segment {
    InternalMember,
    InternalGuest,
    /// External members whose home tenant is an active tenant of the MTO ("MTO members").
    MtoMember,
    MtoGuest,
    /// External members from outside the MTO (or from an unknown home tenant).
    ExternalMember,
    ExternalGuest,
}

impl Segment {
    pub const ALL: [Segment; 6] = [
        Segment::InternalMember,
        Segment::InternalGuest,
        Segment::MtoMember,
        Segment::MtoGuest,
        Segment::ExternalMember,
        Segment::ExternalGuest,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The value in URLs (`?segment=mto-member`).
    pub fn slug(self) -> &'static str {
        match self {
            Segment::InternalMember => "internal-member",
            Segment::InternalGuest => "internal-guest",
            Segment::MtoMember => "mto-member",
            Segment::MtoGuest => "mto-guest",
            Segment::ExternalMember => "external-member",
            Segment::ExternalGuest => "external-guest",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug.trim())
    }

    /// The segment's name, plural, as the chart and tables show it.
    pub fn label(self) -> &'static str {
        match self {
            Segment::InternalMember => "Internal members",
            Segment::InternalGuest => "Internal guests",
            Segment::MtoMember => "MTO members",
            Segment::MtoGuest => "MTO guests",
            Segment::ExternalMember => "External members outside the MTO",
            Segment::ExternalGuest => "External guests outside the MTO",
        }
    }

    /// One user's segment, as the list and the CSV show it.
    pub fn singular(self) -> &'static str {
        match self {
            Segment::InternalMember => "internal member",
            Segment::InternalGuest => "internal guest",
            Segment::MtoMember => "MTO member",
            Segment::MtoGuest => "MTO guest",
            Segment::ExternalMember => "external member outside the MTO",
            Segment::ExternalGuest => "external guest outside the MTO",
        }
    }

    pub fn is_external(self) -> bool {
        !matches!(self, Segment::InternalMember | Segment::InternalGuest)
    }
}

/// How a user's home tenant was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// An internal user: homed in the tenant being read.
    ThisTenant,
    /// The user is the target of a provisioning-log entry in a source tenant the session can read.
    Exact,
    /// The mail domain, resolved with `findTenantInformationByDomainName`.
    Domain,
    /// The domain encoded in the `#EXT#` UPN, resolved the same way.
    Upn,
    Unknown,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::ThisTenant,
        Method::Exact,
        Method::Domain,
        Method::Upn,
        Method::Unknown,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            Method::ThisTenant => "this tenant",
            Method::Exact => "exact",
            Method::Domain => "domain",
            Method::Upn => "UPN",
            Method::Unknown => "unknown",
        }
    }

    /// What the method means, for a tooltip or the page's legend.
    pub fn explanation(self) -> &'static str {
        match self {
            Method::ThisTenant => "an internal user of this tenant",
            Method::Exact => "found in the provisioning log of the sync job that created the user",
            Method::Domain => "the mail domain belongs to that tenant",
            Method::Upn => "the domain in the #EXT# user principal name belongs to that tenant",
            Method::Unknown => "no evidence of the home tenant",
        }
    }
}

/// `userType` as Graph gives it, in one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserType {
    Member,
    Guest,
    /// No value, or one Tenant Mesh does not know.
    Other,
}

impl UserType {
    pub fn from_graph(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            Some(t) if t.eq_ignore_ascii_case("Member") => UserType::Member,
            Some(t) if t.eq_ignore_ascii_case("Guest") => UserType::Guest,
            _ => UserType::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UserType::Member => "Member",
            UserType::Guest => "Guest",
            UserType::Other => "",
        }
    }
}

/// Bar lengths for counts, the largest filling `full` (zero counts get no bar).
pub fn bar_lengths(counts: &[u64], full: f64) -> Vec<f64> {
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&c| {
            if max == 0 {
                0.0
            } else {
                full * c as f64 / max as f64
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip() {
        for segment in Segment::ALL {
            assert_eq!(Segment::from_slug(segment.slug()), Some(segment));
            assert_eq!(Segment::ALL[segment.index()], segment);
        }
        assert_eq!(Segment::from_slug("everyone"), None);
        for method in Method::ALL {
            assert_eq!(Method::ALL[method.index()], method);
        }
    }

    #[test]
    fn bars_scale_to_the_largest() {
        assert_eq!(bar_lengths(&[10, 5, 0], 200.0), vec![200.0, 100.0, 0.0]);
        assert_eq!(bar_lengths(&[0, 0], 200.0), vec![0.0, 0.0]);
    }
}
