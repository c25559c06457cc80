//! Server-driven paging: opaque `$skiptoken`s and the `@odata.nextLink` that carries them.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

const PREFIX: &str = "RFNwdAIAAQAAA";

/// An opaque token for the item at `offset`.
pub fn skiptoken(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{offset}"))
}

/// The offset a token stands for; `None` for a token this emulator did not issue.
pub fn offset_of(token: &str) -> Option<usize> {
    let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    decoded.strip_prefix(PREFIX)?.parse().ok()
}

/// `{base}{path}?…&$skiptoken=…`: the request's other query options, then the token. Keys stay
/// literal (`$top`, `$skiptoken`), as in Graph's own links; values are encoded.
pub fn next_link(base: &str, path: &str, query: &HashMap<String, String>, offset: usize) -> String {
    let mut pairs: Vec<String> = query
        .iter()
        .filter(|(k, _)| k.as_str() != "$skiptoken")
        .map(|(key, value)| {
            format!(
                "{key}={}",
                url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
            )
        })
        .collect();
    pairs.sort();
    pairs.push(format!("$skiptoken={}", skiptoken(offset)));
    format!("{base}{path}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(offset_of(&skiptoken(1234)), Some(1234));
        assert_eq!(offset_of("not-a-token"), None);
        let query = HashMap::from([("$top".to_owned(), "5".to_owned())]);
        let link = next_link("http://h", "/v1.0/users", &query, 5);
        assert!(link.starts_with("http://h/v1.0/users?$top=5&$skiptoken="));
    }
}
