//! `path`: the effective level from one node to another, up to N distinct simple paths
//! (Yen's k-shortest simple paths, shortest first, then smallest ids), and when there is no
//! path, which disabled node or expired edge would have completed one.

use crate::model::{Level, NodeIx};
use crate::reach::{Blocker, Engine, Walk, with_scratch};
use std::collections::{BTreeSet, HashMap, HashSet};

#[derive(Debug)]
pub struct PathAnswer {
    pub from: NodeIx,
    pub to: NodeIx,
    /// The witness of the effective level (it may pass a node twice, e.g. back through a
    /// vault with the key it exposed); `None` when `to` is not reached.
    pub effective: Option<Walk>,
    /// Simple paths that carry authority, shortest first; with what is disabled or expired
    /// on each when latent paths are included.
    pub paths: Vec<(Walk, Vec<Blocker>)>,
    /// When nothing reaches `to`: the nearest latent path and what blocks it today.
    pub nearest_blocked: Option<(Walk, Vec<Blocker>)>,
}

/// Answers `path`. `latent` (an engine including inactive nodes and expired edges) explains
/// a missing path; pass `None` when `engine` already includes them.
pub fn paths(
    engine: &Engine<'_>,
    latent: Option<&Engine<'_>>,
    from: NodeIx,
    to: NodeIx,
    max: usize,
) -> PathAnswer {
    let effective = with_scratch(|scratch| {
        engine
            .search(&[from], Level::Admin, None, None, scratch)
            .witness(to, false)
    })
    .filter(|w| !w.edges.is_empty() || from == to);
    let paths = yen(engine, from, to, max)
        .into_iter()
        .map(|w| {
            let b = engine.blockers(&w);
            (w, b)
        })
        .collect();
    let nearest_blocked = match (&effective, latent) {
        (None, Some(l)) => with_scratch(|scratch| {
            l.search(&[from], Level::Admin, None, None, scratch)
                .witness(to, false)
        })
        .map(|w| {
            let b = l.blockers(&w);
            (w, b)
        }),
        _ => None,
    };
    PathAnswer {
        from,
        to,
        effective,
        paths,
        nearest_blocked,
    }
}

/// The shortest simple path from `from` to `to` avoiding `banned` nodes and node pairs,
/// the smallest ids among equals; levels are checked afterwards.
fn shortest(
    engine: &Engine<'_>,
    from: NodeIx,
    to: NodeIx,
    banned_nodes: &HashSet<NodeIx>,
    banned_pairs: &HashSet<(NodeIx, NodeIx)>,
) -> Option<Vec<NodeIx>> {
    if !engine.usable(from) || banned_nodes.contains(&from) {
        return None;
    }
    let mut pred: HashMap<NodeIx, NodeIx> = HashMap::new();
    let mut rank: HashMap<NodeIx, u32> = HashMap::from([(from, 0)]);
    let mut layer = vec![from];
    while !layer.is_empty() {
        if layer.contains(&to) {
            let mut path = vec![to];
            let mut v = to;
            while v != from {
                v = pred[&v];
                path.push(v);
            }
            path.reverse();
            return Some(path);
        }
        let mut next = Vec::new();
        for &u in &layer {
            for &ei in engine.g.out_edges(u) {
                let e = engine.edge(ei);
                let v = e.to;
                if !engine.edge_usable(ei)
                    || !engine.usable(v)
                    || banned_nodes.contains(&v)
                    || banned_pairs.contains(&(u, v))
                    || rank.contains_key(&v)
                    || pred.contains_key(&v)
                {
                    continue;
                }
                pred.insert(v, u);
                next.push(v);
            }
        }
        next.sort_unstable_by_key(|v| (rank[&pred[v]], engine.id_rank(*v)));
        for (i, v) in next.iter().enumerate() {
            rank.insert(*v, i as u32);
        }
        layer = next;
    }
    None
}

/// Yen's algorithm: up to `k` simple paths that carry authority, by length, then ids.
fn yen(engine: &Engine<'_>, from: NodeIx, to: NodeIx, k: usize) -> Vec<Walk> {
    if from == to || k == 0 {
        return Vec::new();
    }
    let key = |p: &Vec<NodeIx>| {
        (
            p.len(),
            p.iter().map(|n| engine.id_rank(*n)).collect::<Vec<_>>(),
        )
    };
    let Some(first) = shortest(engine, from, to, &HashSet::new(), &HashSet::new()) else {
        return Vec::new();
    };
    let mut accepted: Vec<Vec<NodeIx>> = vec![first];
    // Ordered by (length, id ranks): the next shortest, smallest path first.
    type Candidate = ((usize, Vec<u32>), Vec<NodeIx>);
    let mut candidates: BTreeSet<Candidate> = BTreeSet::new();
    let mut out = Vec::new();
    // Paths a level cap makes useless (an `exposes` needing more than is held) are skipped,
    // so look at a bounded number beyond `k`.
    let budget = k * 4 + 8;
    let mut seen = 0;
    loop {
        let last = accepted.last().cloned().unwrap_or_default();
        let walk = engine.walk_of(last.clone(), Level::Admin);
        if walk.edges.len() + 1 == walk.nodes.len() {
            out.push(walk);
        }
        seen += 1;
        if out.len() >= k || seen >= budget {
            break;
        }
        for i in 0..last.len() - 1 {
            let root = &last[..=i];
            let spur = last[i];
            let banned_pairs: HashSet<(NodeIx, NodeIx)> = accepted
                .iter()
                .filter(|p| p.len() > i + 1 && &p[..=i] == root)
                .map(|p| (p[i], p[i + 1]))
                .collect();
            let banned_nodes: HashSet<NodeIx> = root[..i].iter().copied().collect();
            if let Some(tail) = shortest(engine, spur, to, &banned_nodes, &banned_pairs) {
                let mut path = root[..i].to_vec();
                path.extend(tail);
                if !accepted.contains(&path) {
                    candidates.insert((key(&path), path));
                }
            }
        }
        let Some((_, next)) = candidates.pop_first() else {
            break;
        };
        accepted.push(next);
    }
    out
}
