//! Sign-in per tenant and what each sign-in allows.

pub mod roles;
pub mod session;
