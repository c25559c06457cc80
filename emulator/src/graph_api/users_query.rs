//! `$filter` and `$search` on `/users` (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/resources/user.md` and `api-reference/v1.0/api/user-list.md`; Microsoft's
//! "advanced query capabilities" (`concepts/aad-advanced-queries.md`) and "$search" pages): the
//! clauses a real client sends, case-insensitive like Graph.
//!
//! `$filter`: `eq` and `in` on `userType`, `creationType`, `displayName`, `userPrincipalName`,
//! `mail` and (`eq` only) `accountEnabled`; `startswith(displayName|userPrincipalName|mail,'…')`;
//! advanced (`ConsistencyLevel: eventual` and `$count=true`): `ne` on all of them and
//! `endswith(userPrincipalName|mail,'…')`; joined with `and` / `or`, with parentheses;
//! `identities/any(c:c/issuerAssignedId eq '…' and c/issuer eq '…')` (`resources/objectidentity.md`).
//! `$search`: `"property:text"` clauses joined with `AND` / `OR`, with parentheses; `displayName`
//! is matched by tokens, `userPrincipalName` and `mail` by prefix.
//!
//! Groups' `$filter` goes through the same parser ([`parse_filter_on`] names the resource in its
//! errors), then keeps only the clauses groups support ([`Filter::unsupported`]).

use axum::http::StatusCode;

use graph::users::ObjectIdentity;

use super::filter_tokens::{tokenize, Token};
use crate::error::GraphError;
use crate::users_state::User;

const ADVANCED_HINT: &str = "is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information";
const SEARCH_NEEDS_EVENTUAL: &str = "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Property {
    UserType,
    CreationType,
    DisplayName,
    UserPrincipalName,
    Mail,
    AccountEnabled,
    /// Only through `identities/any(…)` ([`Clause::Identity`]).
    Identities,
}

impl Property {
    fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "usertype" => Self::UserType,
            "creationtype" => Self::CreationType,
            "displayname" => Self::DisplayName,
            "userprincipalname" => Self::UserPrincipalName,
            "mail" => Self::Mail,
            "accountenabled" => Self::AccountEnabled,
            _ => return None,
        })
    }

    /// The property's name as Graph spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::UserType => "userType",
            Self::CreationType => "creationType",
            Self::DisplayName => "displayName",
            Self::UserPrincipalName => "userPrincipalName",
            Self::Mail => "mail",
            Self::AccountEnabled => "accountEnabled",
            Self::Identities => "identities",
        }
    }

    fn supports_prefix(self) -> bool {
        matches!(
            self,
            Self::DisplayName | Self::UserPrincipalName | Self::Mail
        )
    }

    fn supports_suffix(self) -> bool {
        matches!(self, Self::UserPrincipalName | Self::Mail)
    }
}

/// What a `$filter` reads from a directory object; `None` for a property it does not have.
pub trait Filtered {
    fn text(&self, property: Property) -> Option<&str>;
    fn flag(&self, property: Property) -> Option<bool>;
    /// `identities` (issuer and issuer-assigned id) that `identities/any(…)` may match.
    fn identities(&self) -> Vec<ObjectIdentity> {
        Vec::new()
    }
}

impl Filtered for User {
    fn text(&self, property: Property) -> Option<&str> {
        match property {
            Property::UserType => Some(self.user_type),
            Property::CreationType => self.creation_type,
            Property::DisplayName => Some(&self.display_name),
            Property::UserPrincipalName => Some(&self.user_principal_name),
            Property::Mail => self.mail.as_deref(),
            Property::AccountEnabled | Property::Identities => None,
        }
    }

    fn flag(&self, property: Property) -> Option<bool> {
        (property == Property::AccountEnabled).then_some(self.account_enabled)
    }

    fn identities(&self) -> Vec<ObjectIdentity> {
        // The issuer of the `userPrincipalName` identity is not matched (see `Clause::Identity`).
        User::identities(self, "")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    Text(String),
    Bool(bool),
}

/// Clauses joined with and / or: a `$filter` of [`Clause`]s or a `$search` of [`Term`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr<T> {
    And(Box<Expr<T>>, Box<Expr<T>>),
    Or(Box<Expr<T>>, Box<Expr<T>>),
    Leaf(T),
}

