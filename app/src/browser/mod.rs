//! What the page does in the browser, installed by the one island ([`crate::components::enhance`]).
//!
//! Every page is complete HTML from the server and works without JavaScript: links load pages,
//! forms post to their server function and come back to the page with its answer. With JavaScript
//! this module makes the same requests itself and swaps the page's `<main>` (and the header parts
//! that depend on the page) in place, so the page is not reloaded; it refreshes pages that ask for
//! it, and adds the keyboard behaviour of the pair matrix, the session switcher and the sign-in
//! field. Listeners sit on the document, so they keep working for content swapped in later.

mod keys;
mod navigation;
mod refresh;

use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use web_sys::{Document, Event, EventTarget, Window};

/// Installs the page's behaviour once per page load.
pub fn install() {
    let (Some(window), Some(document)) = (window(), document()) else {
        return;
    };
    if let Ok(Some(header)) = document.query_selector("header.site-header") {
        // The CSS folds the navigation behind the menu button only once it works.
        let _ = header.class_list().add_1("hydrated");
    }
    listen::<web_sys::MouseEvent>(&document, "click", |event| {
        keys::on_click(&event);
        navigation::on_click(&event);
    });
    listen::<web_sys::SubmitEvent>(&document, "submit", navigation::on_submit);
    listen::<web_sys::KeyboardEvent>(&document, "keydown", keys::on_keydown);
    listen::<Event>(&document, "input", keys::on_input);
    listen::<Event>(&window, "popstate", navigation::on_popstate);
    navigation::forget_one_time_parameters();
    refresh::start();
}

/// Calls `handler` for every `kind` event on `target` (events of another type are ignored).
fn listen<E: JsCast + 'static>(target: &EventTarget, kind: &str, handler: fn(E)) {
    let closure = Closure::<dyn Fn(Event)>::new(move |event: Event| {
        if let Ok(event) = event.dyn_into::<E>() {
            handler(event);
        }
    });
    if target
        .add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref())
        .is_ok()
    {
        // Listens for the page's lifetime.
        closure.forget();
    }
}

fn window() -> Option<Window> {
    web_sys::window()
}

fn document() -> Option<Document> {
    window()?.document()
}

/// The element `event` happened on, or the closest ancestor matching `selector`.
fn closest(event: &Event, selector: &str) -> Option<web_sys::Element> {
    event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(selector)
        .ok()
        .flatten()
}
