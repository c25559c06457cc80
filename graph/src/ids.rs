//! The identifiers that go into Graph URLs, validated when they are made so that nothing a person
//! types can change the path or query of a call: tenant ids and object ids are GUIDs (written by
//! Graph in lower-case 8-4-4-4-12 form), domains are DNS names, job ids a restricted token.
//! Each `Display`s as its canonical text, which is also how it is serialised.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The text of a GUID in canonical lower-case form, or `None`.
fn canonical_guid(input: &str) -> Option<String> {
    let trimmed = input.trim();
    let groups: Vec<&str> = trimmed.split('-').collect();
    let shape_ok = groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()));
    shape_ok.then(|| trimmed.to_ascii_lowercase())
}

/// Declares a validated identifier newtype: serde through its text, `Display`, `as_str`,
/// `FromStr` with the given error, and `From<Self> for String`.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $error:ty, $parse:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = $error;
            fn from_str(input: &str) -> Result<Self, Self::Err> {
                let parse: fn(&str) -> Result<String, $error> = $parse;
                parse(input).map(Self)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

/// Why a text is not the identifier expected; the message is fit to show a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError {
    pub input: String,
    pub message: String,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IdError {}

/// Why a string is not a tenant id.
pub type TenantIdError = IdError;

/// Shortens what a person typed for an error message (it may be long or hostile).
fn quoted(input: &str) -> String {
    let shown: String = input.trim().chars().take(80).collect();
    let ellipsis = if input.trim().chars().count() > 80 {
        "…"
    } else {
        ""
    };
    format!("\"{}{ellipsis}\"", shown.escape_debug())
}

id_type!(
    /// A validated Entra tenant id (a GUID), normalised to lower case.
    TenantId,
    IdError,
    |input| {
        canonical_guid(input).ok_or_else(|| IdError {
            input: input.to_owned(),
            message: format!(
                "{} is not a tenant id: expected a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47",
                quoted(input)
            ),
        })
    }
);

impl TenantId {
    /// The all-zero GUID, used by Graph to reset a failed join request.
    pub const ZERO: &'static str = "00000000-0000-0000-0000-000000000000";

    /// The all-zero tenant id.
    pub fn zero() -> Self {
        Self(Self::ZERO.to_owned())
    }

    pub fn is_zero(&self) -> bool {
        self.0 == Self::ZERO
    }
}

id_type!(
    /// A directory object's id (user, group, service principal, app role): a GUID, lower case.
    ObjectId,
    IdError,
    |input| {
        canonical_guid(input).ok_or_else(|| IdError {
            input: input.to_owned(),
            message: format!("{} is not an object id (a GUID)", quoted(input)),
        })
    }
);

/// The longest job id accepted (Graph's are about 80 characters).
const MAX_JOB_ID: usize = 200;

id_type!(
    /// A synchronization job's id, e.g. `Azure2Azure.8b3b3e0a4c3b4c52b1d7e2f5a9c1d0e1.2d1f…`:
    /// letters, digits, `.`, `-` and `_` only, so it is always one safe path segment.
    JobId,
    IdError,
    |input| {
        let ok = !input.is_empty()
            && input.len() <= MAX_JOB_ID
            && input != "."
            && input != ".."
            && input
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if ok {
            Ok(input.to_owned())
        } else {
            Err(IdError {
                input: input.to_owned(),
                message: format!("{} is not a synchronization job id", quoted(input)),
            })
        }
    }
);

/// The longest domain name (RFC 1035: 253 characters in text form).
const MAX_DOMAIN: usize = 253;
/// The longest DNS label.
const MAX_LABEL: usize = 63;

id_type!(
    /// A DNS domain name as Entra verifies them (`contoso.com`, `contoso.onmicrosoft.com`), lower
    /// case: ASCII letters, digits and hyphens in dot-separated labels, nothing else. International
    /// names are accepted in their punycode (`xn--…`) form only.
    Domain,
    IdError,
    |input| {
        domain_name(input).map_err(|why| IdError {
            input: input.to_owned(),
            message: format!("{} is not a domain name: {why}", quoted(input)),
        })
    }
);

/// The canonical form of a domain name, or why it is not one.
fn domain_name(input: &str) -> Result<String, String> {
    let domain = input.trim().to_ascii_lowercase();
    if let Some(c) = domain
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-')))
    {
        return Err(if c.is_ascii() {
            format!(
                "{} is not allowed (letters, digits, hyphens and dots only)",
                c.escape_debug()
            )
        } else {
            format!(
                "{c} is not an ASCII letter (international names must be written in their xn-- form)"
            )
        });
    }
    if domain.len() > MAX_DOMAIN {
        return Err(format!("longer than {MAX_DOMAIN} characters"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("it needs at least two labels, such as contoso.com".into());
    }
    for label in &labels {
        if label.is_empty() {
            return Err("it has an empty label (two dots in a row, or a dot at either end)".into());
        }
        if label.len() > MAX_LABEL {
            return Err(format!("a label is longer than {MAX_LABEL} characters"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a label starts or ends with a hyphen".into());
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    let tld_ok =
        (tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())) || tld.starts_with("xn--");
    if !tld_ok {
        return Err(format!("\"{tld}\" is not a top-level domain"));
    }
    Ok(domain)
}

/// What a person types to name a tenant: its id or one of its verified domains. Serialised as
/// its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum TenantRef {
    Id(TenantId),
    Domain(Domain),
}

impl TenantRef {
    /// Parses a tenant id or a domain name (`contoso.onmicrosoft.com`, `contoso.com`). The error
    /// message is fit to show a person.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(IdError {
                input: input.to_owned(),
                message: "Enter a tenant id or a verified domain.".to_owned(),
            });
        }
        if let Ok(id) = trimmed.parse::<TenantId>() {
            return Ok(Self::Id(id));
        }
        match domain_name(trimmed) {
            Ok(domain) => Ok(Self::Domain(Domain(domain))),
            Err(why) => Err(IdError {
                input: input.to_owned(),
                message: format!(
                    "{} is neither a tenant id (a GUID) nor a domain name such as contoso.onmicrosoft.com: {why}.",
                    quoted(trimmed),
                ),
            }),
        }
    }

    /// The value as Entra's `/{tenant}/` path segment accepts it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Id(id) => id.as_str(),
            Self::Domain(domain) => domain.as_str(),
        }
    }
}

