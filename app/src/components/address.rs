//! The address of the page being rendered, read once when the page starts (in
//! [`crate::components::layout::Layout`]). Parts of a page that render after its data has arrived
//! read it from here: by then the router's own context may be gone (the browser left while the
//! page waited for Graph), and asking the router would panic where this gives the default.

use leptos::prelude::*;
use leptos_router::params::ParamsMap;

#[derive(Clone, Debug, Default)]
pub struct PageAddress {
    /// `/pairs/…`
    pub path: String,
    /// The query string, without `?`.
    pub search: String,
    pub query: ParamsMap,
}

impl PageAddress {
    /// Reads the address from the router and makes it the page's (call once, in the layout).
    pub fn provide() {
        let location = leptos_router::hooks::use_location();
        let query = leptos_router::hooks::use_query_map();
        provide_context(Self {
            path: location.pathname.get_untracked(),
            search: location.search.get_untracked(),
            query: query.get_untracked(),
        });
    }

    /// The page's address (empty outside a page).
    pub fn get() -> Self {
        use_context::<Self>().unwrap_or_default()
    }

    /// The query parameter `name`.
    pub fn param(&self, name: &str) -> Option<String> {
        self.query.get(name)
    }
}
