//! Graph exports for other tools: BloodHound's OpenGraph ([`opengraph`]) and the bulk-load
//! CSV files of Cypher graph databases ([`cypher`]).
//!
//! Both carry the graph as it is and what authpath knows of it at the instant of judgement
//! ([`Facts`]): which nodes are usable, critical, subjects, external, which edges pass
//! authority — and, when findings are asked for, which findings each node and edge takes
//! part in ([`Membership`]).

pub mod cypher;
pub mod opengraph;

use crate::findings::{Finding, Severity};
use crate::graph::AuthGraph;
use crate::model::{EdgeKind, Graph, NodeIx};
use crate::reach::{Engine, ReachOptions};
use crate::rules::{Subjects, is_subject};
use crate::timestamp::Timestamp;
use std::collections::HashMap;

/// What authpath knows of each node and edge at `as_of`.
#[derive(Clone, Debug)]
pub struct Facts {
    pub as_of: Timestamp,
    /// Live and, for a credential, unexpired: authority passes through it.
    pub usable: Vec<bool>,
    /// `sensitivity: critical` or tagged `tier0`.
    pub critical: Vec<bool>,
    /// In the default subject set (docs/rules.md).
    pub subject: Vec<bool>,
    /// A partner, or a node of a partner's organisation.
    pub external: Vec<bool>,
    /// Per edge: unexpired, between usable nodes — it passes authority now.
    pub passes: Vec<bool>,
}

impl Facts {
    pub fn of(model: &Graph, as_of: Timestamp) -> Facts {
        let g = AuthGraph::build(model);
        let engine = Engine::new(&g, as_of, ReachOptions::default());
        let nodes = model.nodes.len() as u32;
        let usable: Vec<bool> = (0..nodes).map(|i| engine.usable(NodeIx(i))).collect();
        Facts {
            as_of,
            critical: model.nodes.iter().map(|n| n.is_critical()).collect(),
            subject: (0..nodes)
                .map(|i| is_subject(&engine, Subjects::Default, NodeIx(i)))
                .collect(),
            external: (0..nodes).map(|i| engine.is_external(NodeIx(i))).collect(),
            passes: model
                .edges
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    engine.edge_usable(crate::model::EdgeIx(i as u32))
                        && usable[e.from.index()]
                        && usable[e.to.index()]
                })
                .collect(),
            usable,
        }
    }
}

/// Which findings each node and edge takes part in: as subject, target, member or on the
/// path; an edge when its (from, to, kind) is a step of the finding's path.
#[derive(Debug, Default)]
pub struct Membership<'f> {
    nodes: HashMap<&'f str, Vec<&'f Finding>>,
    edges: HashMap<(&'f str, &'f str, EdgeKind), Vec<&'f Finding>>,
}

impl<'f> Membership<'f> {
    pub fn of(findings: &'f [Finding]) -> Membership<'f> {
        let mut m = Membership::default();
        for f in findings {
            let mut ids: Vec<&str> = vec![f.subject.as_str()];
            ids.extend(f.target.as_deref());
            ids.extend(f.nodes.iter().map(String::as_str));
            ids.extend(f.path.iter().map(String::as_str));
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                m.nodes.entry(id).or_default().push(f);
            }
            for (i, kind) in f.path_edges.iter().enumerate() {
                if let (Some(a), Some(b)) = (f.path.get(i), f.path.get(i + 1)) {
                    let list = m.edges.entry((a.as_str(), b.as_str(), *kind)).or_default();
                    if !list.iter().any(|x| x.id == f.id) {
                        list.push(f);
                    }
                }
            }
        }
        m
    }

    pub(crate) fn of_node(&self, id: &str) -> &[&'f Finding] {
        self.nodes.get(id).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn of_edge<'q>(
        &'q self,
        from: &'q str,
        to: &'q str,
        kind: EdgeKind,
    ) -> &'q [&'f Finding] {
        self.edges.get(&(from, to, kind)).map_or(&[], Vec::as_slice)
    }
}

/// The most severe of some findings.
pub(crate) fn worst(findings: &[&Finding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).min()
}

/// A node's fields of the format, as JSON values, in the format's order (`name` is the
/// display name; `status` and `sensitivity` are always given).
pub(crate) fn node_fields(
    model: &Graph,
    n: &crate::model::Node,
) -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    let mut out = vec![("name", json!(n.display_name()))];
    if let Some(o) = n.org {
        out.push(("org", json!(model.node(o).id)));
    }
    if let Some(o) = &n.owner {
        out.push(("owner", json!(o)));
    }
    out.push(("status", json!(n.status.as_str())));
    out.push(("sensitivity", json!(n.sensitivity.as_str())));
    if !n.tags.is_empty() {
        out.push(("tags", json!(n.tags)));
    }
    if let Some(p) = &n.purpose {
        out.push(("purpose", json!(p)));
    }
    if let Some(t) = n.reviewed_at {
        out.push(("reviewed_at", json!(t.to_string())));
    }
    if let Some(c) = &n.credential {
        out.push(("credential_type", json!(c.credential_type().as_str())));
        for (key, t) in [
            ("issued_at", c.issued_at),
            ("expires_at", c.expires_at),
            ("last_used_at", c.last_used_at),
            ("rotated_at", c.rotated_at),
        ] {
            if let Some(t) = t {
                out.push((key, json!(t.to_string())));
            }
        }
        if let Some(s) = &c.scopes {
            out.push(("scopes", json!(s)));
        }
        if let Some(s) = &c.used_scopes {
            out.push(("used_scopes", json!(s)));
        }
    }
    if let Some(t) = n.contract_end {
        out.push(("contract_end", json!(t.to_string())));
    }
    out
}

/// An edge's fields of the format beyond its ends and kind (`level` always, but not on
/// `exposes`, which has `requires`).
pub(crate) fn edge_fields(e: &crate::model::Edge) -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    let mut out = Vec::new();
    if e.kind == EdgeKind::Exposes {
        out.push(("requires", json!(e.requires.as_str())));
    } else {
        out.push(("level", json!(e.level.as_str())));
    }
    if e.redelegable {
        out.push(("redelegable", json!(true)));
    }
    if let Some(t) = e.expires_at {
        out.push(("expires_at", json!(t.to_string())));
    }
    if let Some(g) = e.granted_by() {
        out.push(("granted_by", json!(g)));
    }
    if let Some(p) = e.purpose() {
        out.push(("purpose", json!(p)));
    }
    if let Some(t) = e.reviewed_at() {
        out.push(("reviewed_at", json!(t.to_string())));
    }
    out
}
