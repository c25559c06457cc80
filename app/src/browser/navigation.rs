//! Links, forms, back and forward answered in the page: the same request the browser would make
//! (a GET of the page, or the form's POST to its server function, which redirects back to the page
//! with its answer), then the new page's `<main>`, navigation and sign-in menu swapped in.
//! Whatever is not a page of the app (exports, the sign-in flow, uploads) stays with the browser,
//! and so does anything that fails: it is requested again the way it would be without JavaScript.

use std::cell::Cell;

use leptos::wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomParser, Element, Event, FormData, Headers, HtmlAnchorElement, HtmlElement, HtmlFormElement,
    MouseEvent, Request, RequestInit, Response, SubmitEvent, SupportedType, Url, UrlSearchParams,
};

use super::{closest, document, keys, refresh, window};
use crate::components::enhance::{is_page, shown_url};

thread_local! {
    /// Counts navigations: the answer to one that a newer one overtook is dropped.
    static NAVIGATION: Cell<u64> = const { Cell::new(0) };
    /// Navigations under way (the automatic refresh waits for them).
    static PENDING: Cell<u32> = const { Cell::new(0) };
    /// The path and query shown, to tell a move within the page (`#…`) from a new page.
    static SHOWN: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// What a navigation does to the browser's history.
#[derive(Clone, Copy)]
enum Entry {
    /// A new page: a new history entry, scrolled to the top, the focus on the page's content.
    Push,
    /// The same page again with a form's answer: the entry is replaced, the focus goes to the answer.
    Answer,
    /// Back or forward: the entry exists already.
    Traverse,
    /// The automatic refresh: nothing moves, the focus stays where it was.
    Refresh,
}

/// What to do when a navigation cannot be answered in the page.
enum Fallback {
    Load(String),
    Submit(HtmlFormElement),
}

/// Whether a navigation is under way.
pub fn pending() -> bool {
    PENDING.with(Cell::get) > 0
}

pub fn on_click(event: &MouseEvent) {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.ctrl_key()
        || event.shift_key()
        || event.alt_key()
    {
        return;
    }
    let Some(link) = closest(event, "a[href]").and_then(|a| a.dyn_into::<HtmlAnchorElement>().ok())
    else {
        return;
    };
    let external = link.rel().split_ascii_whitespace().any(|r| r == "external");
    if external || !link.target().is_empty() || link.has_attribute("download") {
        return;
    }
    let Some(url) = page_url(&link.href()) else {
        return;
    };
    // A link to a place in this page: the browser scrolls to it.
    if !url.hash().is_empty() && is_shown(&url) {
        return;
    }
    event.prevent_default();
    load(url.href(), Entry::Push);
}

pub fn on_submit(event: SubmitEvent) {
    if event.default_prevented() {
        return;
    }
    let Some(form) = event
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    if !form.target().is_empty() || form.enctype() == "multipart/form-data" {
        return;
    }
    let Ok(url) = Url::new(&form.action()) else {
        return;
    };
    if !same_origin(&url) {
        return;
    }
    let Some(params) = form_params(&form, event.submitter()) else {
        return;
    };
    match form.method().to_ascii_lowercase().as_str() {
        "get" if is_page(&url.pathname()) => {
            url.set_search(&String::from(params.to_string()));
            event.prevent_default();
            load(url.href(), Entry::Push);
        }
        // A page's form to its server function (sign-out and uploads stay with the browser).
        "post" if url.pathname().starts_with("/api/") => {
            event.prevent_default();
            // Sent already: a second press does not send it twice.
            if form.get_attribute("aria-busy").as_deref() == Some("true") {
                return;
            }
            if let Some(button) = event.submitter() {
                let _ = button.set_attribute("aria-disabled", "true");
            }
            let _ = form.set_attribute("aria-busy", "true");
            go(
                page_request(&url.href(), Some(&params)),
                Entry::Answer,
                Fallback::Submit(form),
            );
        }
        _ => {}
    }
}

pub fn on_popstate(_: Event) {
    let Some(href) = current_href() else {
        return;
    };
    // Moving between places of the same page (`#…`) is not a new page.
    if Url::new(&href).is_ok_and(|url| is_shown(&url)) {
        return;
    }
    load(href, Entry::Traverse);
}

/// Reads the page shown again and swaps in what changed (the automatic refresh).
pub fn refresh() {
    if let Some(href) = current_href() {
        load(href, Entry::Refresh);
    }
}

/// The shown address without its one-time parameters (a forced refresh is not repeated by the
/// automatic one); remembers the page shown.
pub fn forget_one_time_parameters() {
    let (Some(window), Some(href)) = (window(), current_href()) else {
        return;
    };
    let shown = shown_url(&href);
    if shown != href {
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&shown));
        }
    }
    if let Ok(url) = Url::new(&shown) {
        remember_shown(&url);
    }
}

