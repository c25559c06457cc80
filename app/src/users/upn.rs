//! Domains from the addresses Graph gives: a B2B user's `#EXT#` UPN (`jane_contoso.com#EXT#@host` →
//! `contoso.com`) and the domain of a mail address. Heuristics, so every result is checked to look
//! like a DNS name before it is looked up (`MicrosoftDocs/entra-docs`
//! `docs/external-id/user-properties.md` for the UPN; `microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/api/tenantrelationship-findtenantinformationbydomainname.md` for the
//! lookup).

/// The marker Entra puts into the UPN of a B2B user, in any case.
const EXT: &str = "#ext#";

/// Whether `upn` has the `#EXT#` form of an external (B2B) user.
pub fn has_ext_marker(upn: &str) -> bool {
    find_ci(upn, EXT).is_some()
}

/// The home domain encoded in a B2B UPN: the text before the first `#EXT#`, after its **last**
/// underscore (the `@` of the home address became that underscore; aliases may hold underscores
/// themselves). `None` when the UPN has no `#EXT#` or what it encodes is not a domain name.
pub fn ext_domain(upn: &str) -> Option<String> {
    let marker = find_ci(upn, EXT)?;
    let encoded = &upn[..marker];
    let (_, domain) = encoded.rsplit_once('_')?;
    normalise_domain(domain)
}

/// The domain of a mail address (after its last `@`), lower-cased; `None` if it is not one.
pub fn mail_domain(mail: &str) -> Option<String> {
    let (local, domain) = mail.trim().rsplit_once('@')?;
    if local.is_empty() {
        return None;
    }
    normalise_domain(domain)
}

/// `domain` lower-cased when it is a plausible DNS name: dot-separated labels of ASCII letters,
/// digits and inner hyphens, at least two labels, the last not numeric.
pub fn normalise_domain(domain: &str) -> Option<String> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if domain.is_empty() || domain.len() > 253 {
        return None;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let top_level_ok = labels
        .last()
        .is_some_and(|tld| tld.bytes().any(|b| b.is_ascii_lowercase()));
    (labels.len() >= 2 && labels.iter().all(label_ok) && top_level_ok).then_some(domain)
}

/// Byte offset of `needle` (ASCII, lower case) in `haystack`, ignoring ASCII case.
fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ext_form_gives_the_home_domain() {
        assert_eq!(
            ext_domain("jane_contoso.com#EXT#@fabrikam.onmicrosoft.com").as_deref(),
            Some("contoso.com")
        );
        assert_eq!(
            ext_domain("alex.vance_woodgrovebank.com#EXT#@contoso.onmicrosoft.com").as_deref(),
            Some("woodgrovebank.com")
        );
    }

    #[test]
    fn the_last_underscore_separates_the_domain() {
        assert_eq!(
            ext_domain("jane_doe_contoso.com#EXT#@fabrikam.onmicrosoft.com").as_deref(),
            Some("contoso.com")
        );
        assert_eq!(
            ext_domain("__jane__sub.contoso.co.uk#EXT#@host.onmicrosoft.com").as_deref(),
            Some("sub.contoso.co.uk")
        );
    }

    #[test]
    fn case_does_not_matter_and_domains_come_out_lower_case() {
        assert_eq!(
            ext_domain("JANE_CONTOSO.COM#ext#@FABRIKAM.ONMICROSOFT.COM").as_deref(),
            Some("contoso.com")
        );
        assert_eq!(
            ext_domain("Jane_Contoso.Com#Ext#@fabrikam.onmicrosoft.com").as_deref(),
            Some("contoso.com")
        );
        assert!(has_ext_marker("a_b.com#eXt#@c.com"));
    }

    #[test]
    fn extra_hashes_are_tolerated() {
        // The first marker counts; a doubled marker or a `#` in the alias do not confuse it.
        assert_eq!(
            ext_domain("jane_contoso.com#EXT##EXT#@fabrikam.onmicrosoft.com").as_deref(),
            Some("contoso.com")
        );
        assert_eq!(
            ext_domain("ja#ne_contoso.com#EXT#@fabrikam.onmicrosoft.com").as_deref(),
            Some("contoso.com")
        );
        // A guest of a guest: the outer invitation's domain is the one encoded first.
        assert_eq!(
            ext_domain("jane_contoso.com#EXT#_fabrikam.com#EXT#@woodgrove.com").as_deref(),
            Some("contoso.com")
        );
        assert_eq!(ext_domain("jane_con#toso.com#EXT#@host.com"), None);
    }

    #[test]
    fn upns_without_the_form_give_nothing() {
        assert_eq!(ext_domain("jane@contoso.com"), None, "no marker");
        assert_eq!(
            ext_domain("jane_contoso.com@fabrikam.onmicrosoft.com"),
            None,
            "an underscore alone is not the external form"
        );
        assert_eq!(ext_domain("jane#EXT#@fabrikam.com"), None, "no underscore");
        assert_eq!(ext_domain("jane_#EXT#@fabrikam.com"), None, "empty domain");
        assert_eq!(ext_domain("jane_localhost#EXT#@fabrikam.com"), None);
        assert_eq!(ext_domain("jane_10.0.0.1#EXT#@fabrikam.com"), None);
        assert_eq!(ext_domain("jane_-bad-.com#EXT#@fabrikam.com"), None);
        assert_eq!(ext_domain("#EXT#"), None);
        assert_eq!(ext_domain(""), None);
        assert_eq!(ext_domain("jané_cöntoso.com#EXT#@x.com"), None);
    }

    #[test]
    fn mail_domains_are_checked_too() {
        assert_eq!(
            mail_domain("Jane.Doe@Contoso.COM").as_deref(),
            Some("contoso.com")
        );
        assert_eq!(
            mail_domain("\"odd@alias\"@tailspintoys.com").as_deref(),
            Some("tailspintoys.com")
        );
        assert_eq!(mail_domain("no-at-sign"), None);
        assert_eq!(mail_domain("@contoso.com"), None);
        assert_eq!(mail_domain("jane@"), None);
        assert_eq!(
            mail_domain("jane@contoso.com.").as_deref(),
            Some("contoso.com")
        );
        assert_eq!(mail_domain("jane@con'toso.com"), None);
    }
}
