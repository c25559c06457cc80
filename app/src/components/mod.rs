pub mod empty_state;
pub mod enhance;
pub mod feedback;
pub mod layout;
pub mod matrix;
pub mod mesh;
pub mod sync;
pub mod users;
