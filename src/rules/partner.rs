//! indirect-partner-access: a partner that reaches a tenant or critical node of someone else
//! through a third partner's delegation.

use super::Context;
use crate::explain;
use crate::findings::{Draft, Finding, Rule, Severity};
use crate::model::{Level, NodeIx, NodeKind};
use crate::reach::{Scratch, with_scratch};
use rayon::prelude::*;
use std::collections::BTreeMap;

pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    let model = ctx.model;
    let targets: Vec<NodeIx> = (0..model.nodes.len() as u32)
        .map(NodeIx)
        .filter(|n| {
            let node = model.node(*n);
            node.is_live() && (node.kind == NodeKind::Tenant || ctx.is_critical(*n))
        })
        .collect();
    if targets.is_empty() {
        return Vec::new();
    }
    let floor = ctx.engine.need_to_reach(&targets, Level::Read);
    let partners: Vec<NodeIx> = (0..model.nodes.len() as u32)
        .map(NodeIx)
        .filter(|n| {
            let node = model.node(*n);
            node.kind == NodeKind::Partner && node.is_live()
        })
        .collect();
    partners
        .par_iter()
        .flat_map_iter(|&a| with_scratch(|sc| for_partner(ctx, a, &targets, &floor, sc)))
        .collect()
}

fn is_partner(ctx: &Context<'_>, n: NodeIx) -> bool {
    ctx.model.node(n).kind == NodeKind::Partner
}

fn for_partner(
    ctx: &Context<'_>,
    a: NodeIx,
    targets: &[NodeIx],
    floor: &[u8],
    scratch: &mut Scratch,
) -> Vec<Finding> {
    let engine = ctx.engine;
    if !engine.usable(a) || floor[a.index()] == crate::reach::NEVER {
        return Vec::new();
    }
    // The third party B must differ from org(N); targets are grouped by the partner org to
    // exclude (None: N's org is no partner, so any B ≠ A qualifies), one search per group.
    let mut groups: BTreeMap<Option<NodeIx>, Vec<NodeIx>> = BTreeMap::new();
    for &n in targets {
        let org = engine.org(n);
        if n == a || org == Some(a) {
            continue;
        }
        groups
            .entry(org.filter(|o| is_partner(ctx, *o)))
            .or_default()
            .push(n);
    }
    let mut out = Vec::new();
    for (excluded, ns) in groups {
        let third = |u: NodeIx| -> bool { third_party(ctx, u, a, excluded).is_some() };
        let search = engine.search(&[a], Level::Admin, Some(&third), Some(floor), scratch);
        for n in ns {
            let Some(walk) = search.witness(n, true) else {
                continue;
            };
            let through = walk.nodes[1..walk.nodes.len() - 1]
                .iter()
                .find_map(|u| third_party(ctx, *u, a, excluded))
                .map(|b| explain::name(ctx.model, b))
                .unwrap_or_default();
            let how = format!(" through another partner, {through}");
            out.push(Finding::new(Draft {
                rule: Rule::IndirectPartnerAccess,
                severity: Severity::High,
                subject: ctx.id(a),
                target: Some(ctx.id(n)),
                level: Some(walk.level),
                reasons: Vec::new(),
                nodes: Vec::new(),
                path: ctx.ids(&walk.nodes),
                path_edges: walk.edges.iter().map(|e| engine.edge(*e).kind).collect(),
                message: explain::reach_sentence(ctx.model, &walk, &how),
                edge_kind: None,
            }));
        }
    }
    out
}

/// The partner B that makes `u` a third party on a walk from partner `a`: `org(u)` is a
/// partner other than `a` and other than the target's partner org.
fn third_party(
    ctx: &Context<'_>,
    u: NodeIx,
    a: NodeIx,
    excluded: Option<NodeIx>,
) -> Option<NodeIx> {
    ctx.engine
        .org(u)
        .filter(|b| *b != a && Some(*b) != excluded && is_partner(ctx, *b))
}
