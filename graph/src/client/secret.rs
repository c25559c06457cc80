//! Bearer tokens as a type that cannot be printed, logged or serialised by accident.

use std::fmt;

/// An access token for Microsoft Graph. `Debug` and `Display` print `[redacted]`; the value is only
/// reachable through [`AccessToken::expose`], used when building the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The raw token. Call only to put it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_token() {
        let token = AccessToken::new("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret");
        assert!(!format!("{token:?}").contains("secret"));
        assert!(!format!("{token}").contains("secret"));
        assert_eq!(
            token.expose(),
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret"
        );
    }
}
