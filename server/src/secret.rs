//! Secrets from configuration (client secret) that cannot be logged or serialised by accident.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

/// Serialising a secret is refused, so it can never end up in a dump of the settings.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("secrets are not serialised"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_serialising_fails() {
        let secret = Secret::new("demo-secret-not-for-production");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert!(serde_json::to_string(&secret).is_err());
        let parsed: Secret = serde_json::from_str("\"s3cret\"").unwrap();
        assert_eq!(parsed.expose(), "s3cret");
    }
}
