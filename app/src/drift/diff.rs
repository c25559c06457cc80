//! Two snapshots compared, tenant by tenant and object by object: every field whose value
//! differs, with its path and both values. Values are compared as the JSON Graph gives them;
//! arrays of objects that carry a key (`targetAttributeName`, `name`, `tenantId`, …) are compared
//! element by element under that key, so a changed attribute mapping is one change
//! (`…attributeMappings[department].source.name`), not a changed list. A part one side could not
//! read (`null` in the snapshot) is unknown, and never reported as removed.
//!
//! The same paths let a change be carried over: [`carry`] sets one change's value from one
//! snapshot into another (accepting drift into the baseline).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use super::snapshot::{Snapshot, TenantConfig};
use super::{Change, ChangeKind, ObjectKind};

/// Fields that identify an element of an array of objects, in order of preference.
const KEY_FIELDS: &[&str] = &[
    "targetAttributeName",
    "tenantId",
    "principalId",
    "name",
    "id",
    "key",
    "target",
];

/// Fields whose `null` means "could not be read", not "none".
const UNKNOWN_WHEN_NULL: &[&str] = &["jobs", "assignments", "rules"];

/// One step of a path into a snapshot's JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Field(String),
    /// The element of an array whose `key` field is `value`.
    Item {
        key: String,
        value: String,
    },
}

/// A change and where it is in the snapshot (from the root).
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub change: Change,
    pub path: Vec<Step>,
}

impl Located {
    /// The path below the object (e.g. `["b2bCollaborationInbound", "usersAndGroups"]`): its first
    /// field is the object's property that changed.
    pub fn field_path(&self) -> &[Step] {
        let object_depth = object_depth(self.change.object);
        self.path.get(object_depth..).unwrap_or_default()
    }

    /// The object's top-level property that changed (`None` when the whole object did).
    pub fn property(&self) -> Option<&str> {
        match self.field_path().first()? {
            Step::Field(name) => Some(name),
            Step::Item { .. } => None,
        }
    }
}

/// Steps from the root to an object of `kind`: `tenants/<id>/<section>[/<key>][/assignments/<key>]`.
fn object_depth(kind: ObjectKind) -> usize {
    match kind {
        ObjectKind::Organization
        | ObjectKind::PartnerTemplate
        | ObjectKind::IdentitySyncTemplate => 3,
        ObjectKind::Member
        | ObjectKind::Partner
        | ObjectKind::IdentitySync
        | ObjectKind::SyncConfiguration => 4,
        ObjectKind::Assignment => 6,
    }
}

/// Renders a path below an object as a person reads it: `a.b[key].c`.
pub fn render(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Field(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Step::Item { value, .. } => {
                let _ = write!(out, "[{value}]");
            }
        }
    }
    out
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The key field shared by every element of `items`, when each has it with a distinct scalar
/// value.
fn key_of(items: &[Value]) -> Option<&'static str> {
    if items.is_empty() {
        return None;
    }
    KEY_FIELDS.iter().copied().find(|field| {
        let mut seen = BTreeSet::new();
        items.iter().all(|item| {
            item.get(field)
                .and_then(scalar)
                .is_some_and(|value| seen.insert(value))
        })
    })
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn keyed<'a>(items: &'a [Value], key: &str) -> BTreeMap<String, &'a Value> {
    items
        .iter()
        .filter_map(|item| Some((item.get(key).and_then(scalar)?, item)))
        .collect()
}

/// A difference between two JSON values at `path`.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub path: Vec<Step>,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// Every leaf where `older` and `newer` differ, below `path`.
pub fn values(older: &Value, newer: &Value, path: &mut Vec<Step>, out: &mut Vec<Difference>) {
    if older == newer {
        return;
    }
    match (older, newer) {
        (Value::Object(a), Value::Object(b)) => {
            let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for name in names {
                let (old, new) = (a.get(name), b.get(name));
                let unknown = UNKNOWN_WHEN_NULL.contains(&name.as_str())
                    && (matches!(old, None | Some(Value::Null))
                        || matches!(new, None | Some(Value::Null)));
                if unknown {
                    continue;
                }
                path.push(Step::Field(name.clone()));
                match (old, new) {
                    (Some(old), Some(new)) => values(old, new, path, out),
                    (old, new) => out.push(Difference {
                        path: path.clone(),
                        old: old.cloned(),
                        new: new.cloned(),
                    }),
                }
                path.pop();
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let key = key_of(a)
                .filter(|key| key_of(b).is_none_or(|other| other == *key) || b.is_empty())
                .or_else(|| key_of(b).filter(|_| a.is_empty()));
            let Some(key) = key else {
                out.push(Difference {
                    path: path.clone(),
                    old: Some(older.clone()),
                    new: Some(newer.clone()),
                });
                return;
            };
            let (a, b) = (keyed(a, key), keyed(b, key));
            let values_at: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for value in values_at {
                path.push(Step::Item {
                    key: key.to_owned(),
                    value: value.clone(),
                });
                match (a.get(value), b.get(value)) {
                    (Some(old), Some(new)) => values(old, new, path, out),
                    (old, new) => out.push(Difference {
                        path: path.clone(),
                        old: old.map(|v| (*v).clone()),
                        new: new.map(|v| (*v).clone()),
                    }),
                }
                path.pop();
            }
        }
        _ => out.push(Difference {
            path: path.clone(),
            old: Some(older.clone()),
            new: Some(newer.clone()),
        }),
    }
}

/// The value at `path`.
pub fn get<'a>(root: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(root, |value, step| match step {
        Step::Field(name) => value.get(name),
        Step::Item { key, value: wanted } => value
            .as_array()?
            .iter()
            .find(|item| item.get(key).and_then(scalar).as_deref() == Some(wanted)),
    })
}

