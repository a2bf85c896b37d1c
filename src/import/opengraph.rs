//! BloodHound OpenGraph JSON into an authority graph (`authpath import opengraph`).
//!
//! Nodes and edges whose kinds authpath wrote (`AP_…`, see [`crate::export::opengraph`])
//! come back exactly: kinds, fields and free-form properties, annotations dropped. Foreign
//! kinds (a collector's `GH_User`, `GH_HasRole`…) go through a mapping file (TOML) that
//! names the authpath kind of each; a node or edge none of whose kinds is mapped is
//! skipped and counted, and so is an edge whose ends do not fit its mapped kind or cannot
//! be found. Node and edge order is kept.

use crate::diagnostics::{Diagnostic, Diagnostics, codes, quote};
use crate::export::ANNOTATIONS;
use crate::export::opengraph::{NAMESPACE, SOURCE_KIND, edge_kind, node_kind};
use crate::load::StrictValue;
use crate::model::{CredentialType, EdgeKind, Level, NodeKind, Sensitivity, Span};
use crate::source::Locator;
use crate::timestamp::Timestamp;
use serde::Deserialize;
use serde::de::DeserializeSeed;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// How foreign kinds become authpath's: the mapping file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Foreign node kind → authpath node kind (or a table with more).
    #[serde(default)]
    pub nodes: BTreeMap<String, NodeRule>,
    /// Foreign edge kind → authpath edge kind (or a table with more).
    #[serde(default)]
    pub edges: BTreeMap<String, EdgeRule>,
    /// Nodes to tag `tier0`: of a kind, optionally with a property equal to a value.
    #[serde(default)]
    pub tier0: Vec<Tier0Rule>,
    /// The node property that becomes `name` (default `name`).
    #[serde(default = "default_name")]
    pub name_property: String,
}

