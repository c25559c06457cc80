//! The `/drift` page's server functions: the view (snapshots, baseline, drift), taking and
//! importing snapshots, accepting a baseline or one drift item, restoring a drifted setting, two
//! snapshots compared, and a departed tenant's teardown plan and its steps. Writes are forms; a
//! form that does not hold is refused and recorded in the audit log before it reaches the port.
//! The data they exchange is in [`crate::drift`]. The JSON export
//! (`/drift/snapshots/{id}.json`) and the file upload (`/drift/import`) are plain routes on the
//! server.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::audit::AuditAction;
use super::ApiError;
use crate::drift::{Comparison, DriftView, SnapshotInfo, TeardownPlan};

/// A stored snapshot's number, from a form or the address bar: a positive integer.
pub fn snapshot_id(text: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(format!("“{}” is not a snapshot number.", text.trim())),
    }
}

/// The longest drift item or teardown step id accepted (the page's ids are far shorter).
const MAX_ID_CHARS: usize = 128;

/// A drift item's or teardown step's id from a form: letters, digits and `-_.:`, at most
/// [`MAX_ID_CHARS`].
pub fn item_id(what: &str, text: &str) -> Result<String, String> {
    let text = text.trim();
    let fits = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
    if text.is_empty() || text.chars().count() > MAX_ID_CHARS || !text.chars().all(fits) {
        return Err(format!("“{text}” is not {what} id."));
    }
    Ok(text.to_owned())
}

#[cfg(feature = "ssr")]
fn stored(text: &str) -> Result<i64, ApiError> {
    snapshot_id(text).map_err(ApiError::BadRequest)
}

#[cfg(feature = "ssr")]
fn positive(id: i64) -> Result<i64, ApiError> {
    if id > 0 {
        Ok(id)
    } else {
        Err(ApiError::BadRequest(format!(
            "“{id}” is not a snapshot number."
        )))
    }
}

/// The page: stored snapshots, the baseline, and the live configuration's drift from the
/// baseline (or from snapshot `compare`).
#[server(endpoint = "drift/view")]
pub async fn load_drift(compare: Option<i64>) -> Result<DriftView, ApiError> {
    let compare = compare.map(positive).transpose()?;
    let (port, parts) = super::port::from_context()?;
    port.drift(&parts, compare).await
}

/// Takes a snapshot now through the session's sign-ins and stores it.
#[server(endpoint = "drift/snapshot")]
pub async fn take_snapshot() -> Result<SnapshotInfo, ApiError> {
    let (port, parts) = super::port::from_context()?;
    port.take_snapshot(&parts).await
}

/// Makes stored snapshot `snapshot` the baseline.
#[server(endpoint = "drift/baseline")]
pub async fn accept_baseline(snapshot: String) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "snapshot": &snapshot });
    let checks = stored(&snapshot);
    let snapshot = super::checked("", AuditAction::AcceptBaseline, inputs, checks).await?;
    let (port, parts) = super::port::from_context()?;
    port.accept_baseline(&parts, snapshot).await
}

/// Stored snapshots `older` and `newer` compared.
#[server(endpoint = "drift/compare")]
pub async fn compare_snapshots(older: i64, newer: i64) -> Result<Comparison, ApiError> {
    let (older, newer) = (positive(older)?, positive(newer)?);
    if older == newer {
        return Err(ApiError::BadRequest(
            "Choose two different snapshots to compare.".into(),
        ));
    }
    let (port, parts) = super::port::from_context()?;
    port.compare_snapshots(&parts, older, newer).await
}

/// Accepts drift item `item` into the baseline: the baseline takes the live value.
#[server(endpoint = "drift/accept")]
pub async fn accept_drift(item: String) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "item": &item });
    let checks = item_id("a drift item", &item).map_err(ApiError::BadRequest);
    let item = super::checked("", AuditAction::AcceptDrift, inputs, checks).await?;
    let (port, parts) = super::port::from_context()?;
    port.accept_drift(&parts, item).await
}