/// Sets the value at `path` (removes it when `new` is `None`); `false` when the path's parent
/// does not exist.
pub fn set(root: &mut Value, path: &[Step], new: Option<Value>) -> bool {
    let Some((last, parents)) = path.split_last() else {
        if let Some(new) = new {
            *root = new;
        }
        return true;
    };
    let mut parent = root;
    for step in parents {
        let next = match step {
            Step::Field(name) => parent.get_mut(name),
            Step::Item { key, value } => parent.as_array_mut().and_then(|items| {
                items
                    .iter_mut()
                    .find(|item| item.get(key).and_then(scalar).as_deref() == Some(value))
            }),
        };
        match next {
            Some(next) => parent = next,
            None => return false,
        }
    }
    match last {
        Step::Field(name) => {
            let Some(object) = parent.as_object_mut() else {
                return false;
            };
            match new {
                Some(new) => {
                    object.insert(name.clone(), new);
                }
                None => {
                    object.remove(name);
                }
            }
            true
        }
        Step::Item { key, value } => {
            let Some(items) = parent.as_array_mut() else {
                return false;
            };
            let at = items
                .iter()
                .position(|item| item.get(key).and_then(scalar).as_deref() == Some(value));
            match (at, new) {
                (Some(at), Some(new)) => items[at] = new,
                (Some(at), None) => {
                    items.remove(at);
                }
                (None, Some(new)) => items.push(new),
                (None, None) => {}
            }
            true
        }
    }
}

/// Names tenants for labels.
pub trait Names {
    fn tenant(&self, id: &str) -> String;
}

impl<F: Fn(&str) -> String> Names for F {
    fn tenant(&self, id: &str) -> String {
        self(id)
    }
}

/// The differences between `older` and `newer`, in the tenants both hold; in order of tenant,
/// object kind, object and field. `old` is `older`'s value.
pub fn compare(older: &Snapshot, newer: &Snapshot, names: &dyn Names) -> Vec<Located> {
    let mut out = Vec::new();
    for (tenant_id, old) in &older.tenants {
        if let Some(new) = newer.tenants.get(tenant_id) {
            tenant(tenant_id, old, new, names, &mut out);
        }
    }
    out
}

