//! `GET /users/export.csv?tenant=…&segment=…&home=…&q=…`: the users the list shows for that filter,
//! as CSV, streamed in chunks from the cached table (the file is never built in memory). Checked
//! like the page: a sign-in to the tenant that may read.

use std::convert::Infallible;
use std::sync::Arc;

use app::users::filter::{push_csv_line, CSV_HEADER};
use app::users::{Matcher, Segmentation, UserFilter};
use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, StreamExt};
use http::{header, StatusCode};

use super::Outcome;
use crate::auth::flow::now;
use crate::dashboard::Dashboard;

/// Bytes of CSV per chunk sent.
const CHUNK_BYTES: usize = 64 * 1024;

fn refuse(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

/// The tenant and the filter from the query string.
fn parse(query: &str) -> (Option<String>, UserFilter) {
    let mut tenant = None;
    let mut filter = UserFilter::default();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let value = Some(value.into_owned());
        match key.as_ref() {
            "tenant" => tenant = value,
            "segment" => filter.segment = value,
            "home" => filter.home = value,
            "q" => filter.q = value,
            _ => {}
        }
    }
    (tenant, filter.normalised())
}

/// The CSV body: the header, then the matching rows, a chunk at a time.
fn body(segmentation: Arc<Segmentation>, matcher: Matcher, chunk_bytes: usize) -> Body {
    let chunks = stream::unfold(Some(0usize), move |next| {
        let segmentation = Arc::clone(&segmentation);
        let matcher = matcher.clone();
        async move {
            let start = next?;
            let mut out = String::with_capacity(chunk_bytes + 1024);
            if start == 0 {
                out.push_str(CSV_HEADER);
            }
            let mut index = start;
            let rows = &segmentation.rows;
            while index < rows.len() && out.len() < chunk_bytes {
                if matcher.matches(&rows[index]) {
                    push_csv_line(&mut out, &segmentation, &rows[index]);
                }
                index += 1;
            }
            let next = (index < rows.len()).then_some(index);
            Some((Ok::<_, Infallible>(Bytes::from(out)), next))
        }
    });
    // Fused: the compression layer polls a body once more after its end.
    Body::from_stream(chunks.fuse())
}

pub async fn export(dashboard: Arc<Dashboard>, request: axum::extract::Request) -> Response {
    let (parts, _) = request.into_parts();
    let (tenant, filter) = parse(parts.uri.query().unwrap_or_default());
    let Some(tenant) = tenant.filter(|t| !t.trim().is_empty()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Name the tenant: /users/export.csv?tenant=<tenant id>".into(),
        );
    };
    if let Err(message) = app::users::filter::validate(&filter) {
        return refuse(StatusCode::BAD_REQUEST, message);
    }
    let job = match dashboard.users_job(&parts, &tenant).await {
        Ok(job) => job,
        Err(error) => return refuse(error.status(), error.to_string()),
    };
    let file_name = format!("tenant-mesh-users-{}.csv", job.tenant_id);
    let segmentation = match dashboard.users.complete(job, now()).await {
        Outcome::Ready { segmentation, .. } => segmentation,
        Outcome::Reading { so_far, .. } => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("Still reading the users ({so_far} so far); try again shortly."),
            )
        }
        Outcome::Failed { reason } => {
            return refuse(
                StatusCode::BAD_GATEWAY,
                format!("The users could not be read from Microsoft Graph: {reason}"),
            )
        }
    };
    let matcher = match Matcher::new(&filter, &segmentation) {
        Ok(matcher) => matcher,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, message),
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body(segmentation, matcher, CHUNK_BYTES),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::users::{Builder, RawUser};

    fn table(n: usize) -> Segmentation {
        let mut builder = Builder::new("7b9e4c2d-1a3f-4e8b-a5c6-0d2e4f6a8b22");
        for i in 0..n {
            let name = format!("user {i}");
            let upn = format!("user{i}@fabrikam.com");
            builder.add(RawUser {
                id: &upn,
                display_name: Some(&name),
                user_principal_name: Some(&upn),
                user_type: Some(if i % 3 == 0 { "Guest" } else { "Member" }),
                ..RawUser::default()
            });
        }
        builder.finish_unresolved("Fabrikam", 0)
    }

    #[tokio::test]
    async fn the_csv_streams_in_chunks_with_only_the_matching_rows() {
        let thousand = Arc::new(table(1000));
        let filter = UserFilter {
            segment: Some("internal-guest".into()),
            ..UserFilter::default()
        };
        let matcher = Matcher::new(&filter, &thousand).unwrap();
        let mut chunks = body(thousand, matcher, 2048).into_data_stream();
        let mut text = String::new();
        let mut count = 0;
        while let Some(chunk) = chunks.next().await {
            text.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
            count += 1;
        }
        assert!(count > 5, "{count} chunks");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], CSV_HEADER.trim_end());
        assert_eq!(lines.len(), 1 + 334);
        assert!(lines[1..].iter().all(|l| l.contains("\"internal guest\"")));
        let none = Arc::new(table(0));
        let empty = Matcher::new(&filter, &none).unwrap();
        let only_header = body(none, empty, 2048);
        let bytes = axum::body::to_bytes(only_header, usize::MAX).await.unwrap();
        assert_eq!(bytes, CSV_HEADER.as_bytes());
    }

    #[test]
    fn the_query_string_gives_tenant_and_filter() {
        let (tenant, filter) = parse("tenant=abc&segment=mto-guest&home=&q=ann%20lee&page=3");
        assert_eq!(tenant.as_deref(), Some("abc"));
        assert_eq!(filter.segment.as_deref(), Some("mto-guest"));
        assert_eq!(filter.home, None);
        assert_eq!(filter.q.as_deref(), Some("ann lee"));
        assert_eq!(filter.page, None, "the export has every page");
    }
}
