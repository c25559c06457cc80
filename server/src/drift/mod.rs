//! Configuration snapshots, drift from the baseline, export and import, and the teardown of a
//! departed tenant (`/drift`), with the what-if of each change to a sync configuration's scope.

pub mod page;
pub mod reader;
pub mod restore;
pub mod routes;
pub mod schedule;
pub mod store;
pub mod whatif;
