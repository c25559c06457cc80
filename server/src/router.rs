//! The whole HTTP application: probes, the Leptos app and its static files, inside the middleware stack.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::{provide_context, LeptosOptions};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::audit::{Actor, Attempt, Outcome, Status};
use crate::auth::flow::{is_same_origin, now};
use crate::auth::session::AuthSession;
use crate::dashboard::Dashboard;
use crate::middleware::{self, MakeRequestUuid};
use crate::settings::{Mode, Settings};
use crate::{auth, health, AppState};

/// Leptos's options, from our settings (not from cargo-leptos's environment, so the binary runs the
/// same however it is started).
pub fn leptos_options(settings: &Settings) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("tenant-mesh")
        .site_root(settings.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(settings.addr)
        .env(match settings.mode {
            Mode::Demo | Mode::Entra => leptos::config::Env::PROD,
        })
        .build()
}

/// The app's routes, generated once per process. Generating them renders the app with resource
/// loading suspended through a flag that is global to the process (`SuppressResourceLoad` in
/// `leptos_server`, set by `RouteList::generate` in `leptos_router`): a page rendered by another
/// dashboard of the same process at that moment has its resources wait forever, and the request
/// ends at the 60 s timeout (leptos-rs/leptos issue 4773). One dashboard per process (`run`) never
/// meets it; several in one process (the tests, the replicas bench) built one after another while
/// the others serve did. Generated once, before any dashboard of the process exists, the flag is
/// never set while a page renders.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

pub fn build(state: AppState) -> Router {
    let routes = routes();
    let body_limit = state.settings.body_limit_bytes;
    let session_layer = state.session_layer();
    let leptos_options = state.leptos_options.clone();
    let server_side = Arc::new(Dashboard {
        settings: Arc::clone(&state.settings),
        tenant_choices: state.backend.tenant_choices.clone(),
        sign_in: Arc::clone(&state.sign_in),
        mesh: Arc::clone(&state.mesh),
        joins: Arc::clone(&state.joins),
        users: Arc::clone(&state.users),
        monitor: Arc::clone(&state.monitor),
        directory_audits: crate::directory_audits::DirectoryAudits::new(&state.store),
        snapshots: crate::drift::store::Snapshots::new(&state.store),
        merged: crate::dashboard::MergedMeshes::new(crate::dashboard::MERGED_CAPACITY),
        open_drift: crate::dashboard::OpenDrift::default(),
    });
    let dashboard: app::api::port::Dashboard = server_side.clone();
    let sync: app::api::sync::port::SyncPorts = Arc::new(crate::sync::port::SyncPages {
        dashboard: Arc::clone(&server_side),
        service: crate::sync::SyncService {
            graph: state.joins.graph.clone(),
            audit: state.joins.audit.clone(),
        },
    });
    let users_side = Arc::clone(&server_side);
    let (drift_export, drift_import) = (Arc::clone(&server_side), Arc::clone(&server_side));
    let (timeline_csv, timeline_json) = (Arc::clone(&server_side), Arc::clone(&server_side));
    // Pages' forms may go to the dashboard and to the sign-in service (`form-action`).
    let form_targets = app::security::FormTargets(
        origin_of(&state.backend.login_base_url)
            .filter(|login| *login != state.sign_in.config.public_origin)
            .into_iter()
            .collect(),
    );
    let error_form_targets = form_targets.clone();

    let mut router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        // Prometheus scrape target, no session (keep it internal: README, "Alerts and metrics").
        .route("/metrics", get(crate::metrics::serve))
        .route("/auth/login", get(auth::flow::login))
        .route("/auth/callback", get(auth::flow::callback))
        .route("/auth/logout", post(auth::flow::logout))
        .route("/demo/reset", post(audited_reset_demo))
        .route(
            "/audit/export.csv",
            get(move |request: axum::extract::Request| {
                crate::dashboard::export_audit(Arc::clone(&server_side), request)
            }),
        )
        .route(
            "/audit/timeline.csv",
            get(move |request: axum::extract::Request| {
                crate::timeline::export(
                    Arc::clone(&timeline_csv),
                    request,
                    crate::timeline::Format::Csv,
                )
            }),
        )
        .route(
            "/audit/timeline.json",
            get(move |request: axum::extract::Request| {
                crate::timeline::export(
                    Arc::clone(&timeline_json),
                    request,
                    crate::timeline::Format::Json,
                )
            }),
        )
        .route(
            "/drift/snapshots/{file}",
            get(move |file, request: axum::extract::Request| {
                crate::drift::routes::export(Arc::clone(&drift_export), file, request)
            }),
        )
        .route(
            "/users/export.csv",
            get(move |request: axum::extract::Request| {
                crate::users::export::export(Arc::clone(&users_side), request)
            }),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(Arc::clone(&dashboard));
                provide_context(Arc::clone(&sync));
                provide_context(form_targets.clone());
            },
            move || app::shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            move || provide_context(error_form_targets.clone()),
            app::shell,
        ));

    // Every body is held to `body_limit`, but an uploaded snapshot, which may be larger than any
    // form (100 tenants come to about 11 MB): it has its own limit.
    let import_limit = app::drift::snapshot::MAX_IMPORT_BYTES + 64 * 1024;
    router = router.layer(RequestBodyLimitLayer::new(body_limit)).merge(
        Router::new()
            .route(
                "/drift/import",
                post(move |request: axum::extract::Request| {
                    crate::drift::routes::import(Arc::clone(&drift_import), request)
                }),
            )
            .layer(axum::extract::DefaultBodyLimit::max(import_limit))
            .layer(RequestBodyLimitLayer::new(import_limit)),
    );

    for (name, value) in middleware::security_headers_for(&state.settings) {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }

    // A form's answer, carried across its redirect in the session (inside the session layer).
    router = router.layer(axum::middleware::from_fn(crate::flash::carry));

    // Outermost first: the request id exists before anything logs, and is copied to the response.
    let stack = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(middleware::own_request_id))
        .layer(SetRequestIdLayer::new(
            middleware::request_id_header(),
            MakeRequestUuid,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(middleware::request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(middleware::request_id_header()))
        .layer(axum::middleware::from_fn(middleware::catch_panic))
        .layer(axum::middleware::from_fn(middleware::no_store))
        .layer(CompressionLayer::new())
        .layer(session_layer)
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ));

    router.layer(stack).with_state(state)
}

