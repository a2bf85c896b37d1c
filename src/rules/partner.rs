//! indirect-partner-access: a partner that reaches a tenant or critical node of someone else
//! through a third partner's delegation.
//!
//! Counted for every (partner, target) pair without a search per partner. A qualifying walk
//! from `A` to `N` passes some node `X` whose organisation is a partner `B ∉ {A, org(N)}`,
//! so it splits at `X`: `A` reaches `(X, l)`, and `(X, l)` reaches `N`. On the condensed
//! state graph, partners spread forwards (which partners reach each state: one bit per
//! partner) and targets are taken a block at a time backwards (which targets each state
//! reaches, at which level); the partner's levels over a block are the OR, over the third-
//! party states it reaches, of what they reach outside their own organisation. Witnesses —
//! the fewest-edge qualifying walk — come from one flagged search per shown group.

use super::privilege::Pending;
use super::{Context, Written};
use crate::explain;
use crate::findings::{Rule, Severity};
use crate::model::{Level, NodeIx, NodeKind};
use crate::reach::matrix::{BLOCK, Dag, Planes, WORDS, block_lanes, org_lanes, with_buffer};
use crate::reach::with_scratch;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// The live tenants and critical nodes other partners may not reach, in node order.
fn targets(ctx: &Context<'_>) -> Vec<NodeIx> {
    let model = ctx.model;
    (0..model.nodes.len() as u32)
        .map(NodeIx)
        .filter(|n| {
            let node = model.node(*n);
            node.is_live()
                && ctx.engine.usable(*n)
                && (node.kind == NodeKind::Tenant || ctx.is_critical(*n))
        })
        .collect()
}

fn is_partner(ctx: &Context<'_>, n: NodeIx) -> bool {
    ctx.model.node(n).kind == NodeKind::Partner
}

/// The partner organisation of `u`, if any.
fn partner_org(ctx: &Context<'_>, u: NodeIx) -> Option<NodeIx> {
    ctx.engine.org(u).filter(|o| is_partner(ctx, *o))
}

