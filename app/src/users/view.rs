//! What the `/users` page receives: the state of the reading, and once read, the counts per
//! segment, the home-tenant × segment breakdown and one page of the filtered list.

use serde::{Deserialize, Serialize};

use super::filter::{Matcher, UserFilter, PAGE_SIZE, UNKNOWN_HOME};
use super::segmentation::Segmentation;
use super::{Method, Segment};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsersView {
    pub tenant_id: String,
    pub tenant_name: String,
    pub state: UsersState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum UsersState {
    /// Still reading (a large tenant): users read so far, of `total` when Graph counted them.
    Reading {
        so_far: u64,
        total: Option<u64>,
        started_at: i64,
    },
    Ready(Box<UsersReport>),
    /// Nothing could be read and nothing was read before.
    Failed {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentCount {
    pub segment: Segment,
    pub count: u64,
}

/// One home tenant's users per segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeLine {
    /// A tenant id, or `unknown`.
    pub tenant_id: String,
    pub name: String,
    pub in_mto: bool,
    pub this_tenant: bool,
    /// Per segment, in [`Segment::ALL`] order.
    pub counts: Vec<u64>,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserLine {
    pub display_name: String,
    pub user_principal_name: String,
    pub mail: String,
    pub user_type: String,
    pub segment: Segment,
    pub home_id: Option<String>,
    pub home_name: String,
    pub method: Method,
    pub in_address_list: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsersReport {
    pub read_at: i64,
    /// Set when a newer reading failed and this is the last good one.
    pub stale: Option<String>,
    pub problems: Vec<String>,
    pub graph_requests: u64,
    pub total: u64,
    pub segments: Vec<SegmentCount>,
    /// Users per method, in [`Method::ALL`] order.
    pub methods: Vec<(Method, u64)>,
    /// The tenant itself first, then by number of users, unknown last.
    pub homes: Vec<HomeLine>,
    /// The filter as applied (normalised, page clamped).
    pub filter: UserFilter,
    pub matching: u64,
    pub page: usize,
    pub pages: usize,
    pub rows: Vec<UserLine>,
}

/// The page's data for `filter`; `Err` (fit to show) when the filter names no segment or tenant.
pub fn report(
    segmentation: &Segmentation,
    filter: UserFilter,
    stale: Option<String>,
) -> Result<UsersReport, String> {
    let filter = filter.normalised();
    let matcher = Matcher::new(&filter, segmentation)?;
    let wanted_page = filter.page.unwrap_or(1).max(1);
    let first = (wanted_page - 1).saturating_mul(PAGE_SIZE);
    let mut matching = 0usize;
    let mut rows = Vec::new();
    let mut last_page_start = 0usize;
    for row in segmentation.rows.iter().filter(|r| matcher.matches(r)) {
        if matching.is_multiple_of(PAGE_SIZE) {
            last_page_start = matching;
        }
        if matching >= first && rows.len() < PAGE_SIZE {
            rows.push(row);
        }
        matching += 1;
    }
    let pages = matching.div_ceil(PAGE_SIZE).max(1);
    let page = wanted_page.min(pages);
    let rows = if page < wanted_page {
        // Past the end: show the last page instead.
        segmentation
            .rows
            .iter()
            .filter(|r| matcher.matches(r))
            .skip(last_page_start)
            .take(PAGE_SIZE)
            .collect()
    } else {
        rows
    };
    let rows = rows
        .into_iter()
        .map(|row| {
            let home = segmentation.home(row);
            UserLine {
                display_name: row.display_name.to_string(),
                user_principal_name: row.user_principal_name.to_string(),
                mail: row.mail.as_deref().unwrap_or_default().to_owned(),
                user_type: row.user_type.label().to_owned(),
                segment: row.segment,
                home_id: home.map(|h| h.tenant_id.clone()),
                home_name: home.map_or_else(|| "unknown".to_owned(), |h| h.name.clone()),
                method: row.method,
                in_address_list: row.in_address_list,
            }
        })
        .collect();
    let mut homes: Vec<HomeLine> = segmentation
        .homes
        .iter()
        .zip(&segmentation.by_home)
        .enumerate()
        .map(|(i, (home, counts))| HomeLine {
            tenant_id: home.tenant_id.clone(),
            name: home.name.clone(),
            in_mto: home.in_mto,
            this_tenant: i == 0,
            counts: counts.to_vec(),
            total: counts.iter().sum(),
        })
        .collect();
    if let Some((_, others)) = homes.split_first_mut() {
        others.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
    }
    let unknown: u64 = segmentation.unknown_home.iter().sum();
    if unknown > 0 {
        homes.push(HomeLine {
            tenant_id: UNKNOWN_HOME.to_owned(),
            name: "Unknown home tenant".to_owned(),
            in_mto: false,
            this_tenant: false,
            counts: segmentation.unknown_home.to_vec(),
            total: unknown,
        });
    }
    Ok(UsersReport {
        read_at: segmentation.read_at,
        stale,
        problems: segmentation.problems.clone(),
        graph_requests: segmentation.graph_requests,
        total: segmentation.total(),
        segments: Segment::ALL
            .iter()
            .map(|&segment| SegmentCount {
                segment,
                count: segmentation.counts[segment.index()],
            })
            .collect(),
        methods: Method::ALL
            .iter()
            .map(|&m| (m, segmentation.methods[m.index()]))
            .collect(),
        homes,
        filter: UserFilter {
            page: Some(page),
            ..filter
        },
        matching: matching as u64,
        page,
        pages,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::segmentation::{Builder, RawUser};

    const TENANT: &str = "f0000000-0000-0000-0000-000000000002";

    fn many(n: usize) -> Segmentation {
        let mut b = Builder::new(TENANT);
        let names: Vec<String> = (0..n).map(|i| format!("user{i:03}")).collect();
        for (i, name) in names.iter().enumerate() {
            b.add(RawUser {
                id: name,
                display_name: Some(name),
                user_principal_name: Some(name),
                mail: None,
                user_type: Some(if i % 10 == 0 { "Guest" } else { "Member" }),
                creation_type: (i % 4 == 0).then_some("Invitation"),
                show_in_address_list: None,
            });
        }
        b.finish_unresolved("Fabrikam", 0)
    }

    #[test]
    fn pages_of_fifty_and_past_the_end_is_the_last_page() {
        let s = many(120);
        let first = report(&s, UserFilter::default(), None).unwrap();
        assert_eq!((first.matching, first.pages, first.page), (120, 3, 1));
        assert_eq!(first.rows.len(), 50);
        assert_eq!(first.rows[0].display_name, "user000");
        let third = report(&s, UserFilter::default().on_page(3), None).unwrap();
        assert_eq!(third.rows.len(), 20);
        assert_eq!(third.rows[0].display_name, "user100");
        let beyond = report(&s, UserFilter::default().on_page(9), None).unwrap();
        assert_eq!(beyond.page, 3);
        assert_eq!(beyond.rows, third.rows);
        assert_eq!(beyond.filter.page, Some(3));
    }

    #[test]
    fn counts_and_homes_add_up() {
        let s = many(120);
        let r = report(&s, UserFilter::default(), None).unwrap();
        let total: u64 = r.segments.iter().map(|c| c.count).sum();
        assert_eq!(total, 120);
        assert_eq!(r.homes[0].name, "Fabrikam");
        assert!(r.homes[0].this_tenant);
        let last = r.homes.last().unwrap();
        assert_eq!(last.tenant_id, "unknown");
        assert_eq!(
            last.total, 30,
            "every fourth user is external, homes unknown"
        );
        assert_eq!(r.homes.iter().map(|h| h.total).sum::<u64>(), 120);
        let unknown = r
            .methods
            .iter()
            .find(|(m, _)| *m == Method::Unknown)
            .unwrap();
        assert_eq!(unknown.1, 30);
        let guests = report(
            &s,
            UserFilter::default().with_segment(Some(Segment::ExternalGuest)),
            None,
        )
        .unwrap();
        assert_eq!(guests.matching, 6, "every twentieth: external and a guest");
        assert!(guests
            .rows
            .iter()
            .all(|r| r.home_name == "unknown" && r.home_id.is_none()));
    }
}