/// Tenants only one of the snapshots holds (they are not compared), by name.
pub fn not_compared(older: &Snapshot, newer: &Snapshot, names: &dyn Names) -> Vec<String> {
    let a: BTreeSet<&String> = older.tenants.keys().collect();
    let b: BTreeSet<&String> = newer.tenants.keys().collect();
    a.symmetric_difference(&b)
        .map(|id| names.tenant(id))
        .collect()
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn tenant(
    tenant_id: &str,
    old: &TenantConfig,
    new: &TenantConfig,
    names: &dyn Names,
    out: &mut Vec<Located>,
) {
    let (old, new) = (to_value(old), to_value(new));
    let tenant_name = names.tenant(tenant_id);
    let root = vec![
        Step::Field("tenants".into()),
        Step::Field(tenant_id.to_owned()),
    ];
    let emit = |out: &mut Vec<Located>,
                kind: ObjectKind,
                key: &str,
                label: String,
                difference: Difference,
                depth: usize| {
        let change_kind = match (&difference.old, &difference.new) {
            (None, _) if difference.path.len() == depth => ChangeKind::Added,
            (_, None) if difference.path.len() == depth => ChangeKind::Removed,
            _ => ChangeKind::Changed,
        };
        let mut path = root.clone();
        path.extend(difference.path.iter().cloned());
        out.push(Located {
            change: Change {
                tenant_id: tenant_id.to_owned(),
                tenant_name: tenant_name.clone(),
                object: kind,
                key: key.to_owned(),
                object_label: label,
                kind: change_kind,
                field: render(difference.path.get(depth..).unwrap_or_default()),
                old: difference.old.as_ref().map(compact),
                new: difference.new.as_ref().map(compact),
            },
            path,
        });
    };
    // Singletons: organization and templates.
    for (section, kind, label) in [
        ("organization", ObjectKind::Organization, "organization"),
        (
            "partnerTemplate",
            ObjectKind::PartnerTemplate,
            "partner configuration template",
        ),
        (
            "identitySyncTemplate",
            ObjectKind::IdentitySyncTemplate,
            "identity sync template",
        ),
    ] {
        let (Some(a), Some(b)) = (known(&old, section), known(&new, section)) else {
            continue;
        };
        let mut found = Vec::new();
        values(a, b, &mut vec![Step::Field(section.into())], &mut found);
        for difference in found {
            emit(out, kind, "", label.to_owned(), difference, 1);
        }
    }
    // Maps of objects keyed by id.
    for (section, kind) in [
        ("members", ObjectKind::Member),
        ("partners", ObjectKind::Partner),
        ("identitySync", ObjectKind::IdentitySync),
        ("syncConfigurations", ObjectKind::SyncConfiguration),
    ] {
        let (Some(a), Some(b)) = (known(&old, section), known(&new, section)) else {
            continue;
        };
        let empty = serde_json::Map::new();
        let (a, b) = (
            a.as_object().unwrap_or(&empty),
            b.as_object().unwrap_or(&empty),
        );
        let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for key in keys {
            let (x, y) = (a.get(key), b.get(key));
            let label = object_label(kind, key, x.or(y), names);
            let base = vec![Step::Field(section.into()), Step::Field(key.clone())];
            let (x, y) = match (x, y) {
                (Some(x), Some(y)) => (x, y),
                (x, y) => {
                    emit(
                        out,
                        kind,
                        key,
                        label,
                        Difference {
                            path: base,
                            old: x.cloned(),
                            new: y.cloned(),
                        },
                        2,
                    );
                    continue;
                }
            };
            if kind == ObjectKind::SyncConfiguration {
                sync_configuration(key, &label, x, y, &base, &mut |k, key2, l, d, depth| {
                    emit(out, k, key2, l, d, depth)
                });
                continue;
            }
            let mut found = Vec::new();
            values(x, y, &mut base.clone(), &mut found);
            for difference in found {
                emit(out, kind, key, label.clone(), difference, 2);
            }
        }
    }
}

type Emit<'a> = dyn FnMut(ObjectKind, &str, String, Difference, usize) + 'a;

/// A sync configuration's own fields and jobs, then its assignments as objects of their own.
fn sync_configuration(
    sp: &str,
    label: &str,
    old: &Value,
    new: &Value,
    base: &[Step],
    emit: &mut Emit<'_>,
) {
    let strip = |value: &Value| {
        let mut value = value.clone();
        if let Some(object) = value.as_object_mut() {
            object.remove("assignments");
        }
        value
    };
    let mut found = Vec::new();
    values(&strip(old), &strip(new), &mut base.to_vec(), &mut found);
    for difference in found {
        emit(
            ObjectKind::SyncConfiguration,
            sp,
            label.to_owned(),
            difference,
            2,
        );
    }
    let (Some(a), Some(b)) = (
        old.get("assignments").and_then(Value::as_object),
        new.get("assignments").and_then(Value::as_object),
    ) else {
        return;
    };
    let principals: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for principal in principals {
        let (x, y) = (a.get(principal), b.get(principal));
        let who = x
            .or(y)
            .and_then(|v| v.get("principalDisplayName"))
            .and_then(Value::as_str)
            .unwrap_or(principal);
        let mut path = base.to_vec();
        path.push(Step::Field("assignments".into()));
        path.push(Step::Field(principal.clone()));
        let label = format!("{who} in the scope of {label}");
        match (x, y) {
            (Some(x), Some(y)) => {
                let mut found = Vec::new();
                values(x, y, &mut path, &mut found);
                for difference in found {
                    emit(
                        ObjectKind::Assignment,
                        principal,
                        label.clone(),
                        difference,
                        4,
                    );
                }
            }
            (x, y) => emit(
                ObjectKind::Assignment,
                principal,
                label,
                Difference {
                    path,
                    old: x.cloned(),
                    new: y.cloned(),
                },
                4,
            ),
        }
    }
}

/// A section both sides read (not `null`).
fn known<'a>(tenant: &'a Value, section: &str) -> Option<&'a Value> {
    tenant.get(section).filter(|v| !v.is_null())
}

