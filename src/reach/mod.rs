//! The reachability engine: effective levels and witness walks, exactly as docs/format.md
//! defines them. Every command that asks "who reaches what" goes through here.
//!
//! A search runs over states (node, carried level, flag). The flag is an extra bit some rules
//! need ("has the walk passed through a third-party partner?"); plain reachability leaves it
//! at 0. Each state is entered at most once, breadth-first, so a search costs
//! O(6·(V+E)). Layers are ranked so that, among the fewest-edge walks to a state, the one with
//! the lexicographically smallest node-id sequence is kept: a state's predecessor is the
//! lowest-ranked state of the previous layer that reaches it, and a layer is ranked by
//! (predecessor's rank, node id).

use crate::graph::{AuthGraph, Packed};
use crate::model::{Edge, EdgeIx, EdgeKind, Level, NodeIx, NodeKind};
use crate::timestamp::Timestamp;

pub mod matrix;

const UNSEEN: u32 = u32::MAX;
const ROOT: u32 = u32::MAX - 1;
/// Per-node lower bound meaning "never worth entering".
pub(crate) const NEVER: u8 = u8::MAX;

/// For each node, the lowest level it must start at to reach the targets of a reverse pass
/// (`Engine::need_to_reach`), or none. Given to a search as its floor, it lets the search
/// skip the states that cannot matter; kept one byte a node, as the searches read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Floor(Vec<u8>);

impl Floor {
    /// The lowest level `n` must start at; `None` when it reaches no target.
    pub fn need(&self, n: NodeIx) -> Option<Level> {
        let v = self.0[n.index()];
        (v != NEVER).then(|| level_of(v))
    }

    /// Whether `n` reaches some target from some level.
    pub fn reaches(&self, n: NodeIx) -> bool {
        self.0[n.index()] != NEVER
    }

    /// The labels as the searches read them: a level's rank, `NEVER` for none.
    pub(crate) fn raw(&self) -> &[u8] {
        &self.0
    }
}

fn lvl(l: Level) -> u8 {
    l as u8
}

fn level_of(l: u8) -> Level {
    Level::ALL[l as usize]
}

/// A walk found by a search: nodes from the source to the end, and the edge taken between
/// each consecutive pair (model edge indices).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    pub nodes: Vec<NodeIx>,
    pub edges: Vec<EdgeIx>,
    /// The level the walk carries at its end.
    pub level: Level,
}

/// Which nodes and edges pass authority.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReachOptions {
    /// Treat inactive nodes, expired edges and expired credentials as usable (latent paths).
    pub include_inactive: bool,
}

/// What a search follows and when it stops: the flag's nodes, the per-node floor, standing
/// edges only, and the states after which it may stop (see `Engine::search_until`).
struct How<'a> {
    third: Option<&'a dyn Fn(NodeIx) -> bool>,
    floor: Option<&'a [u8]>,
    standing: bool,
    until: &'a [(NodeIx, Level, bool)],
}

/// The graph prepared for searches at one instant.
pub struct Engine<'g> {
    pub g: &'g AuthGraph<'g>,
    pub as_of: Timestamp,
    node_ok: Vec<bool>,
    edge_ok: Vec<bool>,
    /// The usable edges between usable nodes, grouped by `from` (CSR order), copied inline:
    /// `levels_from` reads them sequentially instead of chasing edge indices. Built on its
    /// first use, so the commands that never ask pay neither the pass nor the memory.
    forward: std::sync::OnceLock<Forward>,
    /// Position of each node's id in byte order: comparing ranks compares ids.
    id_rank: Vec<u32>,
    /// Whether latent paths are included (inactive nodes and expired edges re-enabled).
    latent: bool,
}

/// An edge as a forward walk needs it: where it leads and what it passes (8 bytes).
#[derive(Clone, Copy, Debug)]
struct Step {
    to: u32,
    kind: EdgeKind,
    level: Level,
    requires: Level,
}

/// `Engine::forward`: node `v`'s steps are `steps[start[v]..start[v + 1]]`, sorted by the
/// target's id.
struct Forward {
    start: Vec<u32>,
    steps: Vec<Step>,
}

impl Forward {
    fn steps_of(&self, v: NodeIx) -> &[Step] {
        &self.steps[self.start[v.index()] as usize..self.start[v.index() + 1] as usize]
    }
}

/// Why a node or edge on a latent path passes no authority today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocker {
    /// A node whose status is not active.
    Inactive(NodeIx),
    /// A credential past its own `expires_at`.
    ExpiredCredential(NodeIx),
    /// An edge past its `expires_at` (index into the model's edges).
    ExpiredEdge(EdgeIx),
}

