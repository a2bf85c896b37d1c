//! The interactive report's document: what one self-contained HTML file shows of an
//! analysis (or of a diff) — the headline, the findings, the neighbourhoods of their paths,
//! and each shown node's fields with its blast radius and who-can, computed here. The HTML
//! itself is `render::html`; nothing here knows about markup.
//!
//! A report of a large graph shows the findings' neighbourhoods, not every node: the nodes
//! on shown findings' paths, and up to `NEIGHBOURS` of their neighbours each, at most
//! `MAX_NODES` nodes in all; what is left out is counted.

use crate::analyze::Report;
use crate::findings::{Finding, Severity};
use crate::graph::AuthGraph;
use crate::model::{Graph, Level, NodeIx};
use crate::reach::{Engine, ReachOptions};
use crate::rules::Subjects;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Neighbours drawn around each path node, at most (the rest are counted on the node).
pub(crate) const NEIGHBOURS: usize = 6;
/// Nodes a report carries, at most.
pub(crate) const MAX_NODES: usize = 20_000;
/// Nodes whose blast radius and who-can are computed (path nodes first).
pub(crate) const MAX_QUERIED: usize = 2_000;
/// Entries listed per query (the rest are counted).
const LISTED: usize = 25;

/// Everything the page shows.
#[derive(Serialize)]
pub struct Document {
    pub kind: &'static str,
    pub title: String,
    pub as_of: String,
    pub as_of_source: String,
    pub graph: Counts,
    pub summary: crate::findings::Summary,
    /// Per rule: (total, shown).
    pub by_rule: BTreeMap<&'static str, (usize, usize)>,
    pub exposure: Option<ExposureOut>,
    pub choke_nodes: Vec<(String, u64)>,
    /// What the answer is based on (sources, seams, what could not be decided), one line
    /// per fact.
    pub coverage_lines: Vec<String>,
    /// What the page calls each id it names (findings' subjects and targets, organisations,
    /// choke points, query lists) that is not a shown node and is not its own label; shown
    /// nodes carry theirs. One table, so a node listed by many queries is named once.
    pub labels: BTreeMap<String, String>,
    pub nodes: Vec<NodeOut>,
    pub edges: Vec<EdgeOut>,
    pub findings: Vec<FindingOut>,
    /// Access changes (diff only).
    pub access: Vec<AccessOut>,
    pub omitted: Omitted,
}

#[derive(Serialize)]
pub struct Counts {
    pub nodes: usize,
    pub edges: usize,
}

#[derive(Serialize)]
pub struct ExposureOut {
    pub subjects: u64,
    pub exposed: u64,
}

#[derive(Serialize)]
pub struct NodeOut {
    pub id: String,
    pub name: String,
    /// The name with a part of the id when another node shares the name; absent when it is
    /// the name itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub kind: &'static str,
    /// The organisation's id; empty for the home organisation.
    pub org: String,
    pub critical: bool,
    pub inactive: bool,
    pub fields: Vec<(&'static str, serde_json::Value)>,
    /// Neighbours left out of the picture.
    pub hidden: usize,
    pub blast: Option<Query>,
    pub who_can: Option<Query>,
}

/// A query's answer in brief: how many, and the first few (id, level).
#[derive(Serialize)]
pub struct Query {
    pub count: usize,
    pub critical: usize,
    pub first: Vec<(String, Level)>,
}

#[derive(Serialize)]
pub struct EdgeOut {
    pub from: usize,
    pub to: usize,
    pub kind: &'static str,
    pub level: &'static str,
}

#[derive(Serialize)]
pub struct FindingOut {
    pub id: String,
    pub rule: &'static str,
    pub severity: Severity,
    pub subject: String,
    pub target: Option<String>,
    pub level: Option<Level>,
    pub message: String,
    /// Node indices into `nodes`.
    pub path: Vec<usize>,
    pub path_edges: Vec<&'static str>,
    /// Organisations on the path (ids; empty for home).
    pub orgs: Vec<String>,
    /// `new` or `resolved` in a diff, `waived` for a finding a policy waiver accepts (listed,
    /// not counted); empty otherwise.
    pub status: &'static str,
}

#[derive(Serialize)]
pub struct AccessOut {
    pub subject: String,
    pub target: String,
    pub change: &'static str,
    pub before: Option<Level>,
    pub after: Option<Level>,
    pub message: String,
    pub path: Vec<usize>,
}

#[derive(Serialize, Default)]
pub struct Omitted {
    pub findings: usize,
    pub nodes: usize,
}

/// Collects the nodes a report shows, by id, across one or two graphs.
struct Shown {
    index: HashMap<String, usize>,
    order: Vec<(usize, NodeIx)>,
    omitted: usize,
}

impl Shown {
    fn new() -> Shown {
        Shown {
            index: HashMap::new(),
            order: Vec::new(),
            omitted: 0,
        }
    }