/// A GET of the page at `href`, loaded by the browser if it cannot be answered in the page.
fn load(href: String, entry: Entry) {
    go(page_request(&href, None), entry, Fallback::Load(href));
}

fn go(request: Option<Request>, entry: Entry, fallback: Fallback) {
    let Some(request) = request else {
        fall_back(fallback);
        return;
    };
    let navigation = NAVIGATION.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    PENDING.with(|p| p.set(p.get() + 1));
    leptos::task::spawn_local(async move {
        let page = fetch_page(&request).await;
        PENDING.with(|p| p.set(p.get().saturating_sub(1)));
        if NAVIGATION.with(Cell::get) != navigation {
            return;
        }
        let swapped = page.is_some_and(|(url, html)| swap(&html, &url, entry));
        if !swapped {
            fall_back(fallback);
        }
    });
}

fn fall_back(fallback: Fallback) {
    match fallback {
        Fallback::Load(href) => {
            if let Some(window) = window() {
                let _ = window.location().assign(&href);
            }
        }
        Fallback::Submit(form) => {
            let _ = form.submit();
        }
    }
}

/// A GET of a page, or (with `form`) a form's POST, asking for HTML as a browser would.
fn page_request(href: &str, form: Option<&UrlSearchParams>) -> Option<Request> {
    let headers = Headers::new().ok()?;
    headers.set("Accept", "text/html").ok()?;
    let init = RequestInit::new();
    init.set_headers(&headers);
    if let Some(form) = form {
        init.set_method("POST");
        init.set_body(form.as_ref());
    }
    Request::new_with_str_and_init(href, &init).ok()
}

/// The page a request ended at (after redirects) and its HTML; `None` when the answer is not a
/// page (a download, an error without HTML) or did not come.
async fn fetch_page(request: &Request) -> Option<(String, String)> {
    let response: Response = JsFuture::from(window()?.fetch_with_request(request))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let html = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .is_some_and(|t| t.starts_with("text/html"));
    if !html {
        return None;
    }
    let text = JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    Some((response.url(), text))
}

/// Puts the new page in place of the shown one; `false` when it is not a page of the app.
fn swap(html: &str, url: &str, entry: Entry) -> bool {
    let (Some(window), Some(document)) = (window(), document()) else {
        return false;
    };
    let Ok(parser) = DomParser::new() else {
        return false;
    };
    let Ok(new) = parser.parse_from_string(html, SupportedType::TextHtml) else {
        return false;
    };
    let (Some(new_main), Some(old_main)) = (
        new.get_element_by_id("main"),
        document.get_element_by_id("main"),
    ) else {
        return false;
    };
    let focus = matches!(entry, Entry::Refresh)
        .then(|| focus_path(&old_main))
        .flatten();
    if old_main.replace_with_with_node_1(&new_main).is_err() {
        return false;
    }
    for part in ["#primary-nav", "section.tenant-sessions"] {
        if let (Ok(Some(old)), Ok(Some(fresh))) =
            (document.query_selector(part), new.query_selector(part))
        {
            let _ = old.replace_with_with_node_1(&fresh);
        }
    }
    keys::set_menu(false);
    document.set_title(&new.title());

    let shown = shown_url(url);
    // The same address again ("Refresh now") is not a new history entry.
    let again = Url::new(&shown).is_ok_and(|url| is_shown(&url));
    if let Ok(history) = window.history() {
        let _ = match entry {
            Entry::Push if !again => history.push_state_with_url(&JsValue::NULL, "", Some(&shown)),
            Entry::Push | Entry::Answer => {
                history.replace_state_with_url(&JsValue::NULL, "", Some(&shown))
            }
            Entry::Traverse | Entry::Refresh => Ok(()),
        };
    }
    if let Ok(url) = Url::new(&shown) {
        remember_shown(&url);
        if matches!(entry, Entry::Push | Entry::Traverse) {
            show_top(&document, &url);
        }
    }
    match entry {
        Entry::Answer => focus_answer(&document),
        Entry::Refresh => {
            if let Some(path) = focus {
                refocus(&document, &path);
            }
        }
        Entry::Push | Entry::Traverse => {}
    }
    refresh::page_changed();
    true
}