fn default_name() -> String {
    "name".into()
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum NodeRule {
    Kind(NodeKind),
    Full(NodeRuleFull),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeRuleFull {
    pub kind: NodeKind,
    pub sensitivity: Option<Sensitivity>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub credential_type: Option<CredentialType>,
    /// Format field → the foreign property that fills it (`last_used_at =
    /// "token_last_used_at"`).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum EdgeRule {
    Kind(EdgeKind),
    Full(EdgeRuleFull),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeRuleFull {
    pub kind: EdgeKind,
    pub level: Option<Level>,
    pub requires: Option<Level>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier0Rule {
    pub kind: String,
    pub property: Option<String>,
    pub equals: Option<toml::Value>,
}

impl NodeRule {
    fn full(&self) -> NodeRuleFull {
        match self {
            NodeRule::Kind(k) => NodeRuleFull {
                kind: *k,
                sensitivity: None,
                tags: Vec::new(),
                credential_type: None,
                fields: BTreeMap::new(),
            },
            NodeRule::Full(f) => f.clone(),
        }
    }
}

impl EdgeRule {
    fn full(&self) -> EdgeRuleFull {
        match self {
            EdgeRule::Kind(k) => EdgeRuleFull {
                kind: *k,
                level: None,
                requires: None,
            },
            EdgeRule::Full(f) => f.clone(),
        }
    }
}

/// Reads a mapping file; problems go to `diags` with their line and column.
pub fn read_mapping(text: &str, diags: &mut Diagnostics) -> Option<Mapping> {
    match toml::from_str::<Mapping>(text) {
        Ok(m) => {
            let mut ok = true;
            for field in m.nodes.values().filter_map(|r| match r {
                NodeRule::Full(f) => Some(f),
                NodeRule::Kind(_) => None,
            }) {
                for k in field.fields.keys() {
                    if !FIELD_KEYS.contains(&k.as_str()) {
                        diags.push(
                            Diagnostic::error(
                                codes::OPENGRAPH_MAPPING_FIELD,
                                None,
                                format!(
                                    "`fields` names {}, which is not a field of the format",
                                    quote(k)
                                ),
                            )
                            .help(format!("one of {}", FIELD_KEYS.join(", "))),
                        );
                        ok = false;
                    }
                }
            }
            ok.then_some(m)
        }
        Err(e) => {
            let span = e.span().map(|s| Locator::new(text).span(s.start));
            diags.push(
                Diagnostic::error(codes::OPENGRAPH_MAPPING, span, e.message().to_string())
                    .help("a mapping has [nodes] (kind = \"human\"…), [edges] (kind = \"member_of\"…) and [[tier0]] tables; see docs/interop.md"),
            );
            None
        }
    }
}

/// Node fields a mapping may fill from foreign properties.
const FIELD_KEYS: &[&str] = &[
    "owner",
    "status",
    "purpose",
    "reviewed_at",
    "issued_at",
    "expires_at",
    "last_used_at",
    "rotated_at",
    "contract_end",
];

/// What an import did, beyond the graph.
#[derive(Debug, Default)]
pub struct Summary {
    pub nodes: usize,
    pub edges: usize,
    /// Nodes skipped, per kind list (`GH_Variable`), none of whose kinds is mapped.
    pub unmapped_nodes: BTreeMap<String, usize>,
    pub unmapped_edges: BTreeMap<String, usize>,
    /// Edges whose mapped kind does not fit their ends: (foreign kind, reason) → count.
    pub unfit_edges: BTreeMap<String, usize>,
    /// Edges with an end that names no imported node.
    pub unresolved_edges: usize,
    /// Foreign properties renamed `og_…` (a format key) and per-kind field values that did
    /// not fit (kept as free-form).
    pub renamed: usize,
    pub repeated_nodes: usize,
}

#[derive(Debug)]
pub struct Import {
    /// The graph file's text, when there was no error.
    pub graph: Option<String>,
    pub problems: Vec<Diagnostics>,
    pub summary: Summary,
}

/// Imports OpenGraph `text` (named `name` in messages) with `mapping` for foreign kinds.
pub fn import_text(name: &str, text: &str, mapping: &Mapping, as_of: Option<Timestamp>) -> Import {
    let mut diags = Diagnostics::new(name);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut summary = Summary::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let value = match StrictValue
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
    {
        Ok(v) => v,
        Err(e) => {
            let mut loc = Locator::new(text);
            diags.push(
                Diagnostic::error(
                    codes::JSON_SYNTAX,
                    Some(loc.span_of_error(&e)),
                    crate::load::strip_position(&e),
                )
                .help(
                    "give an OpenGraph document: {\"graph\": {\"nodes\": [...], \"edges\": [...]}}",
                ),
            );
            return Import {
                graph: None,
                problems: vec![diags],
                summary,
            };
        }
    };
    let Some(graph) = value.get("graph").and_then(Value::as_object) else {
        diags.push(
            Diagnostic::error(
                codes::OPENGRAPH_NOT_DOCUMENT,
                Some(Span { line: 1, column: 1 }),
                "this is not an OpenGraph document: it has no `graph` object",
            )
            .help("give an OpenGraph document: {\"graph\": {\"nodes\": [...], \"edges\": [...]}}"),
        );
        return Import {
            graph: None,
            problems: vec![diags],
            summary,
        };
    };
    let empty = Vec::new();
    let list = |key: &str, diags: &mut Diagnostics| match graph.get(key) {
        None | Some(Value::Null) => Some(&empty),
        Some(Value::Array(a)) => Some(a),
        Some(_) => {
            diags.push(Diagnostic::error(
                codes::OPENGRAPH_MALFORMED,
                None,
                format!("`graph.{key}` must be an array"),
            ));
            None
        }
    };
    let (Some(nodes), Some(edges)) = (list("nodes", &mut diags), list("edges", &mut diags)) else {
        return Import {
            graph: None,
            problems: vec![diags],
            summary,
        };
    };
    let as_of = as_of.or_else(|| {
        value
            .get("metadata")
            .and_then(|m| m.get("ap_as_of"))
            .and_then(Value::as_str)
            .and_then(|t| Timestamp::parse(t).ok())
    });

    let mut out_nodes: Vec<Map<String, Value>> = Vec::with_capacity(nodes.len());
    let mut kinds_of: HashMap<String, NodeKind> = HashMap::with_capacity(nodes.len());
    let mut by_property: HashMap<(String, String), Vec<String>> = HashMap::new();
    let mut foreign_kinds: HashMap<String, Vec<String>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        let at = format!("graph.nodes[{i}]");
        let Some(obj) = n.as_object() else {
            diags.push(Diagnostic::error(
                codes::OPENGRAPH_MALFORMED,
                None,
                format!("{at}: must be an object"),
            ));
            continue;
        };
        let id = match obj.get("id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => {
                diags.push(Diagnostic::error(
                    codes::OPENGRAPH_MALFORMED,
                    None,
                    format!("{at}: `id` must be a non-empty string"),
                ));
                continue;
            }
        };
        let kinds: Vec<String> = match obj.get("kinds") {
            Some(Value::Array(k)) if k.iter().all(Value::is_string) => k
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => {
                diags.push(Diagnostic::error(
                    codes::OPENGRAPH_MALFORMED,
                    None,
                    format!("{at} ({}): `kinds` must be an array of strings", quote(&id)),
                ));
                continue;
            }
        };
        let props = match obj.get("properties") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => {
                diags.push(Diagnostic::error(
                    codes::OPENGRAPH_MALFORMED,
                    None,
                    format!("{at} ({}): `properties` must be an object", quote(&id)),
                ));
                continue;
            }
        };
        if kinds_of.contains_key(&id) {
            summary.repeated_nodes += 1;
            continue;
        }
        let node = match own_node_kind(&kinds) {
            Some(kind) => Some((kind, own_node(&id, kind, &props))),
            None => foreign_node(&id, &kinds, &props, mapping, &mut summary),
        };
        let Some((kind, node)) = node else {
            *summary.unmapped_nodes.entry(kinds.join("+")).or_default() += 1;
            continue;
        };
        for (k, v) in &props {
            if let Some(s) = scalar_text(v) {
                by_property
                    .entry((k.clone(), s))
                    .or_default()
                    .push(id.clone());
            }
        }
        kinds_of.insert(id.clone(), kind);
        foreign_kinds.insert(id.clone(), kinds);
        out_nodes.push(node);
    }

    let mut out_edges: Vec<Map<String, Value>> = Vec::with_capacity(edges.len());
    for (i, e) in edges.iter().enumerate() {
        let at = format!("graph.edges[{i}]");
        let Some(obj) = e.as_object() else {
            diags.push(Diagnostic::error(
                codes::OPENGRAPH_MALFORMED,
                None,
                format!("{at}: must be an object"),
            ));
            continue;
        };
        let Some(kind) = obj.get("kind").and_then(Value::as_str) else {
            diags.push(Diagnostic::error(
                codes::OPENGRAPH_MALFORMED,
                None,
                format!("{at}: `kind` must be a string"),
            ));
            continue;
        };
        let props = match obj.get("properties") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => {
                diags.push(Diagnostic::error(
                    codes::OPENGRAPH_MALFORMED,
                    None,
                    format!("{at}: `properties` must be an object"),
                ));
                continue;
            }
        };
        let mut ends = Vec::new();
        for side in ["start", "end"] {
            match resolve(obj.get(side), &kinds_of, &foreign_kinds, &by_property) {
                Ok(id) => ends.push(id),
                Err(Some(msg)) => diags.push(Diagnostic::error(
                    codes::OPENGRAPH_EDGE_END,
                    None,
                    format!("{at}.{side}: {msg}"),
                )),
                Err(None) => {}
            }
        }
        let rule = own_edge_kind(kind)
            .map(|k| EdgeRuleFull {
                kind: k,
                level: None,
                requires: None,
            })
            .or_else(|| mapping.edges.get(kind).map(EdgeRule::full));
        let Some(rule) = rule else {
            *summary.unmapped_edges.entry(kind.to_string()).or_default() += 1;
            continue;
        };
        let [from, to] = ends.as_slice() else {
            summary.unresolved_edges += 1;
            continue;
        };
        let (fk, tk) = (kinds_of[from], kinds_of[to]);
        if !rule.kind.fits(fk, tk) {
            let reason = format!(
                "{kind} as {} from {} to {}",
                rule.kind.as_str(),
                fk.as_str(),
                tk.as_str()
            );
            *summary.unfit_edges.entry(reason).or_default() += 1;
            continue;
        }
        let own = own_edge_kind(kind).is_some();
        out_edges.push(edge(from, to, &rule, &props, own, &mut summary));
    }
    apply_tier0(mapping, &mut out_nodes, &foreign_kinds, nodes);
    summary.nodes = out_nodes.len();
    summary.edges = out_edges.len();
    if diags.has_errors() {
        return Import {
            graph: None,
            problems: vec![diags],
            summary,
        };
    }
    let graph = super::write_graph(as_of, &out_nodes, &out_edges);
    // Fields that came back from properties (an `AP_` node's `org`, a time, a level) may not
    // hold together once edited or cut: what would not load is refused here, by node and
    // edge, rather than written.
    let check = crate::load::load_bytes("imported graph", graph.as_bytes());
    if check.diagnostics.has_errors() {
        for d in check
            .diagnostics
            .items()
            .into_iter()
            .filter(|d| d.severity == crate::diagnostics::Severity::Error)
        {
            let what = match &d.subject {
                Some(s) => format!("{s}: {}", d.message),
                None => d.message.clone(),
            };
            diags.push(
                // The loader's code says what is wrong; the message, that the import caused it.
                Diagnostic::error(
                    d.code,
                    None,
                    format!("the imported graph would not be valid: {what}"),
                )
                .help(
                    d.help
                        .clone()
                        .unwrap_or_else(|| "fix or drop the nodes and edges named".into()),
                ),
            );
        }
        return Import {
            graph: None,
            problems: vec![diags],
            summary,
        };
    }
    let problems = if diags.warning_count() > 0 {
        vec![diags]
    } else {
        Vec::new()
    };
    Import {
        graph: Some(graph),
        problems,
        summary,
    }
}