impl<T> Expr<T> {
    /// Whether the expression holds when each leaf is decided by `leaf`.
    fn holds(&self, leaf: &impl Fn(&T) -> bool) -> bool {
        match self {
            Self::And(a, b) => a.holds(leaf) && b.holds(leaf),
            Self::Or(a, b) => a.holds(leaf) || b.holds(leaf),
            Self::Leaf(t) => leaf(t),
        }
    }

    /// The first leaf (left to right) for which `pick` gives something.
    fn first<R>(&self, pick: &impl Fn(&T) -> Option<R>) -> Option<R> {
        match self {
            Self::And(a, b) | Self::Or(a, b) => a.first(pick).or_else(|| b.first(pick)),
            Self::Leaf(t) => pick(t),
        }
    }
}

pub type Filter = Expr<Clause>;
pub type Search = Expr<Term>;

/// What the shared and / or parsing needs from a grammar.
trait Grammar {
    type Leaf;
    /// Consumes the next token when it joins operands with `or` (else `and`).
    fn eat_join(&mut self, or: bool) -> bool;
    /// A leaf, or a parenthesised expression.
    fn primary(&mut self) -> Result<Expr<Self::Leaf>, GraphError>;
}

/// `operand (join operand)*` folded to the left; `and` binds tighter than `or`.
fn joined<G: Grammar>(grammar: &mut G, or: bool) -> Result<Expr<G::Leaf>, GraphError> {
    let operand = |g: &mut G| if or { joined(g, false) } else { g.primary() };
    let mut left = operand(grammar)?;
    while grammar.eat_join(or) {
        let right = Box::new(operand(grammar)?);
        left = if or {
            Expr::Or(Box::new(left), right)
        } else {
            Expr::And(Box::new(left), right)
        };
    }
    Ok(left)
}

/// One `$filter` comparison or function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// `property eq value` (or `ne`, when `negated`).
    Equals {
        property: Property,
        value: Literal,
        negated: bool,
    },
    In {
        property: Property,
        values: Vec<Literal>,
    },
    StartsWith {
        property: Property,
        prefix: String,
    },
    EndsWith {
        property: Property,
        suffix: String,
    },
    /// `identities/any(c:c/issuerAssignedId eq '…' and c/issuer eq '…')`, or `c/issuer eq '…'`
    /// alone for the issuers that allow it.
    Identity {
        issuer: String,
        issuer_assigned_id: Option<String>,
    },
}

fn lower(text: &str) -> String {
    text.to_lowercase()
}

impl Literal {
    fn matches(&self, object: &impl Filtered, property: Property) -> bool {
        match self {
            Self::Bool(wanted) => object.flag(property) == Some(*wanted),
            Self::Text(wanted) => object
                .text(property)
                .is_some_and(|v| lower(v) == lower(wanted)),
        }
    }
}

/// Issuers that `identities/any(c:c/issuer eq '…')` may name alone
/// (`microsoftgraph/microsoft-graph-docs-contrib` `api-reference/v1.0/resources/objectidentity.md`,
/// "Filtering").
const ISSUERS_FILTERABLE_ALONE: &[&str] = &["google.com", "facebook.com", "mail", "phone"];

/// Whether `identity` is the one an `identities/any(…)` clause asks for. `userPrincipalName`
/// identities never match: the page says filtering them "isn't supported" (filter on
/// `userPrincipalName` instead).
fn identity_matches(identity: &ObjectIdentity, issuer: &str, assigned: Option<&str>) -> bool {
    let same = |have: &Option<String>, wanted: &str| {
        have.as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(wanted))
    };
    identity.sign_in_type.as_deref() != Some("userPrincipalName")
        && same(&identity.issuer, issuer)
        && assigned.is_none_or(|id| same(&identity.issuer_assigned_id, id))
}

/// Graph's answer to an `identities/any(…)` it does not serve, as reported in
/// microsoftgraph/microsoft-graph-docs-contrib issue 9104.
pub fn unsupported_identity_query() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "Request_UnsupportedQuery",
        "Unsupported query on property 'ObjectIdentity'.",
    )
}

