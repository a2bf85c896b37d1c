//! open-trust: an identity anyone at all can become. A node tagged `anyone` stands for every
//! account of a system anyone can join (the estate gives one to "any GitHub account" when a
//! trust admits every subject); each identity it reaches through credentials alone is one
//! finding, whether or not that identity reaches anything critical: signing up is the whole
//! attack.

use super::Context;
use crate::explain;
use crate::findings::{Draft, Finding, Rule, Severity};
use crate::model::{ANYONE_TAG, EdgeIx, Level, NodeIx, NodeKind};
use crate::reach::Walk;
use std::collections::{BTreeMap, BTreeSet};

pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, node) in ctx.model.nodes.iter().enumerate() {
        let a = NodeIx(i as u32);
        if !node.tags.iter().any(|t| t == ANYONE_TAG) || !ctx.engine.usable(a) {
            continue;
        }
        for (target, walk) in becomes(ctx, a) {
            let message = format!(
                "{}, that is anyone who signs up, can {} {} because a trust admits every account: {}.",
                explain::who(ctx.model, a),
                explain::verb(walk.level),
                explain::name(ctx.model, target),
                explain::chain(ctx.model, &walk)
            );
            out.push(Finding::new(Draft {
                rule: Rule::OpenTrust,
                severity: Severity::Critical,
                subject: ctx.id(a),
                target: Some(ctx.id(target)),
                level: Some(walk.level),
                reasons: Vec::new(),
                nodes: Vec::new(),
                path: ctx.ids(&walk.nodes),
                path_edges: walk.edges.iter().map(|e| ctx.model.edge(*e).kind).collect(),
                message,
                edge_kind: None,
            }));
        }
    }
    out
}

/// A walk being grown: its nodes and edges (its level is the key it is filed under).
#[derive(Clone)]
struct Partial {
    nodes: Vec<NodeIx>,
    edges: Vec<EdgeIx>,
}

/// Every identity (not a credential) `a` reaches by identity-changing edges whose inner
/// nodes are credentials only, with its witness: the highest level, then the fewest edges,
/// then the smallest node-id sequence, then the smallest edge-kind sequence.
fn becomes(ctx: &Context<'_>, a: NodeIx) -> BTreeMap<NodeIx, Walk> {
    let engine = ctx.engine;
    let key = |p: &Partial| -> (Vec<&str>, Vec<&'static str>) {
        (
            p.nodes
                .iter()
                .map(|n| ctx.model.node(*n).id.as_str())
                .collect(),
            p.edges
                .iter()
                .map(|e| ctx.model.edge(*e).kind.as_str())
                .collect(),
        )
    };
    let mut found: BTreeMap<NodeIx, Walk> = BTreeMap::new();
    let mut seen: BTreeSet<(NodeIx, Level)> = BTreeSet::from([(a, Level::Admin)]);
    let mut frontier: Vec<(Partial, Level)> = vec![(
        Partial {
            nodes: vec![a],
            edges: Vec::new(),
        },
        Level::Admin,
    )];
    while !frontier.is_empty() {
        // One depth at a time, so the first depth a state is met at is its fewest edges;
        // within a depth the smallest sequence wins.
        let mut next: BTreeMap<(NodeIx, Level), Partial> = BTreeMap::new();
        for (p, held) in &frontier {
            let x = *p.nodes.last().expect("a walk has a node");
            for &ei in engine.g.out_edges(x) {
                let e = engine.edge(ei);
                if !e.kind.is_identity_changing()
                    || !engine.edge_usable(ei)
                    || !engine.usable(e.to)
                    || p.nodes.contains(&e.to)
                {
                    continue;
                }
                let Some(level) = crate::reach::step(e, *held) else {
                    continue;
                };
                if seen.contains(&(e.to, level)) {
                    continue;
                }
                let mut q = p.clone();
                q.nodes.push(e.to);
                q.edges.push(ei);
                match next.get(&(e.to, level)) {
                    Some(old) if key(old) <= key(&q) => {}
                    _ => {
                        next.insert((e.to, level), q);
                    }
                }
            }
        }
        frontier.clear();
        for ((n, level), p) in next {
            seen.insert((n, level));
            if ctx.model.node(n).kind == NodeKind::Credential {
                frontier.push((p, level));
                continue;
            }
            // Met deeper only when the level is higher: the highest level wins.
            if found.get(&n).is_none_or(|w| w.level < level) {
                found.insert(
                    n,
                    Walk {
                        nodes: p.nodes,
                        edges: p.edges,
                        level,
                    },
                );
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use crate::findings::Rule;

    fn findings(text: &str) -> Vec<crate::findings::Finding> {
        let loaded = crate::load::load_bytes("t.json", text.as_bytes());
        let g = loaded.graph.expect("loads");
        let report = crate::analyze::analyze(&g, &crate::analyze::Options::default());
        report
            .findings
            .into_iter()
            .filter(|f| f.rule == Rule::OpenTrust)
            .collect()
    }

    const GRAPH: &str = r#"{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [
        {"id": "any", "kind": "partner", "tags": ["anyone"]},
        {"id": "tok", "kind": "credential", "expires_at": "2026-11-01T01:00:00Z"},
        {"id": "role", "kind": "service"},
        {"id": "db", "kind": "resource"}
    ], "edges": [
        {"from": "any", "to": "tok", "kind": "holds"},
        {"from": "tok", "to": "role", "kind": "authenticates_as", "level": "write"},
        {"from": "role", "to": "db", "kind": "grants"}
    ]}"#;

    #[test]
    fn the_identity_behind_the_credential_is_the_finding_not_what_it_reaches() {
        let f = findings(GRAPH);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].subject, "any");
        assert_eq!(f[0].target.as_deref(), Some("role"));
        assert_eq!(f[0].level, Some(crate::model::Level::Write));
        assert_eq!(f[0].path, ["any", "tok", "role"]);
        assert_eq!(f[0].severity, crate::findings::Severity::Critical);
    }

    #[test]
    fn without_the_tag_or_with_the_credential_expired_nothing_fires() {
        assert!(findings(&GRAPH.replace(r#""tags": ["anyone"]"#, r#""tags": []"#)).is_empty());
        assert!(
            findings(&GRAPH.replace("2026-11-01T01:00:00Z", "2026-10-01T00:00:00Z")).is_empty()
        );
    }
}
