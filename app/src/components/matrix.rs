//! The pair matrix on the mesh page: a grid of every source (row) and target (column) with
//! keyboard navigation (arrow keys, Home/End, Page Up/Down, Enter opens the pair: [`step`], handled
//! in the browser by `crate::browser`), filtered and ordered by `?show=` and `?order=` (a plain GET
//! form, so it works without JavaScript too).

use leptos::prelude::*;

use crate::components::address::PageAddress;

use crate::mesh::matrix::{self, Matrix, Order, Show};
use crate::mesh::model::Node;
use crate::mesh::PairLine;

/// Marks the region inside which a focused element stops the page's automatic refresh (a refresh
/// would rebuild the grid under the keyboard).
pub const PAUSE_REFRESH: &str = "data-pause-refresh";

#[component]
pub fn PairMatrix(
    nodes: Vec<Node>,
    pairs: Vec<PairLine>,
    /// The page the options form reloads.
    #[prop(default = "/")]
    action: &'static str,
) -> impl IntoView {
    let address = PageAddress::get();
    let order = Order::parse(&address.param("order").unwrap_or_default());
    let show = Show::parse(&address.param("show").unwrap_or_default());
    let matrix = matrix::build(&nodes, &pairs, order, show);
    view! {
        <form method="get" action=action class="matrix-controls" aria-label="Pair matrix options">
            <label>
                "Show "
                <select name="show">
                    {Show::ALL.map(|s| view! { <option value=s.key() selected=s == show>{s.label()}</option> })}
                </select>
            </label>
            <label>
                "Order "
                <select name="order">
                    {Order::ALL.map(|o| view! { <option value=o.key() selected=o == order>{o.label()}</option> })}
                </select>
            </label>
            <button type="submit" class="button button-small">"Apply"</button>
        </form>
        <p class="muted" id="matrix-help">
            {matrix.summary()}
            " Rows are sources, columns targets. Arrow keys move between cells, Home and End to a row's ends, Enter opens the pair; the Pairs table below lists the same directions in words."
            {(matrix.hidden > 0).then(|| format!(" {} tenants without problems are hidden.", matrix.hidden))}
        </p>
        <MatrixLegend/>
        {if matrix.axes.is_empty() {
            view! { <p class="notice">"No tenant has a problem in any direction."</p> }.into_any()
        } else {
            view! { <Grid matrix/> }.into_any()
        }}
    }
}

