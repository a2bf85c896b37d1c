//! `diff OLD NEW`: did this change give anyone new authority? Both graphs are analysed under
//! the same policy; findings are matched by id, subject × critical-node access levels are
//! compared, and nodes and edges are counted as added, removed or changed.

use crate::analyze::{Options, Report, analyze};
use crate::findings::{Finding, Rule, Severity};
use crate::model::{Edge, EdgeKind, Graph, Level, Node};
use crate::rules::Access;
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
pub struct Diff {
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
    let opts = Options {
        collect_access: true,
        ..opts.clone()
    };
    let ((old_report, new_report), delta) = rayon::join(
        || rayon::join(|| analyze(old, &opts), || analyze(new, &opts)),
        || delta(old, new),
    );
    let ids = |r: &Report| -> HashSet<String> {
        r.findings
            .iter()
            .chain(&r.waived)
            .map(|f| f.id.clone())
            .collect()
    };
    let (old_ids, new_ids) = (ids(&old_report), ids(&new_report));
    let new_findings = new_report
        .findings
        .iter()
        .filter(|f| !old_ids.contains(&f.id))
        .cloned()
        .collect();
    let resolved = old_report
        .findings
        .iter()
        .chain(&old_report.waived)
        .filter(|f| !new_ids.contains(&f.id))
        .cloned()
        .collect();
    let access = compare_access(old, &old_report.access, new, &new_report.access);
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

/// Access entries keyed and sorted by (subject id, target id), so two graphs' maps merge.
fn keyed<'g>(g: &'g Graph, access: &'g [Access]) -> Vec<(&'g str, &'g str, &'g Access)> {
    let mut out: Vec<_> = access
        .iter()
        .map(|a| {
            (
                g.node(a.subject).id.as_str(),
                g.node(a.target).id.as_str(),
                a,
            )
        })
        .collect();
    out.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    out
}

/// Words and ids for a changed access: only changes are ever spelled out.
fn change(
    g: &Graph,
    a: &Access,
    c: Change,
    before: Option<Level>,
    after: Option<Level>,
) -> AccessChange {
    let subject = g.node(a.subject);
    AccessChange {
        change: c,
        subject: subject.id.clone(),
        target: g.node(a.target).id.clone(),
        before,
        after,
        external: is_external(g, a.subject),
        path: a.walk.nodes.iter().map(|n| g.node(*n).id.clone()).collect(),
        path_edges: a
            .walk
            .edges
            .iter()
            .map(|e| g.edges[*e as usize].kind)
            .collect(),
        message: crate::explain::reach_sentence(g, &a.walk, ""),
    }
}

/// A partner, or a node whose org is a partner.
fn is_external(g: &Graph, n: crate::model::NodeIx) -> bool {
    let node = g.node(n);
    let org = if node.kind.is_org() {
        Some(n)
    } else {
        node.org
    };
    org.is_some_and(|o| g.node(o).kind == crate::model::NodeKind::Partner)
}

fn compare_access(
    old_g: &Graph,
    old: &[Access],
    new_g: &Graph,
    new: &[Access],
) -> Vec<AccessChange> {
    let (old, new) = (keyed(old_g, old), keyed(new_g, new));
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    // Both lists are sorted by (subject, target): a merge.
    while i < old.len() || j < new.len() {
        let order = match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) => (a.0, a.1).cmp(&(b.0, b.1)),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                let a = old[i].2;
                out.push(change(old_g, a, Change::Vanished, Some(a.walk.level), None));
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                let b = new[j].2;
                out.push(change(new_g, b, Change::Appeared, None, Some(b.walk.level)));
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let (a, b) = (old[i].2, new[j].2);
                let (la, lb) = (a.walk.level, b.walk.level);
                if lb > la {
                    out.push(change(new_g, b, Change::Rose, Some(la), Some(lb)));
                } else if lb < la {
                    out.push(change(new_g, b, Change::Fell, Some(la), Some(lb)));
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
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

/// A graph's edges grouped by (from id, to id, kind).
fn edges_by_key(g: &Graph) -> HashMap<(&str, &str, EdgeKind), Vec<&Edge>> {
    let mut out: HashMap<(&str, &str, EdgeKind), Vec<&Edge>> = HashMap::new();
    for e in &g.edges {
        out.entry((g.node(e.from).id.as_str(), g.node(e.to).id.as_str(), e.kind))
            .or_default()
            .push(e);
    }
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

    let old_edges = edges_by_key(old);
    let mut new_edges = edges_by_key(new);
    for (k, mut olds) in old_edges {
        let mut news = new_edges.remove(&k).unwrap_or_default();
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
    }
    d.edges_added += new_edges.values().map(Vec::len).sum::<usize>();
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
