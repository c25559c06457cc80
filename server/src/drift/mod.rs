//! Configuration snapshots, drift from the baseline, export and import, and the teardown of a
//! departed tenant (`/drift`).

pub mod page;
pub mod reader;
pub mod restore;
pub mod routes;
pub mod schedule;
pub mod store;