/// A kind authpath exported (`AP_Service`), if the first of `kinds` is one.
fn own_node_kind(kinds: &[String]) -> Option<NodeKind> {
    let first = kinds.first()?;
    NodeKind::ALL
        .iter()
        .copied()
        .find(|k| node_kind(*k) == *first)
}

fn own_edge_kind(kind: &str) -> Option<EdgeKind> {
    EdgeKind::ALL
        .iter()
        .copied()
        .find(|k| edge_kind(*k) == kind)
}

/// A node authpath exported: its fields back from its properties, annotations dropped.
fn own_node(id: &str, kind: NodeKind, props: &Map<String, Value>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert("kind".into(), json!(kind.as_str()));
    for (k, v) in props {
        if ANNOTATIONS.contains(&k.as_str()) {
            continue;
        }
        m.insert(k.clone(), v.clone());
    }
    m
}

/// A foreign node through the mapping: the first of its kinds that is mapped decides.
fn foreign_node(
    id: &str,
    kinds: &[String],
    props: &Map<String, Value>,
    mapping: &Mapping,
    summary: &mut Summary,
) -> Option<(NodeKind, Map<String, Value>)> {
    let rule = kinds
        .iter()
        .filter(|k| !k.starts_with(&format!("{NAMESPACE}_")) && k.as_str() != SOURCE_KIND)
        .find_map(|k| mapping.nodes.get(k))?
        .full();
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert("kind".into(), json!(rule.kind.as_str()));
    if let Some(name) = props.get(&mapping.name_property).and_then(scalar_text) {
        m.insert("name".into(), json!(name));
    }
    if let Some(s) = rule.sensitivity {
        m.insert("sensitivity".into(), json!(s.as_str()));
    }
    if !rule.tags.is_empty() {
        m.insert("tags".into(), json!(rule.tags));
    }
    if rule.kind == NodeKind::Credential
        && let Some(t) = rule.credential_type
    {
        m.insert("credential_type".into(), json!(t.as_str()));
    }
    let mut used: Vec<&str> = vec![mapping.name_property.as_str()];
    for (field, property) in &rule.fields {
        let Some(v) = props.get(property) else {
            continue;
        };
        if fits_field(field, rule.kind, v) {
            m.insert(field.clone(), v.clone());
            used.push(property);
        } else {
            summary.renamed += 1;
        }
    }
    m.insert("og_kinds".into(), json!(kinds));
    for (k, v) in props {
        if used.contains(&k.as_str()) || v.is_null() {
            continue;
        }
        if crate::load::is_format_key(k) || k == "og_kinds" {
            summary.renamed += 1;
            m.insert(format!("og_{k}"), v.clone());
        } else {
            m.insert(k.clone(), v.clone());
        }
    }
    Some((rule.kind, m))
}

