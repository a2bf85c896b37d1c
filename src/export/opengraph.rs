//! BloodHound Community Edition's OpenGraph ingest format: `{"metadata": {"source_kind"},
//! "graph": {"nodes", "edges"}}`, nodes with `id`, at most three `kinds` (namespaced `AP_`,
//! the primary kind first) and `properties` of primitive values or homogeneous arrays,
//! edges with `start`/`end` matched by id, a `kind` of letters, digits and underscores, and
//! `properties`. Also the extension definition that tells BloodHound the kinds, their
//! icons and colours, and which edge kinds are traversable.
//!
//! Written for the OpenGraph schema as BloodHound CE documents it (the node and edge JSON
//! Schemas of `SpecterOps/bloodhound-docs`) and its extension definition schema.

use super::{Facts, Membership, edge_fields, node_fields, worst};
use crate::model::{EdgeKind, Graph, NodeKind};
use crate::vocabulary::{ANNOTATIONS, NAMESPACE, SOURCE_KIND, edge_kind, node_kind};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Secondary kinds: what a BloodHound user most wants to select on.
pub(crate) const CRITICAL_KIND: &str = "AP_Critical";
pub(crate) const EXTERNAL_KIND: &str = "AP_External";

/// What the export had to change to fit OpenGraph's property rules, for the user to read.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Adjusted {
    /// Nested objects written as `key.sub` properties.
    pub flattened: usize,
    /// Arrays of mixed, nested or null items written as their JSON text.
    pub as_text: usize,
    /// `null` values left out.
    pub dropped_nulls: usize,
    /// Free-form properties whose key the export itself uses (`objectid`, `ap_…`): left out.
    pub dropped_keys: BTreeMap<String, usize>,
}

impl Adjusted {
    pub fn is_empty(&self) -> bool {
        *self == Adjusted::default()
    }

    fn absorb(&mut self, other: Adjusted) {
        self.flattened += other.flattened;
        self.as_text += other.as_text;
        self.dropped_nulls += other.dropped_nulls;
        for (k, n) in other.dropped_keys {
            *self.dropped_keys.entry(k).or_default() += n;
        }
    }

    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.flattened > 0 {
            parts.push(format!(
                "{} nested object(s) flattened into `key.sub` properties",
                self.flattened
            ));
        }
        if self.as_text > 0 {
            parts.push(format!(
                "{} array(s) of mixed or nested items written as JSON text",
                self.as_text
            ));
        }
        if self.dropped_nulls > 0 {
            parts.push(format!("{} null value(s) left out", self.dropped_nulls));
        }
        for (k, n) in &self.dropped_keys {
            parts.push(format!(
                "{n} free-form `{k}` propert(ies) left out (the key is the export's own)"
            ));
        }
        parts.join("; ")
    }
}

/// The OpenGraph document of `model`; with `members`, each node and edge lists the findings
/// it takes part in.
pub fn document(
    model: &Graph,
    facts: &Facts,
    members: Option<&Membership<'_>>,
) -> (String, Adjusted) {
    let mut out = Vec::new();
    let adjusted = write(model, facts, members, &mut out).expect("writing to memory does not fail");
    (String::from_utf8(out).expect("JSON is UTF-8"), adjusted)
}

/// Nodes or edges rendered per chunk, in parallel, then written in order, a batch of
/// chunks at a time (so memory holds one batch of output, not the whole document).
const CHUNK: usize = 1 << 14;
const BATCH: usize = 32;

/// [`document`], written to `w` as it is rendered (chunks of nodes and edges in parallel,
/// written in order, so the output is the same for any thread count).
pub fn write(
    model: &Graph,
    facts: &Facts,
    members: Option<&Membership<'_>>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<Adjusted> {
    use rayon::prelude::*;
    let mut adjusted = Adjusted::default();
    w.write_all(b"{\n  \"metadata\": ")?;
    w.write_all(
        json!({"source_kind": SOURCE_KIND, "ap_as_of": facts.as_of.to_string()})
            .to_string()
            .as_bytes(),
    )?;
    w.write_all(b",\n  \"graph\": {\n    \"nodes\": [")?;
    for (b, batch) in model.nodes.chunks(CHUNK * BATCH).enumerate() {
        let parts: Vec<(Vec<u8>, Adjusted)> = batch
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut buf = Vec::with_capacity(chunk.len() * 256);
                let mut adj = Adjusted::default();
                for (j, n) in chunk.iter().enumerate() {
                    let i = (b * BATCH + c) * CHUNK + j;
                    buf.extend_from_slice(if i == 0 { b"\n      " } else { b",\n      " });
                    node_json(model, facts, members, i, n, &mut adj, &mut buf);
                }
                (buf, adj)
            })
            .collect();
        for (buf, adj) in parts {
            w.write_all(&buf)?;
            adjusted.absorb(adj);
        }
    }
    w.write_all(b"\n    ],\n    \"edges\": [")?;
    for (b, batch) in model.edges.chunks(CHUNK * BATCH).enumerate() {
        let parts: Vec<(Vec<u8>, Adjusted)> = batch
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut buf = Vec::with_capacity(chunk.len() * 192);
                let mut adj = Adjusted::default();
                for (j, e) in chunk.iter().enumerate() {
                    let i = (b * BATCH + c) * CHUNK + j;
                    buf.extend_from_slice(if i == 0 { b"\n      " } else { b",\n      " });
                    edge_json(model, facts, members, i, e, &mut adj, &mut buf);
                }
                (buf, adj)
            })
            .collect();
        for (buf, adj) in parts {
            w.write_all(&buf)?;
            adjusted.absorb(adj);
        }
    }
    w.write_all(b"\n    ]\n  }\n}\n")?;
    Ok(adjusted)
}