impl Clause {
    fn matches(&self, object: &impl Filtered) -> bool {
        match self {
            Self::Equals {
                property,
                value,
                negated,
            } => value.matches(object, *property) != *negated,
            Self::In { property, values } => values.iter().any(|v| v.matches(object, *property)),
            Self::StartsWith { property, prefix } => object
                .text(*property)
                .is_some_and(|v| lower(v).starts_with(&lower(prefix))),
            Self::EndsWith { property, suffix } => object
                .text(*property)
                .is_some_and(|v| lower(v).ends_with(&lower(suffix))),
            Self::Identity {
                issuer,
                issuer_assigned_id,
            } => object
                .identities()
                .iter()
                .any(|identity| identity_matches(identity, issuer, issuer_assigned_id.as_deref())),
        }
    }

    pub fn property(&self) -> Property {
        match self {
            Self::Equals { property, .. }
            | Self::In { property, .. }
            | Self::StartsWith { property, .. }
            | Self::EndsWith { property, .. } => *property,
            Self::Identity { .. } => Property::Identities,
        }
    }

    /// The operator, when Graph serves it only in advanced queries (`ne`, `endsWith`).
    fn advanced_operator(&self) -> Option<&'static str> {
        match self {
            Self::Equals { negated: true, .. } => Some("ne"),
            Self::EndsWith { .. } => Some("endsWith"),
            _ => None,
        }
    }
}

impl Filter {
    pub fn matches(&self, object: &impl Filtered) -> bool {
        self.holds(&|clause: &Clause| clause.matches(object))
    }

    /// The property of the first clause that `supported` refuses (a resource that serves fewer
    /// clauses than users do).
    pub fn unsupported(&self, supported: impl Fn(&Clause) -> bool) -> Option<Property> {
        self.first(&|clause: &Clause| (!supported(clause)).then(|| clause.property()))
    }

    /// The first operator that Graph serves only in advanced queries (`ne`, `endsWith`).
    pub fn advanced_operator(&self) -> Option<&'static str> {
        self.first(&Clause::advanced_operator)
    }
}

/// The documented answer to an advanced-only operator without the advanced query parameters.
pub fn needs_advanced(operator: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "Request_UnsupportedQuery",
        format!("Operator '{operator}' {ADVANCED_HINT}"),
    )
}

/// `$search` without `ConsistencyLevel: eventual`.
pub fn search_needs_eventual() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "Request_UnsupportedQuery",
        SEARCH_NEEDS_EVENTUAL,
    )
}

/// A `$filter` (or `$search`) on a property or with an operator `resource` does not serve.
pub fn unsupported_property(property: &str, resource: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "Request_UnsupportedQuery",
        format!("Unsupported or invalid query filter clause specified for property '{property}' of resource '{resource}'."),
    )
}

fn invalid_filter(filter: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "Request_UnsupportedQuery",
        format!("Invalid filter clause: '{filter}' is not a supported $filter expression."),
    )
}

struct FilterParser<'a> {
    tokens: Vec<Token>,
    at: usize,
    source: &'a str,
    /// `User`, `Group`: named in errors.
    resource: &'static str,
}