#[component]
fn Grid(matrix: Matrix) -> impl IntoView {
    let size = matrix.axes.len();
    let header = matrix
        .axes
        .iter()
        .map(|axis| {
            view! {
                <th scope="col" class=format!("worst-{}", health_class(axis.worst))>
                    <span class="column-name">{axis.name.clone()}</span>
                </th>
            }
        })
        .collect_view();
    let rows = (0..size)
        .map(|row| {
            let axis = &matrix.axes[row];
            let cells = (0..size)
                .map(|column| {
                    // The first cell is the grid's one tab stop; arrow keys move it (roving tabindex).
                    let tabindex = (row == 0 && column == 0).then_some("0");
                    match matrix.cell(row, column) {
                        _ if row == column => {
                            view! { <td class="self" tabindex=tabindex></td> }.into_any()
                        }
                        None => view! { <td tabindex=tabindex></td> }.into_any(),
                        // Settings that would let sync run, and no sync: the common case in a
                        // large organization, shown by colour alone (the Pairs table counts them).
                        Some(cell) if cell.mark.is_quiet() => {
                            view! { <td class="h-no-sync" tabindex=tabindex></td> }.into_any()
                        }
                        Some(cell) => {
                            // One text node: an empty one would not survive the HTML parser,
                            // and hydration would miss it.
                            let (job, settings) = cell.mark.symbols();
                            let symbols = format!("{job}{settings}");
                            view! {
                                <td class=format!("h-{}", health_class(cell.mark.health)) tabindex=tabindex>
                                    <a href=cell.href.clone() tabindex="-1" title=cell.text.clone()>
                                        <span aria-hidden="true">{symbols}</span>
                                    </a>
                                </td>
                            }
                            .into_any()
                        }
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row" class=format!("worst-{}", health_class(axis.worst))>{axis.name.clone()}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="matrix-scroll" data-pause-refresh="">
            <table class="pair-matrix" role="grid" aria-label="Pair matrix: rows are sources, columns are targets"
                aria-describedby="matrix-help">
                <thead>
                    <tr><td class="corner"><span class="visually-hidden">"Source, target"</span></td>{header}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The CSS class part of a health.
pub fn health_class(health: crate::mesh::model::Health) -> String {
    health.label().replace(' ', "-")
}

#[component]
fn MatrixLegend() -> impl IntoView {
    view! {
        <ul class="legend matrix-legend" aria-label="Matrix legend">
            <li><span class="cell-sample h-healthy" aria-hidden="true">"●"</span>"Sync running"</li>
            <li><span class="cell-sample h-warning" aria-hidden="true">"‖"</span>"Paused"</li>
            <li><span class="cell-sample h-error" aria-hidden="true">"✕"</span>"Quarantined"</li>
            <li><span class="cell-sample h-no-sync" aria-hidden="true">"○"</span>"Configured, not started"</li>
            <li><span class="cell-sample h-unknown" aria-hidden="true">"?"</span>"Unknown"</li>
            <li><span class="cell-sample" aria-hidden="true">"⊘"</span>"Settings block sync"</li>
            <li><span class="cell-sample" aria-hidden="true">"·"</span>"Settings partly unknown"</li>
            <li>"Colour: green healthy, amber warning, red error, grey unknown or settings only."</li>
        </ul>
    }
}

/// Where a key moves the focus from (row, column) in a `rows` × `columns` grid; `None` for keys the
/// grid leaves alone.
pub fn step(
    key: &str,
    ctrl: bool,
    (row, column): (usize, usize),
    (rows, columns): (usize, usize),
) -> Option<(usize, usize)> {
    let (last_row, last_column) = (rows.checked_sub(1)?, columns.checked_sub(1)?);
    Some(match key {
        "ArrowUp" => (row.saturating_sub(1), column),
        "ArrowDown" => ((row + 1).min(last_row), column),
        "ArrowLeft" => (row, column.saturating_sub(1)),
        "ArrowRight" => (row, (column + 1).min(last_column)),
        "Home" if ctrl => (0, 0),
        "End" if ctrl => (last_row, last_column),
        "Home" => (row, 0),
        "End" => (row, last_column),
        "PageUp" => (row.saturating_sub(10), column),
        "PageDown" => ((row + 10).min(last_row), column),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::step;

    #[test]
    fn arrows_move_one_cell_and_stop_at_the_edges() {
        let size = (3, 4);
        assert_eq!(step("ArrowRight", false, (0, 0), size), Some((0, 1)));
        assert_eq!(step("ArrowRight", false, (0, 3), size), Some((0, 3)));
        assert_eq!(step("ArrowLeft", false, (1, 0), size), Some((1, 0)));
        assert_eq!(step("ArrowDown", false, (2, 1), size), Some((2, 1)));
        assert_eq!(step("ArrowUp", false, (2, 1), size), Some((1, 1)));
        assert_eq!(step("End", false, (1, 1), size), Some((1, 3)));
        assert_eq!(step("Home", true, (2, 2), size), Some((0, 0)));
        assert_eq!(step("End", true, (0, 0), size), Some((2, 3)));
        assert_eq!(step("PageDown", false, (0, 2), size), Some((2, 2)));
        assert_eq!(step("a", false, (0, 0), size), None);
        assert_eq!(step("ArrowDown", false, (0, 0), (0, 0)), None);
    }
}
