//! Importers: other systems' descriptions of identity and access, written as a graph in the
//! format (`docs/format.md`). [`GraphBuilder`] collects nodes and edges (merging repeats, so a
//! derivation may be found several ways) and writes the file deterministically: nodes by
//! id, edges by (from, to, kind).

pub mod aws;
pub mod cover;
pub mod eks;
pub mod entra;
pub mod identity_center;
pub mod k8s;
pub mod opengraph;

use crate::model::{EdgeKind, Level, NodeKind, Sensitivity};
use crate::timestamp::Timestamp;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A node being built.
#[derive(Clone, Debug)]
pub struct NodeOut {
    pub kind: NodeKind,
    pub name: Option<String>,
    pub org: Option<String>,
    pub owner: Option<String>,
    pub sensitivity: Option<Sensitivity>,
    pub tags: BTreeSet<String>,
    pub credential_type: Option<&'static str>,
    /// Free-form properties (docs/format.md keeps and shows them).
    pub properties: BTreeMap<String, Value>,
}

/// An edge being built: the highest level any derivation gave it, and every reason.
#[derive(Clone, Debug)]
pub struct EdgeOut {
    pub level: Level,
    pub derived_from: Reasons,
    /// Free-form properties (conditions, external ids…), written after `derived_from`.
    pub properties: BTreeMap<String, Value>,
}

/// An edge's reasons, sorted and without repeats. Most edges have one: a vector costs a
/// fraction of a tree's node, which counts over millions of edges.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Reasons(Vec<String>);

