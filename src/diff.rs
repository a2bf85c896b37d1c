//! `diff OLD NEW`: did this change give anyone new authority? Both graphs are analysed under
//! the same policy; findings are matched by id, subject × critical-node access levels are
//! compared, and nodes and edges are counted as added, removed or changed.

use crate::analyze::{Options, Report, context, judgement_time, report_with};
use crate::findings::{Finding, Rule, Severity};
use crate::graph::AuthGraph;
use crate::model::{Edge, EdgeKind, Graph, Level, Node, NodeIx};
use crate::reach::matrix::{BLOCK, Matrix, Planes};
use crate::reach::{Engine, ReachOptions, Walk, with_scratch};
use crate::rules::{Context, critical_targets};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// How a subject's access to a critical node changed.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Appeared,
    Rose,
    Fell,
    Vanished,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Appeared => "appeared",
            Change::Rose => "rose",
            Change::Fell => "fell",
            Change::Vanished => "vanished",
        }
    }

    /// More access than before.
    pub fn is_gain(self) -> bool {
        matches!(self, Change::Appeared | Change::Rose)
    }
}

/// One subject's changed access to one critical node. The path is the new witness (the old
/// one when the access vanished).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessChange {
    pub change: Change,
    pub subject: String,
    pub target: String,
    pub before: Option<Level>,
    pub after: Option<Level>,
    pub external: bool,
    pub path: Vec<String>,
    pub path_edges: Vec<EdgeKind>,
    pub message: String,
}

/// Nodes and edges added, removed and changed. Nodes match by id; edges by (from, to,
/// kind), identical edges first, the rest of a key's edges counting as changed pairwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Delta {
    pub nodes_added: usize,
    pub nodes_removed: usize,
    pub nodes_changed: usize,
    pub edges_added: usize,
    pub edges_removed: usize,
    pub edges_changed: usize,
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        *self == Delta::default()
    }
}

/// The whole comparison.
#[derive(Debug)]
pub struct Diff {
    /// Each graph's analysis. Their access findings (transitive, external and partner
    /// access) carry ids, levels and waivers but no paths: only `new_findings` and
    /// `resolved` are written out.
    pub old: Report,
    pub new: Report,
    pub delta: Delta,
    /// Counted findings of NEW whose ids OLD did not have.
    pub new_findings: Vec<Finding>,
    /// Findings of OLD whose ids NEW no longer has.
    pub resolved: Vec<Finding>,
    /// Sorted by subject, then target.
    pub access: Vec<AccessChange>,
    pub fail_on: Option<Severity>,
}

impl Diff {
    /// New findings at or above `--fail-on`.
    pub fn failing_findings(&self) -> impl Iterator<Item = &Finding> {
        self.new_findings
            .iter()
            .filter(|f| self.fail_on.is_some_and(|t| f.severity.at_least(t)))
    }

    /// External subjects that gained access to a critical node.
    pub fn external_gains(&self) -> impl Iterator<Item = &AccessChange> {
        self.access
            .iter()
            .filter(|a| a.external && a.change.is_gain())
    }

    /// Assertions that newly fail: the new assertion-violated findings.
    pub fn new_assertion_failures(&self) -> impl Iterator<Item = &Finding> {
        self.new_findings
            .iter()
            .filter(|f| f.rule == Rule::AssertionViolated)
    }

    /// Exit 1: a new finding at or above `--fail-on`, or an external subject gained access
    /// to a critical node.
    pub fn fails(&self) -> bool {
        self.failing_findings().next().is_some() || self.external_gains().next().is_some()
    }
}

/// Compares `old` and `new` under the same options.
pub fn diff(old: &Graph, new: &Graph, opts: &Options, fail_on: Option<Severity>) -> Diff {
    let ((old_report, new_report, access, new_findings, resolved), delta) =
        rayon::join(|| analyze_both(old, new, opts), || delta(old, new));
    Diff {
        old: old_report,
        new: new_report,
        delta,
        new_findings,
        resolved,
        access,
        fail_on,
    }
}

