//! Sign-in per tenant and what each sign-in allows.

pub mod access;
pub mod flow;
pub mod oidc;
pub mod pages;
pub mod roles;
pub mod session;
pub mod store;
