//! Choke points: the nodes and edges through which the most (subject, critical node) pairs
//! pass.
//!
//! A pair passes through a node or an edge when its witness does — the walk every output
//! shows for it (fewest edges achieving the effective level, then the smallest ids). The
//! subject and the target themselves are not counted as nodes a pair passes through. Every
//! pair with any access counts, finding or not.
//!
//! Up to `SAMPLE` pairs the count is exact: every pair's witness is walked. Beyond that it is
//! an estimate from a uniform sample of `SAMPLE` pairs — the pairs with the smallest hash of
//! (subject, target), drawn while the access matrix is classified, so the sample does not
//! depend on the number of threads — scaled to the number of pairs, with a 95% interval
//! (normal approximation of the sampled proportion, with the finite-population correction).
//! An exact choke point also says how many of its pairs would lose their level if it were
//! revoked (re-searched without it); an estimated one does not, as that would cost a search
//! per sampled pair and element.

use crate::context::Context;
use crate::model::{EdgeIx, EdgeKind, Level, NodeIx};
use crate::reach::{Engine, ReachOptions, Walk, with_scratch};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Pairs walked: all of them up to this many, else a sample of this size.
pub(crate) const SAMPLE: usize = 2048;

/// A sampled pair: its hash, subject, target and effective level.
pub(crate) type Sampled = (u64, NodeIx, NodeIx, Level);

/// The pairs with the smallest hashes seen so far (a bottom-k sample).
#[derive(Clone, Debug, Default)]
pub struct Sampler {
    items: Vec<Sampled>,
    /// Hashes at or above this cannot enter (the k-th smallest once there are k).
    bound: u64,
}

/// A fixed mixing of a 64-bit value (splitmix64's finaliser).
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The hash of a subject's side of a pair (by its id's rank, so the same in every run).
pub(crate) fn subject_hash(engine: &Engine<'_>, s: NodeIx) -> u64 {
    mix(u64::from(engine.id_rank(s)))
}

/// The hash of a target's side of a pair.
pub(crate) fn target_hash(engine: &Engine<'_>, t: NodeIx) -> u64 {
    mix(u64::from(engine.id_rank(t)) ^ 0x5bd1_e995_0000_0000)
}

impl Sampler {
    pub fn new() -> Sampler {
        Sampler {
            items: Vec::new(),
            bound: u64::MAX,
        }
    }

    /// Whether a pair of this hash could enter.
    #[inline]
    pub(crate) fn wants(&self, hash: u64) -> bool {
        hash < self.bound
    }

    /// Hashes at or above this cannot enter.
    pub fn bound(&self) -> u64 {
        self.bound
    }

    pub fn push(&mut self, item: Sampled) {
        self.items.push(item);
        if self.items.len() >= 2 * SAMPLE {
            self.trim();
        }
    }

    fn trim(&mut self) {
        if self.items.len() > SAMPLE {
            self.items
                .select_nth_unstable_by_key(SAMPLE - 1, |i| (i.0, i.1, i.2));
            self.items.truncate(SAMPLE);
        }
        if self.items.len() == SAMPLE {
            self.bound = self.items.iter().map(|i| i.0).max().unwrap_or(u64::MAX);
        }
    }

    pub(crate) fn merge(&mut self, other: Sampler) {
        self.items.extend(other.items);
        self.bound = self.bound.min(other.bound);
        self.trim();
    }

    /// The sample, in (hash, subject, target) order.
    pub(crate) fn into_items(mut self) -> Vec<Sampled> {
        self.trim();
        self.items.sort_unstable_by_key(|i| (i.0, i.1, i.2));
        self.items
    }
}

/// The choke points of an analysis.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChokePoints {
    /// (subject, critical node) pairs with any access.
    pub pairs: u64,
    /// Pairs whose witnesses were walked (all of them when `exact`).
    pub walked: u64,
    pub exact: bool,
    pub nodes: Vec<Choke>,
    pub edges: Vec<Choke>,
}