fn node_json(
    model: &Graph,
    facts: &Facts,
    members: Option<&Membership<'_>>,
    i: usize,
    n: &crate::model::Node,
    adjusted: &mut Adjusted,
    buf: &mut Vec<u8>,
) {
    let mut kinds = vec![node_kind(n.kind)];
    if facts.critical[i] {
        kinds.push(CRITICAL_KIND);
    }
    if facts.external[i] {
        kinds.push(EXTERNAL_KIND);
    }
    let mut props = Map::new();
    for (k, v) in node_fields(model, n) {
        props.insert(k.into(), v);
    }
    free_form(&n.properties, &mut props, adjusted);
    props.insert("ap_usable".into(), json!(facts.usable[i]));
    props.insert("ap_critical".into(), json!(facts.critical[i]));
    props.insert("ap_subject".into(), json!(facts.subject[i]));
    props.insert("ap_external".into(), json!(facts.external[i]));
    if let Some(m) = members {
        finding_properties(m.of_node(&n.id), &mut props);
    }
    let node = json!({"id": n.id, "kinds": kinds, "properties": props});
    serde_json::to_writer(buf, &node).expect("writing to memory does not fail");
}

fn edge_json(
    model: &Graph,
    facts: &Facts,
    members: Option<&Membership<'_>>,
    i: usize,
    e: &crate::model::Edge,
    adjusted: &mut Adjusted,
    buf: &mut Vec<u8>,
) {
    use std::io::Write as _;
    let (from, to) = (&model.node(e.from).id, &model.node(e.to).id);
    let found = members.map_or(&[][..], |m| m.of_edge(from, to, e.kind));
    let plain = e.extra.is_none() && e.expires_at.is_none() && !e.redelegable && found.is_empty();
    if plain {
        // Most edges carry only their level: written directly, in the key order a JSON
        // object of the same properties would have (keys sorted).
        let (key, level) = if e.kind == EdgeKind::Exposes {
            ("requires", e.requires)
        } else {
            ("level", e.level)
        };
        let _ = write!(buf, "{{\"end\":{{\"match_by\":\"id\",\"value\":");
        let _ = serde_json::to_writer(&mut *buf, to);
        let _ = write!(
            buf,
            "}},\"kind\":\"{}\",\"properties\":{{\"ap_index\":{i},\"ap_passes\":{},\"{key}\":\"{}\"}},\"start\":{{\"match_by\":\"id\",\"value\":",
            edge_kind(e.kind),
            facts.passes[i],
            level.as_str()
        );
        let _ = serde_json::to_writer(&mut *buf, from);
        buf.extend_from_slice(b"}}");
        return;
    }
    let mut props = Map::new();
    for (k, v) in edge_fields(e) {
        props.insert(k.into(), v);
    }
    free_form(e.properties(), &mut props, adjusted);
    props.insert("ap_index".into(), json!(i));
    props.insert("ap_passes".into(), json!(facts.passes[i]));
    finding_properties(found, &mut props);
    let edge = json!({
        "kind": edge_kind(e.kind),
        "start": {"match_by": "id", "value": from},
        "end": {"match_by": "id", "value": to},
        "properties": props,
    });
    serde_json::to_writer(buf, &edge).expect("writing to memory does not fail");
}

fn finding_properties(findings: &[&crate::findings::Finding], props: &mut Map<String, Value>) {
    if findings.is_empty() {
        return;
    }
    let mut ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    props.insert("ap_findings".into(), json!(ids));
    if let Some(s) = worst(findings) {
        props.insert("ap_max_severity".into(), json!(s.as_str()));
    }
}

