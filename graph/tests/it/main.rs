//! The graph crate's integration tests, one binary (one link of the whole stack) with a module
//! per area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod batch;
mod client;
