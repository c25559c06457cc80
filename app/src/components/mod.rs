pub mod empty_state;
pub mod feedback;
pub mod layout;
pub mod mesh;
pub mod sync;
pub mod users;
