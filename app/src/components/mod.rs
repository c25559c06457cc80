pub mod empty_state;
pub mod layout;
pub mod mesh;
pub mod users;
