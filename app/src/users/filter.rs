//! The list's filter (segment, home tenant, search text, page) as the URL carries it, the matcher
//! that applies it to the rows, and the CSV lines of the export (the same rows as the list).

use serde::{Deserialize, Serialize};

use super::segmentation::{Segmentation, UserRow};
use super::Segment;

/// Rows per page of the list.
pub const PAGE_SIZE: usize = 50;
/// The `home` value that selects users whose home tenant is unknown.
pub const UNKNOWN_HOME: &str = "unknown";

/// What the list shows, as in the query string; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFilter {
    /// A segment slug, e.g. `mto-member`.
    pub segment: Option<String>,
    /// A home tenant id, or [`UNKNOWN_HOME`].
    pub home: Option<String>,
    /// Part of the name, UPN or mail, any case.
    pub q: Option<String>,
    /// 1-based.
    pub page: Option<usize>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl UserFilter {
    /// Empty values dropped, text trimmed.
    pub fn normalised(self) -> Self {
        Self {
            segment: non_empty(self.segment),
            home: non_empty(self.home).map(|h| h.to_ascii_lowercase()),
            q: non_empty(self.q),
            page: self.page.filter(|p| *p > 1),
        }
    }

    /// The query string of the list for `tenant` with this filter (and its page, if not the first).
    pub fn query_string(&self, tenant: &str) -> String {
        let mut pairs = vec![format!("tenant={}", crate::api::audit::encode(tenant))];
        for (key, value) in [
            ("segment", &self.segment),
            ("home", &self.home),
            ("q", &self.q),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                pairs.push(format!("{key}={}", crate::api::audit::encode(value)));
            }
        }
        if let Some(page) = self.page.filter(|p| *p > 1) {
            pairs.push(format!("page={page}"));
        }
        pairs.join("&")
    }

    /// The same filter on another page.
    pub fn on_page(&self, page: usize) -> Self {
        Self {
            page: Some(page),
            ..self.clone()
        }
    }

    /// The filter with another segment (or none), back on the first page.
    pub fn with_segment(&self, segment: Option<Segment>) -> Self {
        Self {
            segment: segment.map(|s| s.slug().to_owned()),
            page: None,
            ..self.clone()
        }
    }

    /// The filter with another home tenant (or none), back on the first page.
    pub fn with_home(&self, home: Option<&str>) -> Self {
        Self {
            home: home.map(str::to_owned),
            page: None,
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HomeWanted {
    Any,
    Index(u32),
    Unknown,
    /// A tenant no user is homed in.
    Nothing,
}

/// A filter checked against one segmentation, ready to test rows.
#[derive(Debug, Clone)]
pub struct Matcher {
    segment: Option<Segment>,
    home: HomeWanted,
    /// Lower case.
    needle: Option<String>,
}

fn parse_segment(filter: &UserFilter) -> Result<Option<Segment>, String> {
    filter
        .segment
        .as_deref()
        .map(|slug| {
            Segment::from_slug(slug).ok_or_else(|| {
                format!(
                    "'{slug}' is not a segment; use one of: {}.",
                    Segment::ALL.map(Segment::slug).join(", ")
                )
            })
        })
        .transpose()
}

/// `Some(None)`: the unknown home; `Some(Some(id))`: a tenant.
fn parse_home(filter: &UserFilter) -> Result<Option<Option<String>>, String> {
    filter
        .home
        .as_deref()
        .map(|home| {
            if home.eq_ignore_ascii_case(UNKNOWN_HOME) {
                return Ok(None);
            }
            home.parse::<graph::TenantId>()
                .map(|id| Some(id.to_string()))
                .map_err(|_| format!("'{home}' is not a tenant id (a GUID) or '{UNKNOWN_HOME}'."))
        })
        .transpose()
}

/// Refuses a segment or home tenant that is not one (the message is fit to show).
pub fn validate(filter: &UserFilter) -> Result<(), String> {
    parse_segment(filter)?;
    parse_home(filter)?;
    if let Some(q) = &filter.q {
        graph::limits::check("The search text", q, graph::limits::SEARCH_TEXT)?;
    }
    Ok(())
}

impl Matcher {
    /// The filter against `segmentation`; refused as [`validate`] refuses.
    pub fn new(filter: &UserFilter, segmentation: &Segmentation) -> Result<Self, String> {
        let segment = parse_segment(filter)?;
        let home = match parse_home(filter)? {
            None => HomeWanted::Any,
            Some(None) => HomeWanted::Unknown,
            Some(Some(id)) => match segmentation.homes.iter().position(|h| h.tenant_id == id) {
                Some(index) => HomeWanted::Index(index as u32),
                None => HomeWanted::Nothing,
            },
        };
        Ok(Self {
            segment,
            home,
            needle: filter.q.as_deref().map(str::to_lowercase),
        })
    }

    pub fn matches(&self, row: &UserRow) -> bool {
        if self.segment.is_some_and(|s| s != row.segment) {
            return false;
        }
        let home_ok = match &self.home {
            HomeWanted::Any => true,
            HomeWanted::Index(index) => row.home == Some(*index),
            HomeWanted::Unknown => row.home.is_none(),
            HomeWanted::Nothing => false,
        };
        if !home_ok {
            return false;
        }
        match &self.needle {
            None => true,
            Some(needle) => {
                contains_ci(&row.display_name, needle)
                    || contains_ci(&row.user_principal_name, needle)
                    || row.mail.as_deref().is_some_and(|m| contains_ci(m, needle))
            }
        }
    }
}

/// Whether `haystack` contains `needle` (already lower case), ignoring case; without allocating
/// when both are ASCII.
pub fn contains_ci(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if haystack.is_ascii() && needle.is_ascii() {
        let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
        return hay.len() >= needle.len()
            && hay
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle));
    }
    haystack.to_lowercase().contains(needle)
}