/// `scheme://host[:port]` of a URL, if it has one.
fn origin_of(url: &str) -> Option<String> {
    let origin = url::Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// Who a request comes from, for the audit log: the session's first sign-in, or nobody.
async fn actor_of(session: &AuthSession) -> Actor {
    let sign_ins = session.sign_ins().await.unwrap_or_else(|error| {
        tracing::warn!(%error, "the session could not be read; the action is audited as not signed in");
        Default::default()
    });
    match sign_ins.into_values().next() {
        Some(sign_in) => Actor {
            name: sign_in.account.display_name,
            upn: sign_in.account.username,
            object_id: sign_in.account.object_id,
            tenant_id: sign_in.tenant_id,
        },
        None => Actor {
            name: "Not signed in".into(),
            upn: String::new(),
            object_id: String::new(),
            tenant_id: String::new(),
        },
    }
}

/// `POST /demo/reset`, audited (`backend::reset_demo` does the reset). The reset changes every demo
/// tenant, so it is recorded once per demo tenant (each tenant's people see it in their audit log),
/// with the session's first sign-in as the actor or "Not signed in" (the browser tests reset the
/// demo without signing in). Like every write, it is recorded before it is made and not made if it
/// cannot be recorded. Requests refused before anything changes (404 outside demo mode, 403 from
/// another origin) are not recorded: anyone can send those.
async fn audited_reset_demo(
    axum::extract::State(state): axum::extract::State<AppState>,
    session: tower_sessions::Session,
    headers: http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if state.backend.demo_controls.is_none()
        || !is_same_origin(&headers, &state.sign_in.config.public_origin)
    {
        return crate::backend::reset_demo(axum::extract::State(state), headers).await;
    }
    let actor = actor_of(&AuthSession(session)).await;
    let mut tenants: Vec<String> = state
        .backend
        .tenant_choices
        .iter()
        .map(|choice| choice.tenant_id.clone())
        .collect();
    if tenants.is_empty() {
        tenants.push("demo".into());
    }
    let log = &state.joins.audit;
    let mut attempts = Vec::with_capacity(tenants.len());
    for tenant_id in tenants {
        let attempt = Attempt {
            actor: actor.clone(),
            tenant_id,
            action: app::api::audit::AuditAction::ResetDemo,
            inputs: serde_json::json!({}),
        };
        match log.begin(&attempt, now()).await {
            Ok(ticket) => attempts.push((ticket, attempt)),
            Err(error) => {
                tracing::error!(%error, "the demo reset could not be audited; not made");
                return (
                    http::StatusCode::SERVICE_UNAVAILABLE,
                    "The reset could not be recorded in the audit log, so it was not made.",
                )
                    .into_response();
            }
        }
    }
    let response = crate::backend::reset_demo(axum::extract::State(state.clone()), headers).await;
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let outcome = if parts.status.is_success() {
        Outcome {
            status: Status::Success,
            error_code: None,
            error_message: None,
            request_id: None,
        }
    } else {
        Outcome {
            status: Status::Failure,
            error_code: Some(parts.status.as_u16().to_string()),
            error_message: Some(String::from_utf8_lossy(&body).into_owned()),
            request_id: None,
        }
    };
    for (ticket, attempt) in &attempts {
        if let Err(error) = log.finish(ticket, attempt, &outcome, now()).await {
            tracing::error!(%error, "the outcome of the demo reset could not be audited");
        }
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_of_sign_in_services() {
        assert_eq!(
            origin_of("https://login.microsoftonline.com/").as_deref(),
            Some("https://login.microsoftonline.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:4000").as_deref(),
            Some("http://127.0.0.1:4000")
        );
        assert_eq!(origin_of("not a url"), None);
    }
}