/// One node or edge and the pairs that pass through it.
#[derive(Clone, Debug, PartialEq)]
pub struct Choke {
    pub what: Element,
    /// Pairs whose witness passes through it (an estimate unless exact).
    pub pairs: u64,
    /// The 95% interval of `pairs` (equal to it when exact).
    pub low: u64,
    pub high: u64,
    /// Exact only: how many of those pairs would lose their level (or all access) if it
    /// were revoked.
    pub lost: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Element {
    Node(String),
    Edge {
        index: EdgeIx,
        from: String,
        to: String,
        kind: EdgeKind,
    },
}

/// The `top` nodes and edges through which the most pairs pass, from `sample` (every pair
/// when `pairs` is at most `SAMPLE`).
pub fn choke_points(
    ctx: &Context<'_>,
    sample: Vec<Sampled>,
    pairs: u64,
    top: usize,
) -> ChokePoints {
    let engine = ctx.engine;
    let walks = witnesses(ctx, engine, &sample);
    let exact = pairs as usize <= SAMPLE && walks.iter().all(Option::is_some);
    let mut by_node: HashMap<NodeIx, u64> = HashMap::new();
    let mut by_edge: HashMap<EdgeIx, u64> = HashMap::new();
    for w in walks.iter().flatten() {
        let mut nodes: Vec<NodeIx> = w.nodes[1..w.nodes.len().saturating_sub(1)].to_vec();
        nodes.sort_unstable();
        nodes.dedup();
        for n in nodes {
            *by_node.entry(n).or_default() += 1;
        }
        let mut edges = w.edges.clone();
        edges.sort_unstable();
        edges.dedup();
        for e in edges {
            *by_edge.entry(e).or_default() += 1;
        }
    }
    let walked = walks.iter().flatten().count() as u64;
    let scale = |count: u64| -> (u64, u64, u64) {
        if exact || walked == 0 {
            return (count, count, count);
        }
        let k = walked as f64;
        let p = count as f64 / k;
        let total = pairs as f64;
        let fpc = ((total - k) / (total - 1.0)).max(0.0).sqrt();
        let half = 1.96 * (p * (1.0 - p) / k).sqrt() * fpc * total;
        let est = p * total;
        (
            est.round() as u64,
            (est - half).max(count as f64).round() as u64,
            (est + half).min(total).round() as u64,
        )
    };
    let mut nodes: Vec<(NodeIx, u64)> = by_node.into_iter().collect();
    nodes.sort_unstable_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| engine.id_rank(a.0).cmp(&engine.id_rank(b.0)))
    });
    nodes.truncate(top);
    let mut edges: Vec<(EdgeIx, u64)> = by_edge.into_iter().collect();
    edges.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    edges.truncate(top);
    let lost = |revoked: Vec<EdgeIx>, through: &dyn Fn(&Walk) -> bool| -> Option<u64> {
        exact.then(|| lost_pairs(ctx, &sample, &walks, revoked, through))
    };
    let node_out = nodes
        .iter()
        .map(|(n, count)| {
            let (pairs, low, high) = scale(*count);
            let revoked: Vec<EdgeIx> = engine
                .g
                .out_edges(*n)
                .iter()
                .chain(engine.g.in_edges(*n))
                .copied()
                .collect();
            Choke {
                what: Element::Node(ctx.id(*n)),
                pairs,
                low,
                high,
                lost: lost(revoked, &|w: &Walk| {
                    w.nodes[1..w.nodes.len() - 1].contains(n)
                }),
            }
        })
        .collect();
    let edge_out = edges
        .iter()
        .map(|(e, count)| {
            let (pairs, low, high) = scale(*count);
            let edge = engine.edge(*e);
            Choke {
                what: Element::Edge {
                    index: *e,
                    from: ctx.id(edge.from),
                    to: ctx.id(edge.to),
                    kind: edge.kind,
                },
                pairs,
                low,
                high,
                lost: lost(vec![*e], &|w: &Walk| w.edges.contains(e)),
            }
        })
        .collect();
    ChokePoints {
        pairs,
        walked,
        exact,
        nodes: node_out,
        edges: edge_out,
    }
}