impl From<TenantRef> for String {
    fn from(value: TenantRef) -> Self {
        value.as_str().to_owned()
    }
}

impl TryFrom<String> for TenantRef {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl fmt::Display for TenantRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases_guids() {
        let id: TenantId = " 72F988BF-86F1-41AF-91AB-2D7CD011DB47 ".parse().unwrap();
        assert_eq!(id.as_str(), "72f988bf-86f1-41af-91ab-2d7cd011db47");
        assert!(!id.is_zero());
        assert!(TenantId::zero().is_zero());
    }

    #[test]
    fn rejects_malformed_ids_with_a_readable_message() {
        for bad in [
            "",
            "contoso.onmicrosoft.com",
            "72f988bf-86f1-41af-91ab-2d7cd011db4",
            "72f988bf86f141af91ab2d7cd011db47",
            "g2f988bf-86f1-41af-91ab-2d7cd011db47",
            "72f988bf-86f1-41af-91ab-2d7cd011db47/../x",
        ] {
            let err = bad.parse::<TenantId>().unwrap_err();
            assert!(err.to_string().contains("is not a tenant id"), "{bad}");
            assert!(bad.parse::<ObjectId>().is_err());
        }
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<TenantId>("\"nope\"").is_err());
        let id: TenantId =
            serde_json::from_str("\"72f988bf-86f1-41af-91ab-2d7cd011db47\"").unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"72f988bf-86f1-41af-91ab-2d7cd011db47\""
        );
        assert!(serde_json::from_str::<Domain>("\"a/b.com\"").is_err());
    }

    #[test]
    fn job_ids_are_one_safe_segment() {
        let id: JobId = "Azure2Azure.8b3b3e0a4c3b4c52b1d7e2f5a9c1d0e1.2d1f"
            .parse()
            .unwrap();
        assert_eq!(
            id.as_str(),
            "Azure2Azure.8b3b3e0a4c3b4c52b1d7e2f5a9c1d0e1.2d1f"
        );
        for bad in [
            "", ".", "..", "a/b", "a%2Fb", "a b", "a?b", "a#b", "a'b", "a\\b",
        ] {
            assert!(bad.parse::<JobId>().is_err(), "{bad:?}");
        }
        assert!("a".repeat(201).parse::<JobId>().is_err());
    }

    #[test]
    fn parses_ids_and_domains() {
        assert!(matches!(
            TenantRef::parse("72f988bf-86f1-41af-91ab-2d7cd011db47"),
            Ok(TenantRef::Id(_))
        ));
        assert_eq!(
            TenantRef::parse(" Contoso.OnMicrosoft.com ")
                .unwrap()
                .as_str(),
            "contoso.onmicrosoft.com"
        );
        assert!(TenantRef::parse("xn--mller-kva.de").is_ok());
        assert!(TenantRef::parse("shop.xn--p1ai").is_ok());
        assert!(TenantRef::parse("a-b.c-d.com").is_ok());
    }

    #[test]
    fn refuses_hostile_and_malformed_input() {
        let long_label = format!("{}.com", "a".repeat(64));
        let long_name = format!("{}com", "abcdefghi.".repeat(26));
        for bad in [
            "",
            "   ",
            "contoso",
            "contoso..com",
            ".contoso.com",
            "contoso.com.",
            "-contoso.com",
            "contoso-.com",
            "contoso.c0m",
            "con toso.com",
            "a@b.com",
            "contoso.com/evil",
            "fabrikam.com\\..\\..\\users\\admin@contoso.onmicrosoft.com",
            "fabrikam.com\\users",
            "..",
            "../users",
            "fabrikam.com/..",
            "%2e%2e",
            "fabrikam.com%2F..%2Fusers",
            "fabrikam%2ecom",
            "fabrikam.com%27",
            "fabrikam.com'",
            "fabrikam.com')/users",
            "fabrikam.com?$select=id",
            "fabrikam.com#x",
            "fabrikam.com\nx",
            "fabrikam.com\0",
            // Cyrillic 'а' and 'ѕ' look like Latin letters.
            "fаbrikam.com",
            "contoѕo.com",
            "ｆａｂｒｉｋａｍ.com",
            "fabrikam.com\u{200b}",
            long_label.as_str(),
            long_name.as_str(),
        ] {
            let error = TenantRef::parse(bad).expect_err(bad);
            assert!(
                error.to_string().starts_with("Enter a tenant id")
                    || error.to_string().contains("is neither a tenant id"),
                "{bad:?}: {error}"
            );
        }
    }

    #[test]
    fn the_reason_is_named() {
        let error = TenantRef::parse("fаbrikam.com").unwrap_err().to_string();
        assert!(error.contains("xn--"), "{error}");
        let error = TenantRef::parse("fabrikam.com\\x").unwrap_err().to_string();
        assert!(error.contains("\\\\ is not allowed"), "{error}");
        let error = "x".repeat(300).parse::<Domain>().unwrap_err().to_string();
        assert!(error.contains('…'), "long input is shortened: {error}");
    }
}