fn object_label(kind: ObjectKind, key: &str, value: Option<&Value>, names: &dyn Names) -> String {
    match kind {
        ObjectKind::Member => format!("member {}", names.tenant(key)),
        ObjectKind::Partner => format!("partner {}", names.tenant(key)),
        ObjectKind::IdentitySync => format!("identity sync from {}", names.tenant(key)),
        ObjectKind::SyncConfiguration => {
            let name = value
                .and_then(|v| v.get("displayName"))
                .and_then(Value::as_str)
                .unwrap_or(key);
            match value
                .and_then(|v| v.get("targetTenantId"))
                .and_then(Value::as_str)
            {
                Some(target) => format!("{name} (sync to {})", names.tenant(target)),
                None => name.to_owned(),
            }
        }
        _ => kind.label().to_owned(),
    }
}

/// Why a change could not be carried over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CarryError {
    #[error("the snapshot does not hold that object any more")]
    Missing,
    #[error("the result is not a snapshot: {0}")]
    Invalid(String),
}

/// `into` with the value `from` has at the change's path (accepting drift: the baseline takes the
/// live value).
pub fn carry(from: &Snapshot, into: &Snapshot, at: &Located) -> Result<Snapshot, CarryError> {
    let source = to_value(from);
    let mut target = to_value(into);
    let value = get(&source, &at.path).cloned();
    if !set(&mut target, &at.path, value) {
        return Err(CarryError::Missing);
    }
    serde_json::from_value(target).map_err(|e| CarryError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diff(a: Value, b: Value) -> Vec<(String, Option<Value>, Option<Value>)> {
        let mut out = Vec::new();
        values(&a, &b, &mut Vec::new(), &mut out);
        out.into_iter()
            .map(|d| (render(&d.path), d.old, d.new))
            .collect()
    }

    #[test]
    fn nested_fields_differ_as_leaves() {
        let found = diff(
            json!({"inboundTrust": {"isMfaAccepted": true, "x": 1}, "same": [1, 2]}),
            json!({"inboundTrust": {"isMfaAccepted": false, "x": 1}, "same": [1, 2]}),
        );
        assert_eq!(
            found,
            vec![(
                "inboundTrust.isMfaAccepted".to_owned(),
                Some(json!(true)),
                Some(json!(false))
            )]
        );
    }

    #[test]
    fn keyed_arrays_compare_element_by_element() {
        let found = diff(
            json!({"attributeMappings": [
                {"targetAttributeName": "department", "source": {"name": "department"}},
                {"targetAttributeName": "userType", "source": {"expression": "\"Member\""}}
            ]}),
            json!({"attributeMappings": [
                {"targetAttributeName": "userType", "source": {"expression": "\"Guest\""}},
                {"targetAttributeName": "jobTitle", "source": {"name": "jobTitle"}},
                {"targetAttributeName": "department", "source": {"name": "department"}}
            ]}),
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "attributeMappings[jobTitle]");
        assert_eq!(found[0].1, None);
        assert_eq!(found[1].0, "attributeMappings[userType].source.expression");
    }

    #[test]
    fn arrays_without_keys_change_whole() {
        let found = diff(json!({"tags": ["a"]}), json!({"tags": ["a", "b"]}));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "tags");
    }

    #[test]
    fn null_jobs_are_unknown_but_null_settings_are_values() {
        assert!(diff(json!({"jobs": null}), json!({"jobs": {"a": 1}})).is_empty());
        let found = diff(
            json!({"inboundTrust": null}),
            json!({"inboundTrust": {"isMfaAccepted": true}}),
        );
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn set_then_get_round_trips_through_keyed_items() {
        let mut root =
            json!({"rules": [{"name": "r", "maps": [{"targetAttributeName": "a", "v": 1}]}]});
        let path = vec![
            Step::Field("rules".into()),
            Step::Item {
                key: "name".into(),
                value: "r".into(),
            },
            Step::Field("maps".into()),
            Step::Item {
                key: "targetAttributeName".into(),
                value: "b".into(),
            },
        ];
        assert!(set(
            &mut root,
            &path,
            Some(json!({"targetAttributeName": "b", "v": 2}))
        ));
        assert_eq!(
            get(&root, &path),
            Some(&json!({"targetAttributeName": "b", "v": 2}))
        );
        assert!(set(&mut root, &path, None));
        assert_eq!(get(&root, &path), None);
        let missing = vec![Step::Field("nothing".into()), Step::Field("x".into())];
        assert!(!set(&mut root, &missing, Some(json!(1))));
    }
}
