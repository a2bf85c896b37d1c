//! The JSON Schema of the graph format, generated from file-shaped types so that editors can
//! check graph files as they are written. `validate` remains the authority: the schema cannot
//! say that ids are unique or that edge endpoints exist.

use crate::model::{CredentialType, EdgeKind, Level, NodeKind, Sensitivity, Status};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};
use std::borrow::Cow;

/// An RFC 3339 date-time string.
struct DateTime;

impl JsonSchema for DateTime {
    fn schema_name() -> Cow<'static, str> {
        "DateTime".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 date-time: date, `T`, time and offset all required; fractional seconds allowed; leap seconds rejected."
        })
    }
}

/// An authority graph, version 1. Every edge `A → B` says: whoever controls `A` can act
/// with `B`'s authority.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(title = "authpath authority graph, version 1", deny_unknown_fields)]
struct GraphFile {
    /// The format version: the JSON number 1.
    #[schemars(extend("const" = 1))]
    version: u32,
    /// The instant the snapshot describes; every time-based rule is judged at it.
    as_of: Option<DateTime>,
    nodes: Vec<NodeSpec>,
    edges: Vec<EdgeSpec>,
}

/// A node. Keys the format does not define are kept as free-form properties.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(transform = node_rules)]
struct NodeSpec {
    /// Unique, non-empty; any characters.
    #[schemars(length(min = 1))]
    id: String,
    kind: NodeKind,
    /// Display name (defaults to the id).
    name: Option<String>,
    /// Id of the tenant or partner node this node belongs to; absent is the home organisation.
    org: Option<String>,
    /// Id of the node accountable for this one (not checked when loading).
    owner: Option<String>,
    /// `active` when absent; only active nodes pass authority.
    status: Option<Status>,
    /// `medium` when absent.
    sensitivity: Option<Sensitivity>,
    /// The tag `tier0` marks a node as critical whatever its sensitivity.
    tags: Option<Vec<String>>,
    purpose: Option<String>,
    reviewed_at: Option<DateTime>,
    /// Credential nodes only; `other` when absent.
    credential_type: Option<CredentialType>,
    /// Credential nodes only.
    issued_at: Option<DateTime>,
    /// Credential nodes only; absent means it never expires.
    expires_at: Option<DateTime>,
    /// Credential nodes only.
    last_used_at: Option<DateTime>,
    /// Credential nodes only.
    rotated_at: Option<DateTime>,
    /// Credential nodes only: the scopes granted.
    scopes: Option<Vec<String>>,
    /// Credential nodes only: the scopes observed in use.
    used_scopes: Option<Vec<String>>,
    /// Partner nodes only: after it the partnership is over.
    contract_end: Option<DateTime>,
}

/// An edge. Keys the format does not define are kept as free-form properties.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(transform = edge_rules)]
struct EdgeSpec {
    /// Id of an existing node.
    from: String,
    /// Id of an existing node.
    to: String,
    kind: EdgeKind,
    /// The most authority over `to` this edge passes on (`admin` when absent). Not on `exposes`.
    level: Option<Level>,
    /// `exposes` only: the level over `from` needed to use the edge (`read` when absent).
    requires: Option<Level>,
    /// `admin_of` only: the grantee may delegate further.
    redelegable: Option<bool>,
    expires_at: Option<DateTime>,
    /// Who approved it (not checked against the nodes).
    granted_by: Option<String>,
    purpose: Option<String>,
    reviewed_at: Option<DateTime>,
}

/// `{"kind": {"enum": kinds}}`, matched in an `if`.
fn kind_in(kinds: &[&str]) -> Value {
    json!({"properties": {"kind": {"enum": kinds}}, "required": ["kind"]})
}

/// A `then` that lets each of `keys` be only absent or null.
fn only_null(keys: &[&str]) -> Value {
    let props: serde_json::Map<String, Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), json!({"type": "null"})))
        .collect();
    json!({"properties": props})
}

fn kinds_except<T: Copy + PartialEq>(
    all: &[T],
    keep: &[T],
    name: fn(T) -> &'static str,
) -> Vec<&'static str> {
    all.iter()
        .filter(|k| !keep.contains(k))
        .map(|k| name(*k))
        .collect()
}

