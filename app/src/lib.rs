//! Tenant Mesh's user interface: the HTML shell, the routes and the pages.
//!
//! Compiled twice: with `ssr` into the server (rendering every page as HTML) and with `hydrate` into
//! the wasm bundle, which holds only the one island (`components::enhance`) and what it uses: pages
//! are never hydrated (Leptos islands). Logic lives in plain functions with unit tests; components
//! render.

pub mod api;
#[cfg(feature = "hydrate")]
mod browser;
pub mod components;
pub mod diagnose;
pub mod drift;
pub mod error;
pub mod mesh;
pub mod pages;
pub mod request_id;
#[cfg(feature = "ssr")]
pub mod security;
pub mod sync;
pub mod users;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use components::layout::Layout;
use error::ErrorPage;
use pages::{
    audit::AuditPage, diagnose::DiagnosePage, drift::DriftPage, joins::JoinsPage, mesh::MeshPage,
    not_found::NotFoundPage, pair::PairPage, signin::SignInPage, status::StatusPage,
    sync::SyncPage, tenant::TenantPage, timeline::AuditTimelinePage, users::UsersPage,
};

/// The product name as people see it.
pub const PRODUCT_NAME: &str = "Tenant Mesh";

/// The whole HTML document. Runs on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::set_content_security_policy();
    let request_id = request_id::current();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <meta name=request_id::META_NAME content=request_id/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/tenant-mesh.css"/>
        <Title formatter=|page: String| format!("{page} · {PRODUCT_NAME}")/>
        <Router>
            <Layout>
                <ErrorBoundary fallback=|errors| view! { <ErrorPage errors/> }>
                <Routes fallback=NotFoundPage>
                    <Route ssr=SsrMode::Async path=path!("/") view=MeshPage/>
                    <Route ssr=SsrMode::Async path=path!("/tenants/:tenant_id") view=TenantPage/>
                    <Route ssr=SsrMode::Async path=path!("/pairs/:source/:target") view=PairPage/>
                    <Route ssr=SsrMode::Async path=path!("/joins") view=JoinsPage/>
                    <Route ssr=SsrMode::Async path=path!("/sync") view=SyncPage/>
                    <Route ssr=SsrMode::Async path=path!("/users") view=UsersPage/>
                    <Route ssr=SsrMode::Async path=path!("/diagnose") view=DiagnosePage/>
                    <Route ssr=SsrMode::Async path=path!("/drift") view=DriftPage/>
                    <Route ssr=SsrMode::Async path=path!("/audit") view=AuditPage/>
                    <Route ssr=SsrMode::Async path=path!("/audit/timeline") view=AuditTimelinePage/>
                    <Route ssr=SsrMode::Async path=path!("/signin") view=SignInPage/>
                    <Route ssr=SsrMode::Async path=path!("/status") view=StatusPage/>
                </Routes>
                </ErrorBoundary>
            </Layout>
        </Router>
    }
}
