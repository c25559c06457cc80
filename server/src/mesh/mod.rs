//! The mesh service: reads each signed-in tenant's view from Graph ([`reader`]) and keeps
//! snapshots of the combined mesh ([`service`]). The mesh model itself is plain logic in `app::mesh`.

pub mod reader;
pub mod service;

pub use reader::Strategy;
pub use service::{MeshService, Source};
