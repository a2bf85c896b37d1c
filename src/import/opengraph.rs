//! BloodHound OpenGraph JSON into an authority graph (`authpath import opengraph`).
//!
//! Nodes and edges whose kinds authpath wrote (`AP_…`, see [`crate::vocabulary`])
//! come back exactly: kinds, fields and free-form properties, annotations dropped. Foreign
//! kinds (a collector's `GH_User`, `GH_HasRole`…) go through a mapping file (TOML) that
//! names the authpath kind of each; a node or edge none of whose kinds is mapped is
//! skipped and counted, and so is an edge whose ends do not fit its mapped kind or cannot
//! be found. Node and edge order is kept.

mod mapping;

pub use mapping::{
    DEFAULT_COVER, EdgeAction, EdgeRule, Mapping, NodeRule, NodeRuleFull, Tier0Rule, fields_of,
    read_mapping,
};

use crate::diagnostics::{Diagnostic, Diagnostics, codes, quote};
use crate::load::StrictValue;
use crate::model::{CredentialType, EdgeKind, Level, NodeKind, Sensitivity, Span};
use crate::source::Locator;
use crate::timestamp::Timestamp;
use crate::vocabulary::{ANNOTATIONS, NAMESPACE, SOURCE_KIND, edge_kind, node_kind};
use serde::de::DeserializeSeed;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// Nodes and edges the mapping leaves out on purpose (`ignore`), per kind.
    pub ignored: BTreeMap<String, usize>,
    /// Nodes and edges the mapping marks `unmodelled`, per kind (each also a warning).
    pub unmodelled: BTreeMap<String, usize>,
    /// Cover groups made (docs/interop.md, "Coverage"), and the edges they added.
    pub cover_groups: usize,
    pub cover_edges: usize,
    /// Foreign properties renamed `og_…` (a format key) and per-kind field values that did
    /// not fit (kept as free-form).
    pub renamed: usize,
    pub repeated_nodes: usize,
    /// Every node and edge not imported, in file order: what `--skipped FILE` writes.
    pub skipped: Vec<Skipped>,
}

