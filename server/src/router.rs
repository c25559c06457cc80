//! The whole HTTP application: probes, the Leptos app and its static files, inside the middleware stack.

use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::{provide_context, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

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

pub fn build(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
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

    let mut router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/auth/login", get(auth::flow::login))
        .route("/auth/callback", get(auth::flow::callback))
        .route("/auth/logout", post(auth::flow::logout))
        .route("/demo/reset", post(crate::backend::reset_demo))
        .route(
            "/audit/export.csv",
            get(move |request: axum::extract::Request| {
                crate::dashboard::export_audit(Arc::clone(&server_side), request)
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
            },
            move || app::shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ));

    for (name, value) in middleware::security_headers() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }

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
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(session_layer)
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ));

    router.layer(stack).with_state(state)
}
