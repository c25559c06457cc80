//! Tenant ids: Entra tenant ids are GUIDs, written in Graph in lower-case 8-4-4-4-12 form.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A validated Entra tenant id (a GUID), normalised to lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

/// Why a string is not a tenant id; the message is fit to show a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantIdError {
    pub input: String,
}

impl fmt::Display for TenantIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"{}\" is not a tenant id: expected a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47",
            self.input
        )
    }
}

impl std::error::Error for TenantIdError {}

impl TenantId {
    /// The all-zero GUID, used by Graph to reset a failed join request.
    pub const ZERO: &'static str = "00000000-0000-0000-0000-000000000000";

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_zero(&self) -> bool {
        self.0 == Self::ZERO
    }
}

impl FromStr for TenantId {
    type Err = TenantIdError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let trimmed = input.trim();
        let groups: Vec<&str> = trimmed.split('-').collect();
        let shape_ok = groups.len() == 5
            && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, len)| {
                group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit())
            });
        if shape_ok {
            Ok(Self(trimmed.to_ascii_lowercase()))
        } else {
            Err(TenantIdError {
                input: input.to_owned(),
            })
        }
    }
}

impl TryFrom<String> for TenantId {
    type Error = TenantIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<TenantId> for String {
    fn from(value: TenantId) -> Self {
        value.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
        assert!(TenantId::ZERO.parse::<TenantId>().unwrap().is_zero());
    }

    #[test]
    fn rejects_malformed_ids_with_a_readable_message() {
        for bad in [
            "",
            "contoso.onmicrosoft.com",
            "72f988bf-86f1-41af-91ab-2d7cd011db4",
            "72f988bf86f141af91ab2d7cd011db47",
            "g2f988bf-86f1-41af-91ab-2d7cd011db47",
        ] {
            let err = bad.parse::<TenantId>().unwrap_err();
            assert!(err.to_string().contains("is not a tenant id"), "{bad}");
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
    }
}

/// What a person types to name a tenant: its id or one of its verified domains.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TenantRef {
    Id(TenantId),
    Domain(String),
}

impl TenantRef {
    /// Parses a tenant id or a domain name (`contoso.onmicrosoft.com`, `contoso.com`).
    /// The error message is fit to show a person.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("Enter a tenant id or a verified domain.".to_owned());
        }
        if let Ok(id) = trimmed.parse::<TenantId>() {
            return Ok(Self::Id(id));
        }
        let domain = trimmed.to_ascii_lowercase();
        if is_domain_name(&domain) {
            Ok(Self::Domain(domain))
        } else {
            Err(format!(
                "\"{trimmed}\" is neither a tenant id (a GUID) nor a domain name such as contoso.onmicrosoft.com."
            ))
        }
    }

    /// The value as Entra's `/{tenant}/` path segment accepts it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Id(id) => id.as_str(),
            Self::Domain(domain) => domain,
        }
    }
}

fn is_domain_name(candidate: &str) -> bool {
    let labels: Vec<&str> = candidate.split('.').collect();
    candidate.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()) && tld.len() >= 2)
}

#[cfg(test)]
mod tenant_ref_tests {
    use super::*;

    #[test]
    fn parses_ids_and_domains() {
        assert!(matches!(
            TenantRef::parse("72f988bf-86f1-41af-91ab-2d7cd011db47"),
            Ok(TenantRef::Id(_))
        ));
        assert_eq!(
            TenantRef::parse(" Contoso.OnMicrosoft.com ").unwrap(),
            TenantRef::Domain("contoso.onmicrosoft.com".into())
        );
    }

    #[test]
    fn refuses_what_is_neither() {
        for bad in [
            "",
            "   ",
            "contoso",
            "contoso..com",
            "-contoso.com",
            "contoso.c0m",
            "con toso.com",
            "a@b.com",
            "contoso.com/evil",
        ] {
            assert!(TenantRef::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
