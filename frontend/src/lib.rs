//! The wasm entry point. The pages are rendered on the server only (Leptos islands): this starts
//! the reactive runtime, then Leptos's island script hydrates each `<leptos-island>` of the page.
//! Nothing else lives here.

// Links the app's islands (their wasm exports), which nothing here names.
use app as _;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