/// One node or edge the import left out, and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Skipped {
    /// `node` or `edge`.
    pub object: &'static str,
    /// Its index in `graph.nodes` or `graph.edges`.
    pub index: usize,
    /// The node's kinds joined by `+`, or the edge's kind.
    pub kind: String,
    /// The node's id, or the edge's `start` and `end` values.
    pub id: String,
    /// The node's name, or the edge's ends by name (`from -> to`), where known.
    pub name: String,
    /// `ignored`, `unmodelled`, `unmapped`, `unfit`, `unresolved` or `repeated`.
    pub reason: &'static str,
    /// The mapping's `why`, or what does not fit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
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
    let mut names: HashMap<String, String> = HashMap::new();
    // (index in out_nodes, the property value naming its organisation): resolved once every
    // node is known, since an organisation may come after its members.
    let mut pending_org: Vec<(usize, String)> = Vec::new();
    let mut ignored_nodes: HashSet<String> = HashSet::new();
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
        let name_of = props
            .get(&mapping.name_property)
            .and_then(scalar_text)
            .unwrap_or_else(|| id.clone());
        let skip = |reason, why: Option<String>| Skipped {
            object: "node",
            index: i,
            kind: kinds.join("+"),
            id: id.clone(),
            name: name_of.clone(),
            reason,
            why,
        };
        if kinds_of.contains_key(&id) {
            summary.repeated_nodes += 1;
            summary.skipped.push(skip("repeated", None));
            continue;
        }
        let pick = match own_node_kind(&kinds) {
            Some(kind) => NodePick::Own(kind),
            None => pick_node(&kinds, mapping),
        };
        let (kind, node) = match pick {
            NodePick::Own(kind) => (kind, own_node(&id, kind, &props)),
            NodePick::Rule(rule) => {
                let at = out_nodes.len();
                let node = foreign_node(&id, &kinds, &props, rule, mapping, &mut summary);
                if let Some(p) = rule.fields.get("org")
                    && let Some(v) = props.get(p).and_then(scalar_text)
                {
                    pending_org.push((at, v));
                }
                (rule.kind, node)
            }
            NodePick::None => {
                *summary.unmapped_nodes.entry(kinds.join("+")).or_default() += 1;
                summary.skipped.push(skip("unmapped", None));
                continue;
            }
            NodePick::Unmodelled(k, why) => {
                *summary.unmodelled.entry(k.clone()).or_default() += 1;
                diags.push(
                    Diagnostic::warning(
                        codes::OPENGRAPH_UNMODELLED,
                        None,
                        format!("{at} ({}, {k}) is not imported: {why}", quote(&name_of)),
                    )
                    .help(format!(
                        "the mapping marks node kind {k} `unmodelled`; model it to import these nodes"
                    )),
                );
                summary.skipped.push(skip("unmodelled", Some(why.clone())));
                continue;
            }
            NodePick::Ignore(k, why) => {
                ignored_nodes.insert(id.clone());
                *summary.ignored.entry(k.clone()).or_default() += 1;
                summary.skipped.push(skip("ignored", why.clone()));
                continue;
            }
        };
        for (k, v) in &props {
            if let Some(s) = scalar_text(v) {
                by_property
                    .entry((k.clone(), s))
                    .or_default()
                    .push(id.clone());
            }
        }
        names.insert(id.clone(), name_of);
        kinds_of.insert(id.clone(), kind);
        foreign_kinds.insert(id.clone(), kinds);
        out_nodes.push(node);
    }

    let mut out_edges: Vec<Map<String, Value>> = Vec::with_capacity(edges.len());
    // The ends of edges of each kind some `covers` rule names in `unless`.
    let mut ends_of: HashMap<String, HashSet<String>> = mapping
        .edges
        .values()
        .flatten()
        .filter_map(|r| match &r.action {
            EdgeAction::Covers {
                unless: Some(u), ..
            } => Some((u.clone(), HashSet::new())),
            _ => None,
        })
        .collect();
    let mut covers: Vec<(String, String, String, Option<String>, usize)> = Vec::new();
    let mut wanted_covers: Vec<(String, String)> = Vec::new();
    let mut unresolved: BTreeMap<String, usize> = BTreeMap::new();
    let mut unresolved_names: HashMap<String, Vec<String>> = HashMap::new();
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
        let mut end_id = None;
        for side in ["start", "end"] {
            match resolve(obj.get(side), &kinds_of, &foreign_kinds, &by_property) {
                Ok(id) => {
                    if side == "end" {
                        end_id = Some(id.clone());
                    }
                    ends.push(id);
                }
                Err(Some(msg)) => diags.push(Diagnostic::error(
                    codes::OPENGRAPH_EDGE_END,
                    None,
                    format!("{at}.{side}: {msg}"),
                )),
                Err(None) => {}
            }
        }
        if let Some(set) = ends_of.get_mut(kind)
            && let Some(to) = end_id
        {
            set.insert(to);
        }
        let end_value = |side: &str| {
            obj.get(side)
                .and_then(|e| e.get("value"))
                .and_then(scalar_text)
                .unwrap_or_default()
        };
        let (start_v, end_v) = (end_value("start"), end_value("end"));
        let label = |v: &str| names.get(v).cloned().unwrap_or_else(|| v.to_string());
        let skip = |reason, why: Option<String>| Skipped {
            object: "edge",
            index: i,
            kind: kind.to_string(),
            id: format!("{start_v} -> {end_v}"),
            name: format!("{} -> {}", label(&start_v), label(&end_v)),
            reason,
            why,
        };
        let own = own_edge_kind(kind);
        let rules: &[EdgeRule] = match (own, mapping.edges.get(kind)) {
            (Some(_), _) => &[],
            (None, Some(r)) => r,
            (None, None) => {
                *summary.unmapped_edges.entry(kind.to_string()).or_default() += 1;
                summary.skipped.push(skip("unmapped", None));
                continue;
            }
        };
        let [from, to] = ends.as_slice() else {
            // An edge to a node left out on purpose goes with it.
            if ignored_nodes.contains(&start_v) || ignored_nodes.contains(&end_v) {
                *summary.ignored.entry(kind.to_string()).or_default() += 1;
                summary.skipped.push(skip(
                    "ignored",
                    Some("an end is a node the mapping ignores".into()),
                ));
            } else {
                summary.unresolved_edges += 1;
                *unresolved.entry(kind.to_string()).or_default() += 1;
                summary.skipped.push(skip("unresolved", None));
                examples(
                    &mut unresolved_names,
                    kind,
                    &label(&start_v),
                    &label(&end_v),
                );
            }
            continue;
        };
        let (fk, tk) = (kinds_of[from], kinds_of[to]);
        let action = match own {
            Some(k) => EdgeAction::Edge {
                kind: k,
                level: None,
                requires: None,
                cover: None,
            },
            None => {
                let has = |id: &str, k: &Option<String>| {
                    k.as_ref()
                        .is_none_or(|k| foreign_kinds[id].iter().any(|x| x == k))
                };
                match rules.iter().find(|r| has(from, &r.from) && has(to, &r.to)) {
                    Some(r) => r.action.clone(),
                    None => {
                        let reason = format!(
                            "{kind} from {} to {} (no rule of the mapping for these ends)",
                            foreign_kinds[from].join("+"),
                            foreign_kinds[to].join("+")
                        );
                        *summary.unfit_edges.entry(reason.clone()).or_default() += 1;
                        summary.skipped.push(skip("unfit", Some(reason)));
                        continue;
                    }
                }
            }
        };
        match action {
            EdgeAction::Ignore(why) => {
                *summary.ignored.entry(kind.to_string()).or_default() += 1;
                summary.skipped.push(skip("ignored", why));
            }
            EdgeAction::Unmodelled(why) => {
                *summary.unmodelled.entry(kind.to_string()).or_default() += 1;
                diags.push(
                    Diagnostic::warning(
                        codes::OPENGRAPH_UNMODELLED,
                        None,
                        format!(
                            "{at} ({} -{kind}-> {}) is not imported: {why}",
                            quote(&label(from)),
                            quote(&label(to))
                        ),
                    )
                    .help(format!(
                        "the mapping marks edge kind {kind} `unmodelled`; model it to import these edges"
                    )),
                );
                summary.skipped.push(skip("unmodelled", Some(why)));
            }
            EdgeAction::Covers { cover, unless } => {
                covers.push((from.clone(), to.clone(), cover, unless, i));
            }
            EdgeAction::Edge {
                kind: ek,
                level,
                requires,
                cover,
            } => {
                let target = match &cover {
                    Some(c) => cover_id(to, c),
                    None => to.clone(),
                };
                let tk = if cover.is_some() { NodeKind::Group } else { tk };
                if !ek.fits(fk, tk) {
                    let reason = format!(
                        "{kind} as {} from {} to {}",
                        ek.as_str(),
                        fk.as_str(),
                        tk.as_str()
                    );
                    *summary.unfit_edges.entry(reason.clone()).or_default() += 1;
                    summary.skipped.push(skip("unfit", Some(reason)));
                    continue;
                }
                if let Some(c) = cover {
                    wanted_covers.push((to.clone(), c));
                }
                let rule = RuleOut {
                    kind: ek,
                    level,
                    requires,
                };
                out_edges.push(edge(
                    from,
                    &target,
                    &rule,
                    &props,
                    own.is_some(),
                    &mut summary,
                ));
            }
        }
    }
    for (kind, n) in &unresolved {
        let shown = unresolved_names
            .get(kind)
            .map(|v| v.join(", "))
            .unwrap_or_default();
        diags.push(
            Diagnostic::warning(
                codes::OPENGRAPH_SKIPPED,
                None,
                format!("{n} {kind} edge(s) not imported: an end names no imported node (e.g. {shown})"),
            )
            .help("the end is not in the file, or is a node skipped by the mapping; --skipped FILE lists every one"),
        );
    }
    for (what, counts) in [
        ("node", &summary.unmapped_nodes),
        ("edge", &summary.unmapped_edges),
    ] {
        for (kind, n) in counts.iter() {
            let shown: Vec<&str> = summary
                .skipped
                .iter()
                .filter(|s| s.object == what && s.reason == "unmapped" && s.kind == *kind)
                .take(3)
                .map(|s| s.name.as_str())
                .collect();
            let table = if what == "node" { "nodes" } else { "edges" };
            diags.push(
                Diagnostic::warning(
                    codes::OPENGRAPH_SKIPPED,
                    None,
                    format!(
                        "{n} {what}(s) of kind {kind} not imported: the mapping does not name the kind (e.g. {})",
                        shown.join(", ")
                    ),
                )
                .help(format!(
                    "map it in [{table}], or say it changes no authority with {{ kind = \"ignore\", why = \"…\" }}"
                )),
            );
        }
    }
    for (reason, n) in &summary.unfit_edges {
        diags.push(
            Diagnostic::warning(
                codes::OPENGRAPH_SKIPPED,
                None,
                format!("{n} edge(s) not imported: {reason}"),
            )
            .help("give the kind a rule for these ends (`from`/`to` filters), or one with kind = \"ignore\""),
        );
    }
    add_covers(
        &covers,
        &wanted_covers,
        &ends_of,
        &mut out_nodes,
        &mut out_edges,
        &mut kinds_of,
        &names,
        &mut summary,
        &mut diags,
    );
    resolve_orgs(&pending_org, &mut out_nodes, &kinds_of, nodes, &mut diags);
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

