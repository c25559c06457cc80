//! The automatic refresh: a page that wants one marks it (`data-refresh-secs` on an element of its
//! `<main>`, see [`crate::components::mesh::RefreshBar`]); it is read again that many seconds after
//! it was last shown, unless the person is busy with it: typing in a field, in a region that pauses
//! it (the pair matrix), with a disclosure or menu they opened, or with the tab hidden.

use std::cell::Cell;
use std::time::Duration;

use leptos::prelude::set_interval;
use leptos::wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, VisibilityState};

use super::{document, navigation};
use crate::components::matrix::PAUSE_REFRESH;

/// The attribute giving a page's refresh interval in seconds.
pub const ATTRIBUTE: &str = "data-refresh-secs";

/// Marks a `<details>` the page shows open: open, it does not pause the refresh (one the person
/// opened does).
pub const PAGE_OPEN: &str = "data-page-open";

thread_local! {
    /// Seconds since the page was last shown.
    static AGE: Cell<u64> = const { Cell::new(0) };
}

pub fn start() {
    set_interval(tick, Duration::from_secs(1));
}

/// A page was just shown: its age starts again.
pub fn page_changed() {
    AGE.with(|a| a.set(0));
}

fn tick() {
    let age = AGE.with(|a| {
        a.set(a.get() + 1);
        a.get()
    });
    let Some(every) = interval() else {
        return;
    };
    if age >= every && !navigation::pending() && !busy() {
        page_changed();
        navigation::refresh();
    }
}

/// The shown page's refresh interval, if it has one.
fn interval() -> Option<u64> {
    let selector = format!("#main [{ATTRIBUTE}]");
    document()?
        .query_selector(&selector)
        .ok()??
        .get_attribute(ATTRIBUTE)?
        .parse()
        .ok()
        .filter(|&secs| secs > 0)
}

/// Whether swapping the page now would get in the person's way.
fn busy() -> bool {
    let Some(document) = document() else {
        return true;
    };
    if document.visibility_state() != VisibilityState::Visible {
        return true;
    }
    let open = document
        .query_selector(&format!(
            "details[open]:not([{PAGE_OPEN}]), button.menu-toggle[aria-expanded=true]"
        ))
        .ok()
        .flatten()
        .is_some();
    let Some(focused) = document.active_element() else {
        return open;
    };
    let typing = match focused.tag_name().as_str() {
        "SELECT" | "TEXTAREA" => true,
        "INPUT" => focused
            .dyn_ref::<HtmlInputElement>()
            .is_some_and(|i| !matches!(i.type_().as_str(), "submit" | "button" | "reset")),
        _ => false,
    };
    let paused = focused
        .closest(&format!("[{PAUSE_REFRESH}]"))
        .ok()
        .flatten()
        .is_some();
    open || typing || paused
}