/// What the witnesses of the sample may cost: the states searched and the nodes their walks
/// hold. Pathological graphs (a long cycle through many critical nodes) make every search
/// cover the graph and every walk as long as it; the walking stops between batches once
/// either is spent, and the choke points are then estimated from the pairs walked.
const MAX_STATES: usize = 400_000_000;
const MAX_WALK_NODES: usize = 5_000_000;
/// Subjects searched at a time between checks of the bounds (fixed, so that where the
/// walking stops does not depend on the number of threads).
const BATCH: usize = 32;

/// One subject's share of the walking: states searched, walk nodes, and each pair's walk.
type Walked = (usize, usize, Vec<(usize, Walk)>);

/// Each sampled pair's witness (one search per subject, stopped once it has them), until the
/// bounds are spent: `None` for a pair not walked.
fn witnesses(ctx: &Context<'_>, engine: &Engine<'_>, sample: &[Sampled]) -> Vec<Option<Walk>> {
    let mut by_subject: BTreeMap<NodeIx, Vec<usize>> = BTreeMap::new();
    for (i, (_, s, _, _)) in sample.iter().enumerate() {
        by_subject.entry(*s).or_default().push(i);
    }
    // In the order of each subject's smallest hash, so that the subjects walked before the
    // bounds stop the walking are themselves a uniform sample.
    let mut groups: Vec<(NodeIx, Vec<usize>)> = by_subject.into_iter().collect();
    groups.sort_unstable_by_key(|(_, list)| list[0]);
    let mut out = vec![None; sample.len()];
    let (mut states, mut walked) = (0usize, 0usize);
    for batch in groups.chunks(BATCH) {
        if states > MAX_STATES || walked > MAX_WALK_NODES {
            break;
        }
        let found: Vec<Walked> = batch
            .par_iter()
            .map(|(s, list)| {
                with_scratch(|scratch| {
                    let until: Vec<(NodeIx, Level, bool)> = list
                        .iter()
                        .map(|i| (sample[*i].2, sample[*i].3, false))
                        .collect();
                    let search = engine.search_until(
                        &[*s],
                        None,
                        Some(ctx.critical_floor()),
                        &until,
                        scratch,
                    );
                    let mut left = MAX_WALK_NODES;
                    let mut walks = Vec::new();
                    for &i in list {
                        match search.witness_len_within(sample[i].2, false, left) {
                            Some(Ok(len)) => {
                                left -= len;
                                walks.extend(search.witness(sample[i].2, false).map(|w| (i, w)));
                            }
                            _ => break,
                        }
                    }
                    (search.states(), MAX_WALK_NODES - left, walks)
                })
            })
            .collect();
        for (s, w, walks) in found {
            states += s;
            walked += w;
            for (i, walk) in walks {
                out[i] = Some(walk);
            }
        }
    }
    out
}

/// How many of the pairs whose witness passes through an element lose their level when its
/// edges are revoked.
fn lost_pairs(
    ctx: &Context<'_>,
    sample: &[Sampled],
    walks: &[Option<Walk>],
    revoked: Vec<EdgeIx>,
    through: &dyn Fn(&Walk) -> bool,
) -> u64 {
    let mut engine = Engine::new(ctx.engine.g, ctx.as_of, ReachOptions::default());
    engine.revoke(&revoked);
    let mut by_subject: BTreeMap<NodeIx, Vec<(NodeIx, Level)>> = BTreeMap::new();
    for (item, walk) in sample.iter().zip(walks) {
        if walk.as_ref().is_some_and(through) {
            by_subject.entry(item.1).or_default().push((item.2, item.3));
        }
    }
    let mut lost = 0;
    with_scratch(|scratch| {
        for (s, targets) in by_subject {
            let search = engine.search(&[s], Level::Admin, None, None, scratch);
            for (t, level) in targets {
                if search.level(t, false).is_none_or(|l| l < level) {
                    lost += 1;
                }
            }
        }
    });
    lost
}