/// What a node's foreign kinds make of it: the first kind the mapping names decides.
enum NodePick<'m> {
    Own(NodeKind),
    Rule(&'m NodeRuleFull),
    Ignore(String, &'m Option<String>),
    Unmodelled(String, &'m String),
    None,
}

fn pick_node<'m>(kinds: &[String], mapping: &'m Mapping) -> NodePick<'m> {
    let found = kinds
        .iter()
        .filter(|k| !k.starts_with(&format!("{NAMESPACE}_")) && k.as_str() != SOURCE_KIND)
        .find_map(|k| mapping.nodes.get(k).map(|r| (k, r)));
    match found {
        None => NodePick::None,
        Some((_, NodeRule::Node(r))) => NodePick::Rule(r),
        Some((k, NodeRule::Ignore(why))) => NodePick::Ignore(k.clone(), why),
        Some((k, NodeRule::Unmodelled(why))) => NodePick::Unmodelled(k.clone(), why),
    }
}

/// A foreign node through its rule. `org` is left to [`resolve_orgs`], which knows every node.
fn foreign_node(
    id: &str,
    kinds: &[String],
    props: &Map<String, Value>,
    rule: &NodeRuleFull,
    mapping: &Mapping,
    summary: &mut Summary,
) -> Map<String, Value> {
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
        if field == "org" {
            continue;
        }
        let Some(v) = props.get(property) else {
            continue;
        };
        match field_value(field, v) {
            Some(value) => {
                if field == "tags"
                    && let Some(Value::Array(have)) = m.get_mut("tags")
                {
                    for t in value.as_array().into_iter().flatten() {
                        if !have.contains(t) {
                            have.push(t.clone());
                        }
                    }
                } else {
                    m.insert(field.clone(), value);
                }
                used.push(property);
            }
            None => summary.renamed += 1,
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
    m
}

/// A foreign value as the format's `field`, when it is one (the mapping has already checked
/// that the field belongs to the node's kind); `None` keeps it as a free-form property.
fn field_value(field: &str, v: &Value) -> Option<Value> {
    let text = scalar_text(v);
    match field {
        "issued_at" | "expires_at" | "last_used_at" | "rotated_at" | "contract_end"
        | "reviewed_at" => v
            .as_str()
            .filter(|s| Timestamp::parse(s).is_ok())
            .map(|s| json!(s)),
        "status" => crate::model::Status::parse(v.as_str()?).map(|s| json!(s.as_str())),
        "sensitivity" => Sensitivity::parse(v.as_str()?).map(|s| json!(s.as_str())),
        "credential_type" => CredentialType::parse(v.as_str()?).map(|s| json!(s.as_str())),
        "tags" | "scopes" | "used_scopes" => match v {
            Value::String(s) => Some(json!([s])),
            Value::Array(items) if items.iter().all(Value::is_string) => Some(v.clone()),
            _ => None,
        },
        _ => text.map(|t| json!(t)),
    }
}

/// An edge as the format has it, from a rule or an own `AP_` kind.
struct RuleOut {
    kind: EdgeKind,
    level: Option<Level>,
    requires: Option<Level>,
}

/// The id of `node`'s cover group `name`: the node's id, `#` and the name.
fn cover_id(node: &str, name: &str) -> String {
    format!("{node}#{name}")
}

/// Up to three `from -> to` names per kind, for a warning's examples.
fn examples(into: &mut HashMap<String, Vec<String>>, kind: &str, from: &str, to: &str) {
    let list = into.entry(kind.to_string()).or_default();
    if list.len() < 3 {
        list.push(format!("{from} -> {to}"));
    }
}

/// Makes the cover groups: for each `covers` edge P → C, P's group `P#NAME` grants C (admin; a
/// credential it holds, another node it administers), unless C is the end of an edge of the
/// rule's `unless` kind. Then every `grants` or `admin_of` edge X → P whose P has a default
/// cover group also makes X `member_of` that group at the edge's level, so a grant on a broader
/// resource reaches each narrower one it covers — one edge per grant and one per covered
/// resource, never grants × resources. A cover group's own grants take part, so coverage nests
/// (an organisation's repositories' environments).
#[allow(clippy::too_many_arguments)]
fn add_covers(
    covers: &[(String, String, String, Option<String>, usize)],
    wanted: &[(String, String)],
    ends_of: &HashMap<String, HashSet<String>>,
    out_nodes: &mut Vec<Map<String, Value>>,
    out_edges: &mut Vec<Map<String, Value>>,
    kinds_of: &mut HashMap<String, NodeKind>,
    names: &HashMap<String, String>,
    summary: &mut Summary,
    diags: &mut Diagnostics,
) {
    let org_of: HashMap<String, Option<String>> = out_nodes
        .iter()
        .filter_map(|n| {
            let id = n.get("id")?.as_str()?.to_string();
            let kind = kinds_of.get(&id)?;
            let org = if kind.is_org() {
                Some(id.clone())
            } else {
                n.get("org").and_then(Value::as_str).map(str::to_string)
            };
            Some((id, org))
        })
        .collect();
    let mut made: HashSet<String> = HashSet::new();
    let mut group = |p: &str,
                     name: &str,
                     out_nodes: &mut Vec<Map<String, Value>>,
                     kinds_of: &mut HashMap<String, NodeKind>,
                     diags: &mut Diagnostics|
     -> Option<String> {
        let id = cover_id(p, name);
        if made.contains(&id) {
            return Some(id);
        }
        if kinds_of.contains_key(&id) {
            diags.push(
                Diagnostic::error(
                    codes::OPENGRAPH_MALFORMED,
                    None,
                    format!("the cover group of {} would have the id {}, which a node of the document already has", quote(p), quote(&id)),
                )
                .help("rename that node, or give the `covers` rule another `cover` name"),
            );
            return None;
        }
        let shown = names.get(p).map_or(p, String::as_str);
        let mut m = Map::new();
        m.insert("id".into(), json!(id));
        m.insert("kind".into(), json!("group"));
        let title = if name == DEFAULT_COVER {
            format!("what {shown} covers")
        } else {
            format!("{name} of {shown}")
        };
        m.insert("name".into(), json!(title));
        if let Some(Some(org)) = org_of.get(p) {
            m.insert("org".into(), json!(org));
        }
        m.insert("covers".into(), json!(p));
        if name != DEFAULT_COVER {
            m.insert("cover".into(), json!(name));
        }
        out_nodes.push(m);
        kinds_of.insert(id.clone(), NodeKind::Group);
        made.insert(id.clone());
        summary.cover_groups += 1;
        Some(id)
    };
    for (p, name) in wanted {
        group(p, name, out_nodes, kinds_of, diags);
    }
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (p, c, name, unless, _) in covers {
        if p == c
            || unless
                .as_ref()
                .is_some_and(|u| ends_of.get(u).is_some_and(|s| s.contains(c)))
        {
            continue;
        }
        let Some(g) = group(p, name, out_nodes, kinds_of, diags) else {
            continue;
        };
        if !seen.insert((g.clone(), c.clone())) {
            continue;
        }
        let kind = match kinds_of[c] {
            NodeKind::Resource => EdgeKind::Grants,
            NodeKind::Credential => EdgeKind::Holds,
            _ => EdgeKind::AdminOf,
        };
        let mut e = Map::new();
        e.insert("from".into(), json!(g));
        e.insert("to".into(), json!(c));
        e.insert("kind".into(), json!(kind.as_str()));
        out_edges.push(e);
        summary.cover_edges += 1;
    }
    let mut added = Vec::new();
    for e in out_edges.iter() {
        let (Some(from), Some(to), Some(kind)) = (
            e.get("from").and_then(Value::as_str),
            e.get("to").and_then(Value::as_str),
            e.get("kind").and_then(Value::as_str),
        ) else {
            continue;
        };
        if kind != "grants" && kind != "admin_of" {
            continue;
        }
        let g = cover_id(to, DEFAULT_COVER);
        if !made.contains(&g) || kinds_of.get(from).is_none_or(|k| !k.is_actor()) {
            continue;
        }
        let mut m = Map::new();
        m.insert("from".into(), json!(from));
        m.insert("to".into(), json!(g));
        m.insert("kind".into(), json!("member_of"));
        if let Some(l) = e.get("level").filter(|l| l.as_str() != Some("admin")) {
            m.insert("level".into(), l.clone());
        }
        if let Some(x) = e.get("expires_at") {
            m.insert("expires_at".into(), x.clone());
        }
        added.push(m);
    }
    summary.cover_edges += added.len();
    out_edges.extend(added);
}

/// Sets each pending node's `org` to the tenant or partner its property value names: the node
/// whose id is the value, else the one tenant or partner with a property equal to it (a
/// collector that names the organisation by login or node id). Anything else leaves the node
/// in the home organisation, with a warning.
fn resolve_orgs(
    pending: &[(usize, String)],
    out_nodes: &mut [Map<String, Value>],
    kinds_of: &HashMap<String, NodeKind>,
    source: &[Value],
    diags: &mut Diagnostics,
) {
    if pending.is_empty() {
        return;
    }
    let mut by_value: HashMap<String, Vec<String>> = HashMap::new();
    for n in source {
        let Some(id) = n.get("id").and_then(Value::as_str) else {
            continue;
        };
        if !kinds_of.get(id).is_some_and(|k| k.is_org()) {
            continue;
        }
        for v in n
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.values())
            .filter_map(scalar_text)
        {
            let ids = by_value.entry(v).or_default();
            if !ids.iter().any(|x| x == id) {
                ids.push(id.to_string());
            }
        }
    }
    for (at, value) in pending {
        let node = &mut out_nodes[*at];
        let id = node
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let found = if kinds_of.get(value).is_some_and(|k| k.is_org()) {
            Ok(value.clone())
        } else {
            match by_value.get(value).map(Vec::as_slice) {
                Some([one]) => Ok(one.clone()),
                Some(many) if many.len() > 1 => Err(format!(
                    "{} tenant or partner nodes have a property equal to it ({})",
                    many.len(),
                    many.join(", ")
                )),
                _ => Err(match kinds_of.get(value) {
                    Some(k) => format!("it is the id of a {k} node, not of a tenant or partner"),
                    None => "no tenant or partner node has it as id or property".into(),
                }),
            }
        };
        match found {
            Ok(org) => {
                node.insert("org".into(), json!(org));
            }
            Err(why) => diags.push(
                Diagnostic::warning(
                    codes::OPENGRAPH_ORG,
                    None,
                    format!(
                        "node {}: its organisation {} is left unset (home organisation): {why}",
                        quote(&id),
                        quote(value)
                    ),
                )
                .help("map the organisation's node kind to tenant or partner, or fill `org` from another property"),
            ),
        }
    }
}