/// A new page starts at its top (or at the place its address names), with the focus on its
/// content so the next Tab continues from there.
fn show_top(document: &web_sys::Document, url: &Url) {
    let hash = url.hash();
    let place = hash
        .strip_prefix('#')
        .filter(|id| !id.is_empty())
        .and_then(|id| document.get_element_by_id(id));
    match place {
        Some(place) => place.scroll_into_view(),
        None => {
            if let Some(window) = window() {
                window.scroll_to_with_x_and_y(0.0, 0.0);
            }
        }
    }
    if let Some(main) = document
        .get_element_by_id("main")
        .and_then(|m| m.dyn_into::<HtmlElement>().ok())
    {
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = main.focus_with_options(&options);
    }
}

/// After a form's answer, the focus goes to what it said (a status or an alert of the page).
fn focus_answer(document: &web_sys::Document) {
    let said = document
        .query_selector("#main .notice[role=status], #main .notice[role=alert]")
        .ok()
        .flatten()
        .and_then(|n| n.dyn_into::<HtmlElement>().ok());
    if let Some(said) = said {
        let _ = said.set_attribute("tabindex", "-1");
        let _ = said.focus();
    }
}

/// Where the focused element sits under `main`: the index of each ancestor among its siblings.
fn focus_path(main: &Element) -> Option<Vec<u32>> {
    let mut element = document()?.active_element()?;
    let mut path = Vec::new();
    while !element.is_same_node(Some(main)) {
        let parent = element.parent_element()?;
        let children = parent.children();
        let index = (0..children.length()).find(|&i| {
            children
                .item(i)
                .is_some_and(|c| c.is_same_node(Some(&element)))
        })?;
        path.push(index);
        element = parent;
    }
    path.reverse();
    Some(path)
}

/// Focuses the element at `path` under `main` again, when the new page has one there.
fn refocus(document: &web_sys::Document, path: &[u32]) {
    let Some(mut element) = document.get_element_by_id("main") else {
        return;
    };
    for &index in path {
        match element.children().item(index) {
            Some(child) => element = child,
            None => return,
        }
    }
    if let Ok(element) = element.dyn_into::<HtmlElement>() {
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = element.focus_with_options(&options);
    }
}

/// The form's fields as a urlencoded body, with the button that sent it.
fn form_params(form: &HtmlFormElement, submitter: Option<HtmlElement>) -> Option<UrlSearchParams> {
    let data = FormData::new_with_form(form).ok()?;
    if let Some(button) = submitter {
        if let Some(name) = button.get_attribute("name").filter(|n| !n.is_empty()) {
            let value = button.get_attribute("value").unwrap_or_default();
            data.append_with_str(&name, &value).ok()?;
        }
    }
    UrlSearchParams::new_with_str_sequence_sequence(data.as_ref()).ok()
}

/// `href` when it is a page of this app, on this origin.
fn page_url(href: &str) -> Option<Url> {
    let url = Url::new(href).ok()?;
    (same_origin(&url) && is_page(&url.pathname())).then_some(url)
}

fn same_origin(url: &Url) -> bool {
    window()
        .and_then(|w| w.location().origin().ok())
        .is_some_and(|origin| origin == url.origin())
}

/// The address of the window, as it stands.
fn current_href() -> Option<String> {
    window()?.location().href().ok()
}

/// `url` is the page shown now.
fn remember_shown(url: &Url) {
    SHOWN.with(|s| *s.borrow_mut() = path_and_query(url));
}

/// Whether `url` is the page shown (its hash aside).
fn is_shown(url: &Url) -> bool {
    SHOWN.with(|s| *s.borrow() == path_and_query(url))
}

fn path_and_query(url: &Url) -> String {
    format!("{}{}", url.pathname(), url.search())
}