/// Free-form properties as OpenGraph allows them: primitives and homogeneous arrays of
/// primitives as they are, nested objects flattened, anything else as its JSON text.
fn free_form(
    properties: &[(String, Value)],
    out: &mut Map<String, Value>,
    adjusted: &mut Adjusted,
) {
    for (k, v) in properties {
        put(k.clone(), v, out, adjusted);
    }
}

fn put(key: String, v: &Value, out: &mut Map<String, Value>, adjusted: &mut Adjusted) {
    if key == "objectid" || ANNOTATIONS.contains(&key.as_str()) {
        *adjusted.dropped_keys.entry(key).or_default() += 1;
        return;
    }
    match v {
        Value::Null => adjusted.dropped_nulls += 1,
        Value::Object(map) => {
            adjusted.flattened += 1;
            for (k, inner) in map {
                put(format!("{key}.{k}"), inner, out, adjusted);
            }
        }
        Value::Array(items) if !homogeneous(items) => {
            adjusted.as_text += 1;
            out.insert(key, Value::String(v.to_string()));
        }
        v => {
            out.insert(key, v.clone());
        }
    }
}

/// An array OpenGraph accepts: all strings, all numbers or all booleans (or empty).
fn homogeneous(items: &[Value]) -> bool {
    items.iter().all(Value::is_string)
        || items.iter().all(Value::is_number)
        || items.iter().all(Value::is_boolean)
}

/// The extension definition: authpath's node kinds with icons and colours (the DOT
/// pictures' fills), its edge kinds — every one traversable, since every edge passes
/// authority — and the environment, with the principal kinds.
pub fn extension() -> String {
    let node_kinds: Vec<Value> = NodeKind::ALL
        .iter()
        .map(|k| {
            let (_, _, fill) = crate::picture::kind_style(*k);
            json!({
                "name": node_kind(*k),
                "display_name": title(k.as_str()),
                "description": node_description(*k),
                "is_display_kind": true,
                "icon": icon(*k),
                "color": fill,
            })
        })
        .chain([
            json!({"name": CRITICAL_KIND, "display_name": "Critical", "description": "Critical: sensitivity critical or tagged tier0",
                   "is_display_kind": false, "icon": "crown", "color": "#fca5a5"}),
            json!({"name": EXTERNAL_KIND, "display_name": "External", "description": "A partner, or a node of a partner's organisation",
                   "is_display_kind": false, "icon": "handshake", "color": "#fde68a"}),
        ])
        .collect();
    let relationship_kinds: Vec<Value> = EdgeKind::ALL
        .iter()
        .map(|k| {
            json!({
                "name": edge_kind(*k),
                "description": format!("{} ({}): whoever controls the start can act with the end's authority", k.as_str(), k.signature()),
                "is_traversable": true,
            })
        })
        .collect();
    let principals: Vec<&str> = NodeKind::ALL
        .iter()
        .filter(|k| k.is_actor())
        .map(|k| node_kind(*k))
        .collect();
    let doc = json!({
        "schema": {"name": "authpath", "display_name": "authpath", "version": env!("CARGO_PKG_VERSION"), "namespace": NAMESPACE},
        "node_kinds": node_kinds,
        "relationship_kinds": relationship_kinds,
        "environments": [{"environment_kind": node_kind(NodeKind::Tenant), "source_kind": SOURCE_KIND, "principal_kinds": principals}],
    });
    serde_json::to_string_pretty(&doc).expect("a JSON value serialises") + "\n"
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn icon(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Human => "user",
        NodeKind::Service => "server",
        NodeKind::Agent => "robot",
        NodeKind::App => "window-maximize",
        NodeKind::Partner => "handshake",
        NodeKind::Tenant => "building",
        NodeKind::Group => "users",
        NodeKind::Credential => "key",
        NodeKind::Resource => "database",
    }
}

fn node_description(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Human => "A person's account",
        NodeKind::Service => {
            "A non-human identity: service account, workload, bot, CI job identity"
        }
        NodeKind::Agent => "An AI agent identity",
        NodeKind::App => "An application, OAuth client, connector or integration",
        NodeKind::Partner => "An external organisation (vendor, MSP, integrator)",
        NodeKind::Tenant => "An organisation boundary inside the platform",
        NodeKind::Group => "A group or role that principals are members of",
        NodeKind::Credential => "An API key, token, secret, certificate, key pair or password",
        NodeKind::Resource => {
            "Something with data or effect: a database, bucket, queue, secret store, API"
        }
    }
}
