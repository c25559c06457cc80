//! A sync schema's user mapping as rows a person can read, the mappings an MTO depends on, the
//! scope's filters in words, and the differences between two configurations
//! (`microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/resources/synchronization-synchronizationschema.md` and
//! `api-reference/v1.0/resources/synchronization-filter.md`).

use graph::sync::{AttributeMapping, MappingSource, MappingSourceType, ScopeFilter, SyncSchema};
use serde::{Deserialize, Serialize};

/// One attribute mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingRow {
    pub target: String,
    /// The source in words: an attribute name, `"Member"` for a constant, or the expression.
    pub source: String,
    /// `Attribute`, `Constant` or `Expression`.
    pub kind: String,
    /// `always` or `on create only` (from `flowType`).
    pub applies: String,
    /// Matching precedence, when the attribute is used to match users.
    pub matching: Option<i32>,
    /// Why an MTO depends on this mapping, and whether it is set as the MTO needs.
    pub mto_note: Option<MtoNote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MtoNote {
    pub ok: bool,
    pub text: String,
}

/// A source in words.
pub fn source_text(source: Option<&MappingSource>) -> (String, String) {
    let Some(source) = source else {
        return ("(none)".into(), "None".into());
    };
    match source.kind.as_str() {
        "Constant" => (
            format!("\"{}\"", source.name.as_deref().unwrap_or_default()),
            "Constant".into(),
        ),
        "Function" => (
            source
                .expression
                .clone()
                .unwrap_or_else(|| source.name.clone().unwrap_or_default()),
            "Expression".into(),
        ),
        _ => (
            source
                .name
                .clone()
                .or_else(|| source.expression.clone())
                .unwrap_or_default(),
            "Attribute".into(),
        ),
    }
}

fn applies(mapping: &AttributeMapping) -> String {
    match mapping.flow_type.as_deref() {
        Some("ObjectAddOnly") => "on create only".into(),
        Some("Always") | None => "always".into(),
        Some(other) => other.to_owned(),
    }
}

/// What an MTO needs of `userType` and `showInAddressList` (the default attribute mappings in
/// `MicrosoftDocs/entra-docs`
/// `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`: constant
/// `Member`, applied always to turn existing guests into members; constant `true`).
fn mto_note(mapping: &AttributeMapping) -> Option<MtoNote> {
    let constant = mapping
        .source
        .as_ref()
        .filter(|s| s.kind == MappingSourceType::Constant)
        .and_then(|s| s.name.as_deref());
    let always = mapping.flow_type.as_deref().is_none_or(|f| f == "Always");
    match mapping.target_attribute_name.as_str() {
        "userType" => Some(match constant {
            Some("Member") if always => MtoNote {
                ok: true,
                text: "Users arrive as members, and existing guests are turned into members.".into(),
            },
            Some("Member") => MtoNote {
                ok: false,
                text: "New users arrive as members, but users who were already guests stay guests: apply this mapping always.".into(),
            },
            Some(other) => MtoNote {
                ok: false,
                text: format!("Users arrive as {other}, not as members: MTO colleagues are expected to be members."),
            },
            None => MtoNote {
                ok: false,
                text: "userType is not a constant: MTO colleagues are expected to be members.".into(),
            },
        }),
        "showInAddressList" => Some(if constant == Some("true") {
            MtoNote {
                ok: true,
                text: "Users appear in the address list (people search, Teams).".into(),
            }
        } else {
            MtoNote {
                ok: false,
                text: "Users may not appear in the address list, so colleagues cannot find them.".into(),
            }
        }),
        _ => None,
    }
}

/// The user mapping's attribute mappings, MTO-relevant ones first, then in schema order.
pub fn rows(schema: &SyncSchema) -> Vec<MappingRow> {
    let Some(mapping) = schema.user_mapping() else {
        return Vec::new();
    };
    let mut rows: Vec<MappingRow> = mapping
        .attribute_mappings
        .iter()
        .map(|m| {
            let (source, kind) = source_text(m.source.as_ref());
            MappingRow {
                target: m.target_attribute_name.clone(),
                source,
                kind,
                applies: applies(m),
                matching: (m.matching_priority > 0).then_some(m.matching_priority),
                mto_note: mto_note(m),
            }
        })
        .collect();
    rows.sort_by_key(|r| r.mto_note.is_none());
    rows
}

/// The MTO-relevant mappings that are missing altogether.
pub fn missing_for_mto(rows: &[MappingRow]) -> Vec<String> {
    ["userType", "showInAddressList"]
        .iter()
        .filter(|t| !rows.iter().any(|r| r.target == **t))
        .map(|t| format!("{t} is not mapped"))
        .collect()
}