impl FilterParser<'_> {
    fn unsupported(&self, property: &str) -> GraphError {
        unsupported_property(property, self.resource)
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w == word)
    }

    fn next(&mut self) -> Result<Token, GraphError> {
        let token = self
            .tokens
            .get(self.at)
            .cloned()
            .ok_or_else(|| invalid_filter(self.source))?;
        self.at += 1;
        Ok(token)
    }

    fn expect(&mut self, wanted: &Token) -> Result<(), GraphError> {
        if &self.next()? == wanted {
            Ok(())
        } else {
            Err(invalid_filter(self.source))
        }
    }

    fn literal(&mut self) -> Result<Literal, GraphError> {
        match self.next()? {
            Token::Text(text) => Ok(Literal::Text(text)),
            Token::Word(w) if w == "true" => Ok(Literal::Bool(true)),
            Token::Word(w) if w == "false" => Ok(Literal::Bool(false)),
            _ => Err(invalid_filter(self.source)),
        }
    }

    /// `property operator value`.
    fn comparison(&mut self, word: &str) -> Result<Clause, GraphError> {
        let property = Property::parse(word).ok_or_else(|| self.unsupported(word))?;
        let operator = match self.next()? {
            Token::Word(op) => op,
            _ => return Err(invalid_filter(self.source)),
        };
        match operator.as_str() {
            "eq" | "ne" => {
                let value = self.literal()?;
                let fits = matches!(
                    (&value, property),
                    (Literal::Bool(_), Property::AccountEnabled)
                ) || matches!(&value, Literal::Text(_))
                    && property != Property::AccountEnabled;
                if !fits {
                    return Err(self.unsupported(word));
                }
                Ok(Clause::Equals {
                    property,
                    value,
                    negated: operator == "ne",
                })
            }
            "in" if property != Property::AccountEnabled => {
                self.expect(&Token::Open)?;
                let mut values = vec![self.literal()?];
                while self.tokens.get(self.at) == Some(&Token::Comma) {
                    self.at += 1;
                    values.push(self.literal()?);
                }
                self.expect(&Token::Close)?;
                if values.iter().any(|v| matches!(v, Literal::Bool(_))) {
                    return Err(self.unsupported(word));
                }
                Ok(Clause::In { property, values })
            }
            "in" | "gt" | "ge" | "lt" | "le" => Err(self.unsupported(word)),
            _ => Err(invalid_filter(self.source)),
        }
    }

    /// `identities/any(v:v/issuerAssignedId eq '…' and v/issuer eq '…')` (either order), or
    /// `v/issuer eq '…'` alone for the issuers that allow it; anything else in the lambda is
    /// refused as Graph refuses it.
    fn identity_lambda(&mut self) -> Result<Clause, GraphError> {
        self.expect(&Token::Open)?;
        let Token::Word(head) = self.next()? else {
            return Err(invalid_filter(self.source));
        };
        let Some((variable, mut member)) = head
            .split_once(':')
            .map(|(v, m)| (v.to_owned(), m.to_owned()))
        else {
            return Err(invalid_filter(self.source));
        };
        let (mut issuer, mut assigned) = (None, None);
        loop {
            let Some(name) = member.strip_prefix(&format!("{variable}/")) else {
                return Err(invalid_filter(self.source));
            };
            if self.next()? != Token::Word("eq".to_owned()) {
                return Err(unsupported_identity_query());
            }
            let Token::Text(value) = self.next()? else {
                return Err(invalid_filter(self.source));
            };
            let slot = match name.to_ascii_lowercase().as_str() {
                "issuer" => &mut issuer,
                "issuerassignedid" => &mut assigned,
                _ => return Err(unsupported_identity_query()),
            };
            if slot.replace(value).is_some() {
                return Err(unsupported_identity_query());
            }
            if !self.peek_word("and") {
                break;
            }
            self.at += 1;
            let Token::Word(next) = self.next()? else {
                return Err(invalid_filter(self.source));
            };
            member = next;
        }
        self.expect(&Token::Close)?;
        match issuer {
            Some(issuer)
                if assigned.is_some()
                    || ISSUERS_FILTERABLE_ALONE
                        .iter()
                        .any(|i| i.eq_ignore_ascii_case(&issuer)) =>
            {
                Ok(Clause::Identity {
                    issuer,
                    issuer_assigned_id: assigned,
                })
            }
            _ => Err(unsupported_identity_query()),
        }
    }

    /// `startswith(property,'text')` / `endswith(…)` (function names are case-insensitive).
    fn function(&mut self, name: &str) -> Result<Clause, GraphError> {
        self.expect(&Token::Open)?;
        let Token::Word(name_of_property) = self.next()? else {
            return Err(invalid_filter(self.source));
        };
        self.expect(&Token::Comma)?;
        let Token::Text(text) = self.next()? else {
            return Err(invalid_filter(self.source));
        };
        self.expect(&Token::Close)?;
        let property = Property::parse(&name_of_property);
        match (name.to_ascii_lowercase().as_str(), property) {
            ("startswith", Some(property)) if property.supports_prefix() => {
                Ok(Clause::StartsWith {
                    property,
                    prefix: text,
                })
            }
            ("endswith", Some(property)) if property.supports_suffix() => Ok(Clause::EndsWith {
                property,
                suffix: text,
            }),
            ("startswith" | "endswith", _) => Err(self.unsupported(&name_of_property)),
            _ => Err(invalid_filter(self.source)),
        }
    }
}

