//! Server-driven paging: `$top`, opaque `$skiptoken`s and the `@odata.nextLink` that carries them.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::GraphError;

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

/// The request's `$top`: `default` when absent; 400 outside `1..=max`, in Graph's words.
pub fn page_size(
    query: &HashMap<String, String>,
    default: usize,
    max: usize,
) -> Result<usize, GraphError> {
    let Some(top) = query.get("$top") else {
        return Ok(default);
    };
    top.parse::<usize>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| {
            GraphError::bad_request(format!(
                "Invalid page size specified: '{top}'. Must be between 1 and {max} inclusive."
            ))
        })
}

/// Where the request's page starts: 0 without a `$skiptoken`; 400 for a token not issued here.
pub fn offset(query: &HashMap<String, String>) -> Result<usize, GraphError> {
    match query.get("$skiptoken") {
        Some(token) => {
            offset_of(token).ok_or_else(|| GraphError::bad_request("Invalid $skiptoken."))
        }
        None => Ok(0),
    }
}

/// The page of `items` that starts at `offset`, at most `top` long, and whether more follow.
pub fn page_of<T>(items: impl Iterator<Item = T>, offset: usize, top: usize) -> (Vec<T>, bool) {
    let mut rest = items.skip(offset);
    let page: Vec<T> = rest.by_ref().take(top).collect();
    let more = rest.next().is_some();
    (page, more)
}

/// The `@odata.nextLink` of this request's page when `more` items follow: the same path and query
/// options, from `next_offset` on.
pub fn next_of(
    state: &crate::EmulatorState,
    parts: &axum::http::request::Parts,
    query: &HashMap<String, String>,
    next_offset: usize,
    more: bool,
) -> Option<String> {
    more.then(|| next_link(&state.base_url(parts), parts.uri.path(), query, next_offset))
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

    #[test]
    fn page_sizes_and_offsets_come_from_the_query() {
        let query = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert_eq!(page_size(&query(&[]), 100, 999).ok(), Some(100));
        assert_eq!(
            page_size(&query(&[("$top", "999")]), 100, 999).ok(),
            Some(999)
        );
        let refused = page_size(&query(&[("$top", "0")]), 100, 999).unwrap_err();
        assert_eq!(
            refused.message,
            "Invalid page size specified: '0'. Must be between 1 and 999 inclusive."
        );
        assert_eq!(offset(&query(&[])).ok(), Some(0));
        let token = skiptoken(42);
        assert_eq!(offset(&query(&[("$skiptoken", &token)])).ok(), Some(42));
        assert!(offset(&query(&[("$skiptoken", "x")])).is_err());
    }

    #[test]
    fn a_page_knows_whether_more_follow() {
        assert_eq!(page_of(0..10, 4, 3), (vec![4, 5, 6], true));
        assert_eq!(page_of(0..10, 7, 3), (vec![7, 8, 9], false));
        assert_eq!(page_of(0..10, 12, 3), (vec![], false));
    }
}
