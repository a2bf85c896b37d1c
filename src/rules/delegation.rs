//! delegation-cycle and redelegable-admin: delegations that loop, and external parties who
//! may hand their administration on.

use super::Context;
use crate::explain;
use crate::findings::{Draft, Finding, Rule, Severity};
use crate::model::{EdgeIx, EdgeKind, NodeIx, NodeKind};
use std::collections::{BTreeSet, HashMap};

/// The delegation subgraph: unexpired `admin_of` and `assumes` edges between live nodes.
fn is_delegation(ctx: &Context<'_>, ei: EdgeIx) -> bool {
    let e = ctx.engine.edge(ei);
    matches!(e.kind, EdgeKind::AdminOf | EdgeKind::Assumes)
        && !ctx.expired(e.expires_at)
        && ctx.model.node(e.from).is_live()
        && ctx.model.node(e.to).is_live()
}

pub fn cycles(ctx: &Context<'_>) -> Vec<Finding> {
    let g = ctx.engine.g;
    let components = g.strong_components(|ei| is_delegation(ctx, ei));
    let mut out = Vec::new();
    for mut members in components {
        let self_loops: Vec<EdgeKind> = if members.len() == 1 {
            let n = members[0];
            g.out_edges(n)
                .iter()
                .filter(|ei| is_delegation(ctx, **ei) && ctx.engine.edge(**ei).to == n)
                .map(|ei| ctx.engine.edge(*ei).kind)
                .collect()
        } else {
            Vec::new()
        };
        if members.len() == 1 && self_loops.is_empty() {
            continue;
        }
        members.sort_unstable_by_key(|n| ctx.engine.id_rank(*n));
        let start = members[0];
        let (path, kinds) = if members.len() == 1 {
            let kind = self_loops
                .into_iter()
                .min_by_key(|k| k.as_str())
                .unwrap_or(EdgeKind::AdminOf);
            (vec![start, start], vec![kind])
        } else {
            shortest_cycle(ctx, start, &members)
        };
        let orgs: BTreeSet<Option<NodeIx>> = members.iter().map(|n| ctx.engine.org(*n)).collect();
        let severity = if orgs.len() >= 2 {
            Severity::High
        } else {
            Severity::Medium
        };
        let mut steps = Vec::new();
        for (i, k) in kinds.iter().enumerate() {
            let verb = match k {
                EdgeKind::AdminOf => "administers",
                _ => "can assume",
            };
            let lead = if i == 0 {
                explain::name(ctx.model, path[0])
            } else {
                "which".to_owned()
            };
            steps.push(format!(
                "{lead} {verb} {}",
                explain::name(ctx.model, path[i + 1])
            ));
        }
        let message = format!(
            "Delegations among {} node(s) in {} organisation(s) form a loop, so revoking one link revokes nothing: {}.",
            members.len(),
            orgs.len(),
            steps.join(", ")
        );
        out.push(Finding::new(Draft {
            rule: Rule::DelegationCycle,
            severity,
            subject: ctx.id(start),
            target: None,
            level: None,
            reasons: Vec::new(),
            nodes: ctx.ids(&members),
            path: ctx.ids(&path),
            path_edges: kinds,
            message,
            edge_kind: None,
        }));
    }
    out
}

/// The fewest-edge cycle from `start` back to itself through at least one other member,
/// using edges inside the component; ties to the smallest node sequence. Layers are ranked
/// as in the reachability engine.
fn shortest_cycle(
    ctx: &Context<'_>,
    start: NodeIx,
    members: &[NodeIx],
) -> (Vec<NodeIx>, Vec<EdgeKind>) {
    let inside: BTreeSet<NodeIx> = members.iter().copied().collect();
    let inner = |ei: &EdgeIx| {
        let e = ctx.engine.edge(*ei);
        is_delegation(ctx, *ei) && inside.contains(&e.to)
    };
    // pred and rank of each node reached; `start` is the root and is never re-entered.
    let mut pred: HashMap<NodeIx, NodeIx> = HashMap::new();
    let mut rank: HashMap<NodeIx, u32> = HashMap::from([(start, 0)]);
    let mut layer = vec![start];
    let mut closing: Option<NodeIx> = None;
    while closing.is_none() && !layer.is_empty() {
        let mut next = Vec::new();
        for &u in &layer {
            for ei in ctx.engine.g.out_edges(u).iter().filter(|e| inner(e)) {
                let v = ctx.engine.edge(*ei).to;
                if v == start || pred.contains_key(&v) {
                    continue;
                }
                pred.insert(v, u);
                next.push(v);
            }
        }
        next.sort_unstable_by_key(|v| (rank[&pred[v]], ctx.engine.id_rank(*v)));
        for (i, v) in next.iter().enumerate() {
            rank.insert(*v, i as u32);
        }
        // The first layer with an edge back to `start` closes the shortest cycles; its
        // lowest-ranked such node gives the smallest sequence.
        closing = next.iter().copied().find(|v| {
            ctx.engine
                .g
                .out_edges(*v)
                .iter()
                .any(|ei| inner(ei) && ctx.engine.edge(*ei).to == start)
        });
        layer = next;
    }
    let mut path = vec![start];
    let mut v = closing.unwrap_or(start);
    while v != start {
        path.push(v);
        v = pred[&v];
    }
    path[1..].reverse();
    path.push(start);
    let kinds = path
        .windows(2)
        .map(|w| {
            ctx.engine
                .g
                .out_edges(w[0])
                .iter()
                .filter(|ei| inner(ei) && ctx.engine.edge(**ei).to == w[1])
                .map(|ei| ctx.engine.edge(*ei).kind)
                .min_by_key(|k| k.as_str())
                .unwrap_or(EdgeKind::AdminOf)
        })
        .collect();
    (path, kinds)
}

pub fn redelegable(ctx: &Context<'_>) -> Vec<Finding> {
    // Identical edges are one finding: keyed by (from, to); the kind is always admin_of.
    let mut seen: BTreeSet<(NodeIx, NodeIx)> = BTreeSet::new();
    for e in &ctx.model.edges {
        if e.kind == EdgeKind::AdminOf
            && e.redelegable
            && !ctx.expired(e.expires_at)
            && ctx.engine.is_external(e.from)
        {
            seen.insert((e.from, e.to));
        }
    }
    seen.into_iter()
        .map(|(from, to)| {
            let target = ctx.model.node(to);
            let severity = if ctx.is_critical(to) || target.kind == NodeKind::Tenant {
                Severity::High
            } else {
                Severity::Medium
            };
            let message = format!(
                "{} administers {} and may delegate that administration further (a re-delegable admin_of held by an external party).",
                explain::who(ctx.model, from),
                explain::name(ctx.model, to)
            );
            Finding::new(Draft {
                rule: Rule::RedelegableAdmin,
                severity,
                subject: ctx.id(from),
                target: Some(ctx.id(to)),
                level: None,
                reasons: Vec::new(),
                nodes: Vec::new(),
                path: vec![ctx.id(from), ctx.id(to)],
                path_edges: vec![EdgeKind::AdminOf],
                message,
                edge_kind: Some(EdgeKind::AdminOf),
            })
        })
        .collect()
}
