//! What the pages ask the server for: view data types (shared by server and browser), the typed
//! error that crosses the server-function boundary, the server functions (thin: find the dashboard
//! port in context, call it), and the port the server implements.

pub mod audit;
pub mod error;
pub mod joins;
pub mod mesh;
#[cfg(feature = "ssr")]
pub mod port;
pub mod session;
pub mod sync;
pub mod users;

pub use error::ApiError;