/// How many findings there are, and the first `keep` in the contract's order.
pub(crate) fn tally(ctx: &Context<'_>, keep: usize) -> (u64, Vec<Pending>) {
    let engine = ctx.engine;
    let targets = targets(ctx);
    if targets.is_empty() {
        return (0, Vec::new());
    }
    let need = engine.need_to_reach(&targets, Level::Read);
    let dag = Dag::build(engine, need.raw(), false, &targets);
    let mut partners: Vec<NodeIx> = (0..ctx.model.nodes.len() as u32)
        .map(NodeIx)
        .filter(|n| is_partner(ctx, *n) && engine.usable(*n))
        .filter(|n| dag.comp(*n, Level::Admin).is_some())
        .collect();
    partners.sort_unstable_by_key(|a| engine.id_rank(*a));
    if partners.is_empty() {
        return (0, Vec::new());
    }
    let mut lane_of: HashMap<NodeIx, usize> = HashMap::new();
    for (i, a) in partners.iter().enumerate() {
        lane_of.insert(*a, i);
    }
    let words = partners.len().div_ceil(64);
    let sources: Vec<(usize, usize)> = partners
        .iter()
        .enumerate()
        .filter_map(|(i, a)| Some((dag.comp(*a, Level::Admin)?, i)))
        .collect();
    let reached_by = dag.spread(&sources, words);
    // Third-party states: a node of some partner's organisation (never left when it is a
    // target, which no walk needs to leave). One entry per (component, organisation).
    let mut third: Vec<(usize, NodeIx)> = Vec::new();
    for u in (0..ctx.model.nodes.len() as u32).map(NodeIx) {
        let Some(b) = partner_org(ctx, u) else {
            continue;
        };
        for l in Level::ALL.iter().copied() {
            if let Some(c) = dag.comp(u, l) {
                third.push((c, b));
            }
        }
    }
    third.sort_unstable();
    third.dedup();
    // Third-party states that the same partners reach, of the same organisation, add the
    // same way: group them, so each block ORs a state's targets once into its group and
    // each group once into its partners.
    let mut group_of: HashMap<(&[u64], NodeIx), usize> = HashMap::new();
    let mut groups: Vec<(&[u64], NodeIx)> = Vec::new();
    let mut members: Vec<(usize, usize)> = Vec::new();
    for &(c, b) in &third {
        let set = &reached_by[c * words..(c + 1) * words];
        if set.iter().all(|w| *w == 0) {
            continue;
        }
        let g = *group_of.entry((set, b)).or_insert_with(|| {
            groups.push((set, b));
            groups.len() - 1
        });
        members.push((g, c));
    }
    let lanes: Vec<Option<NodeIx>> = targets.iter().copied().map(Some).collect();
    let blocks = lanes.len().div_ceil(BLOCK);
    let key = |p: &Pending| (engine.id_rank(p.subject), engine.id_rank(p.target));
    let per_block = |b: usize| -> (u64, Vec<Pending>) {
        let block = block_lanes(&lanes, b);
        // Lanes of each organisation: a walk must not count a third party of N's own.
        let org_mask = org_lanes(engine, block);
        let mut reach: Vec<Planes> = vec![[[0; WORDS]; 3]; partners.len()];
        with_buffer(|buffer| {
            dag.sweep_block(block, buffer);
            let mut acc: Vec<Planes> = vec![[[0; WORDS]; 3]; groups.len()];
            for &(g, c) in &members {
                let r = &buffer[c];
                for (x, y) in acc[g].iter_mut().zip(r) {
                    for (p, q) in x.iter_mut().zip(y) {
                        *p |= q;
                    }
                }
            }
            for (g, (set, b_org)) in groups.iter().enumerate() {
                let mask = org_mask.get(&Some(*b_org)).copied().unwrap_or_default();
                let mut v = acc[g];
                for plane in &mut v {
                    for (x, m) in plane.iter_mut().zip(mask) {
                        *x &= !m;
                    }
                }
                if v[0].iter().all(|x| *x == 0) {
                    continue;
                }
                let own = lane_of.get(b_org).copied();
                for (w, word) in set.iter().enumerate() {
                    let mut bits = *word;
                    while bits != 0 {
                        let a = w * 64 + bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        if Some(a) == own {
                            continue;
                        }
                        for (x, y) in reach[a].iter_mut().zip(&v) {
                            for (p, q) in x.iter_mut().zip(y) {
                                *p |= q;
                            }
                        }
                    }
                }
            }
        });
        let mut count = 0u64;
        let mut first = Vec::new();
        for (i, a) in partners.iter().enumerate() {
            // Never the partner's own organisation (which includes the partner itself).
            let own = org_mask.get(&Some(*a)).copied().unwrap_or_default();
            // Partners come in id order: once the list is full, later ones cannot enter.
            let collect = first.len() < keep;
            for w in 0..WORDS {
                for level in Level::ALL.iter().copied() {
                    let top = if level == Level::Admin {
                        u64::MAX
                    } else {
                        !reach[i][level as usize + 1][w]
                    };
                    let m = reach[i][level as usize][w] & top & !own[w];
                    count += u64::from(m.count_ones());
                    if collect {
                        let mut bits = m;
                        while bits != 0 {
                            let j = w * 64 + bits.trailing_zeros() as usize;
                            bits &= bits - 1;
                            if let Some(t) = block[j] {
                                first.push(Pending {
                                    rule: Rule::IndirectPartnerAccess,
                                    severity: Severity::High,
                                    subject: *a,
                                    target: t,
                                    level,
                                });
                            }
                        }
                    }
                }
            }
        }
        first.sort_unstable_by_key(key);
        first.truncate(keep);
        (count, first)
    };
    (0..blocks).into_par_iter().map(per_block).reduce(
        || (0, Vec::new()),
        |(c1, mut f1), (c2, f2)| {
            f1.extend(f2);
            f1.sort_unstable_by_key(key);
            f1.truncate(keep);
            (c1 + c2, f1)
        },
    )
}