/// Both graphs analysed, and their access maps compared: the matrices of both graphs are
/// built over the same targets (every critical node of either, by id), block for block, so
/// comparing them is comparing bit planes; only changed pairs get paths and sentences.
///
/// Both reports' access findings are kept without paths (only their ids, order and waivers
/// matter to the comparison); the new and resolved findings are then written out in full.
fn analyze_both(
    old: &Graph,
    new: &Graph,
    opts: &Options,
) -> (
    Report,
    Report,
    Vec<AccessChange>,
    Vec<Finding>,
    Vec<Finding>,
) {
    // A diff compares findings and access; choke points are the analysis's business.
    let opts = &Options {
        choke_points: Some(0),
        ..opts.clone()
    };
    let (old_at, old_source) = judgement_time(old, opts.now);
    let (new_at, new_source) = judgement_time(new, opts.now);
    let (old_g, new_g) = rayon::join(|| AuthGraph::build(old), || AuthGraph::build(new));
    let old_e = Engine::new(&old_g, old_at, ReachOptions::default());
    let new_e = Engine::new(&new_g, new_at, ReachOptions::default());
    let (old_c, new_c) = (context(&old_e, opts), context(&new_e, opts));
    let mut ids: Vec<&str> = critical_targets(&old_c)
        .into_iter()
        .map(|n| old.node(n).id.as_str())
        .chain(
            critical_targets(&new_c)
                .into_iter()
                .map(|n| new.node(n).id.as_str()),
        )
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let lanes = |c: &Context<'_>| -> Vec<Option<NodeIx>> {
        ids.iter()
            .map(|id| {
                c.engine
                    .g
                    .node_ix(id)
                    .filter(|n| c.is_critical(*n) && c.engine.usable(*n))
            })
            .collect()
    };
    let (old_m, new_m) = rayon::join(
        || Matrix::new(&old_e, lanes(&old_c), old_c.subjects()),
        || Matrix::new(&new_e, lanes(&new_c), new_c.subjects()),
    );
    let ((old_r, new_r), access) = rayon::join(
        || {
            rayon::join(
                || report_with(&old_c, &old_m, opts, old_source, false),
                || report_with(&new_c, &new_m, opts, new_source, false),
            )
        },
        || compare_access(&ids, (&old_c, &old_m), (&new_c, &new_m)),
    );
    let ids = |r: &Report| -> HashSet<String> {
        r.findings
            .iter()
            .chain(&r.waived)
            .map(|f| f.id.clone())
            .collect()
    };
    let (old_ids, new_ids) = (ids(&old_r), ids(&new_r));
    let added: Vec<Finding> = new_r
        .findings
        .iter()
        .filter(|f| !old_ids.contains(&f.id))
        .cloned()
        .collect();
    let gone: Vec<Finding> = old_r
        .findings
        .iter()
        .chain(&old_r.waived)
        .filter(|f| !new_ids.contains(&f.id))
        .cloned()
        .collect();
    let (new_findings, resolved) = rayon::join(|| written(&new_c, added), || written(&old_c, gone));
    (old_r, new_r, access, new_findings, resolved)
}

/// Findings of `ctx`'s graph with paths and sentences: those of the access rules (kept
/// without, as `rules::sketch` left them) written out, each keeping its waiver note; the
/// contract's order.
fn written(ctx: &Context<'_>, findings: Vec<Finding>) -> Vec<Finding> {
    let access = [
        Rule::TransitivePrivilege,
        Rule::ExternalCriticalAccess,
        Rule::IndirectPartnerAccess,
    ];
    let (sketched, mut out): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .partition(|f| access.contains(&f.rule) && f.path.is_empty());
    let node = |id: &str| ctx.engine.g.node_ix(id);
    let pending: Vec<crate::rules::Pending> = sketched
        .iter()
        .filter_map(|f| {
            Some(crate::rules::Pending {
                rule: f.rule,
                severity: f.severity,
                subject: node(&f.subject)?,
                target: node(f.target.as_deref()?)?,
                level: f.level?,
            })
        })
        .collect();
    let notes: HashMap<&str, &crate::findings::WaiverNote> = sketched
        .iter()
        .filter_map(|f| Some((f.id.as_str(), f.waiver.as_ref()?)))
        .collect();
    for mut f in crate::rules::materialize(ctx, pending) {
        f.waiver = notes.get(f.id.as_str()).map(|n| (*n).clone());
        out.push(f);
    }
    crate::findings::sort(&mut out);
    out
}