impl Grammar for FilterParser<'_> {
    type Leaf = Clause;

    fn eat_join(&mut self, or: bool) -> bool {
        let found = self.peek_word(if or { "or" } else { "and" });
        if found {
            self.at += 1;
        }
        found
    }

    fn primary(&mut self) -> Result<Filter, GraphError> {
        let word = match self.next()? {
            Token::Open => {
                let inner = joined(self, true)?;
                self.expect(&Token::Close)?;
                return Ok(inner);
            }
            Token::Word(word) => word,
            _ => return Err(invalid_filter(self.source)),
        };
        let lambda = word.eq_ignore_ascii_case("identities/any");
        let clause = if lambda && self.resource == "User" {
            self.identity_lambda()?
        } else if lambda {
            return Err(self.unsupported("identities"));
        } else if self.tokens.get(self.at) == Some(&Token::Open) {
            self.function(&word)?
        } else {
            self.comparison(&word)?
        };
        Ok(Expr::Leaf(clause))
    }
}

/// Parses a `$filter` on users.
pub fn parse_filter(filter: &str) -> Result<Filter, GraphError> {
    parse_filter_on(filter, "User")
}

/// Parses a `$filter` on `resource` (named in the errors) with the users' grammar.
pub fn parse_filter_on(filter: &str, resource: &'static str) -> Result<Filter, GraphError> {
    let tokens = tokenize(filter).ok_or_else(|| invalid_filter(filter))?;
    let mut parser = FilterParser {
        tokens,
        at: 0,
        source: filter,
        resource,
    };
    let parsed = joined(&mut parser, true)?;
    if parser.at != parser.tokens.len() {
        return Err(invalid_filter(filter));
    }
    Ok(parsed)
}

/// One `"property:text"` clause of a `$search`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    property: Property,
    text: String,
}

/// Words as directory search splits them: at spaces, symbols, digits and lower-to-upper case
/// changes, lower-cased; plus each space-separated part with its symbols dropped (so `helloworld`
/// finds `hello-world`).
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in text.split_whitespace() {
        let mut word = String::new();
        let mut previous: Option<char> = None;
        for c in part.chars() {
            let boundary = match previous {
                None => false,
                Some(p) => {
                    !c.is_alphanumeric()
                        || !p.is_alphanumeric()
                        || c.is_numeric() != p.is_numeric()
                        || (p.is_lowercase() && c.is_uppercase())
                }
            };
            if boundary && !word.is_empty() {
                words.push(lower(&word));
                word.clear();
            }
            if c.is_alphanumeric() {
                word.push(c);
            }
            previous = Some(c);
        }
        if !word.is_empty() {
            words.push(lower(&word));
        }
        let joined: String = part.chars().filter(|c| c.is_alphanumeric()).collect();
        if !joined.is_empty() {
            words.push(lower(&joined));
        }
    }
    words
}

impl Term {
    fn matches(&self, user: &User) -> bool {
        if self.property == Property::DisplayName {
            let have = words(&user.display_name);
            let wanted = words(&self.text);
            return !wanted.is_empty()
                && wanted
                    .iter()
                    .all(|w| have.iter().any(|h| h.starts_with(w.as_str())));
        }
        user.text(self.property)
            .is_some_and(|v| lower(v).starts_with(&lower(&self.text)))
    }
}

impl Search {
    pub fn matches(&self, user: &User) -> bool {
        self.holds(&|term: &Term| term.matches(user))
    }
}

/// OData's answer to a `$search` value it cannot read (not in double quotes, or unterminated).
fn search_syntax(message: String) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum SearchToken {
    Open,
    Close,
    And,
    Or,
    Clause(String),
}

