//! A Graph call as data: method, path (relative to the version root, query included), JSON body and
//! extra headers, and [`Op`], a request that names the type its answer decodes to. Operations are
//! built only by the functions in [`crate::ops`], from typed values, so that nothing a person types
//! reaches a URL unvalidated or unencoded. Wasm-safe: the dashboard's pages show requests (fix
//! previews) exactly as the server will send them.

use std::fmt;
use std::marker::PhantomData;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The HTTP methods Graph's operations use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    /// GET, PUT and DELETE may be sent again without changing the outcome (RFC 9110 §9.2.2).
    pub fn is_idempotent(self) -> bool {
        matches!(self, Self::Get | Self::Put | Self::Delete)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Graph request. `path` is relative to the version root (`/v1.0`), e.g.
/// `/tenantRelationships/multiTenantOrganization/tenants`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub method: Method,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Headers this request needs besides authorization (e.g. `ConsistencyLevel: eventual`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The body, pretty-printed for a person to read before it is sent.
    pub fn pretty_body(&self) -> Option<String> {
        self.body
            .as_ref()
            .and_then(|body| serde_json::to_string_pretty(body).ok())
    }
}

/// Graph's `ConsistencyLevel: eventual` header, needed for `$count`, `$search` and advanced filters.
pub const CONSISTENCY_EVENTUAL: (&str, &str) = ("ConsistencyLevel", "eventual");

/// A request whose successful answer decodes to `T`.
#[derive(Debug, Clone, PartialEq)]
pub struct Op<T> {
    request: Request,
    answer: PhantomData<fn() -> T>,
}

impl<T> Op<T> {
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            request: Request {
                method,
                path: path.into(),
                body: None,
                headers: Vec::new(),
            },
            answer: PhantomData,
        }
    }

    /// The operation a request was made from, answering plain JSON.
    #[cfg(feature = "client")]
    pub(crate) fn from_request(request: Request) -> Self {
        Self {
            request,
            answer: PhantomData,
        }
    }

    pub(crate) fn get(path: impl Into<String>) -> Self {
        Self::new(Method::Get, path)
    }

    /// With a JSON body. The bodies are this crate's own types, whose serialisation cannot fail
    /// (no maps with non-text keys): the `Null` fallback is never taken.
    pub(crate) fn body<B: Serialize>(mut self, body: &B) -> Self {
        self.request.body = Some(serde_json::to_value(body).unwrap_or(Value::Null));
        self
    }

    pub(crate) fn header(mut self, (name, value): (&str, &str)) -> Self {
        self.request
            .headers
            .push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn request(&self) -> &Request {
        &self.request
    }

    pub fn into_request(self) -> Request {
        self.request
    }

    pub fn method(&self) -> Method {
        self.request.method
    }

    pub fn path(&self) -> &str {
        &self.request.path
    }
}

/// The answer of an operation that returns no content (`204`), or whose content is not needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct NoContent;

impl<'de> Deserialize<'de> for NoContent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| NoContent)
    }
}

/// One page of a Graph collection: `{"@odata.context", "@odata.count", "@odata.nextLink", "value"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collection<T> {
    #[serde(
        rename = "@odata.context",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<String>,
    #[serde(
        rename = "@odata.count",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<u64>,
    #[serde(
        rename = "@odata.nextLink",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_link: Option<String>,
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
}

impl<T> Collection<T> {
    pub fn new(value: Vec<T>) -> Self {
        Self {
            context: None,
            count: None,
            next_link: None,
            value,
        }
    }
}

/// Percent-encodes a query parameter's value (RFC 3986): unreserved characters and the few that
/// OData expressions use and that carry no meaning inside a value (`'`, `(`, `)`, `,`, `/`, `:`,
/// `$`, `@`) stay as they are; everything else, `&`, `#`, `+`, `%`, `=`, spaces and non-ASCII
/// included, is encoded.
pub fn encode_query_value(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'\''
            | b'('
            | b')'
            | b','
            | b'/'
            | b':'
            | b'$'
            | b'@' => encoded.push(char::from(byte)),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// An OData string literal: `'…'` with quotes doubled (OData ABNF, `SQUOTE-in-string`).
pub fn odata_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Builds a query string from `(name, value)` pairs, encoding each value.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", encode_query_value(value)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Op<serde_json::Value> {
    /// An operation for a request built elsewhere (e.g. one of a fix's calls), its answer as
    /// plain JSON.
    pub fn raw(request: Request) -> Self {
        Self {
            request,
            answer: PhantomData,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_cannot_escape_their_parameter() {
        assert_eq!(
            encode_query_value("startswith(displayName,'a b&c#d=e+f%')"),
            "startswith(displayName,'a%20b%26c%23d%3De%2Bf%25')"
        );
        assert_eq!(encode_query_value("é"), "%C3%A9");
        assert_eq!(odata_string("O'Brien"), "'O''Brien'");
        assert_eq!(
            query(&[("$top", "5"), ("$filter", "id eq 'x'")]),
            "$top=5&$filter=id%20eq%20'x'"
        );
    }

    #[test]
    fn no_content_accepts_any_answer() {
        assert_eq!(
            serde_json::from_str::<NoContent>("null").unwrap(),
            NoContent
        );
        assert_eq!(
            serde_json::from_str::<NoContent>(r#"{"a":[1]}"#).unwrap(),
            NoContent
        );
    }

    #[test]
    fn collections_read_graph_pages() {
        let page: Collection<u32> = serde_json::from_str(
            r#"{"@odata.context":"c","@odata.count":3,"@odata.nextLink":"n","value":[1,2]}"#,
        )
        .unwrap();
        assert_eq!(
            (page.count, page.next_link.as_deref(), page.value),
            (Some(3), Some("n"), vec![1, 2])
        );
        let empty: Collection<u32> = serde_json::from_str("{}").unwrap();
        assert!(empty.value.is_empty());
    }
}
