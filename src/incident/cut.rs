//! `cut`: the cheapest set of edges whose revocation disconnects every source from every
//! target at any level — a minimum s–t cut (Dinic's max flow), not a heuristic — verified
//! by re-running reachability without them.
//!
//! Costs prefer revoking credentials and delegations over deleting memberships and grants:
//! `holds`, `authenticates_as`, `mints`, `exposes` 1 (revoke or rotate a credential);
//! `assumes`, `admin_of` 2 (withdraw a delegation); `grants` 3 (change a permission);
//! `member_of` 4 (remove someone from a group). `--cost kind=N` overrides.

use crate::model::{EdgeIx, EdgeKind, Level, NodeIx};
use crate::reach::Engine;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{HashMap, HashSet, VecDeque};

/// What revoking one edge of each kind costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Costs(pub HashMap<EdgeKind, u64>);

impl Default for Costs {
    fn default() -> Costs {
        Costs(HashMap::from([
            (EdgeKind::Holds, 1),
            (EdgeKind::AuthenticatesAs, 1),
            (EdgeKind::Mints, 1),
            (EdgeKind::Exposes, 1),
            (EdgeKind::Assumes, 2),
            (EdgeKind::AdminOf, 2),
            (EdgeKind::Grants, 3),
            (EdgeKind::MemberOf, 4),
        ]))
    }
}

impl Costs {
    pub fn of(&self, k: EdgeKind) -> u64 {
        self.0.get(&k).copied().unwrap_or(1)
    }
}

#[derive(Debug)]
pub struct Cut {
    pub sources: Vec<NodeIx>,
    pub targets: Vec<NodeIx>,
    /// Model edge indices, in index order.
    pub edges: Vec<EdgeIx>,
    pub cost: u64,
    /// Re-running reachability without the cut edges: no source reaches any target.
    pub verified: bool,
    /// Targets reachable before the cut.
    pub exposed_before: Vec<NodeIx>,
    /// For each cut edge, the targets it led to.
    pub protects: HashMap<EdgeIx, Vec<NodeIx>>,
}

/// Why a cut cannot be made.
#[derive(Debug, PartialEq, Eq)]
pub struct CutError(pub String);

/// Nodes reachable from `starts` over usable edges, ignoring levels (every `exposes` edge
/// counts as usable), optionally backwards; `skip` edges are left out.
fn spread(
    engine: &Engine<'_>,
    starts: &[NodeIx],
    backwards: bool,
    skip: &HashSet<EdgeIx>,
) -> Vec<bool> {
    let mut seen = vec![false; engine.node_count()];
    let mut queue: VecDeque<NodeIx> = VecDeque::new();
    for &s in starts {
        if engine.usable(s) && !seen[s.index()] {
            seen[s.index()] = true;
            queue.push_back(s);
        }
    }
    while let Some(u) = queue.pop_front() {
        let edges = if backwards {
            engine.g.in_edges(u)
        } else {
            engine.g.out_edges(u)
        };
        for &ei in edges {
            if !engine.edge_usable(ei) || skip.contains(&ei) {
                continue;
            }
            let e = engine.edge(ei);
            let v = if backwards { e.from } else { e.to };
            if engine.usable(v) && !seen[v.index()] {
                seen[v.index()] = true;
                queue.push_back(v);
            }
        }
    }
    seen
}

