//! Keyboard and small in-page behaviour: the pair matrix's arrow keys, the session switcher's Escape,
//! the narrow-screen menu button and the sign-in field's check as you type.

use leptos::wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, HtmlElement, HtmlInputElement, HtmlTableCellElement, HtmlTableRowElement,
    KeyboardEvent, MouseEvent,
};

use super::closest;
use crate::components::matrix::step;

/// Attribute of the sign-in form's tenant field: checked as it is typed.
pub const TENANT_FIELD: &str = "data-tenant-field";

pub fn on_click(event: &MouseEvent) {
    if let Some(button) = closest(event, "button.menu-toggle") {
        set_menu(button.get_attribute("aria-expanded").as_deref() != Some("true"));
    }
}

/// Folds (`false`) or unfolds the main navigation behind the menu button.
pub fn set_menu(open: bool) {
    let Some(document) = super::document() else {
        return;
    };
    if let Ok(Some(button)) = document.query_selector("button.menu-toggle") {
        let _ = button.set_attribute("aria-expanded", if open { "true" } else { "false" });
    }
    if let Some(nav) = document.get_element_by_id("primary-nav") {
        let _ = nav.class_list().toggle_with_force("open", open);
    }
}

pub fn on_keydown(event: KeyboardEvent) {
    if let Some(cell) = event
        .target()
        .and_then(|t| t.dyn_into::<HtmlTableCellElement>().ok())
    {
        if cell.closest("table[role=grid]").ok().flatten().is_some() {
            move_in_grid(&event, &cell);
        }
        return;
    }
    if event.key() == "Escape" {
        if let Some(menu) = closest(&event, "details.session-switcher") {
            close_details(&menu);
        }
    }
}

/// Closes a `<details>` and gives the focus back to its summary.
fn close_details(details: &Element) {
    let _ = details.remove_attribute("open");
    if let Some(summary) = details
        .query_selector("summary")
        .ok()
        .flatten()
        .and_then(|s| s.dyn_into::<HtmlElement>().ok())
    {
        let _ = summary.focus();
    }
}

/// The pair matrix's keys: arrows, Home/End (with Ctrl: the grid's corners), Page Up/Down move the
/// grid's one tab stop (roving tabindex); Enter or Space opens the focused cell's pair.
fn move_in_grid(event: &KeyboardEvent, cell: &HtmlTableCellElement) {
    let Some(row) = cell
        .parent_element()
        .and_then(|r| r.dyn_into::<HtmlTableRowElement>().ok())
    else {
        return;
    };
    let Some(body) = row.parent_element() else {
        return;
    };
    let key = event.key();
    if key == "Enter" || key == " " {
        if let Some(link) = cell
            .query_selector("a")
            .ok()
            .flatten()
            .and_then(|a| a.dyn_into::<HtmlElement>().ok())
        {
            event.prevent_default();
            link.click();
        }
        return;
    }
    let rows = body.children().length() as usize;
    let columns = row.cells().length().saturating_sub(1) as usize;
    // Column 0 of the table is the row's header.
    let here = (
        row.section_row_index().max(0) as usize,
        (cell.cell_index().max(1) - 1) as usize,
    );
    let Some((to_row, to_column)) = step(&key, event.ctrl_key(), here, (rows, columns)) else {
        return;
    };
    event.prevent_default();
    let target = body
        .children()
        .item(to_row as u32)
        .and_then(|r| r.dyn_into::<HtmlTableRowElement>().ok())
        .and_then(|r| r.cells().item(to_column as u32 + 1))
        .and_then(|c| c.dyn_into::<HtmlElement>().ok());
    if let Some(target) = target {
        let _ = cell.set_attribute("tabindex", "-1");
        let _ = target.set_attribute("tabindex", "0");
        let _ = target.focus();
    }
}

/// The sign-in field says what is wrong with what is typed, and the form cannot be sent until it
/// is a tenant id or a domain.
pub fn on_input(event: Event) {
    let Some(field) = event
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .filter(|f| f.has_attribute(TENANT_FIELD))
    else {
        return;
    };
    let problem = crate::pages::signin::tenant_input_problem(&field.value());
    let _ = field.set_attribute(
        "aria-invalid",
        if problem.is_some() { "true" } else { "false" },
    );
    let Some(form) = field.form() else {
        return;
    };
    if let Ok(Some(alert)) = form.query_selector("[role=alert]") {
        alert.set_text_content(problem.as_deref());
    }
    if let Ok(Some(submit)) = form.query_selector("button[type=submit]") {
        let _ = submit.toggle_attribute_with_force("disabled", problem.is_some());
    }
}