/// Whether a foreign value can be the format's `field` on a node of `kind`.
fn fits_field(field: &str, kind: NodeKind, v: &Value) -> bool {
    let Some(s) = v.as_str() else { return false };
    match field {
        "issued_at" | "expires_at" | "last_used_at" | "rotated_at" => {
            kind == NodeKind::Credential && Timestamp::parse(s).is_ok()
        }
        "contract_end" => kind == NodeKind::Partner && Timestamp::parse(s).is_ok(),
        "reviewed_at" => Timestamp::parse(s).is_ok(),
        "status" => crate::model::Status::parse(s).is_some(),
        _ => true,
    }
}

fn edge(
    from: &str,
    to: &str,
    rule: &EdgeRuleFull,
    props: &Map<String, Value>,
    own: bool,
    summary: &mut Summary,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("from".into(), json!(from));
    m.insert("to".into(), json!(to));
    m.insert("kind".into(), json!(rule.kind.as_str()));
    if own {
        for (k, v) in props {
            if !ANNOTATIONS.contains(&k.as_str()) {
                m.insert(k.clone(), v.clone());
            }
        }
        return m;
    }
    if rule.kind == EdgeKind::Exposes {
        if let Some(r) = rule.requires {
            m.insert("requires".into(), json!(r.as_str()));
        }
    } else if let Some(l) = rule.level {
        m.insert("level".into(), json!(l.as_str()));
    }
    for (k, v) in props {
        if v.is_null() {
            continue;
        }
        if crate::load::is_format_key(k) {
            summary.renamed += 1;
            m.insert(format!("og_{k}"), v.clone());
        } else {
            m.insert(k.clone(), v.clone());
        }
    }
    m
}

