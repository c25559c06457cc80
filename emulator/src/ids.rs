//! Graph's validated identifiers (`graph::ids`) for the ids the emulator makes or keeps as text.

use std::str::FromStr;

use graph::{JobId, ObjectId, TenantId};

/// A fresh identifier from `make`, which produces valid text (a GUID, a job id of letters, digits,
/// dots and hyphens): the first attempt parses; each retry makes new text.
fn fresh<T: FromStr>(make: impl Fn() -> String) -> T {
    loop {
        if let Ok(id) = make().parse() {
            return id;
        }
    }
}

/// A new object id (a random GUID).
pub fn new_object_id() -> ObjectId {
    fresh(|| uuid::Uuid::new_v4().to_string())
}

/// A new job id: `{template}.{tenant id without hyphens}.{random GUID}`, as the service makes them.
pub fn new_job_id(template: &str, tenant: &str) -> JobId {
    fresh(|| {
        format!(
            "{template}.{}.{}",
            tenant.replace('-', ""),
            uuid::Uuid::new_v4()
        )
    })
}

/// A tenant id the emulator holds as text. Scenario tenant ids are checked GUIDs (the demo's
/// constants, `scenario_file`'s validation) and request ids are parsed before they are kept, so
/// the all-zero fallback is not taken.
pub fn tenant_id(id: &str) -> TenantId {
    id.parse().unwrap_or_else(|_| TenantId::zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_ids_are_valid() {
        assert_eq!(new_object_id().as_str().len(), 36);
        let job = new_job_id("Azure2Azure", "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11");
        assert!(job
            .as_str()
            .starts_with("Azure2Azure.2f1d6a3e8c4b4f7a9e215b3c7d9a0c11."));
        assert_eq!(
            tenant_id("2F1D6A3E-8C4B-4F7A-9E21-5B3C7D9A0C11").as_str(),
            "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11"
        );
    }
}