fn search_tokens(search: &str) -> Result<Vec<SearchToken>, GraphError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = search.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push(SearchToken::Open);
                i += 1;
            }
            ')' => {
                tokens.push(SearchToken::Close);
                i += 1;
            }
            '"' => {
                let start = i;
                let mut clause = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(search_syntax(
                                format!("There is an unterminated string literal at position {start} in '{search}'."),
                            ))
                        }
                        Some('\\') => {
                            if let Some(&escaped) = chars.get(i + 1) {
                                clause.push(escaped);
                            }
                            i += 2;
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(&c) => {
                            clause.push(c);
                            i += 1;
                        }
                    }
                }
                tokens.push(SearchToken::Clause(clause));
            }
            _ => {
                let start = i;
                while i < chars.len() && chars[i].is_alphanumeric() {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                match word.as_str() {
                    "AND" => tokens.push(SearchToken::And),
                    "OR" => tokens.push(SearchToken::Or),
                    _ => {
                        let bad = chars.get(i).copied().unwrap_or(' ');
                        return Err(search_syntax(
                            format!("Syntax error: character '{bad}' is not valid at position {i} in '{search}'."),
                        ));
                    }
                }
            }
        }
    }
    Ok(tokens)
}

struct SearchParser<'a> {
    tokens: Vec<SearchToken>,
    at: usize,
    source: &'a str,
}

impl SearchParser<'_> {
    fn invalid(&self) -> GraphError {
        search_syntax(
            format!(
                "Invalid $search expression '{}': clauses are \"property:text\" in double quotes, joined with AND or OR.",
                self.source
            ),
        )
    }
}

impl Grammar for SearchParser<'_> {
    type Leaf = Term;

    fn eat_join(&mut self, or: bool) -> bool {
        let wanted = if or {
            SearchToken::Or
        } else {
            SearchToken::And
        };
        let found = self.tokens.get(self.at) == Some(&wanted);
        if found {
            self.at += 1;
        }
        found
    }

    fn primary(&mut self) -> Result<Search, GraphError> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        match token {
            Some(SearchToken::Open) => {
                let inner = joined(self, true)?;
                if self.tokens.get(self.at) != Some(&SearchToken::Close) {
                    return Err(self.invalid());
                }
                self.at += 1;
                Ok(inner)
            }
            Some(SearchToken::Clause(clause)) => {
                let Some((name, text)) = clause.split_once(':') else {
                    return Err(self.invalid());
                };
                let property = Property::parse(name.trim())
                    .filter(|p| p.supports_prefix())
                    .ok_or_else(|| unsupported_property(name.trim(), "User"))?;
                Ok(Expr::Leaf(Term {
                    property,
                    text: text.to_owned(),
                }))
            }
            _ => Err(self.invalid()),
        }
    }
}