fn edge(
    from: &str,
    to: &str,
    rule: &RuleOut,
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
                        .is_some_and(|got| got == *want),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mapping: &str, doc: &str) -> (Value, Import) {
        let mut d = Diagnostics::new("m.toml");
        let m = read_mapping(mapping, &mut d).unwrap_or_else(|| panic!("{}", d.render()));
        let import = import_text("og.json", doc, &m, None);
        let g = import
            .graph
            .as_deref()
            .map(|g| serde_json::from_str(g).unwrap())
            .unwrap_or(Value::Null);
        (g, import)
    }

    fn has(g: &Value, from: &str, to: &str, kind: &str, level: Option<&str>) -> bool {
        g["edges"].as_array().unwrap().iter().any(|e| {
            e["from"] == from
                && e["to"] == to
                && e["kind"] == kind
                && e.get("level").and_then(Value::as_str) == level
        })
    }

    #[test]
    fn a_grant_on_a_covering_node_reaches_what_it_covers_at_its_level_linearly() {
        let mapping = "[nodes]\nOrg = \"tenant\"\nRepo = \"resource\"\nBranch = \"resource\"\nRule = \"ignore\"\nUser = \"human\"\n[edges]\nOwns = \"covers\"\nHasBranch = { kind = \"covers\", unless = \"ProtectedBy\" }\nProtectedBy = \"ignore\"\nWrite = { kind = \"grants\", level = \"write\" }\nAdmin = \"admin_of\"\n";
        let doc = r#"{"graph": {"nodes": [
            {"id": "o", "kinds": ["Org"]}, {"id": "r", "kinds": ["Repo"]},
            {"id": "b1", "kinds": ["Branch"]}, {"id": "b2", "kinds": ["Branch"]},
            {"id": "p", "kinds": ["Rule"]}, {"id": "u", "kinds": ["User"]}, {"id": "v", "kinds": ["User"]}
        ], "edges": [
            {"kind": "Owns", "start": {"value": "o"}, "end": {"value": "r"}},
            {"kind": "HasBranch", "start": {"value": "r"}, "end": {"value": "b1"}},
            {"kind": "HasBranch", "start": {"value": "r"}, "end": {"value": "b2"}},
            {"kind": "ProtectedBy", "start": {"value": "p"}, "end": {"value": "b2"}},
            {"kind": "Write", "start": {"value": "u"}, "end": {"value": "r"}},
            {"kind": "Admin", "start": {"value": "v"}, "end": {"value": "o"}}
        ]}}"#;
        let (g, import) = run(mapping, doc);
        assert!(import.problems.is_empty(), "{:?}", import.problems);
        assert!(has(&g, "r#covers", "b1", "grants", None));
        assert!(
            !g["edges"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["to"] == "b2"),
            "a protected branch is not covered"
        );
        assert!(has(&g, "u", "r#covers", "member_of", Some("write")));
        assert!(has(&g, "v", "o#covers", "member_of", None));
        assert!(has(&g, "o#covers", "r", "grants", None));
        assert!(has(&g, "o#covers", "r#covers", "member_of", None));
        let cover = g["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == "r#covers")
            .unwrap();
        assert_eq!(cover["covers"], "r");
        // One edge per covered node (o#covers → r, r#covers → b1) and one membership per
        // grant on a covering node (u, v, o#covers): linear, never grants × resources.
        assert_eq!(import.summary.cover_edges, 2 + 3);
        assert_eq!(import.summary.ignored["ProtectedBy"], 1);
        assert_eq!(import.summary.ignored["Rule"], 1);
    }

    #[test]
    fn unmodelled_objects_are_warnings_naming_them_and_why() {
        let mapping = "[nodes]\nUser = \"human\"\n[edges]\nInvite = { kind = \"unmodelled\", why = \"needs an edge to the role\" }\n";
        let doc = r#"{"graph": {"nodes": [{"id": "u", "kinds": ["User"], "properties": {"name": "ana"}}, {"id": "w", "kinds": ["User"]}],
            "edges": [{"kind": "Invite", "start": {"value": "u"}, "end": {"value": "w"}}]}}"#;
        let (_, import) = run(mapping, doc);
        let out = import.problems[0].render();
        assert!(
            out.contains("graph.edges[0] (\"ana\" -Invite-> \"w\") is not imported: needs an edge to the role [opengraph-unmodelled]"),
            "{out}"
        );
        assert_eq!(import.summary.skipped[0].reason, "unmodelled");
    }
}