impl Reasons {
    /// Adds a reason; false when it was there already.
    pub fn insert(&mut self, why: String) -> bool {
        match self.0.binary_search(&why) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, why);
                true
            }
        }
    }

    pub fn remove(&mut self, why: &str) -> bool {
        match self.0.binary_search_by(|r| r.as_str().cmp(why)) {
            Ok(i) => {
                self.0.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Extend<String> for Reasons {
    fn extend<I: IntoIterator<Item = String>>(&mut self, reasons: I) {
        for r in reasons {
            self.insert(r);
        }
    }
}

impl IntoIterator for Reasons {
    type Item = String;
    type IntoIter = std::vec::IntoIter<String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[derive(Debug, Default)]
pub struct GraphBuilder {
    nodes: BTreeMap<String, NodeOut>,
    edges: BTreeMap<(String, String, EdgeKind), EdgeOut>,
}

impl GraphBuilder {
    /// The node `id`, created with `kind` when it is new.
    pub fn node(&mut self, id: &str, kind: NodeKind) -> &mut NodeOut {
        self.nodes.entry(id.to_string()).or_insert_with(|| NodeOut {
            kind,
            name: None,
            org: None,
            owner: None,
            sensitivity: None,
            tags: BTreeSet::new(),
            credential_type: None,
            properties: BTreeMap::new(),
        })
    }

    pub(crate) fn get_node(&self, id: &str) -> Option<&NodeOut> {
        self.nodes.get(id)
    }

    pub(crate) fn has_node(&self, id: &str) -> bool {
        self.nodes.contains_key(id)
    }

    pub fn nodes(&self) -> impl Iterator<Item = (&String, &NodeOut)> {
        self.nodes.iter()
    }

    /// Every edge so far, keyed by (from, to, kind), in that order.
    pub(crate) fn edges(&self) -> impl Iterator<Item = (&(String, String, EdgeKind), &EdgeOut)> {
        self.edges.iter()
    }

    /// Adds `from -kind-> to` at `level` (ignored on `exposes`, which requires read), or raises
    /// an existing one's level; `why` says which object or derivation rule produced it.
    pub fn edge(
        &mut self,
        from: &str,
        to: &str,
        kind: EdgeKind,
        level: Level,
        why: &str,
    ) -> &mut EdgeOut {
        let e = self
            .edges
            .entry((from.to_string(), to.to_string(), kind))
            .or_insert(EdgeOut {
                level,
                derived_from: Reasons::default(),
                properties: BTreeMap::new(),
            });
        e.level = e.level.max(level);
        e.derived_from.insert(why.to_string());
        e
    }

    pub(crate) fn edge_mut(
        &mut self,
        from: &str,
        to: &str,
        kind: EdgeKind,
    ) -> Option<&mut EdgeOut> {
        self.edges
            .get_mut(&(from.to_string(), to.to_string(), kind))
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Renames every node (and the nodes its `owner`, its `covers` and the edges name) by
    /// `f`.
    pub(crate) fn rename(&mut self, f: impl Fn(&str) -> String) {
        self.nodes = std::mem::take(&mut self.nodes)
            .into_iter()
            .map(|(id, mut n)| {
                n.owner = n.owner.map(|o| f(&o));
                // A cover group names the node it covers for (`cover`).
                if let Some(Value::String(c)) = n.properties.get_mut("covers") {
                    *c = f(c);
                }
                (f(&id), n)
            })
            .collect();
        self.edges = std::mem::take(&mut self.edges)
            .into_iter()
            .map(|((from, to, kind), e)| ((f(&from), f(&to), kind), e))
            .collect();
    }

    /// Takes in another builder's nodes and edges. A node both have keeps this one's
    /// fields, unless this one is a mere placeholder for it (`placeholder` says which
    /// nodes are); an edge both have keeps the higher level and every reason.
    pub(crate) fn absorb(&mut self, other: GraphBuilder, placeholder: impl Fn(&NodeOut) -> bool) {
        for (id, n) in other.nodes {
            match self.nodes.get_mut(&id) {
                Some(mine) if placeholder(mine) && !placeholder(&n) => *mine = n,
                Some(_) => {}
                None => {
                    self.nodes.insert(id, n);
                }
            }
        }
        for (key, e) in other.edges {
            match self.edges.get_mut(&key) {
                Some(mine) => {
                    mine.level = mine.level.max(e.level);
                    mine.derived_from.extend(e.derived_from);
                    for (k, v) in e.properties {
                        mine.properties.entry(k).or_insert(v);
                    }
                }
                None => {
                    self.edges.insert(key, e);
                }
            }
        }
    }

    /// Removes the edge `from -kind-> to`, returning it.
    pub(crate) fn remove_edge(&mut self, from: &str, to: &str, kind: EdgeKind) -> Option<EdgeOut> {
        self.edges.remove(&(from.to_string(), to.to_string(), kind))
    }

    pub(crate) fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The graph file: one node or edge per line, so that two imports diff line by line.
    pub fn to_json(&self, as_of: Option<Timestamp>) -> String {
        // Each object is made and written in turn: the whole graph is never held as JSON
        // values as well as text.
        let nodes: Vec<(&String, &NodeOut)> = self.nodes.iter().collect();
        let edges: Vec<(&(String, String, EdgeKind), &EdgeOut)> = self.edges.iter().collect();
        write_objects(
            as_of,
            &nodes,
            |(id, n)| to_text(&node_item(id, n)),
            &edges,
            |(key, e)| to_text(&edge_item(key, e)),
        )
    }

    /// The graph's nodes and edges as the format's JSON objects, in the order `to_json`
    /// writes them (the estate joins these without writing and reading them back).
    pub(crate) fn items(&self) -> Items {
        let nodes = self.nodes.iter().map(|(id, n)| node_item(id, n)).collect();
        let edges = self.edges.iter().map(|(k, e)| edge_item(k, e)).collect();
        (nodes, edges)
    }
}

fn node_item(id: &str, n: &NodeOut) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert("kind".into(), json!(n.kind.as_str()));
    if let Some(name) = &n.name {
        m.insert("name".into(), json!(name));
    }
    if let Some(org) = &n.org {
        m.insert("org".into(), json!(org));
    }
    if let Some(owner) = &n.owner {
        m.insert("owner".into(), json!(owner));
    }
    if let Some(s) = n.sensitivity {
        m.insert("sensitivity".into(), json!(s.as_str()));
    }
    if !n.tags.is_empty() {
        m.insert("tags".into(), json!(n.tags));
    }
    if let Some(t) = n.credential_type {
        m.insert("credential_type".into(), json!(t));
    }
    for (k, v) in &n.properties {
        m.insert(k.clone(), v.clone());
    }
    m
}

fn edge_item((from, to, kind): &(String, String, EdgeKind), e: &EdgeOut) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("from".into(), json!(from));
    m.insert("to".into(), json!(to));
    m.insert("kind".into(), json!(kind.as_str()));
    if *kind != EdgeKind::Exposes && e.level != Level::Admin {
        m.insert("level".into(), json!(e.level.as_str()));
    }
    m.insert("derived_from".into(), json!(e.derived_from));
    for (k, v) in &e.properties {
        m.insert(k.clone(), v.clone());
    }
    m
}

/// A graph's nodes and edges as the format's JSON objects.
pub(crate) type Items = (Vec<Map<String, Value>>, Vec<Map<String, Value>>);

/// A graph file from its nodes and edges, in their order: one node or edge per line.
pub(crate) fn write_graph(
    as_of: Option<Timestamp>,
    nodes: &[Map<String, Value>],
    edges: &[Map<String, Value>],
) -> String {
    write_objects(as_of, nodes, to_text, edges, to_text)
}

fn to_text(m: &Map<String, Value>) -> String {
    serde_json::to_string(m).unwrap_or_default()
}

/// The graph file of `nodes` and `edges`, each written as JSON by `node` or `edge` in turn.
fn write_objects<N: Sync, E: Sync>(
    as_of: Option<Timestamp>,
    nodes: &[N],
    node: impl Fn(&N) -> String + Sync,
    edges: &[E],
    edge: impl Fn(&E) -> String + Sync,
) -> String {
    let mut out = String::from("{\n  \"version\": 1,\n");
    if let Some(t) = as_of {
        out.push_str(&format!("  \"as_of\": {},\n", json!(t.to_string())));
    }
    out.push_str("  \"nodes\": [");
    write_list(&mut out, nodes, &node);
    out.push_str("\n  ],\n  \"edges\": [");
    write_list(&mut out, edges, &edge);
    out.push_str("\n  ]\n}\n");
    out
}

/// Serialised in parallel chunks and joined in order: the same bytes as one by one. Chunks
/// go in batches, so the text is never held twice whole.
fn write_list<T: Sync>(out: &mut String, items: &[T], object: &(impl Fn(&T) -> String + Sync)) {
    use rayon::prelude::*;
    const CHUNK: usize = 4096;
    for (b, batch) in items.chunks(CHUNK * 64).enumerate() {
        let parts: Vec<String> = batch
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut part = String::new();
                for (i, x) in chunk.iter().enumerate() {
                    let first = b == 0 && c == 0 && i == 0;
                    part.push_str(if first { "\n    " } else { ",\n    " });
                    part.push_str(&object(x));
                }
                part
            })
            .collect();
        for p in parts {
            out.push_str(&p);
        }
    }
}
