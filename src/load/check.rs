//! Cross-checks that need every node at hand: unique ids, `org` and edge endpoints that
//! resolve, and edge kinds that fit their endpoints.

use super::fields::{Ends, PendingNode, Reader};
use crate::diagnostics::{Diagnostic, Subject, codes, did_you_mean, quote};
use crate::model::{Edge, Graph, NodeIx};
use crate::timestamp::Timestamp;
use std::collections::HashMap;

/// Suggestions scan every id; past this many unresolved references they stop, so a file of
/// dangling edges stays fast to reject.
const SUGGESTION_BUDGET: usize = 50;

/// Node id → its place in `nodes` (the first, when an id repeats).
type Index<'n> = HashMap<&'n str, usize, foldhash::fast::RandomState>;

pub(crate) fn resolve(
    source: &str,
    as_of: Option<Timestamp>,
    nodes: Vec<PendingNode>,
    ends: Vec<Ends<'_>>,
    mut edges: Vec<Edge>,
    reader: &mut Reader<'_, '_>,
) -> Graph {
    let index = unique_ids(&nodes, reader);
    let mut suggest = Suggestions {
        nodes: &nodes,
        budget: SUGGESTION_BUDGET,
    };
    let mut orgs = vec![None; nodes.len()];
    for (p, org) in nodes.iter().zip(&mut orgs) {
        dangling_owner(p, &index, reader);
        *org = resolve_org(p, &nodes, &index, &mut suggest, reader);
    }
    resolve_edges(&nodes, &index, &ends, &mut edges, &mut suggest, reader);
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
        notes: Vec::new(),
        coverage: None,
    }
}

/// The id index; a repeated id is an error at the repeat, since every reference to it
/// would be ambiguous.
fn unique_ids<'n>(nodes: &'n [PendingNode], reader: &mut Reader<'_, '_>) -> Index<'n> {
    let mut index: Index<'n> = HashMap::with_capacity_and_hasher(nodes.len(), Default::default());
    for (i, p) in nodes.iter().enumerate() {
        if let Some(&first) = index.get(p.node.id.as_str()) {
            let f = &nodes[first];
            reader.diags.push(
                Diagnostic::error(
                    codes::DUPLICATE_ID,
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
    index
}

/// "Did you mean" for an unresolved reference, within a budget shared by every check.
struct Suggestions<'n> {
    nodes: &'n [PendingNode],
    budget: usize,
}

impl Suggestions<'_> {
    fn closest(&mut self, wanted: &str, filter: &dyn Fn(&PendingNode) -> bool) -> Option<String> {
        if self.budget == 0 {
            return None;
        }
        self.budget -= 1;
        did_you_mean(
            wanted,
            self.nodes
                .iter()
                .filter(|p| filter(p))
                .map(|p| p.node.id.as_str()),
        )
        .map(|m| format!("did you mean {}?", quote(m)))
    }
}

fn node_subject(p: &PendingNode) -> Subject<'_> {
    Subject::Node {
        index: p.index,
        id: Some(&p.node.id),
    }
}

/// An `owner` that names no node is only a warning: the graph is still sound, and
/// `analyze` judges the credential as orphaned where it applies.
fn dangling_owner(p: &PendingNode, index: &Index<'_>, reader: &mut Reader<'_, '_>) {
    if let Some(owner) = &p.node.owner
        && !index.contains_key(owner.as_str())
    {
        reader.diags.push(
            Diagnostic::warning(
                codes::UNKNOWN_OWNER,
                Some(p.node.span),
                format!("`owner` {} names no node", quote(owner)),
            )
            .about_subject(&node_subject(p))
            .help("this is not a load error: `analyze` reports it as an orphaned-credential (owner-missing) finding where it applies"),
        );
    }
}

