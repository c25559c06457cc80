//! Small self-contained pages for the sign-in flow's refusals (no scripts: the fallback policy applies).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page with a title, a message (plain text, escaped here) and a way on.
pub fn message_page(
    status: StatusCode,
    title: &str,
    message: &str,
    details: &[String],
) -> Response {
    let items: String = details
        .iter()
        .map(|item| format!("<li>{}</li>", escape(item)))
        .collect();
    let list = if items.is_empty() {
        String::new()
    } else {
        format!("<ul>{items}</ul>")
    };
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Tenant Mesh</title><link rel=\"stylesheet\" href=\"/pkg/tenant-mesh.css\"></head>\
         <body><main class=\"page\"><section class=\"error-page\" role=\"alert\"><h1>{title}</h1><p>{message}</p>{list}\
         <p><a class=\"button button-primary\" href=\"/signin\">Back to sign-in</a> <a href=\"/\">Go to the tenant mesh</a></p>\
         </section></main></body></html>",
        title = escape(title),
        message = escape(message),
    );
    (status, Html(body)).into_response()
}

/// `next` if it is a path on this site, else `/` (no open redirects).
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.contains(['\r', '\n'])
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/joins?x=1")), "/joins?x=1");
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "joins",
            "/a\r\nLocation: x",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn messages_are_escaped() {
        assert_eq!(
            escape("<b>\"x\" & y</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"
        );
    }
}