    /// The index of node `id` (from the first graph that has it), added if room is left.
    fn add(&mut self, id: &str, ix: &[HashMap<&str, NodeIx>]) -> Option<usize> {
        if let Some(i) = self.index.get(id) {
            return Some(*i);
        }
        let (g, n) = ix
            .iter()
            .enumerate()
            .find_map(|(g, m)| m.get(id).map(|n| (g, *n)))?;
        if self.order.len() >= MAX_NODES {
            self.omitted += 1;
            return None;
        }
        self.index.insert(id.to_owned(), self.order.len());
        self.order.push((g, n));
        Some(self.order.len() - 1)
    }
}

fn id_maps<'g>(graphs: &[&'g Graph]) -> Vec<HashMap<&'g str, NodeIx>> {
    graphs
        .iter()
        .map(|g| {
            g.nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.id.as_str(), NodeIx(i as u32)))
                .collect()
        })
        .collect()
}

/// The fewest characters of an id that a disambiguating tag shows.
const TAG_MIN: usize = 6;

/// What the page calls each node: its name; and where distinct nodes of the graphs shown
/// share a name, the name followed by the shortest prefix of the id (at least `TAG_MIN`
/// characters, `…` when cut) that tells that name's nodes apart. Opaque ids (GitHound's
/// GraphQL ids) never stand in for a name, yet two `TESTSECRET`s still read as two.
/// Computed over whole graphs, not the nodes shown, so a label does not change with
/// which neighbours fit.
struct Labels<'g> {
    ix: &'g [HashMap<&'g str, NodeIx>],
    graphs: &'g [&'g Graph],
    tags: HashMap<&'g str, String>,
}

impl<'g> Labels<'g> {
    fn new(graphs: &'g [&'g Graph], ix: &'g [HashMap<&'g str, NodeIx>]) -> Labels<'g> {
        let mut by_name: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for g in graphs {
            for n in &g.nodes {
                by_name
                    .entry(n.display_name())
                    .or_default()
                    .insert(n.id.as_str());
            }
        }
        let mut tags = HashMap::new();
        for ids in by_name.into_values().filter(|ids| ids.len() > 1) {
            let longest = ids.iter().map(|id| id.chars().count()).max().unwrap_or(0);
            let mut len = TAG_MIN;
            while len < longest {
                let prefixes: BTreeSet<&str> = ids.iter().map(|id| prefix(id, len)).collect();
                if prefixes.len() == ids.len() {
                    break;
                }
                len += 1;
            }
            for id in ids {
                let p = prefix(id, len);
                let tag = if p.len() < id.len() {
                    format!("{p}…")
                } else {
                    p.to_owned()
                };
                tags.insert(id, tag);
            }
        }
        Labels { ix, graphs, tags }
    }

    /// The name with its tag, if it needs one.
    fn tagged(&self, id: &str, name: &str) -> Option<String> {
        self.tags.get(id).map(|t| format!("{name} ‹{t}›"))
    }

    /// The label of node `id` (from the first graph that has it); the id itself if no
    /// graph has it.
    fn of(&self, id: &str) -> String {
        let name = self
            .ix
            .iter()
            .zip(self.graphs)
            .find_map(|(m, g)| m.get(id).map(|n| g.node(*n).display_name()))
            .unwrap_or(id);
        self.tagged(id, name).unwrap_or_else(|| name.to_owned())
    }
}

