//! Cross-checks that need every node at hand: unique ids, `org` and edge endpoints that
//! resolve, and edge kinds that fit their endpoints.

use super::fields::{Ends, PendingNode, Reader};
use crate::diagnostics::{Diagnostic, Subject, did_you_mean, quote};
use crate::model::{Edge, Graph, NodeIx};
use crate::timestamp::Timestamp;
use std::collections::HashMap;

/// Suggestions scan every id; past this many unresolved references they stop, so a file of
/// dangling edges stays fast to reject.
const SUGGESTION_BUDGET: usize = 50;

pub(crate) fn resolve(
    source: &str,
    as_of: Option<Timestamp>,
    nodes: Vec<PendingNode>,
    ends: Vec<Ends<'_>>,
    mut edges: Vec<Edge>,
    reader: &mut Reader<'_, '_>,
) -> Graph {
    let mut index: HashMap<&str, usize, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(nodes.len(), Default::default());
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
        let subject = Subject::Node {
            index: p.index,
            id: Some(&p.node.id),
        };
        if let Some(owner) = &p.node.owner
            && !index.contains_key(owner.as_str())
        {
            reader.diags.push(
                Diagnostic::warning(
                    Some(p.node.span),
                    format!("`owner` {} names no node", quote(owner)),
                )
                .about_subject(&subject)
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
                .about_subject(&subject)
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
                        .about_subject(&subject)
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
                    .about_subject(&subject)
                    .help("point `org` at the tenant or partner this node belongs to, or remove it (home organisation)"),
                );
            }
            Some(&o) => orgs[i] = Some(NodeIx(o as u32)),
        }
    }

    // Most edges resolve and fit: do those in parallel, then report the rest in order.
    let bad: Vec<usize> = {
        use rayon::prelude::*;
        ends.par_iter()
            .zip(edges.par_iter_mut())
            .enumerate()
            .filter_map(|(k, (pe, edge))| {
                match (index.get(pe.from.as_ref()), index.get(pe.to.as_ref())) {
                    (Some(&f), Some(&t))
                        if !nodes[f].kind_known
                            || !nodes[t].kind_known
                            || edge.kind.fits(nodes[f].node.kind, nodes[t].node.kind) =>
                    {
                        edge.from = NodeIx(f as u32);
                        edge.to = NodeIx(t as u32);
                        None
                    }
                    _ => Some(k),
                }
            })
            .collect()
    };
    for k in bad {
        let (pe, edge) = (&ends[k], &mut edges[k]);
        let subject = Subject::Edge {
            index: pe.index,
            from: Some(&pe.from),
            to: Some(&pe.to),
            kind: Some(edge.kind.as_str()),
        };
        let mut found = [None, None];
        for (slot, (field, id)) in [("from", &pe.from), ("to", &pe.to)].into_iter().enumerate() {
            match index.get(id.as_ref()) {
                Some(&i) => found[slot] = Some(i),
                None => {
                    let help = suggest(id, &|_| true).unwrap_or_else(|| {
                        format!("`{field}` must be the id of a node in this file")
                    });
                    reader.diags.push(
                        Diagnostic::error(
                            Some(edge.span),
                            format!("`{field}` {} names no node", quote(id)),
                        )
                        .about_subject(&subject)
                        .help(help),
                    );
                }
            }
        }
        let [Some(f), Some(t)] = found else { continue };
        let (from, to) = (&nodes[f], &nodes[t]);
        if from.kind_known && to.kind_known && !edge.kind.fits(from.node.kind, to.node.kind) {
            reader.diags.push(
                Diagnostic::error(
                    Some(edge.span),
                    format!(
                        "`{}` goes from {}; here it goes from a {} to a {}",
                        edge.kind,
                        edge.kind.signature(),
                        from.node.kind,
                        to.node.kind
                    ),
                )
                .about_subject(&subject)
                .help("use the edge kind that matches these endpoints, or fix the endpoints"),
            );
            continue;
        }
        edge.from = NodeIx(f as u32);
        edge.to = NodeIx(t as u32);
    }
    drop(ends);

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
        edges,
    }
}
