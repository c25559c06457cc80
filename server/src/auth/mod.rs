//! Sign-in per tenant and what each sign-in allows.

pub mod oidc;
pub mod roles;
pub mod session;