/// The minimum-cost cut between `sources` and `targets`.
pub fn min_cut(
    engine: &Engine<'_>,
    sources: &[NodeIx],
    targets: &[NodeIx],
    costs: &Costs,
) -> Result<Cut, CutError> {
    let model = engine.g.model;
    if let Some(both) = sources.iter().find(|s| targets.contains(s)) {
        return Err(CutError(format!(
            "{} is both a source and a target: no revocation separates a node from itself",
            model.node(*both).id
        )));
    }
    let forward = spread(engine, sources, false, &HashSet::new());
    let backward = spread(engine, targets, true, &HashSet::new());
    let relevant = |n: NodeIx| forward[n.index()] && backward[n.index()];
    let exposed_before: Vec<NodeIx> = targets
        .iter()
        .copied()
        .filter(|t| forward[t.index()])
        .collect();

    // The flow network over the nodes that lie between sources and targets.
    let mut net: DiGraph<(), u64> = DiGraph::new();
    let mut at: HashMap<NodeIx, NodeIndex> = HashMap::new();
    let super_source = net.add_node(());
    let super_sink = net.add_node(());
    let mut edge_of = Vec::new();
    let mut total: u64 = 1;
    for (i, e) in model.edges.iter().enumerate() {
        if engine.edge_usable(EdgeIx(i as u32))
            && relevant(e.from)
            && relevant(e.to)
            && e.from != e.to
        {
            total = total.saturating_add(costs.of(e.kind));
        }
    }
    let infinite = total;
    let mut node =
        |net: &mut DiGraph<(), u64>, n: NodeIx| *at.entry(n).or_insert_with(|| net.add_node(()));
    for (i, e) in model.edges.iter().enumerate() {
        if engine.edge_usable(EdgeIx(i as u32))
            && relevant(e.from)
            && relevant(e.to)
            && e.from != e.to
        {
            let (a, b) = (node(&mut net, e.from), node(&mut net, e.to));
            net.add_edge(a, b, costs.of(e.kind));
            edge_of.push(Some(EdgeIx(i as u32)));
        }
    }
    for &s in sources.iter().filter(|s| relevant(**s)) {
        let a = node(&mut net, s);
        net.add_edge(super_source, a, infinite);
        edge_of.push(None);
    }
    for &t in targets.iter().filter(|t| relevant(**t)) {
        let b = node(&mut net, t);
        net.add_edge(b, super_sink, infinite);
        edge_of.push(None);
    }
    let (_, flows) = petgraph::algo::maximum_flow::dinics(&net, super_source, super_sink);

    // The source side of the minimum cut: what the residual network still reaches.
    let mut side = vec![false; net.node_count()];
    let mut queue = VecDeque::from([super_source]);
    side[super_source.index()] = true;
    while let Some(u) = queue.pop_front() {
        for e in net.edges_directed(u, petgraph::Direction::Outgoing) {
            if flows[e.id().index()] < *e.weight() && !side[e.target().index()] {
                side[e.target().index()] = true;
                queue.push_back(e.target());
            }
        }
        for e in net.edges_directed(u, petgraph::Direction::Incoming) {
            if flows[e.id().index()] > 0 && !side[e.source().index()] {
                side[e.source().index()] = true;
                queue.push_back(e.source());
            }
        }
    }
    let mut edges: Vec<EdgeIx> = net
        .edge_references()
        .filter(|e| side[e.source().index()] && !side[e.target().index()])
        .filter_map(|e| edge_of[e.id().index()])
        .collect();
    edges.sort_unstable();
    let cost = edges
        .iter()
        .map(|e| costs.of(model.edges[e.index()].kind))
        .sum();

    // Verification with the engine itself: levels, requires and all.
    let mut after = Engine::new(
        engine.g,
        engine.as_of,
        crate::reach::ReachOptions {
            include_inactive: engine.includes_latent(),
        },
    );
    after.revoke(&edges);
    let reached = after.levels_from(sources, Level::Admin);
    let still = targets
        .iter()
        .filter(|t| reached[t.index()].is_some())
        .count();
    let protects = edges
        .iter()
        .map(|&ei| {
            let e = &model.edges[ei.index()];
            let below = spread(engine, &[e.to], false, &HashSet::new());
            let guarded = exposed_before
                .iter()
                .copied()
                .filter(|t| below[t.index()])
                .collect();
            (ei, guarded)
        })
        .collect();
    Ok(Cut {
        sources: sources.to_vec(),
        targets: targets.to_vec(),
        edges,
        cost,
        verified: still == 0,
        exposed_before,
        protects,
    })
}