/// One pair whose effective level differs, before its path is written.
struct Changed {
    subject: (Option<NodeIx>, Option<NodeIx>),
    lane: usize,
    before: Option<Level>,
    after: Option<Level>,
}

/// The level a row's planes give lane `j`.
fn level_at(p: Option<&Planes>, j: usize) -> Option<Level> {
    let p = p?;
    Level::ALL
        .iter()
        .rev()
        .copied()
        .find(|l| p[*l as usize][j / 64] >> (j % 64) & 1 == 1)
}

fn compare_access(
    ids: &[&str],
    old: (&Context<'_>, &Matrix<'_>),
    new: (&Context<'_>, &Matrix<'_>),
) -> Vec<AccessChange> {
    let rows = |m: &Matrix<'_>, b: usize| {
        let mut out: Vec<(NodeIx, Planes)> = Vec::new();
        m.block(b, |r| out.push((r.subject, r.effective)));
        out
    };
    let changed: Vec<Changed> = (0..old.1.blocks())
        .into_par_iter()
        .flat_map_iter(|b| {
            let (a, z) = (rows(old.1, b), rows(new.1, b));
            let mut out = Vec::new();
            let (mut i, mut k) = (0, 0);
            // Both lists are in subject id order: a merge.
            while i < a.len() || k < z.len() {
                let order = match (a.get(i), z.get(k)) {
                    (Some(x), Some(y)) => old
                        .0
                        .model
                        .node(x.0)
                        .id
                        .as_bytes()
                        .cmp(new.0.model.node(y.0).id.as_bytes()),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    _ => std::cmp::Ordering::Greater,
                };
                let (x, y) = match order {
                    std::cmp::Ordering::Less => (a.get(i), None),
                    std::cmp::Ordering::Greater => (None, z.get(k)),
                    std::cmp::Ordering::Equal => (a.get(i), z.get(k)),
                };
                i += usize::from(x.is_some());
                k += usize::from(y.is_some());
                for j in 0..BLOCK.min(ids.len() - b * BLOCK) {
                    let (before, after) =
                        (level_at(x.map(|r| &r.1), j), level_at(y.map(|r| &r.1), j));
                    if before != after {
                        out.push(Changed {
                            subject: (x.map(|r| r.0), y.map(|r| r.0)),
                            lane: b * BLOCK + j,
                            before,
                            after,
                        });
                    }
                }
            }
            out
        })
        .collect();
    // Paths: from the new graph, or the old one when the access vanished; one search per
    // subject and graph.
    let mut by_subject: std::collections::BTreeMap<(bool, NodeIx), Vec<&Changed>> =
        Default::default();
    for c in &changed {
        let key = match (c.after, c.subject) {
            (Some(_), (_, Some(n))) => (true, n),
            (_, (Some(n), _)) => (false, n),
            (_, (None, Some(n))) => (true, n),
            (_, (None, None)) => continue,
        };
        by_subject.entry(key).or_default().push(c);
    }
    let groups: Vec<_> = by_subject.into_iter().collect();
    let mut out: Vec<AccessChange> = groups
        .par_iter()
        .flat_map_iter(|((in_new, s), list)| {
            let (ctx, matrix) = if *in_new { new } else { old };
            with_scratch(|scratch| {
                let search = ctx.engine.search(
                    &[*s],
                    Level::Admin,
                    None,
                    Some(ctx.critical_floor()),
                    scratch,
                );
                list.iter()
                    .filter_map(|c| {
                        let target = matrix.targets()[c.lane]?;
                        let walk = search.witness(target, false)?;
                        let change = match (c.before, c.after) {
                            (None, _) => Change::Appeared,
                            (_, None) => Change::Vanished,
                            (Some(x), Some(y)) if y > x => Change::Rose,
                            _ => Change::Fell,
                        };
                        Some(access_change(
                            ctx.model, *s, target, &walk, change, c.before, c.after,
                        ))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    out.sort_unstable_by(|a, b| {
        (a.subject.as_bytes(), a.target.as_bytes())
            .cmp(&(b.subject.as_bytes(), b.target.as_bytes()))
    });
    out
}

/// Words and ids for a changed access: only changes are ever spelled out.
fn access_change(
    g: &Graph,
    subject: NodeIx,
    target: NodeIx,
    walk: &Walk,
    change: Change,
    before: Option<Level>,
    after: Option<Level>,
) -> AccessChange {
    AccessChange {
        change,
        subject: g.node(subject).id.clone(),
        target: g.node(target).id.clone(),
        before,
        after,
        external: is_external(g, subject),
        path: walk.nodes.iter().map(|n| g.node(*n).id.clone()).collect(),
        path_edges: walk.edges.iter().map(|e| g.edges[e.index()].kind).collect(),
        message: crate::explain::reach_sentence(g, walk, ""),
    }
}

/// A partner, or a node whose org is a partner.
fn is_external(g: &Graph, n: NodeIx) -> bool {
    g.org_of(n)
        .is_some_and(|o| g.node(o).kind == crate::model::NodeKind::Partner)
}

/// Whether two nodes say the same thing (ignoring where they were written).
fn same_node(a_graph: &Graph, a: &Node, b_graph: &Graph, b: &Node) -> bool {
    fn org<'g>(g: &'g Graph, n: &Node) -> Option<&'g str> {
        n.org.map(|o| g.node(o).id.as_str())
    }
    a.kind == b.kind
        && a.name == b.name
        && org(a_graph, a) == org(b_graph, b)
        && a.owner == b.owner
        && a.status == b.status
        && a.sensitivity == b.sensitivity
        && a.tags == b.tags
        && a.purpose == b.purpose
        && a.reviewed_at == b.reviewed_at
        && a.credential == b.credential
        && a.contract_end == b.contract_end
        && a.properties == b.properties
}

/// An edge's attributes, everything but its endpoints, kind and place.
fn same_edge(a: &Edge, b: &Edge) -> bool {
    a.level == b.level
        && a.requires == b.requires
        && a.redelegable == b.redelegable
        && a.expires_at == b.expires_at
        && a.granted_by() == b.granted_by()
        && a.purpose() == b.purpose()
        && a.reviewed_at() == b.reviewed_at()
        && a.properties() == b.properties()
}

/// A graph's edges sorted by (from id, to id, kind): two graphs' lists merge by key (a
/// sort, not a map of millions of small vectors).
fn edges_by_key(g: &Graph) -> Vec<(&str, &str, EdgeKind, &Edge)> {
    let mut out: Vec<_> = g
        .edges
        .iter()
        .map(|e| {
            (
                g.node(e.from).id.as_str(),
                g.node(e.to).id.as_str(),
                e.kind,
                e,
            )
        })
        .collect();
    out.par_sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    out
}

fn delta(old: &Graph, new: &Graph) -> Delta {
    let mut d = Delta::default();
    let old_nodes: HashMap<&str, &Node> = old.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let mut seen = 0usize;
    for n in &new.nodes {
        match old_nodes.get(n.id.as_str()) {
            None => d.nodes_added += 1,
            Some(o) => {
                seen += 1;
                if !same_node(old, o, new, n) {
                    d.nodes_changed += 1;
                }
            }
        }
    }
    d.nodes_removed = old.nodes.len() - seen;

    let (old_edges, new_edges) = rayon::join(|| edges_by_key(old), || edges_by_key(new));
    fn key<'g>(x: &(&'g str, &'g str, EdgeKind, &'g Edge)) -> (&'g str, &'g str, EdgeKind) {
        (x.0, x.1, x.2)
    }
    let (mut i, mut j) = (0, 0);
    while i < old_edges.len() || j < new_edges.len() {
        let k = match (old_edges.get(i), new_edges.get(j)) {
            (Some(a), Some(b)) => key(a).min(key(b)),
            (Some(a), None) => key(a),
            (None, Some(b)) => key(b),
            (None, None) => break,
        };
        let i_end = i + old_edges[i..].iter().take_while(|x| key(x) == k).count();
        let j_end = j + new_edges[j..].iter().take_while(|x| key(x) == k).count();
        let mut olds: Vec<&Edge> = old_edges[i..i_end].iter().map(|x| x.3).collect();
        let mut news: Vec<&Edge> = new_edges[j..j_end].iter().map(|x| x.3).collect();
        // Identical edges match first; what is left pairs up as changed.
        olds.retain(|o| match news.iter().position(|n| same_edge(o, n)) {
            Some(p) => {
                news.swap_remove(p);
                false
            }
            None => true,
        });
        let paired = olds.len().min(news.len());
        d.edges_changed += paired;
        d.edges_removed += olds.len() - paired;
        d.edges_added += news.len() - paired;
        (i, j) = (i_end, j_end);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_bytes;

    fn graph(edges: &str, extra_node: &str) -> Graph {
        let text = format!(
            r#"{{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [
                {{"id": "partner:p", "kind": "partner"}}, {{"id": "grp:g", "kind": "group"}},
                {{"id": "db:x", "kind": "resource", "sensitivity": "critical"}}{extra_node}],
                "edges": [{edges}]}}"#
        );
        load_bytes("g.json", text.as_bytes()).graph.unwrap()
    }

    #[test]
    fn a_new_edge_gives_a_partner_access_and_fails() {
        let old = graph(
            r#"{"from": "grp:g", "to": "db:x", "kind": "grants", "level": "read"}"#,
            "",
        );
        let new = graph(
            r#"{"from": "grp:g", "to": "db:x", "kind": "grants", "level": "read"},
               {"from": "partner:p", "to": "grp:g", "kind": "member_of"}"#,
            "",
        );
        let d = diff(&old, &new, &Options::default(), Some(Severity::High));
        assert_eq!(d.delta.edges_added, 1);
        assert_eq!(d.access.len(), 1);
        assert_eq!(d.access[0].change, Change::Appeared);
        assert_eq!(d.access[0].path, ["partner:p", "grp:g", "db:x"]);
        assert!(d.fails());
    }

    #[test]
    fn the_same_graph_twice_differs_in_nothing() {
        let g = graph(
            r#"{"from": "partner:p", "to": "grp:g", "kind": "member_of"}, {"from": "grp:g", "to": "db:x", "kind": "grants"}"#,
            "",
        );
        let d = diff(&g, &g, &Options::default(), Some(Severity::High));
        assert!(
            d.delta.is_empty()
                && d.access.is_empty()
                && d.new_findings.is_empty()
                && d.resolved.is_empty()
        );
        assert!(!d.fails());
    }

    #[test]
    fn changed_edges_and_nodes_are_counted() {
        let old = graph(
            r#"{"from": "grp:g", "to": "db:x", "kind": "grants", "level": "read"}"#,
            r#", {"id": "human:a", "kind": "human", "name": "A"}"#,
        );
        let new = graph(
            r#"{"from": "grp:g", "to": "db:x", "kind": "grants", "level": "write"}"#,
            r#", {"id": "human:a", "kind": "human", "name": "B"}, {"id": "human:b", "kind": "human"}"#,
        );
        let d = delta(&old, &new);
        assert_eq!(
            d,
            Delta {
                nodes_added: 1,
                nodes_removed: 0,
                nodes_changed: 1,
                edges_added: 0,
                edges_removed: 0,
                edges_changed: 1
            }
        );
    }
}
