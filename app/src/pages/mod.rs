//! One file per page, named after the URL it serves.

pub mod audit;
pub mod diagnose;
pub mod drift;
pub mod joins;
pub mod mesh;
pub mod not_found;
pub mod pair;
pub mod signin;
pub mod status;
pub mod sync;
pub mod tenant;
pub mod timeline;
pub mod users;