fn node_rules(schema: &mut Schema) {
    let credential_only = [
        "credential_type",
        "issued_at",
        "expires_at",
        "last_used_at",
        "rotated_at",
        "scopes",
        "used_scopes",
    ];
    let not_credential = kinds_except(NodeKind::ALL, &[NodeKind::Credential], NodeKind::as_str);
    let not_partner = kinds_except(NodeKind::ALL, &[NodeKind::Partner], NodeKind::as_str);
    let edge_only = [
        "from",
        "to",
        "level",
        "requires",
        "redelegable",
        "granted_by",
    ];
    schema.insert(
        "allOf".into(),
        json!([
            {"if": kind_in(&not_credential), "then": only_null(&credential_only)},
            {"if": kind_in(&not_partner), "then": only_null(&["contract_end"])},
            {"if": kind_in(&["partner", "tenant"]), "then": only_null(&["org"])},
            only_null(&edge_only),
        ]),
    );
}

fn edge_rules(schema: &mut Schema) {
    let not_exposes = kinds_except(EdgeKind::ALL, &[EdgeKind::Exposes], EdgeKind::as_str);
    let not_admin_of = kinds_except(EdgeKind::ALL, &[EdgeKind::AdminOf], EdgeKind::as_str);
    let node_only = [
        "id",
        "name",
        "org",
        "owner",
        "status",
        "sensitivity",
        "tags",
        "credential_type",
        "issued_at",
        "last_used_at",
        "rotated_at",
        "scopes",
        "used_scopes",
        "contract_end",
    ];
    schema.insert(
        "allOf".into(),
        json!([
            {"if": kind_in(&["exposes"]), "then": only_null(&["level"])},
            {"if": kind_in(&not_exposes), "then": only_null(&["requires"])},
            {"if": kind_in(&not_admin_of), "then": only_null(&["redelegable"])},
            only_null(&node_only),
        ]),
    );
}

/// The schema as pretty JSON with a final newline, exactly as committed in
/// `schema/authpath-graph.schema.json`.
pub fn graph_schema_json() -> String {
    let schema = schemars::schema_for!(GraphFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_the_vocabulary_and_the_per_kind_rules() {
        let text = graph_schema_json();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["additionalProperties"], json!(false));
        assert!(text.contains("\"authenticates_as\""));
        assert!(text.contains("\"date-time\""));
        assert!(text.contains("\"contract_end\""));
        assert!(text.contains("\"allOf\""));
    }
}

/// A string, or a list of strings (any of which matches).
#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum FailOnName {
    Critical,
    High,
    Medium,
    Low,
    Never,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum SubjectsName {
    Default,
    All,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum SeverityName {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum MaxLevel {
    None,
    Read,
    Write,
}

/// Time thresholds of the credential rules, in days.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct ThresholdsSpec {
    /// `dormant`: last used more than this many days ago (default 90).
    dormant_days: Option<u32>,
    /// `never-used`: issued more than this many days ago and never used (default 90).
    never_used_days: Option<u32>,
    /// `rotation-overdue`: rotated or issued more than this many days ago (default 365).
    rotation_days: Option<u32>,
}

/// What else counts as critical (added to `sensitivity: critical` and the `tier0` tag).
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct CriticalFile {
    sensitivities: Option<OneOrMany<Sensitivity>>,
    tags: Option<OneOrMany<String>>,
    ids: Option<OneOrMany<String>>,
    kinds: Option<OneOrMany<NodeKind>>,
}

/// Settings of one rule.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct RuleSpec {
    /// `false` turns the rule off.
    enabled: Option<bool>,
    /// Replaces the severity the rule reports.
    severity: Option<SeverityName>,
}

/// An accepted finding. Name it by `id`, or by `rule` + `subject` (+ `target`).
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct WaiverSpec {
    /// The finding's id (`ap-` and 16 hex digits).
    #[schemars(extend("pattern" = "^ap-[0-9a-f]{16}$"))]
    id: Option<String>,
    #[schemars(transform = rule_names_enum)]
    rule: Option<String>,
    subject: Option<String>,
    target: Option<String>,
    /// Why the risk is accepted.
    #[schemars(length(min = 1))]
    reason: String,
    /// Who answers for it.
    #[schemars(length(min = 1))]
    owner: String,
    /// When the waiver stops waiving.
    expires: DateTime,
}

/// Chooses nodes: every field given must match; a list matches any of its values.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct SelectorSpec {
    id: Option<OneOrMany<String>>,
    kind: Option<OneOrMany<NodeKind>>,
    /// Id of the tenant or partner the node belongs to.
    org: Option<OneOrMany<String>>,
    tag: Option<OneOrMany<String>>,
    sensitivity: Option<OneOrMany<Sensitivity>>,
    /// A partner or a partner's node.
    external: Option<bool>,
}