/// The user mapping's scoping filter in words: one line per group, clauses joined by "and"; any
/// matching group puts a user in scope.
pub fn filter_text(schema: &SyncSchema) -> Vec<String> {
    let Some(ScopeFilter { groups, .. }) = schema.user_mapping().and_then(|m| m.scope.as_ref())
    else {
        return Vec::new();
    };
    groups
        .iter()
        .map(|group| {
            group
                .clauses
                .iter()
                .map(|c| {
                    let values = c.target_operand.values.join(", ");
                    match c.operator_name.as_str() {
                        "IS_TRUE" | "IS_FALSE" | "IS_NULL" | "IS_NOT_NULL" => format!(
                            "{} {}",
                            c.source_operand_name,
                            c.operator_name.to_lowercase().replace('_', " ")
                        ),
                        op => format!(
                            "{} {} {values}",
                            c.source_operand_name,
                            op.to_lowercase().replace('_', " ")
                        ),
                    }
                })
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect()
}

/// Where another configuration's mapping differs from this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// The other configuration, in words (e.g. "Contoso → Woodgrove Bank").
    pub other: String,
    pub target: String,
    /// `source (applies)` here and there; `None` when not mapped.
    pub here: Option<String>,
    pub there: Option<String>,
}

fn describe(row: &MappingRow) -> String {
    format!("{} ({})", row.source, row.applies)
}

/// Differences between `here` and `there` (named `other`), by target attribute.
pub fn differences(here: &[MappingRow], there: &[MappingRow], other: &str) -> Vec<Difference> {
    let mut targets: Vec<&str> = here
        .iter()
        .chain(there)
        .map(|r| r.target.as_str())
        .collect();
    targets.sort_unstable();
    targets.dedup();
    targets
        .into_iter()
        .filter_map(|target| {
            let find = |rows: &[MappingRow]| rows.iter().find(|r| r.target == target).map(describe);
            let (a, b) = (find(here), find(there));
            (a != b).then(|| Difference {
                other: other.to_owned(),
                target: target.to_owned(),
                here: a,
                there: b,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use graph::sync::{FilterClause, FilterGroup, FilterOperand, ObjectMapping, SyncRule};

    fn attribute(target: &str, kind: &str, name: &str, flow: Option<&str>) -> AttributeMapping {
        serde_json::from_value(serde_json::json!({
            "targetAttributeName": target,
            "source": {"type": kind, "name": name, "parameters": []},
            "flowType": flow,
            "matchingPriority": 0,
        }))
        .unwrap()
    }

    fn schema(attributes: Vec<AttributeMapping>, scope: Option<ScopeFilter>) -> SyncSchema {
        SyncSchema {
            id: "s".into(),
            version: None,
            synchronization_rules: vec![SyncRule {
                id: "r".into(),
                name: Some("USER_INBOUND_USER".into()),
                editable: true,
                priority: 1,
                source_directory_name: None,
                target_directory_name: None,
                metadata: vec![],
                object_mappings: vec![ObjectMapping {
                    name: "Provision Azure Active Directory Users".into(),
                    enabled: true,
                    flow_types: None,
                    metadata: vec![],
                    scope,
                    source_object_name: "User".into(),
                    target_object_name: "User".into(),
                    attribute_mappings: attributes,
                }],
            }],
        }
    }

    #[test]
    fn mto_mappings_come_first_and_say_whether_they_are_right() {
        let rows = rows(&schema(
            vec![
                attribute("displayName", "Attribute", "displayName", None),
                attribute("userType", "Constant", "Member", Some("ObjectAddOnly")),
                attribute("showInAddressList", "Constant", "true", Some("Always")),
            ],
            None,
        ));
        assert_eq!(rows[0].target, "userType");
        assert_eq!(rows[0].source, "\"Member\"");
        assert_eq!(rows[0].applies, "on create only");
        assert!(!rows[0].mto_note.as_ref().unwrap().ok);
        assert!(rows[1].mto_note.as_ref().unwrap().ok);
        assert_eq!(rows[2].kind, "Attribute");
        assert!(missing_for_mto(&rows).is_empty());
        assert_eq!(missing_for_mto(&rows[2..]).len(), 2);
    }

    #[test]
    fn differences_name_the_attribute_and_both_values() {
        let here = rows(&schema(
            vec![attribute("userType", "Constant", "Member", None)],
            None,
        ));
        let there = rows(&schema(
            vec![
                attribute("userType", "Constant", "Guest", None),
                attribute("department", "Attribute", "department", None),
            ],
            None,
        ));
        let diff = differences(&here, &there, "Contoso → Woodgrove Bank");
        assert_eq!(diff.len(), 2);
        assert_eq!(diff[0].target, "department");
        assert_eq!(diff[0].here, None);
        assert_eq!(diff[1].here.as_deref(), Some("\"Member\" (always)"));
        assert_eq!(diff[1].there.as_deref(), Some("\"Guest\" (always)"));
        assert!(differences(&here, &here, "same").is_empty());
    }

    #[test]
    fn scoping_filters_read_as_sentences() {
        let clause = |attr: &str, op: &str, values: &[&str]| FilterClause {
            operator_name: op.into(),
            source_operand_name: attr.into(),
            target_operand: FilterOperand {
                values: values.iter().map(|v| (*v).to_owned()).collect(),
            },
        };
        let scope = ScopeFilter {
            groups: vec![FilterGroup {
                name: "Sales".into(),
                clauses: vec![
                    clause("department", "EQUALS", &["Sales"]),
                    clause("accountEnabled", "IS_TRUE", &[]),
                ],
            }],
            ..ScopeFilter::default()
        };
        assert_eq!(
            filter_text(&schema(vec![], Some(scope))),
            vec!["department equals Sales and accountEnabled is true"]
        );
    }
}
