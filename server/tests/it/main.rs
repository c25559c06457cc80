//! The server crate's integration tests, one binary (one link of the whole stack) with a module
//! per area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod graph_client;
mod http;
mod integrity;
mod id_token;
mod joins;
mod mesh;
mod signin;
mod sync;
mod users;
