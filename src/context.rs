//! What every rule reads: the graph prepared for searches at the instant of judgement, the
//! subjects, the thresholds, which nodes are critical, and the reverse labels that say which
//! nodes can reach a critical one. The rules, exposure and choke points all read it.

use crate::model::{EdgeKind, Graph, Level, NodeIx, NodeKind};
use crate::policy::{Subjects, Thresholds};
use crate::reach::{Engine, Floor, Scratch};
use crate::timestamp::Timestamp;

/// docs/rules.md "subjects": live partners, services, agents and apps, and live external
/// principals of any kind; with `Subjects::All`, every live principal.
pub(crate) fn is_subject(engine: &Engine<'_>, subjects: Subjects, n: NodeIx) -> bool {
    let node = engine.g.model.node(n);
    if !node.is_live() || !node.kind.is_principal() {
        return false;
    }
    match node.kind {
        NodeKind::Partner | NodeKind::Service | NodeKind::Agent | NodeKind::App => true,
        _ => subjects == Subjects::All || engine.is_external(n),
    }
}

pub(crate) use crate::model::BUILTIN_TAG;

/// What every rule reads: the graph prepared for searches, and the facts several rules share.
pub struct Context<'a> {
    pub engine: &'a Engine<'a>,
    pub model: &'a Graph,
    pub as_of: Timestamp,
    pub subjects: Subjects,
    pub thresholds: Thresholds,
    critical: Vec<bool>,
    /// For each node, the lowest starting level from which some usable critical node is
    /// reached (none when none is).
    need_critical: Floor,
    /// Nodes tagged `builtin`: a platform's own identities (docs/rules.md).
    builtin: Vec<bool>,
    /// Rate built-in identities' findings like any other's (`--include-builtin`).
    pub include_builtin: bool,
}

impl<'a> Context<'a> {
    /// `critical` says which nodes are critical (docs/rules.md; the policy may widen it).
    pub fn new(
        engine: &'a Engine<'a>,
        subjects: Subjects,
        thresholds: Thresholds,
        critical: Vec<bool>,
    ) -> Context<'a> {
        let targets: Vec<NodeIx> = critical
            .iter()
            .enumerate()
            .filter(|(_, c)| **c)
            .map(|(i, _)| NodeIx(i as u32))
            .collect();
        let need_critical = engine.need_to_reach(&targets, Level::Read);
        let builtin = engine
            .g
            .model
            .nodes
            .iter()
            .map(|n| n.tags.iter().any(|t| t == BUILTIN_TAG))
            .collect();
        Context {
            engine,
            model: engine.g.model,
            as_of: engine.as_of,
            subjects,
            thresholds,
            critical,
            need_critical,
            builtin,
            include_builtin: false,
        }
    }

    /// Whether `n` is a built-in identity whose findings are rated `info` (unless
    /// `include_builtin`).
    pub(crate) fn is_builtin_capped(&self, n: NodeIx) -> bool {
        !self.include_builtin && self.builtin[n.index()]
    }

    pub(crate) fn is_critical(&self, n: NodeIx) -> bool {
        self.critical[n.index()]
    }

    /// The subject set of docs/rules.md, in node order.
    pub fn subjects(&self) -> Vec<NodeIx> {
        (0..self.model.nodes.len() as u32)
            .map(NodeIx)
            .filter(|n| self.is_subject(*n))
            .collect()
    }

    pub(crate) fn is_subject(&self, n: NodeIx) -> bool {
        is_subject(self.engine, self.subjects, n)
    }

    /// docs/rules.md "reaches a critical node": some live critical node other than `x` is
    /// reachable from `x` starting at `level`.
    pub(crate) fn reaches_critical(&self, x: NodeIx, level: Level, scratch: &mut Scratch) -> bool {
        if !self.engine.usable(x) {
            return false;
        }
        if !self.is_critical(x) {
            return self.need_critical.need(x).is_some_and(|n| n <= level);
        }
        // The reverse labels cannot tell "reaches itself" from "reaches another": search.
        let floor = &self.need_critical;
        let search = self.engine.search(&[x], level, None, Some(floor), scratch);
        search.reached().any(|n| n != x && self.is_critical(n))
    }

    /// Per-node floor for searches that only care about critical targets.
    pub(crate) fn critical_floor(&self) -> &Floor {
        &self.need_critical
    }

    /// docs/rules.md "holders": the `from` of every unexpired `holds` edge into `c`, whatever the
    /// holder's status; each holder once, in node order.
    pub fn holders(&self, c: NodeIx) -> Vec<NodeIx> {
        let mut out: Vec<NodeIx> = self
            .engine
            .g
            .in_edges(c)
            .iter()
            .map(|ei| self.engine.edge(*ei))
            .filter(|e| e.kind == EdgeKind::Holds && !self.expired(e.expires_at))
            .map(|e| e.from)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Strictly before `as_of`.
    pub fn expired(&self, t: Option<Timestamp>) -> bool {
        t.is_some_and(|t| t < self.as_of)
    }

    pub fn id(&self, n: NodeIx) -> String {
        self.model.node(n).id.clone()
    }

    pub fn ids(&self, ns: &[NodeIx]) -> Vec<String> {
        ns.iter().map(|n| self.id(*n)).collect()
    }
}