/// Makes the Graph change in `tenant` that restores drift item `item`'s reference value (the
/// baseline's, or snapshot `compare`'s).
#[server(endpoint = "drift/restore")]
pub async fn restore_drift(
    tenant: String,
    item: String,
    compare: Option<String>,
) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "item": &item, "compare": &compare });
    let checks = super::tenant_id(&tenant).and_then(|_| {
        let item = item_id("a drift item", &item).map_err(ApiError::BadRequest)?;
        let compare = compare
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(stored)
            .transpose()?;
        Ok((item, compare))
    });
    let (item, compare) =
        super::checked(&tenant, AuditAction::RestoreDrift, inputs, checks).await?;
    let (port, parts) = super::port::from_context()?;
    port.restore_drift(&parts, item, compare).await
}

/// Stores an uploaded snapshot (its JSON text) to compare with the live state; nothing is
/// applied. The page's upload form posts the file to `/drift/import` instead.
#[server(endpoint = "drift/import")]
pub async fn import_snapshot(json: String) -> Result<SnapshotInfo, ApiError> {
    let inputs = serde_json::json!({ "bytes": json.len() });
    let checks = if json.trim().is_empty() {
        Err(ApiError::BadRequest(
            "Choose a snapshot file or paste its JSON.".into(),
        ))
    } else if json.len() > crate::drift::snapshot::MAX_IMPORT_BYTES {
        Err(ApiError::BadRequest(format!(
            "A snapshot may be at most {} MB.",
            crate::drift::snapshot::MAX_IMPORT_BYTES / (1024 * 1024)
        )))
    } else {
        Ok(())
    };
    super::checked("", AuditAction::ImportSnapshot, inputs, checks).await?;
    let (port, parts) = super::port::from_context()?;
    port.import_snapshot(&parts, json).await
}

/// The teardown plan (a dry run) for `tenant`: what remains of its relationships on each side.
#[server(name = GetTeardownPlan, endpoint = "drift/teardown")]
pub async fn teardown_plan(tenant: String) -> Result<TeardownPlan, ApiError> {
    let tenant = super::tenant_id(&tenant)?.to_string();
    let (port, parts) = super::port::from_context()?;
    port.teardown_plan(&parts, &tenant).await
}

/// Makes step `step` of `tenant`'s teardown plan (the plan is read again first).
#[server(name = MakeTeardownStep, endpoint = "drift/teardown/step")]
pub async fn teardown_step(
    tenant: String,
    step: String,
    confirm: Option<String>,
) -> Result<String, ApiError> {
    let inputs = serde_json::json!({ "step": &step, "confirm": &confirm });
    let checks = super::confirmed(confirm.as_deref(), "make the step")
        .and_then(|()| super::tenant_id(&tenant))
        .and_then(|tenant| {
            let step = item_id("a teardown step", &step).map_err(ApiError::BadRequest)?;
            Ok((tenant.to_string(), step))
        });
    let (tenant, step) = super::checked(&tenant, AuditAction::TeardownStep, inputs, checks).await?;
    let (port, parts) = super::port::from_context()?;
    port.teardown_step(&parts, &tenant, step).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_numbers_are_positive_integers() {
        assert_eq!(snapshot_id("12"), Ok(12));
        assert_eq!(snapshot_id(" 3 "), Ok(3));
        assert!(snapshot_id("0").is_err());
        assert!(snapshot_id("-4").is_err());
        assert_eq!(
            snapshot_id("latest"),
            Err("“latest” is not a snapshot number.".into())
        );
    }

    #[test]
    fn ids_are_short_and_plain() {
        assert_eq!(
            item_id("a drift item", "9f86d081884c7d65"),
            Ok("9f86d081884c7d65".into())
        );
        assert_eq!(
            item_id("a teardown step", "partner:7b9e4c2d-1a3f"),
            Ok("partner:7b9e4c2d-1a3f".into())
        );
        assert!(item_id("a drift item", "").is_err());
        assert!(item_id("a drift item", "a b").is_err());
        assert!(item_id("a drift item", "<script>").is_err());
        assert!(item_id("a drift item", &"a".repeat(129)).is_err());
    }
}
