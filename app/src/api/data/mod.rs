//! What the pages and the server exchange: plain data, used by the server functions (`api::*`) and
//! by the ports the server implements (`api::port`), so that neither depends on the other.

pub mod audit;
pub mod joins;
pub mod session;
pub mod status;
pub mod timeline;