/// An edge end: the id of the node it matches (`Err(None)`: no imported node matches, the
/// edge is skipped; `Err(Some)`: the end is malformed).
fn resolve(
    end: Option<&Value>,
    kinds_of: &HashMap<String, NodeKind>,
    foreign: &HashMap<String, Vec<String>>,
    by_property: &HashMap<(String, String), Vec<String>>,
) -> Result<String, Option<String>> {
    let Some(end) = end.and_then(Value::as_object) else {
        return Err(Some(
            "must be an object with `value` (or `property_matchers`)".into(),
        ));
    };
    let by = end.get("match_by").and_then(Value::as_str).unwrap_or("id");
    let candidates: Vec<String> = match by {
        "id" => {
            let Some(v) = end.get("value").and_then(Value::as_str) else {
                return Err(Some("`value` must be a string".into()));
            };
            if kinds_of.contains_key(v) {
                vec![v.to_string()]
            } else {
                Vec::new()
            }
        }
        "name" => {
            let Some(v) = end.get("value").and_then(Value::as_str) else {
                return Err(Some("`value` must be a string".into()));
            };
            by_property
                .get(&("name".into(), v.to_string()))
                .cloned()
                .unwrap_or_default()
        }
        "property" => {
            let Some(ms) = end.get("property_matchers").and_then(Value::as_array) else {
                return Err(Some("`property_matchers` must be an array".into()));
            };
            let mut set: Option<Vec<String>> = None;
            for m in ms {
                let (Some(k), Some(v)) = (
                    m.get("key").and_then(Value::as_str),
                    m.get("value").and_then(scalar_text),
                ) else {
                    return Err(Some("each property matcher needs `key` and `value`".into()));
                };
                let ids = by_property
                    .get(&(k.to_string(), v))
                    .cloned()
                    .unwrap_or_default();
                set = Some(match set {
                    None => ids,
                    Some(prev) => prev.into_iter().filter(|x| ids.contains(x)).collect(),
                });
            }
            set.unwrap_or_default()
        }
        other => {
            return Err(Some(format!(
                "`match_by` {} is not id, name or property",
                quote(other)
            )));
        }
    };
    let wanted = end.get("kind").and_then(Value::as_str);
    let matching: Vec<String> = candidates
        .into_iter()
        .filter(|id| {
            wanted.is_none_or(|k| foreign.get(id).is_some_and(|ks| ks.iter().any(|x| x == k)))
        })
        .collect();
    match matching.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(None),
        many => Err(Some(format!(
            "matches {} nodes; an edge end must match one",
            many.len()
        ))),
    }
}

/// Tags `tier0` on the nodes the mapping's `[[tier0]]` rules select.
fn apply_tier0(
    mapping: &Mapping,
    out: &mut [Map<String, Value>],
    kinds: &HashMap<String, Vec<String>>,
    source: &[Value],
) {
    if mapping.tier0.is_empty() {
        return;
    }
    let props: HashMap<&str, &Map<String, Value>> = source
        .iter()
        .filter_map(|n| Some((n.get("id")?.as_str()?, n.get("properties")?.as_object()?)))
        .collect();
    for node in out.iter_mut() {
        let Some(id) = node.get("id").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        let selected = mapping.tier0.iter().any(|r| {
            kinds.get(&id).is_some_and(|ks| ks.contains(&r.kind))
                && match (&r.property, &r.equals) {
                    (Some(p), Some(want)) => props
                        .get(id.as_str())
                        .and_then(|m| m.get(p))
                        .and_then(scalar_text)
                        .is_some_and(|got| Some(got) == toml_text(want)),
                    _ => true,
                }
        });
        if selected {
            let tags = node.entry("tags").or_insert_with(|| json!([]));
            if let Value::Array(list) = tags
                && !list.contains(&json!("tier0"))
            {
                list.push(json!("tier0"));
            }
        }
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn toml_text(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}