/// The CSV export's header row.
pub const CSV_HEADER: &str = "display_name,user_principal_name,mail,user_type,segment,home_tenant_id,home_tenant,home_method,show_in_address_list\r\n";

/// Appends one user as an RFC 4180 CSV line (every field quoted, formulas defused).
pub fn push_csv_line(out: &mut String, segmentation: &Segmentation, row: &UserRow) {
    let home = segmentation.home(row);
    let fields: [&str; 9] = [
        &row.display_name,
        &row.user_principal_name,
        row.mail.as_deref().unwrap_or_default(),
        row.user_type.label(),
        row.segment.singular(),
        home.map(|h| h.tenant_id.as_str()).unwrap_or_default(),
        home.map(|h| h.name.as_str()).unwrap_or("unknown"),
        row.method.label(),
        if row.in_address_list { "yes" } else { "no" },
    ];
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&crate::api::audit::csv_field(field));
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::users::segmentation::{Builder, RawUser, Resolutions};

    const TENANT: &str = "f0000000-0000-0000-0000-000000000002";
    const HOME: &str = "c0000000-0000-0000-0000-000000000001";

    fn table() -> Segmentation {
        let mut b = Builder::new(TENANT);
        for (id, name, upn, mail, kind) in [
            (
                "1",
                "Ann Lee",
                "ann@fabrikam.com",
                "ann@fabrikam.com",
                "Member",
            ),
            (
                "2",
                "Émile Zola",
                "emile_contoso.com#EXT#@fabrikam.onmicrosoft.com",
                "emile@contoso.com",
                "Member",
            ),
            (
                "3",
                "=HYPERLINK(\"x\")",
                "eve_unknown.example#EXT#@fabrikam.onmicrosoft.com",
                "",
                "Guest",
            ),
        ] {
            b.add(RawUser {
                id,
                display_name: Some(name),
                user_principal_name: Some(upn),
                mail: Some(mail),
                user_type: Some(kind),
                creation_type: None,
                show_in_address_list: (id == "3").then_some(false),
            });
        }
        let domains = HashMap::from([("contoso.com".to_owned(), Some(HOME.to_owned()))]);
        let names = HashMap::from([(HOME.to_owned(), "Contoso".to_owned())]);
        b.finish(
            Resolutions {
                exact: &HashMap::new(),
                domains: &domains,
                mto: &HashSet::from([HOME.to_owned()]),
                names: &names,
            },
            "Fabrikam",
            0,
        )
    }

    fn names(s: &Segmentation, filter: UserFilter) -> Vec<String> {
        let m = Matcher::new(&filter, s).unwrap();
        s.rows
            .iter()
            .filter(|r| m.matches(r))
            .map(|r| r.display_name.to_string())
            .collect()
    }

    #[test]
    fn filters_combine_segment_home_and_search() {
        let s = table();
        assert_eq!(names(&s, UserFilter::default()).len(), 3);
        let mto = UserFilter::default().with_segment(Some(Segment::MtoMember));
        assert_eq!(names(&s, mto), ["Émile Zola"]);
        let home = UserFilter::default().with_home(Some(HOME));
        assert_eq!(names(&s, home), ["Émile Zola"]);
        let unknown = UserFilter::default().with_home(Some("UNKNOWN"));
        assert_eq!(names(&s, unknown), ["=HYPERLINK(\"x\")"]);
        let elsewhere =
            UserFilter::default().with_home(Some("a0000000-0000-0000-0000-00000000000a"));
        assert!(names(&s, elsewhere).is_empty());
        let search = |q: &str| {
            names(
                &s,
                UserFilter {
                    q: Some(q.to_lowercase()),
                    ..UserFilter::default()
                },
            )
        };
        assert_eq!(search("ANN"), ["Ann Lee"]);
        assert_eq!(search("émile"), ["Émile Zola"], "non-ASCII search");
        assert_eq!(search("contoso.com"), ["Émile Zola"], "mail and UPN");
        assert!(search("nobody").is_empty());
    }

    #[test]
    fn bad_filters_are_refused_with_a_reason() {
        let s = table();
        let bad_segment = UserFilter {
            segment: Some("vip".into()),
            ..UserFilter::default()
        };
        let message = Matcher::new(&bad_segment, &s).unwrap_err();
        assert!(message.contains("'vip' is not a segment"), "{message}");
        assert!(message.contains("mto-member"));
        let bad_home = UserFilter::default().with_home(Some("contoso"));
        assert!(Matcher::new(&bad_home, &s)
            .unwrap_err()
            .contains("not a tenant id"));
    }

    #[test]
    fn the_query_string_carries_the_filter() {
        let filter = UserFilter {
            segment: Some("mto-member".into()),
            home: None,
            q: Some("a b&c".into()),
            page: Some(3),
        };
        assert_eq!(
            filter.query_string(TENANT),
            format!("tenant={TENANT}&segment=mto-member&q=a%20b%26c&page=3")
        );
        assert_eq!(
            filter.with_segment(None).query_string(TENANT),
            format!("tenant={TENANT}&q=a%20b%26c"),
            "a new filter starts on the first page"
        );
        let normal = UserFilter {
            segment: Some(" ".into()),
            home: Some(" ABC ".into()),
            q: Some("".into()),
            page: Some(1),
        }
        .normalised();
        assert_eq!(
            normal,
            UserFilter {
                home: Some("abc".into()),
                ..UserFilter::default()
            }
        );
    }

    #[test]
    fn csv_lines_quote_and_defuse() {
        let s = table();
        let mut out = String::from(CSV_HEADER);
        for row in &s.rows {
            push_csv_line(&mut out, &s, row);
        }
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines.len(), 5, "header, three rows, final empty");
        assert_eq!(
            lines[2],
            format!("\"Émile Zola\",\"emile_contoso.com#EXT#@fabrikam.onmicrosoft.com\",\"emile@contoso.com\",\"Member\",\"MTO member\",\"{HOME}\",\"Contoso\",\"domain\",\"yes\"")
        );
        assert!(lines[3].starts_with("\"'=HYPERLINK(\"\"x\"\")\""));
        assert!(lines[3].ends_with("\"\",\"unknown\",\"unknown\",\"no\""));
    }
}