/// A reachability assertion: nothing chosen by `from` may hold more than `max_level` over
/// anything chosen by `to`.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct AssertSpec {
    /// Findings cite it as `assert:<name>`.
    name: String,
    from: SelectorSpec,
    to: SelectorSpec,
    max_level: MaxLevel,
    /// Severity of a violation (default high).
    severity: Option<SeverityName>,
}

/// The policy file `authpath.toml`.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(title = "authpath policy (authpath.toml)", deny_unknown_fields)]
struct PolicyFile {
    /// Exit 1 when a finding is at or above this severity (default high).
    fail_on: Option<FailOnName>,
    /// The subject set of the reachability rules (default `default`).
    subjects: Option<SubjectsName>,
    /// An `[[assert]]` whose `from` or `to` selects no node is an error (exit 2), not a
    /// warning (default false; `--strict` does the same).
    strict: Option<bool>,
    thresholds: Option<ThresholdsSpec>,
    critical: Option<CriticalFile>,
    /// Per-rule settings, keyed by rule name.
    #[schemars(transform = rule_table)]
    rules: Option<std::collections::BTreeMap<String, RuleSpec>>,
    /// `[[waiver]]` entries.
    waiver: Option<Vec<WaiverSpec>>,
    /// `[[assert]]` entries.
    assert: Option<Vec<AssertSpec>>,
}

fn rule_names() -> Vec<&'static str> {
    crate::findings::Rule::ALL
        .iter()
        .map(|r| r.name())
        .collect()
}

fn rule_names_enum(schema: &mut Schema) {
    schema.insert("enum".into(), json!(rule_names()));
    schema.remove("type");
}

fn rule_table(schema: &mut Schema) {
    schema.insert("propertyNames".into(), json!({"enum": rule_names()}));
}

/// The estate manifest `estate.toml` (docs/estate.md), for editors.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(title = "authpath estate manifest (estate.toml)", deny_unknown_fields)]
struct EstateFile {
    /// The integer 1.
    #[schemars(range(min = 1, max = 1))]
    version: u8,
    /// RFC 3339: the instant the whole estate is judged at (overrides the sources' own).
    as_of: Option<String>,
    /// The sources, at least one.
    #[schemars(length(min = 1))]
    source: Vec<EstateSource>,
    /// Hand-written nodes that are external principals importers name.
    alias: Option<Vec<EstateAlias>>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum EstateKind {
    Graph,
    AwsIam,
    K8s,
    Opengraph,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(untagged)]
enum EstatePaths {
    One(String),
    Many(#[schemars(length(min = 1))] Vec<String>),
}

/// One source; the keys beyond name, kind and path depend on its kind (docs/estate.md).
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct EstateSource {
    /// Unique in the manifest; prefixes its nodes' ids.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9_-]*$"))]
    name: String,
    kind: EstateKind,
    /// A file or a directory (or several), relative to the manifest.
    path: EstatePaths,
    /// `aws-iam`: the IAM credential report (CSV).
    credential_report: Option<String>,
    /// `aws-iam`: the 12-digit account id the export must be of.
    #[schemars(regex(pattern = r"^[0-9]{12}$"))]
    account: Option<String>,
    /// `k8s`: the cluster's name (default: the source's name).
    cluster: Option<String>,
    /// `k8s`: the sensitivity of the cluster's Secrets (default `high`).
    secret_sensitivity: Option<crate::model::Sensitivity>,
    /// `aws-iam` (a table: cluster name → directory of its EKS answers) or `k8s`
    /// (`SOURCE/CLUSTER`: the aws-iam source and its cluster).
    eks: Option<serde_json::Value>,
    /// `aws-iam`: a directory (or file) of IAM Identity Center answers.
    identity_center: Option<String>,
    /// `opengraph`: a mapping file, or a built-in mapping (`githound`).
    mapping: Option<String>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct EstateAlias {
    /// The hand-written node: `SOURCE:ID`, or a native key.
    node: String,
    /// Native keys of external principals (`aws:account:ID`, `github:ORG`,
    /// `github:user:LOGIN`).
    is: EstatePaths,
}

/// The JSON Schema of the estate manifest, as committed in `schema/authpath-estate.schema.json`.
pub fn estate_schema_json() -> String {
    let schema = schemars::schema_for!(EstateFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON Schema of the policy file, as committed in `schema/authpath-policy.schema.json`.
pub fn policy_schema_json() -> String {
    let schema = schemars::schema_for!(PolicyFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
