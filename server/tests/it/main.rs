//! The server crate's integration tests, one binary (one link of the whole stack) with a module
//! per area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod alerts;
mod credential;
mod diagnose;
mod drift;
mod flash;
mod graph_client;
mod hardening;
mod http;
mod id_token;
mod integrity;
mod joins;
mod load;
mod mesh;
mod metrics;
mod monitor;
mod replicas;
mod sessions;
mod signin;
mod soak;
mod status;
mod storage;
mod sync;
mod timeline;
mod users;
