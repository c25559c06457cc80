//! Who is external, who is a guest, which segment follows, and which home-tenant evidence wins
//! (`MicrosoftDocs/entra-docs` `docs/external-id/user-properties.md`;
//! `microsoftgraph/microsoft-graph-docs-contrib` `api-reference/v1.0/resources/user.md`).

use super::{upn, Method, Segment};

/// External (a B2B user homed elsewhere): created by invitation, or carrying the `#EXT#` UPN.
/// Cross-tenant sync creates such users too.
pub fn is_external(creation_type: Option<&str>, user_principal_name: &str) -> bool {
    creation_type.is_some_and(|c| c.eq_ignore_ascii_case("Invitation"))
        || upn::has_ext_marker(user_principal_name)
}

/// A guest by `userType`; anything else (including no value) counts as a member, as Entra does.
pub fn is_guest(user_type: Option<&str>) -> bool {
    user_type.is_some_and(|t| t.trim().eq_ignore_ascii_case("Guest"))
}

/// The segment of a user: internal ones by type; external ones by type and whether their home
/// tenant is an active tenant of the MTO (an unknown home is outside it).
pub fn segment(external: bool, guest: bool, home_in_mto: bool) -> Segment {
    match (external, guest, home_in_mto) {
        (false, false, _) => Segment::InternalMember,
        (false, true, _) => Segment::InternalGuest,
        (true, false, true) => Segment::MtoMember,
        (true, true, true) => Segment::MtoGuest,
        (true, false, false) => Segment::ExternalMember,
        (true, true, false) => Segment::ExternalGuest,
    }
}

/// The home tenant from the evidence, strongest first: a provisioning-log match (`exact`), the
/// tenant the mail domain resolved to (`by_mail`), the tenant the `#EXT#` UPN's domain resolved to
/// (`by_upn`); otherwise unknown.
pub fn resolve<T>(exact: Option<T>, by_mail: Option<T>, by_upn: Option<T>) -> (Option<T>, Method) {
    match (exact, by_mail, by_upn) {
        (Some(tenant), _, _) => (Some(tenant), Method::Exact),
        (None, Some(tenant), _) => (Some(tenant), Method::Domain),
        (None, None, Some(tenant)) => (Some(tenant), Method::Upn),
        (None, None, None) => (None, Method::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_means_invited_or_ext_upn() {
        assert!(is_external(Some("Invitation"), "jane@contoso.com"));
        assert!(is_external(Some("invitation"), "jane@contoso.com"));
        assert!(is_external(
            None,
            "jane_contoso.com#EXT#@fabrikam.onmicrosoft.com"
        ));
        assert!(!is_external(None, "jane@fabrikam.com"));
        assert!(!is_external(Some("LocalAccount"), "jane@fabrikam.com"));
        assert!(!is_external(
            Some("EmailVerified"),
            "jane_contoso.com@fabrikam.com"
        ));
    }

    #[test]
    fn guest_is_by_user_type_only() {
        assert!(is_guest(Some("Guest")));
        assert!(is_guest(Some("guest ")));
        assert!(!is_guest(Some("Member")));
        assert!(!is_guest(None));
        assert!(!is_guest(Some("Viewer")));
    }

    #[test]
    fn every_segment_has_its_case() {
        assert_eq!(segment(false, false, false), Segment::InternalMember);
        assert_eq!(
            segment(false, false, true),
            Segment::InternalMember,
            "internal users are internal whatever the MTO"
        );
        assert_eq!(segment(false, true, false), Segment::InternalGuest);
        assert_eq!(segment(true, false, true), Segment::MtoMember);
        assert_eq!(segment(true, true, true), Segment::MtoGuest);
        assert_eq!(segment(true, false, false), Segment::ExternalMember);
        assert_eq!(segment(true, true, false), Segment::ExternalGuest);
    }

    #[test]
    fn exact_beats_domain_beats_upn() {
        assert_eq!(
            resolve(Some("contoso"), Some("tailspin"), Some("woodgrove")),
            (Some("contoso"), Method::Exact)
        );
        assert_eq!(
            resolve(None, Some("tailspin"), Some("woodgrove")),
            (Some("tailspin"), Method::Domain)
        );
        assert_eq!(
            resolve(None, None, Some("woodgrove")),
            (Some("woodgrove"), Method::Upn)
        );
        assert_eq!(resolve::<&str>(None, None, None), (None, Method::Unknown));
    }
}
