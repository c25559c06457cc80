//! The frame around every page: header (product, signed-in tenants), navigation, main area.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::session::{signed_in_tenants, SignedInTenant};
use crate::components::enhance::Enhance;
use crate::PRODUCT_NAME;

/// One entry of the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
}

/// The main navigation, in the order people work through an MTO.
pub const NAV_ITEMS: [NavItem; 8] = [
    NavItem {
        href: "/",
        label: "Mesh",
    },
    NavItem {
        href: "/joins",
        label: "Joins",
    },
    NavItem {
        href: "/sync",
        label: "Sync",
    },
    NavItem {
        href: "/users",
        label: "Users",
    },
    NavItem {
        href: "/diagnose",
        label: "Diagnose",
    },
    NavItem {
        href: "/drift",
        label: "Drift",
    },
    NavItem {
        href: "/audit",
        label: "Audit",
    },
    NavItem {
        href: "/status",
        label: "Status",
    },
];

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    crate::components::address::PageAddress::provide();
    view! {
        // `rel="external"`: the browser follows it (and moves the focus), not the router.
        <a class="skip-link" href="#main" rel="external">"Skip to content"</a>
        <Header/>
        <main id="main" class="page" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <p>{PRODUCT_NAME}" — one view of every tenant in a Microsoft Entra multitenant organization."</p>
        </footer>
        <Enhance/>
    }
}

#[component]
fn Header() -> impl IntoView {
    // On narrow screens the navigation folds behind a menu button. Without JavaScript the navigation
    // is always shown: the CSS only folds it once the page's island has marked the header
    // `hydrated` and made the button work (crate::browser).
    view! {
        <header class="site-header">
            <div class="brand-row">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"◇"</span>
                    {PRODUCT_NAME}
                </A>
                <button type="button" class="menu-toggle" aria-controls="primary-nav" aria-expanded="false">
                    "Menu"
                </button>
                <SignedInTenants/>
            </div>
            <nav id="primary-nav" aria-label="Main" class="primary-nav">
                <ul>
                    {NAV_ITEMS
                        .iter()
                        .map(|item| view! { <li><A href=item.href exact=true>{item.label}</A></li> })
                        .collect_view()}
                </ul>
            </nav>
        </header>
    }
}

/// The tenants this browser session is signed in to, folded into one compact switcher (a
/// `<details>` menu, so it opens without JavaScript too): its summary names the tenant or counts
/// them, the menu lists each with its account, roles and sign-out.
#[component]
fn SignedInTenants() -> impl IntoView {
    let sign_ins = Resource::new_blocking(|| (), |_| signed_in_tenants());
    view! {
        <section class="tenant-sessions" aria-label="Signed-in tenants">
            <Suspense fallback=|| view! { <span class="muted">"Checking sign-ins…"</span> }>
                {move || sign_ins.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! {
                        <span class="muted">"Not signed in to any tenant"</span>
                        <A href="/signin" attr:class="button button-primary">"Sign in"</A>
                    }.into_any(),
                    Ok(list) => view! { <SessionSwitcher list/> }.into_any(),
                    Err(error) => view! { <span class="error-text">{error.to_string()}</span> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// What the switcher's summary says for these sign-ins: the tenant's name for one, the count for
/// more, and how many need signing in again.
pub fn switcher_summary(list: &[SignedInTenant]) -> (String, Option<String>) {
    let title = match list {
        [one] => one.tenant_name.clone(),
        _ => format!("{} tenants", list.len()),
    };
    let expired = list.iter().filter(|t| t.needs_sign_in).count();
    (
        title,
        (expired > 0).then(|| format!("{expired} to sign in again")),
    )
}

/// The switcher's menu closes with Escape, and on every page shown in place (crate::browser).
#[component]
fn SessionSwitcher(list: Vec<SignedInTenant>) -> impl IntoView {
    let (title, expired) = switcher_summary(&list);
    view! {
        <details class="session-switcher">
            <summary class="button">
                <span class="visually-hidden">"Signed in to "</span>
                <span class="session-count" aria-hidden="true">{list.len()}</span>
                " "
                <span class="session-title">{title}</span>
                {expired.map(|e| view! { <span class="session-expired">{format!(" · {e}")}</span> })}
            </summary>
            <div class="session-menu">
                <ul class="session-list">
                    {list.into_iter().map(|tenant| view! { <SessionItem tenant/> }).collect_view()}
                </ul>
                <div class="session-actions">
                    <A href="/signin" attr:class="button">"Sign in to another tenant"</A>
                    <form method="post" action="/auth/logout">
                        <button type="submit" class="button">"Sign out everywhere"</button>
                    </form>
                </div>
            </div>
        </details>
    }
}

#[component]
fn SessionItem(tenant: SignedInTenant) -> impl IntoView {
    let sign_out_label = format!("Sign out of {}", tenant.tenant_name);
    let roles = tenant.roles.join(", ");
    view! {
        <li class="session" aria-label=tenant.tenant_name.clone()>
            <span class="session-tenant">{tenant.tenant_name.clone()}</span>
            <span class="session-account">{tenant.username.clone()}</span>
            <span class="session-role">{roles}</span>
            {tenant.needs_sign_in.then(|| view! {
                <a class="session-renew" rel="external" href=format!("/auth/login?tenant={}", tenant.tenant_id)>"Sign in again"</a>
            })}
            <form method="post" action="/auth/logout">
                <input type="hidden" name="tenant" value=tenant.tenant_id.clone()/>
                <button type="submit" class="button button-small" aria-label=sign_out_label>"Sign out"</button>
            </form>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(name: &str, needs_sign_in: bool) -> SignedInTenant {
        SignedInTenant {
            tenant_id: format!("{name}-id"),
            tenant_name: name.into(),
            username: format!("admin@{name}"),
            display_name: "Admin".into(),
            roles: vec![],
            can_manage: true,
            can_operate_sync: true,
            needs_sign_in,
        }
    }

    #[test]
    fn the_switcher_names_one_tenant_and_counts_many() {
        assert_eq!(
            switcher_summary(&[tenant("Contoso", false)]),
            ("Contoso".to_owned(), None)
        );
        let many: Vec<_> = (0..20)
            .map(|i| tenant(&format!("T{i}"), i % 7 == 0))
            .collect();
        assert_eq!(
            switcher_summary(&many),
            (
                "20 tenants".to_owned(),
                Some("3 to sign in again".to_owned())
            )
        );
    }
}
