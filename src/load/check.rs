//! Cross-checks that need every node at hand: unique ids, `org` and edge endpoints that
//! resolve, and edge kinds that fit their endpoints.

use super::fields::{PendingEdge, PendingNode, Reader, edge_subject};
use crate::diagnostics::{Diagnostic, did_you_mean, quote};
use crate::model::{Graph, NodeIx};
use crate::timestamp::Timestamp;
use std::collections::HashMap;

/// Suggestions scan every id; past this many unresolved references they stop, so a file of
/// dangling edges stays fast to reject.
const SUGGESTION_BUDGET: usize = 50;

pub fn resolve(
    source: &str,
    as_of: Option<Timestamp>,
    nodes: Vec<PendingNode>,
    edges: Vec<PendingEdge<'_>>,
    reader: &mut Reader<'_, '_>,
) -> Graph {
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(nodes.len());
    for (i, p) in nodes.iter().enumerate() {
        if let Some(&first) = index.get(p.node.id.as_str()) {
            let f = &nodes[first];
            reader.diags.push(
                Diagnostic::error(
                    Some(p.node.span),
                    format!(
                        "duplicate node id {}: first defined at {}:{} (nodes[{}])",
                        quote(&p.node.id),
                        f.node.span.line,
                        f.node.span.column,
                        f.index
                    ),
                )
                .about(format!("nodes[{}]", p.index))
                .help("node ids must be unique: rename one of them or merge the two nodes"),
            );
        } else {
            index.insert(&p.node.id, i);
        }
    }
    let mut budget = SUGGESTION_BUDGET;
    let mut suggest = |wanted: &str, filter: &dyn Fn(&PendingNode) -> bool| -> Option<String> {
        if budget == 0 {
            return None;
        }
        budget -= 1;
        did_you_mean(
            wanted,
            nodes
                .iter()
                .filter(|p| filter(p))
                .map(|p| p.node.id.as_str()),
        )
        .map(|m| format!("did you mean {}?", quote(m)))
    };

    let mut orgs = vec![None; nodes.len()];
    for (i, p) in nodes.iter().enumerate() {
        let subject = format!("node {} (nodes[{}])", quote(&p.node.id), p.index);
        if let Some(owner) = &p.node.owner
            && !index.contains_key(owner.as_str())
        {
            reader.diags.push(
                Diagnostic::warning(
                    Some(p.node.span),
                    format!("`owner` {} names no node", quote(owner)),
                )
                .about(subject.clone())
                .help("this is not a load error: `analyze` reports it as an orphaned-credential (owner-missing) finding where it applies"),
            );
        }
        let Some((org, span)) = &p.org else { continue };
        if p.kind_known && p.node.kind.is_org() {
            reader.diags.push(
                Diagnostic::error(
                    Some(*span),
                    format!(
                        "a {} is its own organisation and must not carry `org`",
                        p.node.kind
                    ),
                )
                .about(subject)
                .help("remove `org` from this node"),
            );
            continue;
        }
        match index.get(org.as_str()) {
            None => {
                let help =
                    suggest(org, &|c: &PendingNode| c.node.kind.is_org()).unwrap_or_else(|| {
                        "`org` must be the id of a tenant or partner node in this file".into()
                    });
                reader.diags.push(
                    Diagnostic::error(Some(*span), format!("`org` {} names no node", quote(org)))
                        .about(subject)
                        .help(help),
                );
            }
            Some(&o) if nodes[o].kind_known && !nodes[o].node.kind.is_org() => {
                reader.diags.push(
                    Diagnostic::error(
                        Some(*span),
                        format!(
                            "`org` must name a tenant or partner node, but {} is a {}",
                            quote(org),
                            nodes[o].node.kind
                        ),
                    )
                    .about(subject)
                    .help("point `org` at the tenant or partner this node belongs to, or remove it (home organisation)"),
                );
            }
            Some(&o) => orgs[i] = Some(NodeIx(o as u32)),
        }
    }

    let mut resolved = Vec::with_capacity(edges.len());
    for pe in edges {
        let subject = edge_subject(
            pe.index,
            Some(&pe.from),
            Some(&pe.to),
            Some(pe.kind.as_str()),
        );
        let mut ends = [None, None];
        for (slot, (field, id)) in [("from", &pe.from), ("to", &pe.to)].into_iter().enumerate() {
            match index.get(id.as_ref()) {
                Some(&i) => ends[slot] = Some(i),
                None => {
                    let help = suggest(id, &|_| true).unwrap_or_else(|| {
                        format!("`{field}` must be the id of a node in this file")
                    });
                    reader.diags.push(
                        Diagnostic::error(
                            Some(pe.edge.span),
                            format!("`{field}` {} names no node", quote(id)),
                        )
                        .about(subject.clone())
                        .help(help),
                    );
                }
            }
        }
        let [Some(f), Some(t)] = ends else { continue };
        let (from, to) = (&nodes[f], &nodes[t]);
        if from.kind_known && to.kind_known && !pe.kind.fits(from.node.kind, to.node.kind) {
            reader.diags.push(
                Diagnostic::error(
                    Some(pe.edge.span),
                    format!(
                        "`{}` goes from {}; here it goes from a {} to a {}",
                        pe.kind,
                        pe.kind.signature(),
                        from.node.kind,
                        to.node.kind
                    ),
                )
                .about(subject)
                .help("use the edge kind that matches these endpoints, or fix the endpoints"),
            );
            continue;
        }
        let mut edge = pe.edge;
        edge.from = NodeIx(f as u32);
        edge.to = NodeIx(t as u32);
        resolved.push(edge);
    }

    let nodes = nodes
        .into_iter()
        .zip(orgs)
        .map(|(p, org)| {
            let mut n = p.node;
            n.org = org;
            n
        })
        .collect();
    Graph {
        source: source.to_owned(),
        as_of,
        nodes,
        edges: resolved,
    }
}
