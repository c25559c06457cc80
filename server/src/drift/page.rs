//! The `/drift` page's server side.

use app::api::ApiError;
use app::drift::{Comparison, DriftView, SnapshotInfo, TeardownPlan};
use http::request::Parts;

use crate::dashboard::Dashboard;

fn unfinished() -> ApiError {
    ApiError::BadRequest("unfinished".into())
}

impl Dashboard {
    pub(crate) async fn drift_view(
        &self,
        _request: &Parts,
        _compare: Option<i64>,
    ) -> Result<DriftView, ApiError> {
        Err(unfinished())
    }
    pub(crate) async fn drift_take_snapshot(&self, _request: &Parts) -> Result<SnapshotInfo, ApiError> {
        Err(unfinished())
    }
    pub(crate) async fn drift_accept_baseline(&self, _request: &Parts, _id: i64) -> Result<String, ApiError> {
        Err(unfinished())
    }
    pub(crate) async fn drift_compare(&self, _request: &Parts, _a: i64, _b: i64) -> Result<Comparison, ApiError> {
        Err(unfinished())
    }
    pub(crate) async fn drift_accept_item(&self, _request: &Parts, _item: String) -> Result<String, ApiError> {
        Err(unfinished())
    }
    pub(crate) async fn drift_restore_item(&self, _request: &Parts, _item: String, _c: Option<i64>) -> Result<String, ApiError> {
        Err(unfinished())
    }
    pub(crate) async fn drift_import(&self, _request: &Parts, _json: String) -> Result<SnapshotInfo, ApiError> {
        Err(unfinished())
    }
    pub(crate) async fn drift_teardown_plan(&self, _request: &Parts, _t: &str) -> Result<TeardownPlan, ApiError> {
        Err(unfinished())
    }
    pub(crate) async fn drift_teardown_step(&self, _request: &Parts, _t: &str, _s: String) -> Result<String, ApiError> {
        Err(unfinished())
    }
}