/// The first `chars` characters of `s`.
fn prefix(s: &str, chars: usize) -> &str {
    s.char_indices().nth(chars).map_or(s, |(at, _)| &s[..at])
}

fn org_id(g: &Graph, n: NodeIx) -> String {
    g.org_of(n)
        .map(|o| g.node(o).id.clone())
        .unwrap_or_default()
}

/// The report of one analysis of `model`.
pub(crate) fn of_analysis(model: &Graph, report: &Report, subjects: Subjects) -> Document {
    let findings: Vec<(&Finding, &'static str)> = report
        .findings
        .iter()
        .map(|f| (f, ""))
        .chain(report.waived.iter().map(|f| (f, "waived")))
        .collect();
    let mut doc = build(
        "analysis",
        vec![model],
        &findings,
        Vec::new(),
        report,
        subjects,
    );
    doc.title = format!("authpath report: {}", report.source);
    doc
}

/// The report of a diff: new and resolved findings, and access changes, over both graphs
/// (nodes from NEW first).
pub(crate) fn of_diff(old: &Graph, new: &Graph, d: &crate::diff::Diff) -> Document {
    let findings: Vec<(&Finding, &'static str)> = d
        .new_findings
        .iter()
        .map(|f| (f, "new"))
        .chain(d.resolved.iter().map(|f| (f, "resolved")))
        .collect();
    let access: Vec<(&crate::diff::AccessChange, Vec<String>)> =
        d.access.iter().map(|a| (a, a.path.clone())).collect();
    let mut doc = build(
        "diff",
        vec![new, old],
        &findings,
        access,
        &d.new,
        Subjects::Default,
    );
    doc.title = format!("authpath diff: {} → {}", d.old.source, d.new.source);
    doc
}

fn build(
    kind: &'static str,
    graphs: Vec<&Graph>,
    findings: &[(&Finding, &'static str)],
    access: Vec<(&crate::diff::AccessChange, Vec<String>)>,
    report: &Report,
    subjects: Subjects,
) -> Document {
    let ix = id_maps(&graphs);
    let labels = Labels::new(&graphs, &ix);
    let mut shown = Shown::new();
    let mut out_findings = Vec::new();
    let mut omitted_findings = 0;
    // Path nodes first, so that every shown finding's path is whole.
    for (f, status) in findings {
        let before = shown.order.len();
        // A finding without a path (a credential's) is drawn at its subject.
        let anchor = if f.path.is_empty() {
            std::slice::from_ref(&f.subject)
        } else {
            f.path.as_slice()
        };
        let drawn: Option<Vec<usize>> = anchor.iter().map(|id| shown.add(id, &ix)).collect();
        let Some(drawn) = drawn else {
            // No room for its path: undo what it added and count it out.
            for (g, n) in shown.order.drain(before..) {
                shown.index.remove(&graphs[g].node(n).id);
            }
            omitted_findings += 1;
            continue;
        };
        let orgs: BTreeSet<String> = drawn
            .iter()
            .map(|i| {
                let (g, n) = shown.order[*i];
                org_id(graphs[g], n)
            })
            .collect();
        let path = if f.path.is_empty() { Vec::new() } else { drawn };
        out_findings.push(FindingOut {
            id: f.id.clone(),
            rule: f.rule.name(),
            severity: f.severity,
            subject: f.subject.clone(),
            target: f.target.clone(),
            level: f.level,
            message: f.message.clone(),
            path,
            path_edges: f.path_edges.iter().map(|k| k.as_str()).collect(),
            orgs: orgs.into_iter().collect(),
            status,
        });
    }
    let mut out_access = Vec::new();
    for (a, path) in &access {
        let p: Vec<usize> = path.iter().filter_map(|id| shown.add(id, &ix)).collect();
        out_access.push(AccessOut {
            subject: a.subject.clone(),
            target: a.target.clone(),
            change: a.change.as_str(),
            before: a.before,
            after: a.after,
            message: a.message.clone(),
            path: p,
        });
    }
    // Then the neighbours of path nodes, a few each, in id order.
    let path_nodes = shown.order.len();
    let mut hidden = vec![0usize; path_nodes];
    let adjacency: Vec<Vec<Vec<NodeIx>>> = graphs
        .iter()
        .map(|g| {
            let mut adj = vec![Vec::new(); g.nodes.len()];
            for e in &g.edges {
                adj[e.from.index()].push(e.to);
                adj[e.to.index()].push(e.from);
            }
            for list in &mut adj {
                list.sort_unstable_by(|a, b| g.node(*a).id.cmp(&g.node(*b).id));
                list.dedup();
            }
            adj
        })
        .collect();
    for (i, count) in hidden.iter_mut().enumerate() {
        let (g, n) = shown.order[i];
        let mut added = 0;
        for m in &adjacency[g][n.index()] {
            let id = &graphs[g].node(*m).id;
            if shown.index.contains_key(id) {
                continue;
            }
            if added < NEIGHBOURS && shown.add(id, &ix).is_some() {
                added += 1;
            } else {
                *count += 1;
            }
        }
    }
    // The edges that touch a path node, between shown nodes (of the graph each node came
    // from; repeated pairs once per kind): what a finding's picture draws.
    let mut edges = Vec::new();
    let mut seen = BTreeSet::new();
    for (gi, g) in graphs.iter().enumerate() {
        for e in &g.edges {
            let (Some(a), Some(b)) = (
                shown.index.get(&g.node(e.from).id),
                shown.index.get(&g.node(e.to).id),
            ) else {
                continue;
            };
            if (shown.order[*a].0 != gi && shown.order[*b].0 != gi)
                || (*a >= path_nodes && *b >= path_nodes)
            {
                continue;
            }
            if seen.insert((*a, *b, e.kind)) {
                edges.push(EdgeOut {
                    from: *a,
                    to: *b,
                    kind: e.kind.as_str(),
                    level: if e.kind == crate::model::EdgeKind::Exposes {
                        e.requires.as_str()
                    } else {
                        e.level.as_str()
                    },
                });
            }
        }
    }
    let queries = queries(graphs[0], &shown, path_nodes, report, subjects);
    let mut nodes: Vec<NodeOut> = shown
        .order
        .iter()
        .enumerate()
        .map(|(i, (g, n))| {
            let graph = graphs[*g];
            let node = graph.node(*n);
            NodeOut {
                id: node.id.clone(),
                name: node.display_name().to_owned(),
                label: labels.tagged(&node.id, node.display_name()),
                kind: node.kind.as_str(),
                org: org_id(graph, *n),
                critical: node.is_critical(),
                inactive: !node.is_live(),
                fields: crate::export::node_fields(graph, node),
                hidden: hidden.get(i).copied().unwrap_or(0),
                blast: None,
                who_can: None,
            }
        })
        .collect();
    for (i, (blast, who)) in queries {
        nodes[i].blast = Some(blast);
        nodes[i].who_can = Some(who);
    }
    let choke_nodes: Vec<(String, u64)> = report
        .choke_points
        .as_ref()
        .map(|c| {
            c.nodes
                .iter()
                .take(10)
                .filter_map(|ch| match &ch.what {
                    crate::choke::Element::Node(id) => Some((id.clone(), ch.pairs)),
                    crate::choke::Element::Edge { .. } => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let named = nodes
        .iter()
        .map(|n| n.org.as_str())
        .chain(out_findings.iter().flat_map(|f| {
            f.orgs
                .iter()
                .map(String::as_str)
                .chain([f.subject.as_str()])
                .chain(f.target.as_deref())
        }))
        .chain(
            out_access
                .iter()
                .flat_map(|a| [a.subject.as_str(), a.target.as_str()]),
        )
        .chain(choke_nodes.iter().map(|c| c.0.as_str()))
        .chain(nodes.iter().flat_map(|n| {
            [&n.blast, &n.who_can]
                .into_iter()
                .flatten()
                .flat_map(|q| q.first.iter().map(|f| f.0.as_str()))
        }));
    let mut label_table = BTreeMap::new();
    for id in named {
        if id.is_empty() || shown.index.contains_key(id) || label_table.contains_key(id) {
            continue;
        }
        let label = labels.of(id);
        if label != id {
            label_table.insert(id.to_owned(), label);
        }
    }
    Document {
        kind,
        title: String::new(),
        as_of: report.as_of.to_string(),
        as_of_source: format!("{:?}", report.as_of_source).to_lowercase(),
        graph: Counts {
            nodes: report.nodes,
            edges: report.edges,
        },
        summary: report.summary(),
        by_rule: report.totals.by_rule.clone(),
        exposure: report.exposure.as_ref().map(|e| ExposureOut {
            subjects: e.subjects,
            exposed: e.exposed,
        }),
        choke_nodes,
        coverage_lines: report.coverage.lines(),
        labels: label_table,
        nodes,
        edges,
        findings: out_findings,
        access: out_access,
        omitted: Omitted {
            findings: omitted_findings,
            nodes: shown.omitted,
        },
    }
}

/// Blast radius and who-can for shown nodes of the first graph (path nodes first), at its
/// instant of judgement: a multi-source search per node forwards, the engine's reverse
/// query backwards, in parallel.
fn queries(
    model: &Graph,
    shown: &Shown,
    path_nodes: usize,
    report: &Report,
    subjects: Subjects,
) -> Vec<(usize, (Query, Query))> {
    use rayon::prelude::*;
    let g = AuthGraph::build(model);
    let engine = Engine::new(&g, report.as_of, ReachOptions::default());
    let limit = if shown.order.len() <= MAX_QUERIED {
        shown.order.len()
    } else {
        path_nodes.min(MAX_QUERIED)
    };
    let picked: Vec<(usize, NodeIx)> = shown.order[..limit]
        .iter()
        .enumerate()
        .filter(|(_, (gi, _))| *gi == 0)
        .map(|(i, (_, n))| (i, *n))
        .collect();
    picked
        .par_iter()
        .map(|(i, n)| {
            let blast = crate::reach::with_scratch(|scratch| {
                let search = engine.search(&[*n], Level::Admin, None, None, scratch);
                let mut reached: Vec<(NodeIx, Level)> = search
                    .reached()
                    .filter(|m| m != n)
                    .filter_map(|m| search.level(m, false).map(|l| (m, l)))
                    .collect();
                reached.sort_unstable_by_key(|(m, _)| engine.id_rank(*m));
                reached.dedup_by_key(|(m, _)| *m);
                brief(model, reached)
            });
            let keep = |m: NodeIx| crate::rules::is_subject(&engine, subjects, m);
            let who = engine
                .who_can_levels(*n, Level::Read, &keep)
                .into_iter()
                .collect::<Vec<_>>();
            (*i, (blast, brief(model, who)))
        })
        .collect()
}

/// Critical ones first, then by id; the first `LISTED`.
fn brief(model: &Graph, mut list: Vec<(NodeIx, Level)>) -> Query {
    let critical = list
        .iter()
        .filter(|(m, _)| model.node(*m).is_critical())
        .count();
    list.sort_by(|a, b| {
        (!model.node(a.0).is_critical(), &model.node(a.0).id)
            .cmp(&(!model.node(b.0).is_critical(), &model.node(b.0).id))
    });
    Query {
        count: list.len(),
        critical,
        first: list
            .iter()
            .take(LISTED)
            .map(|(m, l)| (model.node(*m).id.clone(), *l))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_index_the_shown_nodes_and_neighbours_are_bounded() {
        // A partner reaches a critical database through a chain; a group has many members.
        let mut nodes = vec![
            r#"{"id": "p", "kind": "partner"}"#.to_string(),
            r#"{"id": "k", "kind": "credential"}"#.into(),
            r#"{"id": "s", "kind": "service"}"#.into(),
            r#"{"id": "g", "kind": "group"}"#.into(),
            r#"{"id": "db", "kind": "resource", "sensitivity": "critical"}"#.into(),
        ];
        let mut edges = vec![
            r#"{"from": "p", "to": "k", "kind": "holds"}"#.to_string(),
            r#"{"from": "k", "to": "s", "kind": "authenticates_as"}"#.into(),
            r#"{"from": "s", "to": "g", "kind": "member_of"}"#.into(),
            r#"{"from": "g", "to": "db", "kind": "grants"}"#.into(),
        ];
        for i in 0..20 {
            nodes.push(format!(r#"{{"id": "h{i:02}", "kind": "human"}}"#));
            edges.push(format!(
                r#"{{"from": "h{i:02}", "to": "g", "kind": "member_of"}}"#
            ));
        }
        let text = format!(
            r#"{{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [{}], "edges": [{}]}}"#,
            nodes.join(","),
            edges.join(",")
        );
        let model = crate::load::load_bytes("t.json", text.as_bytes())
            .graph
            .unwrap();
        let report = crate::analyze::analyze(&model, &Default::default());
        let doc = of_analysis(&model, &report, Subjects::Default);
        let f = doc
            .findings
            .iter()
            .find(|f| f.rule == "transitive-privilege" && f.subject == "p")
            .unwrap();
        let ids: Vec<&str> = f.path.iter().map(|i| doc.nodes[*i].id.as_str()).collect();
        assert_eq!(ids, ["p", "k", "s", "g", "db"]);
        assert_eq!(f.orgs, ["", "p"]);
        let g = doc.nodes.iter().find(|n| n.id == "g").unwrap();
        // Six of its twenty members are drawn, the others counted.
        let members = doc.nodes.iter().filter(|n| n.id.starts_with('h')).count();
        assert_eq!(members, NEIGHBOURS);
        assert_eq!(g.hidden, 20 - NEIGHBOURS);
        let db = doc.nodes.iter().find(|n| n.id == "db").unwrap();
        assert!(db.critical);
        let who = db.who_can.as_ref().unwrap();
        assert_eq!(who.first[0], ("p".to_string(), Level::Admin));
        assert!(
            doc.edges
                .iter()
                .all(|e| e.from < doc.nodes.len() && e.to < doc.nodes.len())
        );
    }

    #[test]
    fn nodes_that_share_a_name_are_told_apart_by_the_shortest_distinct_id_prefix() {
        let text = r#"{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [
            {"id": "GH_Secret_R_kgDOMuFnXA_TESTSECRET", "kind": "credential", "name": "TESTSECRET"},
            {"id": "GH_EnvironmentSecret_EN_kwDOQ_TESTSECRET", "kind": "credential", "name": "TESTSECRET"},
            {"id": "svc:billing:default", "kind": "service", "name": "default"},
            {"id": "svc:billing:default2", "kind": "service", "name": "default"},
            {"id": "U_kgDOD64CFw", "kind": "human", "name": "jared"},
            {"id": "no-name", "kind": "human"}
        ], "edges": []}"#;
        let model = crate::load::load_bytes("t.json", text.as_bytes())
            .graph
            .unwrap();
        let graphs = [&model];
        let ix = id_maps(&graphs);
        let labels = Labels::new(&graphs, &ix);
        assert_eq!(
            labels.of("GH_Secret_R_kgDOMuFnXA_TESTSECRET"),
            "TESTSECRET ‹GH_Sec…›"
        );
        assert_eq!(
            labels.of("GH_EnvironmentSecret_EN_kwDOQ_TESTSECRET"),
            "TESTSECRET ‹GH_Env…›"
        );
        // One id is a prefix of the other: the shorter is shown whole.
        assert_eq!(
            labels.of("svc:billing:default"),
            "default ‹svc:billing:default›"
        );
        assert_eq!(
            labels.of("svc:billing:default2"),
            "default ‹svc:billing:default2›"
        );
        assert_eq!(labels.of("U_kgDOD64CFw"), "jared");
        assert_eq!(labels.of("no-name"), "no-name");
        assert_eq!(labels.of("absent"), "absent");
    }
}