impl<'g> Engine<'g> {
    pub fn new(g: &'g AuthGraph<'g>, as_of: Timestamp, opts: ReachOptions) -> Engine<'g> {
        let model = g.model;
        let node_ok = model
            .nodes
            .iter()
            .map(|n| {
                opts.include_inactive
                    || (n.is_live()
                        && n.credential
                            .as_ref()
                            .and_then(|c| c.expires_at)
                            .is_none_or(|t| t >= as_of))
            })
            .collect();
        let edge_ok = model
            .edges
            .iter()
            .map(|e| opts.include_inactive || e.expires_at.is_none_or(|t| t >= as_of))
            .collect();
        let mut order: Vec<u32> = (0..model.nodes.len() as u32).collect();
        use rayon::slice::ParallelSliceMut;
        order.par_sort_unstable_by(|a, b| {
            model.nodes[*a as usize]
                .id
                .as_bytes()
                .cmp(model.nodes[*b as usize].id.as_bytes())
        });
        let mut id_rank = vec![0u32; order.len()];
        for (rank, n) in order.iter().enumerate() {
            id_rank[*n as usize] = rank as u32;
        }
        Engine {
            g,
            as_of,
            node_ok,
            edge_ok,
            forward: std::sync::OnceLock::new(),
            id_rank,
            latent: opts.include_inactive,
        }
    }

    fn forward(&self) -> &Forward {
        self.forward.get_or_init(|| self.build_forward())
    }

    fn build_forward(&self) -> Forward {
        let n = self.node_count();
        let mut start = Vec::with_capacity(n + 1);
        let mut fwd = Vec::with_capacity(self.g.packed.len());
        for v in 0..n {
            start.push(fwd.len() as u32);
            if !self.node_ok[v] {
                continue;
            }
            let first = fwd.len();
            for &ei in self.g.out_edges(NodeIx(v as u32)) {
                let e = self.g.packed[ei.index()];
                if self.edge_ok[ei.index()] && self.node_ok[e.to.index()] {
                    fwd.push(Step {
                        to: e.to.0,
                        kind: e.kind,
                        level: e.level,
                        requires: e.requires,
                    });
                }
            }
            // By target id: a ranked search then discovers each layer in order.
            fwd[first..].sort_by_key(|s| self.id_rank[s.to as usize]);
        }
        start.push(fwd.len() as u32);
        Forward { start, steps: fwd }
    }

    /// Why a node passes no authority today, if it does not.
    fn blocker_of_node(
        model: &crate::model::Graph,
        as_of: Timestamp,
        n: NodeIx,
    ) -> Option<Blocker> {
        let node = model.node(n);
        if !node.is_live() {
            return Some(Blocker::Inactive(n));
        }
        let expired = node
            .credential
            .as_ref()
            .and_then(|c| c.expires_at)
            .is_some_and(|t| t < as_of);
        expired.then_some(Blocker::ExpiredCredential(n))
    }

    /// What on `walk` passes no authority today: empty unless latent paths are included and
    /// the walk needs a disabled node, an expired credential or an expired edge.
    pub fn blockers(&self, walk: &Walk) -> Vec<Blocker> {
        if !self.latent {
            return Vec::new();
        }
        let model = self.g.model;
        let mut out: Vec<Blocker> = walk
            .nodes
            .iter()
            .filter_map(|n| Self::blocker_of_node(model, self.as_of, *n))
            .collect();
        out.extend(
            walk.edges
                .iter()
                .filter(|e| {
                    model.edges[e.index()]
                        .expires_at
                        .is_some_and(|t| t < self.as_of)
                })
                .map(|e| Blocker::ExpiredEdge(*e)),
        );
        out.dedup();
        out
    }

    /// Whether this engine treats inactive nodes and expired edges as usable.
    pub fn includes_latent(&self) -> bool {
        self.latent
    }

    /// Takes edges out of every later search (what-if: these edges are revoked).
    pub fn revoke(&mut self, edges: &[EdgeIx]) {
        for e in edges {
            self.edge_ok[e.index()] = false;
        }
        self.forward = std::sync::OnceLock::new();
    }

    pub fn node_count(&self) -> usize {
        self.node_ok.len()
    }

    /// Usable: live and, for a credential, not expired — a node authority can pass through.
    pub fn usable(&self, n: NodeIx) -> bool {
        self.node_ok[n.index()]
    }

    /// Unexpired (or latent paths included).
    pub fn edge_usable(&self, e: EdgeIx) -> bool {
        self.edge_ok[e.index()]
    }

    pub fn edge(&self, e: EdgeIx) -> &'g Edge {
        self.g.model.edge(e)
    }

    /// Ids compare as their ranks do.
    pub fn id_rank(&self, n: NodeIx) -> u32 {
        self.id_rank[n.index()]
    }

    fn step_packed(e: &Packed, level: Level) -> Option<Level> {
        step_of(e.kind, e.level, e.requires, level)
    }

    /// Breadth-first search from `sources`, each starting at `start`.
    ///
    /// `third`, when given, raises the flag on leaving a node for which it holds. `floor`,
    /// when given, is a per-node minimum level below which a state is not worth entering
    /// (used to prune to what can still reach a target); `NEVER` skips the node.
    pub fn search<'s>(
        &self,
        sources: &[NodeIx],
        start: Level,
        third: Option<&dyn Fn(NodeIx) -> bool>,
        floor: Option<&Floor>,
        scratch: &'s mut Scratch,
    ) -> Search<'s, '_> {
        let how = How {
            third,
            floor: floor.map(Floor::raw),
            standing: false,
            until: &[],
        };
        self.search_impl(sources, start, how, scratch)
    }

    /// `search` from admin that stops once every `(node, level, flag)` of `until` is reached
    /// and its layer ranked: enough for those nodes' witnesses at those levels, without
    /// walking the rest of the graph.
    pub fn search_until<'s>(
        &self,
        sources: &[NodeIx],
        third: Option<&dyn Fn(NodeIx) -> bool>,
        floor: Option<&Floor>,
        until: &[(NodeIx, Level, bool)],
        scratch: &'s mut Scratch,
    ) -> Search<'s, '_> {
        let how = How {
            third,
            floor: floor.map(Floor::raw),
            standing: false,
            until,
        };
        self.search_impl(sources, Level::Admin, how, scratch)
    }

    /// A search over standing walks only: `member_of` and `grants` edges (docs/rules.md).
    pub fn search_standing<'s>(
        &self,
        sources: &[NodeIx],
        floor: Option<&Floor>,
        scratch: &'s mut Scratch,
    ) -> Search<'s, '_> {
        let how = How {
            third: None,
            floor: floor.map(Floor::raw),
            standing: true,
            until: &[],
        };
        self.search_impl(sources, Level::Admin, how, scratch)
    }

    fn search_impl<'s>(
        &self,
        sources: &[NodeIx],
        start: Level,
        how: How<'_>,
        scratch: &'s mut Scratch,
    ) -> Search<'s, '_> {
        let How {
            third,
            floor,
            standing,
            until,
        } = how;
        scratch.reset(self.node_count());
        let mut layer: Vec<u32> = sources
            .iter()
            .copied()
            .filter(|s| self.usable(*s))
            .map(|s| encode(s, lvl(start), 0))
            .collect();
        layer.sort_unstable_by_key(|s| self.id_rank[node_of(*s).index()]);
        layer.dedup();
        for &s in &layer {
            scratch.pred[s as usize] = ROOT;
            scratch.touched.push(s);
        }
        self.rank_layer(&layer, scratch);
        let mut next = Vec::new();
        let fwd = self.forward();
        while !layer.is_empty() {
            for &s in &layer {
                let u = node_of(s);
                let flag = flag_of(s) | u8::from(third.is_some_and(|f| f(u)));
                let carried = level_of(level_bits(s));
                for e in fwd.steps_of(u) {
                    if standing && e.kind.is_identity_changing() {
                        continue;
                    }
                    let v = NodeIx(e.to);
                    let Some(l) = step_of(e.kind, e.level, e.requires, carried) else {
                        continue;
                    };
                    if let Some(f) = floor
                        && lvl(l) < f[v.index()]
                    {
                        continue;
                    }
                    let t = encode(v, lvl(l), flag);
                    if scratch.pred[t as usize] == UNSEEN {
                        scratch.pred[t as usize] = s;
                        scratch.touched.push(t);
                        next.push(t);
                    }
                }
            }
            // The order of discovery put each state after its lowest-ranked predecessor;
            // ranking the new layer by (that rank, own id) keeps walks in lexicographic order.
            // Steps are sorted by target id and the layer was walked in rank order, so the
            // new layer is already in that order unless states of equal rank interleave.
            let key = |t: &u32| {
                (
                    scratch.rank[scratch.pred[*t as usize] as usize],
                    self.id_rank[node_of(*t).index()],
                )
            };
            if !next.is_sorted_by_key(key) {
                next.sort_unstable_by_key(key);
            }
            self.rank_layer(&next, scratch);
            std::mem::swap(&mut layer, &mut next);
            next.clear();
            if !until.is_empty()
                && until.iter().all(|(n, l, f)| {
                    scratch.pred[encode(*n, lvl(*l), u8::from(*f)) as usize] != UNSEEN
                })
            {
                break;
            }
        }
        Search {
            engine: self,
            start,
            standing,
            scratch,
        }
    }

    /// Dense ranks for a sorted layer: states with equal (predecessor rank, id) share a rank,
    /// because their node sequences are equal.
    fn rank_layer(&self, layer: &[u32], scratch: &mut Scratch) {
        let mut rank = 0u32;
        let mut prev: Option<(u32, u32)> = None;
        for &s in layer {
            let p = scratch.pred[s as usize];
            let key = (
                if p == ROOT {
                    0
                } else {
                    scratch.rank[p as usize]
                },
                self.id_rank[node_of(s).index()],
            );
            if prev.is_some_and(|k| k != key) {
                rank += 1;
            }
            prev = Some(key);
            scratch.rank[s as usize] = rank;
        }
    }

    /// For every node, the lowest starting level from which some node of `targets` is
    /// reached at `at_least` or more (none when none is); a usable target needs `at_least`
    /// itself. A reverse label-correcting search over three buckets: each node's label only
    /// falls, at most twice.
    pub fn need_to_reach(&self, targets: &[NodeIx], at_least: Level) -> Floor {
        let mut back = Back {
            need: vec![NEVER; self.node_count()],
            ..Back::default()
        };
        self.need_sparse(targets, at_least, &mut back);
        Floor(back.need)
    }

    /// Every node accepted by `keep` (other than `target`) that reaches `target` at
    /// `at_least` or more when it starts at `admin`, with its witness — the same walk a
    /// forward search from it would give (fewest edges achieving its effective level, then
    /// the smallest ids) — in node order.
    ///
    /// Built backwards so one query costs a few passes over the graph however many nodes
    /// qualify: reverse labels give each node's effective level; a reverse breadth-first
    /// search over states gives, per level, every state's distance to the target; each witness
    /// is then read forwards, choosing the smallest next id among the states one step closer.
    pub fn who_can(
        &self,
        target: NodeIx,
        at_least: Level,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
    ) -> Vec<(NodeIx, Walk)> {
        self.who_can_within(target, at_least, keep, usize::MAX)
            .unwrap_or_default()
    }

    /// `who_can`, refused (`Err` with the number of node ids they would hold) when the
    /// witnesses hold more than `max_nodes` node ids in all: nothing is written then.
    pub(crate) fn who_can_within(
        &self,
        target: NodeIx,
        at_least: Level,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
        max_nodes: usize,
    ) -> Result<Vec<(NodeIx, Walk)>, usize> {
        self.who_can_with(
            target,
            at_least,
            keep,
            &mut Back::default(),
            true,
            max_nodes,
        )
    }

    /// The nodes `keep` accepts that reach `target` at `at_least` or more, with their
    /// effective levels, without witnesses (reverse labels only), sorted by node.
    pub fn who_can_levels(
        &self,
        target: NodeIx,
        at_least: Level,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
    ) -> Vec<(NodeIx, Level)> {
        let mut back = Back::default();
        let candidates = self.who_can_candidates(target, at_least, keep, &mut back);
        candidates
            .into_iter()
            .map(|u| (u, level_of(back.eff[u.index()] - 1)))
            .collect()
    }

    /// Effective level of each candidate into `back.eff`: the highest L whose reverse
    /// labels reach it (the labels for `at_least` reach a superset of the higher ones').
    fn who_can_candidates(
        &self,
        target: NodeIx,
        at_least: Level,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
        back: &mut Back,
    ) -> Vec<NodeIx> {
        back.prepare(self.node_count());
        let mut candidates: Vec<NodeIx> = Vec::new();
        for level in Level::ALL.iter().copied().filter(|l| *l >= at_least) {
            self.need_sparse(&[target], level, back);
            for &u in &back.need_touched {
                back.eff[u as usize] = lvl(level) + 1;
            }
            if level == at_least {
                candidates = back
                    .need_touched
                    .iter()
                    .map(|u| NodeIx(*u))
                    .filter(|u| *u != target && self.usable(*u) && keep(*u))
                    .collect();
                back.eff_touched = back.need_touched.clone();
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    /// `who_can` with reusable memory: every pass touches only what reaches the target, so
    /// one query per critical node of a large graph costs what that node's reach costs, not
    /// the size of the graph. `parallel` builds the witnesses on rayon's threads (never when
    /// the caller already runs one query per thread, which keeps `back` unshared).
    pub(crate) fn who_can_with(
        &self,
        target: NodeIx,
        at_least: Level,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
        back: &mut Back,
        parallel: bool,
        max_nodes: usize,
    ) -> Result<Vec<(NodeIx, Walk)>, usize> {
        use rayon::prelude::*;
        let candidates = self.who_can_candidates(target, at_least, keep, back);
        let mut out: Vec<(NodeIx, Walk)> = Vec::with_capacity(candidates.len());
        let mut needed = 0usize;
        for level in Level::ALL.iter().copied() {
            let group: Vec<NodeIx> = candidates
                .iter()
                .copied()
                .filter(|u| back.eff[u.index()] == lvl(level) + 1)
                .collect();
            if group.is_empty() {
                continue;
            }
            self.distance_sparse(target, level, back);
            let (dist, single) = (&back.dist, &back.single);
            // Each witness holds its start's distance plus one nodes: counted before any
            // of the group is written.
            for u in &group {
                let d = dist[encode(*u, lvl(Level::Admin), 0) as usize];
                needed = needed.saturating_add(if d == UNSEEN { 1 } else { d as usize + 1 });
            }
            if needed > max_nodes {
                return Err(needed);
            }
            if parallel {
                out.par_extend(
                    group
                        .par_iter()
                        .map(|u| (*u, self.walk_down(*u, dist, single))),
                );
            } else {
                out.extend(group.iter().map(|u| (*u, self.walk_down(*u, dist, single))));
            }
        }
        out.sort_unstable_by_key(|(u, _)| *u);
        Ok(out)
    }

    /// The effective level of `sources` (together, each starting at `start`) over every
    /// node, without witnesses (`None` where nothing is reached). A forward label-correcting
    /// search over three buckets, highest first, so each node's label only rises, at most
    /// three times: the questions that need a level or a yes/no, not a path, skip the
    /// ranking `search` does. (`Option<Level>` is one byte, ordered none < read < write <
    /// admin, so the labels compare as levels do.)
    pub fn levels_from(&self, sources: &[NodeIx], start: Level) -> Vec<Option<Level>> {
        let forward = self.forward();
        let mut label: Vec<Option<Level>> = vec![None; self.node_count()];
        let mut buckets: [Vec<u32>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for &s in sources {
            if self.usable(s) && label[s.index()] < Some(start) {
                label[s.index()] = Some(start);
                buckets[lvl(start) as usize].push(s.0);
            }
        }
        while let Some(b) = (0..3).rev().find(|b| !buckets[*b].is_empty()) {
            let v = buckets[b].pop().unwrap_or(0);
            let held = level_of(b as u8);
            if label[v as usize] != Some(held) {
                continue;
            }
            let range = forward.start[v as usize] as usize..forward.start[v as usize + 1] as usize;
            for e in &forward.steps[range] {
                let Some(l2) = step_of(e.kind, e.level, e.requires, held) else {
                    continue;
                };
                if Some(l2) > label[e.to as usize] {
                    label[e.to as usize] = Some(l2);
                    buckets[lvl(l2) as usize].push(e.to);
                }
            }
        }
        label
    }

    /// `need_to_reach(targets, level)` into `back.need`, recording the nodes it labels (and
    /// clearing the last call's labels first).
    fn need_sparse(&self, targets: &[NodeIx], level: Level, back: &mut Back) {
        for &u in &back.need_touched {
            back.need[u as usize] = NEVER;
        }
        back.need_touched.clear();
        let mut buckets: [Vec<NodeIx>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for &t in targets {
            if self.usable(t) && back.need[t.index()] > lvl(level) {
                if back.need[t.index()] == NEVER {
                    back.need_touched.push(t.0);
                }
                back.need[t.index()] = lvl(level);
                buckets[lvl(level) as usize].push(t);
            }
        }
        while let Some(b) = (0..3).find(|b| !buckets[*b].is_empty()) {
            let v = buckets[b].pop().unwrap_or(NodeIx(0));
            if back.need[v.index()] as usize != b {
                continue;
            }
            for &ei in self.g.in_edges(v) {
                if !self.edge_ok[ei.index()] {
                    continue;
                }
                let e = &self.g.packed[ei.index()];
                let u = e.from;
                if !self.node_ok[u.index()] {
                    continue;
                }
                let cand = if e.kind == EdgeKind::Exposes {
                    lvl(e.requires)
                } else if lvl(e.level) >= b as u8 {
                    b as u8
                } else {
                    continue;
                };
                if cand < back.need[u.index()] {
                    if back.need[u.index()] == NEVER {
                        back.need_touched.push(u.0);
                    }
                    back.need[u.index()] = cand;
                    buckets[cand as usize].push(u);
                }
            }
        }
    }

    /// For every state (node, level) that can get there, the fewest edges to a state
    /// (target, ≥ `level`), into `back.dist`; and `back.single` for those states.
    fn distance_sparse(&self, target: NodeIx, level: Level, back: &mut Back) {
        for &s in &back.dist_touched {
            back.dist[s as usize] = UNSEEN;
            back.single[s as usize] = UNSEEN;
        }
        back.dist_touched.clear();
        let mut queue = std::collections::VecDeque::new();
        if self.usable(target) {
            for l in lvl(level)..3 {
                let s = encode(target, l, 0);
                back.dist[s as usize] = 0;
                back.dist_touched.push(s);
                queue.push_back(s);
            }
        }
        while let Some(s) = queue.pop_front() {
            let (v, l2) = (node_of(s), level_bits(s));
            let d = back.dist[s as usize];
            for &ei in self.g.in_edges(v) {
                if !self.edge_ok[ei.index()] {
                    continue;
                }
                let e = &self.g.packed[ei.index()];
                let u = e.from;
                if !self.node_ok[u.index()] {
                    continue;
                }
                // The levels at `u` from which this edge lands at exactly `l2`.
                let preds = if e.kind == EdgeKind::Exposes {
                    if l2 != lvl(Level::Admin) {
                        continue;
                    }
                    lvl(e.requires)..3
                } else if l2 < lvl(e.level) {
                    l2..l2 + 1
                } else if l2 == lvl(e.level) {
                    l2..3
                } else {
                    continue;
                };
                for l in preds {
                    let p = encode(u, l, 0);
                    if back.dist[p as usize] == UNSEEN {
                        back.dist[p as usize] = d + 1;
                        back.dist_touched.push(p);
                        queue.push_back(p);
                    }
                }
            }
        }
        // Each state's single next step, worked out once for all the walks that pass it.
        for i in 0..back.dist_touched.len() {
            let s = back.dist_touched[i];
            let d = back.dist[s as usize];
            if d == 0 {
                continue;
            }
            if let Some((_, next)) = self.step_down(&[s], d, &back.dist)
                && next.len() == 1
            {
                back.single[s as usize] = next[0];
            }
        }
    }

    /// One step down `dist` from the state set `current` (all at distance `d`): the smallest
    /// next node, and every state of it one step closer.
    fn step_down(&self, current: &[u32], d: u32, dist: &[u32]) -> Option<(NodeIx, Vec<u32>)> {
        let mut best: Option<NodeIx> = None;
        let mut next: Vec<u32> = Vec::new();
        for &s in current {
            let x = node_of(s);
            for &ei in self.g.out_edges(x) {
                if !self.edge_ok[ei.index()] {
                    continue;
                }
                let e = &self.g.packed[ei.index()];
                if !self.node_ok[e.to.index()] {
                    continue;
                }
                let Some(l2) = Self::step_packed(e, level_of(level_bits(s))) else {
                    continue;
                };
                let t = encode(e.to, lvl(l2), 0);
                if dist[t as usize] != d - 1 {
                    continue;
                }
                let rank = self.id_rank[e.to.index()];
                match best.map(|b| self.id_rank[b.index()].cmp(&rank)) {
                    Some(std::cmp::Ordering::Less) => {}
                    Some(std::cmp::Ordering::Equal) => next.push(t),
                    _ => {
                        best = Some(e.to);
                        next.clear();
                        next.push(t);
                    }
                }
            }
        }
        next.sort_unstable();
        next.dedup();
        best.map(|v| (v, next))
    }

    /// The lexicographically smallest shortest walk from (`u`, admin) down `dist` to 0.
    fn walk_down(&self, u: NodeIx, dist: &[u32], single: &[u32]) -> Walk {
        let mut current = vec![encode(u, lvl(Level::Admin), 0)];
        let mut d = dist[current[0] as usize];
        let mut nodes = vec![u];
        while d > 0 && d != UNSEEN {
            if let [s] = current[..]
                && single[s as usize] != UNSEEN
            {
                let t = single[s as usize];
                nodes.push(node_of(t));
                current[0] = t;
                d -= 1;
                continue;
            }
            let Some((v, next)) = self.step_down(&current, d, dist) else {
                break;
            };
            nodes.push(v);
            current = next;
            d -= 1;
        }
        self.walk_of(nodes, Level::Admin)
    }

    /// The edge `path_edges` names between consecutive witness nodes: the usable one carrying
    /// the highest level from `held`; then `member_of` and `grants` before identity-changing
    /// kinds; then the smallest kind name (docs/format.md).
    pub fn best_edge(&self, from: NodeIx, to: NodeIx, held: Level) -> Option<(EdgeIx, Level)> {
        self.best_edge_of(from, to, held, false)
    }

    /// `best_edge`, among `member_of` and `grants` edges only when `standing`.
    fn best_edge_of(
        &self,
        from: NodeIx,
        to: NodeIx,
        held: Level,
        standing: bool,
    ) -> Option<(EdgeIx, Level)> {
        let mut best: Option<(EdgeIx, Level)> = None;
        for &ei in self.g.out_edges(from) {
            let e = &self.g.packed[ei.index()];
            if e.to != to || !self.edge_ok[ei.index()] {
                continue;
            }
            if standing && e.kind.is_identity_changing() {
                continue;
            }
            let Some(l) = Self::step_packed(e, held) else {
                continue;
            };
            let better = match best {
                None => true,
                Some((bi, bl)) => {
                    let b = &self.g.packed[bi.index()];
                    (
                        l,
                        !e.kind.is_identity_changing(),
                        std::cmp::Reverse(e.kind.as_str()),
                    ) > (
                        bl,
                        !b.kind.is_identity_changing(),
                        std::cmp::Reverse(b.kind.as_str()),
                    )
                }
            };
            if better {
                best = Some((ei, l));
            }
        }
        best
    }

    /// The standing walk from `s` to `n` at `level` (docs/rules.md): one edge when one
    /// carries it, else the fewest-edge walk of `member_of` and `grants` edges reaching `n` at
    /// `level`, ties to the smallest node sequence; `None` when no standing walk reaches it.
    /// Written only when it holds at most `cap` nodes; `Err` carries the length of a longer
    /// one.
    pub fn standing_walk_within(
        &self,
        s: NodeIx,
        n: NodeIx,
        level: Level,
        cap: usize,
        scratch: &mut Scratch,
    ) -> Option<Result<Walk, usize>> {
        if let Some((e, l)) = self.best_edge(s, n, Level::Admin)
            && l >= level
            && self.usable(s)
            && self.usable(n)
        {
            return Some(if cap >= 2 {
                Ok(Walk {
                    nodes: vec![s, n],
                    edges: vec![e],
                    level: l,
                })
            } else {
                Err(2)
            });
        }
        let search = self.search_standing(&[s], None, scratch);
        if search.level(n, false)? < level {
            return None;
        }
        Some(match search.witness_len_within(n, false, cap)? {
            Ok(_) => Ok(search.witness(n, false)?),
            Err(()) => Err(search
                .witness_len_within(n, false, usize::MAX)?
                .unwrap_or(0)),
        })
    }

    /// The edges and final level of a node sequence, choosing each edge as `best_edge` does.
    pub fn walk_of(&self, nodes: Vec<NodeIx>, start: Level) -> Walk {
        self.walk_of_kinds(nodes, start, false)
    }

    fn walk_of_kinds(&self, nodes: Vec<NodeIx>, start: Level, standing: bool) -> Walk {
        let mut held = start;
        let mut edges = Vec::with_capacity(nodes.len().saturating_sub(1));
        for pair in nodes.windows(2) {
            if let Some((e, l)) = self.best_edge_of(pair[0], pair[1], held, standing) {
                edges.push(e);
                held = l;
            }
        }
        Walk {
            nodes,
            edges,
            level: held,
        }
    }

    /// The organisation of a node: itself for tenants and partners, else its `org`, else the
    /// home organisation (`None`).
    pub fn org(&self, n: NodeIx) -> Option<NodeIx> {
        self.g.model.org_of(n)
    }

    /// External: a partner, or a node whose org is a partner (whatever its status).
    pub fn is_external(&self, n: NodeIx) -> bool {
        self.org(n)
            .is_some_and(|o| self.g.model.node(o).kind == NodeKind::Partner)
    }
}

/// docs/format.md's one rule of levels: every edge caps the carried level at its own, except
/// `exposes`, which needs `requires` over the resource and gives the credential outright.
fn step_of(kind: EdgeKind, cap: Level, requires: Level, held: Level) -> Option<Level> {
    if kind == EdgeKind::Exposes {
        (held >= requires).then_some(Level::Admin)
    } else {
        Some(held.min(cap))
    }
}

/// The level carried past `e` when `held` is carried into it; `None` when it cannot be used.
pub fn step(e: &Edge, held: Level) -> Option<Level> {
    step_of(e.kind, e.level, e.requires, held)
}

fn encode(n: NodeIx, level: u8, flag: u8) -> u32 {
    n.0 * 6 + u32::from(level) * 2 + u32::from(flag)
}

fn node_of(s: u32) -> NodeIx {
    NodeIx(s / 6)
}

fn level_bits(s: u32) -> u8 {
    ((s % 6) / 2) as u8
}

fn flag_of(s: u32) -> u8 {
    (s % 2) as u8
}

/// Reusable memory for backward queries (`Engine::who_can_with`), cleared through the lists
/// of what the last query touched.
#[derive(Default)]
pub struct Back {
    need: Vec<u8>,
    need_touched: Vec<u32>,
    eff: Vec<u8>,
    eff_touched: Vec<u32>,
    dist: Vec<u32>,
    dist_touched: Vec<u32>,
    single: Vec<u32>,
}

impl Back {
    fn prepare(&mut self, nodes: usize) {
        if self.need.len() != nodes {
            *self = Back {
                need: vec![NEVER; nodes],
                eff: vec![0; nodes],
                dist: vec![UNSEEN; nodes * 6],
                single: vec![UNSEEN; nodes * 6],
                ..Back::default()
            };
            return;
        }
        for &u in &self.eff_touched {
            self.eff[u as usize] = 0;
        }
        self.eff_touched.clear();
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's search memory: allocated once per thread and graph size, not
/// once per search.
pub fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|s| f(&mut s.borrow_mut()))
}

/// Reusable per-thread memory for searches: cleared through the list of states touched, so
/// a small search on a large graph costs only what it visits.
#[derive(Default)]
pub struct Scratch {
    pred: Vec<u32>,
    rank: Vec<u32>,
    touched: Vec<u32>,
}

impl Scratch {
    fn reset(&mut self, nodes: usize) {
        let states = nodes * 6;
        if self.pred.len() != states {
            self.pred = vec![UNSEEN; states];
            self.rank = vec![0; states];
            self.touched.clear();
        } else {
            for &s in &self.touched {
                self.pred[s as usize] = UNSEEN;
            }
            self.touched.clear();
        }
    }
}

/// The outcome of one search, readable until the scratch is reused.
pub struct Search<'s, 'e> {
    engine: &'e Engine<'e>,
    start: Level,
    /// Only `member_of` and `grants` edges were followed.
    standing: bool,
    scratch: &'s Scratch,
}

impl Search<'_, '_> {
    fn seen(&self, n: NodeIx, level: u8, flag: u8) -> bool {
        self.scratch.pred[encode(n, level, flag) as usize] != UNSEEN
    }

    /// The highest level at which `n` is reached with the flag at `flag`.
    pub fn level(&self, n: NodeIx, flag: bool) -> Option<Level> {
        (0..3u8)
            .rev()
            .find(|l| self.seen(n, *l, u8::from(flag)))
            .map(level_of)
    }

    /// How many states the search reached: its cost.
    pub fn states(&self) -> usize {
        self.scratch.touched.len()
    }

    /// Every node reached (any flag), in the order first reached.
    pub fn reached(&self) -> impl Iterator<Item = NodeIx> + '_ {
        self.scratch.touched.iter().map(|s| node_of(*s))
    }

    /// How many nodes the witness for `n` under `flag` holds, if at most `cap`: `Some(Ok)`;
    /// `Some(Err(()))` when it holds more (found after `cap + 1` steps, whatever its length);
    /// `None` when `n` is not reached. Lets a caller decide what fits a budget before
    /// writing any witness.
    pub(crate) fn witness_len_within(
        &self,
        n: NodeIx,
        flag: bool,
        cap: usize,
    ) -> Option<Result<usize, ()>> {
        let level = self.level(n, flag)?;
        let mut s = encode(n, lvl(level), u8::from(flag));
        let mut len = 1;
        while self.scratch.pred[s as usize] != ROOT {
            if len >= cap {
                return Some(Err(()));
            }
            s = self.scratch.pred[s as usize];
            len += 1;
        }
        Some(if len <= cap { Ok(len) } else { Err(()) })
    }

    /// Every reached state's witness length in nodes, into `depths` (indexed by state; only
    /// reached states are written): one pass over the states in the order reached, each
    /// after its predecessor. Read with `witness_len`.
    pub(crate) fn depths_into(&self, depths: &mut Vec<u32>) {
        let states = self.scratch.pred.len();
        if depths.len() != states {
            *depths = vec![0; states];
        }
        for &s in &self.scratch.touched {
            let p = self.scratch.pred[s as usize];
            depths[s as usize] = if p == ROOT { 1 } else { depths[p as usize] + 1 };
        }
    }

    /// The witness length of `n` under `flag` from `depths_into`'s table.
    pub(crate) fn witness_len(&self, depths: &[u32], n: NodeIx, flag: bool) -> Option<usize> {
        let level = self.level(n, flag)?;
        Some(depths[encode(n, lvl(level), u8::from(flag)) as usize] as usize)
    }

    /// `witness`, written only when it holds at most `cap` nodes; `Err` carries the length
    /// of a longer one (from `depths`, filled by `depths_into` on first need).
    pub(crate) fn witness_within(
        &self,
        n: NodeIx,
        flag: bool,
        cap: usize,
        depths: &mut Option<Vec<u32>>,
    ) -> Option<Result<Walk, usize>> {
        match self.witness_len_within(n, flag, cap)? {
            Ok(_) => self.witness(n, flag).map(Ok),
            Err(()) => {
                let table = depths.get_or_insert_with(|| {
                    let mut d = Vec::new();
                    self.depths_into(&mut d);
                    d
                });
                self.witness_len(table, n, flag).map(Err)
            }
        }
    }

    /// The witness for `n` at its effective level under `flag`: fewest edges, then the
    /// lexicographically smallest node sequence.
    pub fn witness(&self, n: NodeIx, flag: bool) -> Option<Walk> {
        let level = self.level(n, flag)?;
        let mut s = encode(n, lvl(level), u8::from(flag));
        let mut nodes = vec![n];
        loop {
            let p = self.scratch.pred[s as usize];
            if p == ROOT {
                break;
            }
            nodes.push(node_of(p));
            s = p;
        }
        nodes.reverse();
        let start = self.start;
        let walk = self.engine.walk_of_kinds(nodes, start, self.standing);
        debug_assert_eq!(walk.level, level);
        Some(walk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_bytes;

    fn graph(nodes: &str, edges: &str) -> crate::model::Graph {
        let text = format!(
            r#"{{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [{nodes}], "edges": [{edges}]}}"#
        );
        let loaded = load_bytes("t.json", text.as_bytes());
        loaded
            .graph
            .unwrap_or_else(|| panic!("{}", loaded.diagnostics.render()))
    }

    fn ids(g: &AuthGraph, w: &Walk) -> Vec<String> {
        w.nodes
            .iter()
            .map(|n| g.model.node(*n).id.clone())
            .collect()
    }

    #[test]
    fn read_token_through_admin_service_yields_read() {
        let m = graph(
            r#"{"id": "p", "kind": "partner"}, {"id": "k", "kind": "credential"},
               {"id": "s", "kind": "service"}, {"id": "db", "kind": "resource"}"#,
            r#"{"from": "p", "to": "k", "kind": "holds"},
               {"from": "k", "to": "s", "kind": "authenticates_as", "level": "read"},
               {"from": "s", "to": "db", "kind": "grants"}"#,
        );
        let g = AuthGraph::build(&m);
        let e = Engine::new(&g, m.as_of.unwrap(), ReachOptions::default());
        let mut sc = Scratch::default();
        let p = g.node_ix("p").unwrap();
        let db = g.node_ix("db").unwrap();
        let s = e.search(&[p], Level::Admin, None, None, &mut sc);
        assert_eq!(s.level(db, false), Some(Level::Read));
        let w = s.witness(db, false).unwrap();
        assert_eq!(ids(&g, &w), ["p", "k", "s", "db"]);
    }

    #[test]
    fn exposes_needs_its_level_and_restores_admin() {
        let m = graph(
            r#"{"id": "a", "kind": "service"}, {"id": "vault", "kind": "resource"},
               {"id": "k", "kind": "credential"}, {"id": "b", "kind": "service"},
               {"id": "c", "kind": "service"}"#,
            r#"{"from": "a", "to": "vault", "kind": "grants", "level": "read"},
               {"from": "vault", "to": "k", "kind": "exposes", "requires": "write"},
               {"from": "c", "to": "vault", "kind": "grants", "level": "write"},
               {"from": "k", "to": "b", "kind": "authenticates_as"}"#,
        );
        let g = AuthGraph::build(&m);
        let e = Engine::new(&g, m.as_of.unwrap(), ReachOptions::default());
        let mut sc = Scratch::default();
        let b = g.node_ix("b").unwrap();
        let a = g.node_ix("a").unwrap();
        let c = g.node_ix("c").unwrap();
        assert_eq!(
            e.search(&[a], Level::Admin, None, None, &mut sc)
                .level(b, false),
            None
        );
        assert_eq!(
            e.search(&[c], Level::Admin, None, None, &mut sc)
                .level(b, false),
            Some(Level::Admin)
        );
        let need = e.need_to_reach(&[b], Level::Read);
        assert_eq!(need.need(a), None);
        assert!(!need.reaches(a));
        assert_eq!(need.need(c), Some(Level::Write));
    }

    #[test]
    fn expired_edges_and_inactive_nodes_break_paths() {
        let m = graph(
            r#"{"id": "a", "kind": "service"}, {"id": "b", "kind": "service", "status": "disabled"},
               {"id": "c", "kind": "service"}, {"id": "k", "kind": "credential", "expires_at": "2026-10-01T00:00:00Z"},
               {"id": "d", "kind": "service"}"#,
            r#"{"from": "a", "to": "b", "kind": "assumes"},
               {"from": "b", "to": "c", "kind": "assumes"},
               {"from": "a", "to": "c", "kind": "assumes", "expires_at": "2026-10-31T23:59:59Z"},
               {"from": "a", "to": "k", "kind": "holds"},
               {"from": "k", "to": "d", "kind": "authenticates_as"},
               {"from": "a", "to": "d", "kind": "assumes", "expires_at": "2026-11-01T00:00:00Z"}"#,
        );
        let g = AuthGraph::build(&m);
        let e = Engine::new(&g, m.as_of.unwrap(), ReachOptions::default());
        let mut sc = Scratch::default();
        let a = g.node_ix("a").unwrap();
        let s = e.search(&[a], Level::Admin, None, None, &mut sc);
        assert_eq!(s.level(g.node_ix("c").unwrap(), false), None);
        // An edge expiring exactly at as_of is still unexpired.
        let w = s.witness(g.node_ix("d").unwrap(), false).unwrap();
        assert_eq!(ids(&g, &w), ["a", "d"]);
        let latent = Engine::new(
            &g,
            m.as_of.unwrap(),
            ReachOptions {
                include_inactive: true,
            },
        );
        let s = latent.search(&[a], Level::Admin, None, None, &mut sc);
        assert_eq!(s.level(g.node_ix("c").unwrap(), false), Some(Level::Admin));
    }

    #[test]
    fn a_walk_may_come_back_higher() {
        // Read the vault, take the key it exposes, come back to the vault as its admin.
        let m = graph(
            r#"{"id": "s", "kind": "service"}, {"id": "vault", "kind": "resource"},
               {"id": "k", "kind": "credential"}, {"id": "root", "kind": "service"}"#,
            r#"{"from": "s", "to": "vault", "kind": "grants", "level": "read"},
               {"from": "vault", "to": "k", "kind": "exposes"},
               {"from": "k", "to": "root", "kind": "authenticates_as"},
               {"from": "root", "to": "vault", "kind": "grants"}"#,
        );
        let g = AuthGraph::build(&m);
        let e = Engine::new(&g, m.as_of.unwrap(), ReachOptions::default());
        let mut sc = Scratch::default();
        let s = e.search(
            &[g.node_ix("s").unwrap()],
            Level::Admin,
            None,
            None,
            &mut sc,
        );
        let vault = g.node_ix("vault").unwrap();
        assert_eq!(s.level(vault, false), Some(Level::Admin));
        let w = s.witness(vault, false).unwrap();
        assert_eq!(ids(&g, &w), ["s", "vault", "k", "root", "vault"]);
    }

    #[test]
    fn ties_go_to_the_smallest_node_sequence_and_parallel_edges_to_the_rule() {
        let m = graph(
            r#"{"id": "s", "kind": "service"}, {"id": "m2", "kind": "group"},
               {"id": "m1", "kind": "group"}, {"id": "t", "kind": "resource"}"#,
            r#"{"from": "s", "to": "m2", "kind": "member_of"},
               {"from": "s", "to": "m1", "kind": "assumes"},
               {"from": "s", "to": "m1", "kind": "member_of"},
               {"from": "m2", "to": "t", "kind": "grants"},
               {"from": "m1", "to": "t", "kind": "grants"}"#,
        );
        let g = AuthGraph::build(&m);
        let e = Engine::new(&g, m.as_of.unwrap(), ReachOptions::default());
        let mut sc = Scratch::default();
        let s = e.search(
            &[g.node_ix("s").unwrap()],
            Level::Admin,
            None,
            None,
            &mut sc,
        );
        let w = s.witness(g.node_ix("t").unwrap(), false).unwrap();
        assert_eq!(ids(&g, &w), ["s", "m1", "t"]);
        let kinds: Vec<_> = w.edges.iter().map(|e| m.edges[e.index()].kind).collect();
        assert_eq!(kinds, [EdgeKind::MemberOf, EdgeKind::Grants]);
    }
}
