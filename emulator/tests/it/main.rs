//! The emulator crate's integration tests, one binary (one link of the whole stack) with a module
//! per area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod batch;
mod deleted_items;
mod directory;
mod encoding;
mod errors;
mod group_sync;
mod groups;
mod mto;
mod people;
mod policies;
mod replay;
mod scale;
mod scenario_file;
mod signin;
mod sync;
mod tls;
mod users;
