//! `/_emulator/…`: test and demo controls under a prefix Graph never uses. Only mounted when the
//! emulator is built with controls enabled (demo and tests).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::EmulatorState;

pub fn routes() -> Router<EmulatorState> {
    Router::new()
        .route("/_emulator/clock", get(clock))
        .route("/_emulator/clock/advance", post(advance))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/faults", post(add_fault).delete(clear_faults))
        .route("/_emulator/requests", get(requests).delete(clear_requests))
}

/// The Graph calls received so far, oldest first (at most `request_log::CAPACITY`).
async fn requests(State(state): State<EmulatorState>) -> Response {
    Json(json!({ "value": state.0.requests.entries() })).into_response()
}

async fn clear_requests(State(state): State<EmulatorState>) -> Response {
    state.0.requests.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn clock(State(state): State<EmulatorState>) -> Response {
    Json(json!({ "now": state.clock().unix() })).into_response()
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

/// Moves the emulator's clock forward (never back), so transitions and expiries happen without waiting.
async fn advance(State(state): State<EmulatorState>, Json(body): Json<Advance>) -> Response {
    if body.seconds < 0 {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "seconds must not be negative"})),
        )
            .into_response();
    }
    state.clock().advance(body.seconds);
    Json(json!({ "now": state.clock().unix() })).into_response()
}

/// Back to the scenario as loaded (at the clock's time): organization, policies, users, sync, and
/// no join requests or grants in flight.
async fn reset(State(state): State<EmulatorState>) -> Response {
    let mut world = state.world();
    let scenario = world.scenario.clone();
    *world = crate::World::new(scenario, state.clock().unix());
    state.0.requests.clear();
    state
        .0
        .faults
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
    StatusCode::NO_CONTENT.into_response()
}

/// Adds a fault rule for Graph paths (see `faults::FaultRule` for the JSON).
async fn add_fault(
    State(state): State<EmulatorState>,
    Json(rule): Json<crate::faults::FaultRule>,
) -> Response {
    if rule.ratio.is_some_and(|r| !(0.0..=1.0).contains(&r)) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "ratio must be between 0 and 1"})),
        )
            .into_response();
    }
    state
        .0
        .faults
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(rule);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(state): State<EmulatorState>) -> Response {
    state
        .0
        .faults
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
    StatusCode::NO_CONTENT.into_response()
}