/// The organisation `org` names, when it names a tenant or partner; anything else is an
/// error, as the trust boundaries the rules judge would be wrong.
fn resolve_org(
    p: &PendingNode,
    nodes: &[PendingNode],
    index: &Index<'_>,
    suggest: &mut Suggestions<'_>,
    reader: &mut Reader<'_, '_>,
) -> Option<NodeIx> {
    let (org, span) = p.org.as_ref()?;
    let subject = node_subject(p);
    if p.kind_known && p.node.kind.is_org() {
        reader.diags.push(
            Diagnostic::error(
                codes::ORG_ON_ORGANISATION,
                Some(*span),
                format!(
                    "a {} is its own organisation and must not carry `org`",
                    p.node.kind
                ),
            )
            .about_subject(&subject)
            .help("remove `org` from this node"),
        );
        return None;
    }
    match index.get(org.as_str()) {
        None => {
            let help = suggest
                .closest(org, &|c: &PendingNode| c.node.kind.is_org())
                .unwrap_or_else(|| {
                    "`org` must be the id of a tenant or partner node in this file".into()
                });
            reader.diags.push(
                Diagnostic::error(
                    codes::UNKNOWN_ORG,
                    Some(*span),
                    format!("`org` {} names no node", quote(org)),
                )
                .about_subject(&subject)
                .help(help),
            );
            None
        }
        Some(&o) if nodes[o].kind_known && !nodes[o].node.kind.is_org() => {
            reader.diags.push(
                Diagnostic::error(
                    codes::ORG_NOT_ORGANISATION,
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
            None
        }
        Some(&o) => Some(NodeIx(o as u32)),
    }
}

/// Points every edge at its endpoints. Most edges resolve and fit: those are done in
/// parallel, then the rest are reported in file order.
fn resolve_edges(
    nodes: &[PendingNode],
    index: &Index<'_>,
    ends: &[Ends<'_>],
    edges: &mut [Edge],
    suggest: &mut Suggestions<'_>,
    reader: &mut Reader<'_, '_>,
) {
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
        let Some((f, t)) = endpoints(pe, edge, index, suggest, reader) else {
            continue;
        };
        if !kind_fits(pe, edge, &nodes[f], &nodes[t], reader) {
            continue;
        }
        edge.from = NodeIx(f as u32);
        edge.to = NodeIx(t as u32);
    }
}

fn edge_subject<'e>(pe: &'e Ends<'_>, edge: &Edge) -> Subject<'e> {
    Subject::Edge {
        index: pe.index,
        from: Some(&pe.from),
        to: Some(&pe.to),
        kind: Some(edge.kind.as_str()),
    }
}

/// Both endpoints' places in `nodes`, or `None` after reporting each one that names no
/// node.
fn endpoints(
    pe: &Ends<'_>,
    edge: &Edge,
    index: &Index<'_>,
    suggest: &mut Suggestions<'_>,
    reader: &mut Reader<'_, '_>,
) -> Option<(usize, usize)> {
    let mut found = [None, None];
    for (slot, (field, id)) in [("from", &pe.from), ("to", &pe.to)].into_iter().enumerate() {
        match index.get(id.as_ref()) {
            Some(&i) => found[slot] = Some(i),
            None => {
                let help = suggest
                    .closest(id, &|_| true)
                    .unwrap_or_else(|| format!("`{field}` must be the id of a node in this file"));
                reader.diags.push(
                    Diagnostic::error(
                        codes::UNKNOWN_ENDPOINT,
                        Some(edge.span),
                        format!("`{field}` {} names no node", quote(id)),
                    )
                    .about_subject(&edge_subject(pe, edge))
                    .help(help),
                );
            }
        }
    }
    let [Some(f), Some(t)] = found else {
        return None;
    };
    Some((f, t))
}

/// Whether the edge's kind may join these endpoints (docs/format.md gives each kind its
/// signature); a misfit is reported, since the rules would read a meaning it cannot have.
fn kind_fits(
    pe: &Ends<'_>,
    edge: &Edge,
    from: &PendingNode,
    to: &PendingNode,
    reader: &mut Reader<'_, '_>,
) -> bool {
    if !from.kind_known || !to.kind_known || edge.kind.fits(from.node.kind, to.node.kind) {
        return true;
    }
    reader.diags.push(
        Diagnostic::error(
            codes::EDGE_KIND_MISMATCH,
            Some(edge.span),
            format!(
                "`{}` goes from {}; here it goes from a {} to a {}",
                edge.kind,
                edge.kind.signature(),
                from.node.kind,
                to.node.kind
            ),
        )
        .about_subject(&edge_subject(pe, edge))
        .help("use the edge kind that matches these endpoints, or fix the endpoints"),
    );
    false
}