/// Partner `a`'s finding over `t`, if any (one flagged search).
pub fn pair(ctx: &Context<'_>, a: NodeIx, t: NodeIx) -> Option<Pending> {
    let node = ctx.model.node(t);
    if !is_partner(ctx, a)
        || ctx.engine.org(t) == Some(a)
        || !(node.kind == NodeKind::Tenant || ctx.is_critical(t))
    {
        return None;
    }
    let excluded = partner_org(ctx, t);
    let third = |u: NodeIx| -> bool { third_party(ctx, u, a, excluded).is_some() };
    let level = with_scratch(|scratch| {
        ctx.engine
            .search(&[a], Level::Admin, Some(&third), None, scratch)
            .level(t, true)
    })?;
    Some(Pending {
        rule: Rule::IndirectPartnerAccess,
        severity: Severity::High,
        subject: a,
        target: t,
        level,
    })
}

/// The findings of `pending` records, in their order: one flagged search per partner and
/// group of targets sharing the third party to exclude, stopped once it has their
/// witnesses. Each group's witnesses may hold `share` nodes per record in all; a record past
/// that gives its witness's length (`Written::Long`).
pub(crate) fn materialize(ctx: &Context<'_>, pending: &[Pending], share: usize) -> Vec<Written> {
    if pending.is_empty() {
        return Vec::new();
    }
    let engine = ctx.engine;
    let floor = engine.need_to_reach(&targets(ctx), Level::Read);
    // The third party B must differ from org(N): targets are grouped by the partner org to
    // exclude (None: N's org is no partner, so any B ≠ A qualifies).
    let mut groups: BTreeMap<(NodeIx, Option<NodeIx>), Vec<usize>> = BTreeMap::new();
    for (i, p) in pending.iter().enumerate() {
        groups
            .entry((p.subject, partner_org(ctx, p.target)))
            .or_default()
            .push(i);
    }
    let groups: Vec<_> = groups.into_iter().collect();
    let tagged: Vec<(usize, Written)> = groups
        .par_iter()
        .flat_map_iter(|((a, excluded), list)| {
            let (a, excluded) = (*a, *excluded);
            if !floor.reaches(a) {
                return Vec::new();
            }
            let mut left = share.saturating_mul(list.len());
            with_scratch(|scratch| {
                let third = |u: NodeIx| -> bool { third_party(ctx, u, a, excluded).is_some() };
                let until: Vec<(NodeIx, Level, bool)> = list
                    .iter()
                    .map(|i| (pending[*i].target, pending[*i].level, true))
                    .collect();
                let search = engine.search_until(&[a], Some(&third), Some(&floor), &until, scratch);
                let mut depths = None;
                list.iter()
                    .filter_map(|&i| {
                        let p = &pending[i];
                        let walk = match search.witness_within(p.target, true, left, &mut depths)? {
                            Ok(walk) => walk,
                            Err(len) => return Some((i, Written::Long(len))),
                        };
                        left -= walk.nodes.len();
                        let through = walk.nodes[1..walk.nodes.len() - 1]
                            .iter()
                            .find_map(|u| third_party(ctx, *u, a, excluded))
                            .map(|b| explain::name(ctx.model, b))
                            .unwrap_or_default();
                        let how = format!(" through another partner, {through}");
                        Some((
                            i,
                            Written::Finding(Box::new(super::privilege::access_finding(
                                ctx, p, &walk, &how,
                            ))),
                        ))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    super::in_input_order(pending.len(), tagged)
}

/// The partner B that makes `u` a third party on a walk from partner `a`: `org(u)` is a
/// partner other than `a` and other than the target's partner org.
fn third_party(
    ctx: &Context<'_>,
    u: NodeIx,
    a: NodeIx,
    excluded: Option<NodeIx>,
) -> Option<NodeIx> {
    partner_org(ctx, u).filter(|b| *b != a && Some(*b) != excluded)
}