/// Parses a `$search` on users.
pub fn parse_search(search: &str) -> Result<Search, GraphError> {
    let mut parser = SearchParser {
        tokens: search_tokens(search)?,
        at: 0,
        source: search,
    };
    let parsed = joined(&mut parser, true)?;
    if parser.at != parser.tokens.len() {
        return Err(parser.invalid());
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, upn: &str, user_type: &'static str) -> User {
        User {
            id: "1".into(),
            display_name: name.into(),
            user_principal_name: upn.into(),
            mail: Some(upn.into()),
            user_type,
            creation_type: None,
            external_user_state: None,
            show_in_address_list: None,
            account_enabled: true,
            company_name: None,
            synced_from: None,
            created: None,
        }
    }

    #[test]
    fn filters_combine_functions_and_comparisons() {
        let alex = user("Alex Vance", "alex.vance@contoso.com", "Member");
        let guest = user("Grace Kim", "grace_kim.com#EXT#@contoso.com", "Guest");
        let f = parse_filter(
            "(startswith(displayName,'al') or startsWith(mail,'GRACE')) and userType eq 'member'",
        )
        .unwrap();
        assert!(f.matches(&alex) && !f.matches(&guest));
        assert_eq!(f.advanced_operator(), None);
        let f = parse_filter("userType ne 'Guest' and endswith(mail,'@CONTOSO.com')").unwrap();
        assert!(f.matches(&alex) && !f.matches(&guest));
        assert_eq!(f.advanced_operator(), Some("ne"));
        let f = parse_filter("endsWith(userPrincipalName,'#EXT#@contoso.com')").unwrap();
        assert!(f.matches(&guest) && !f.matches(&alex));
        assert_eq!(f.advanced_operator(), Some("endsWith"));
        let f = parse_filter("userType in ('Guest', 'x') or accountEnabled eq false").unwrap();
        assert!(f.matches(&guest) && !f.matches(&alex));
        let f = parse_filter("displayName eq 'O''Brien'").unwrap();
        assert!(f.matches(&user("o'brien", "o@x.com", "Member")));
    }

    #[test]
    fn unsupported_filters_are_refused() {
        for bad in [
            "userType eq Guest",
            "startswith(userType,'G')",
            "endswith(displayName,'x')",
            "jobTitle eq 'x'",
            "userType eq 'Guest' and",
            "contains(displayName,'x')",
            "userType gt 'a'",
            "(userType eq 'Guest'",
            "displayName eq 'unterminated",
        ] {
            let err = parse_filter(bad).expect_err(bad);
            assert_eq!(err.code, "Request_UnsupportedQuery", "{bad}");
        }
        assert_eq!(
            parse_filter("jobTitle eq 'x'").unwrap_err().message,
            "Unsupported or invalid query filter clause specified for property 'jobTitle' of resource 'User'."
        );
    }

    #[test]
    fn identity_lambdas_match_federated_identities_only() {
        let mut guest = user(
            "Alex",
            "alex_fabrikam.com#EXT#@contoso.onmicrosoft.com",
            "Guest",
        );
        guest.mail = Some("alex@fabrikam.com".into());
        guest.creation_type = Some("Invitation");
        let f = parse_filter(
            "identities/any(c:c/issuer eq 'FABRIKAM.com' and c/issuerAssignedId eq 'alex@fabrikam.com')",
        )
        .unwrap();
        assert!(f.matches(&guest));
        assert_eq!(f.advanced_operator(), None);
        let f = parse_filter(
            "identities/any(x:x/issuerAssignedId eq 'alex_fabrikam.com#EXT#@contoso.onmicrosoft.com' and x/issuer eq 'contoso.onmicrosoft.com')",
        )
        .unwrap();
        assert!(
            !f.matches(&guest),
            "userPrincipalName identities are not filtered"
        );
        let f = parse_filter("identities/any(c:c/issuer eq 'google.com')").unwrap();
        assert!(!f.matches(&guest));
        for refused in [
            "identities/any(c:c/issuer eq 'fabrikam.com')",
            "identities/any(c:c/issuerAssignedId eq 'alex@fabrikam.com')",
            "identities/any(c:c/issuer ne 'google.com')",
            "identities/any(c:c/signInType eq 'federated')",
        ] {
            let error = parse_filter(refused).unwrap_err();
            assert_eq!(
                error.message, "Unsupported query on property 'ObjectIdentity'.",
                "{refused}"
            );
        }
        assert_eq!(
            parse_filter_on("identities/any(c:c/issuer eq 'google.com')", "Group")
                .unwrap_err()
                .code,
            "Request_UnsupportedQuery"
        );
    }

    #[test]
    fn search_matches_display_name_tokens_and_upn_prefixes() {
        let alex = user("Alex Vance-Okafor", "alex.vance@contoso.com", "Member");
        let ok = |s: &str| parse_search(s).unwrap().matches(&alex);
        assert!(ok("\"displayName:vance\""));
        assert!(ok("\"displayName:Okaf\""));
        assert!(ok("\"displayName:vanceokafor\""));
        assert!(ok("\"displayName:okafor alex\""));
        assert!(!ok("\"displayName:lex\""), "tokens, not contains");
        assert!(ok("\"userPrincipalName:ALEX.v\""));
        assert!(!ok("\"userPrincipalName:vance\""));
        assert!(ok("\"displayName:nobody\" OR \"mail:alex\""));
        assert!(!ok("\"displayName:alex\" AND (\"mail:x\" OR \"mail:y\")"));
    }

    #[test]
    fn search_needs_quotes() {
        let err = parse_search("displayName:alex").unwrap_err();
        assert_eq!(err.code, "BadRequest");
        assert_eq!(
            err.message,
            "Syntax error: character ':' is not valid at position 11 in 'displayName:alex'."
        );
        assert!(parse_search("\"displayName:alex")
            .unwrap_err()
            .message
            .contains("unterminated string literal at position 0"));
        assert!(parse_search("\"alex\"").is_err());
        assert_eq!(
            parse_search("\"jobTitle:x\"").unwrap_err().code,
            "Request_UnsupportedQuery"
        );
    }
}
