//! What a picture shows: which nodes and edges, which of them lie on finding paths and at
//! what severity, and what was left out to keep the picture readable. The DOT writer only
//! draws what this chooses.

use crate::diagnostics::{did_you_mean, quote};
use crate::findings::{Finding, Rule, Severity};
use crate::graph::AuthGraph;
use crate::model::{EdgeIx, Graph, NodeIx, NodeKind};
use crate::reach::Walk;
use crate::timestamp::Timestamp;
use std::collections::{HashMap, HashSet, VecDeque};

/// The default node cap: past it a picture stops being readable.
pub const DEFAULT_MAX_NODES: usize = 300;

/// How to narrow a picture.
#[derive(Clone, Debug)]
pub struct PictureOptions {
    /// Draw only the neighbourhood of these nodes (both directions).
    pub focus: Vec<String>,
    /// Hops around `focus`.
    pub depth: usize,
    /// Only nodes and edges on finding paths (and the nodes findings are about).
    pub paths_only: bool,
    /// Draw only findings of these rules (all when empty).
    pub rules: Vec<Rule>,
    /// Draw only findings at or above this severity.
    pub min_severity: Option<Severity>,
    pub max_nodes: usize,
}

impl Default for PictureOptions {
    fn default() -> PictureOptions {
        PictureOptions {
            focus: Vec::new(),
            depth: 2,
            paths_only: false,
            rules: Vec::new(),
            min_severity: None,
            max_nodes: DEFAULT_MAX_NODES,
        }
    }
}

/// A picture's content, ready to be written in any picture format.
pub struct Picture<'g> {
    pub model: &'g Graph,
    pub as_of: Timestamp,
    /// The nodes drawn, in file order.
    pub nodes: Vec<NodeIx>,
    /// The edges drawn (indices into `model.edges`), in file order.
    pub edges: Vec<EdgeIx>,
    /// Nodes on finding paths or named by a finding, with the worst severity concerned.
    pub node_marks: HashMap<NodeIx, Severity>,
    /// Edges on finding paths, with the worst severity of the findings that use them.
    pub edge_marks: HashMap<EdgeIx, Severity>,
    /// How many findings the picture highlights.
    pub findings_drawn: usize,
    /// Nodes drawn as compromised (the sources of a blast radius or a cut).
    pub compromised: HashSet<NodeIx>,
    /// Edges drawn as cut (a revocation plan).
    pub cut: HashSet<EdgeIx>,
    /// Nodes that qualified but were left out by the node cap.
    pub left_out: usize,
}

impl Picture<'_> {
    /// What a reader should be told when the cap left nodes out: how many, and how to narrow.
    pub fn left_out_message(&self) -> Option<String> {
        (self.left_out > 0).then(|| {
            format!(
                "the picture shows {} of {} nodes ({} left out; nodes on finding paths were kept first). Narrow it with --paths-only, --focus ID --depth N, --rule NAME or --min-severity S, or raise --max-nodes",
                self.nodes.len(),
                self.nodes.len() + self.left_out,
                self.left_out
            )
        })
    }
}

/// Shape, extra style and fill of each node kind: one look for every picture (the DOT
/// writer, and the icon colours of the OpenGraph export).
pub(crate) fn kind_style(kind: NodeKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        NodeKind::Human => ("ellipse", "filled", "#dbeafe"),
        NodeKind::Service => ("box", "filled,rounded", "#e0e7ff"),
        NodeKind::Agent => ("hexagon", "filled", "#ede9fe"),
        NodeKind::App => ("component", "filled", "#e0f2fe"),
        NodeKind::Partner => ("house", "filled", "#fde68a"),
        NodeKind::Tenant => ("folder", "filled", "#d1fae5"),
        NodeKind::Group => ("tab", "filled", "#f3f4f6"),
        NodeKind::Credential => ("note", "filled", "#fef3c7"),
        NodeKind::Resource => ("cylinder", "filled", "#fee2e2"),
    }
}

/// Why a picture could not be chosen.
#[derive(Debug, PartialEq, Eq)]
pub struct PictureError(pub String);

/// Chooses what to draw of `g` with `findings` highlighted.
pub fn select<'g>(
    g: &AuthGraph<'g>,
    as_of: Timestamp,
    findings: &[Finding],
    opts: &PictureOptions,
) -> Result<Picture<'g>, PictureError> {
    let model = g.model;
    let drawn: Vec<&Finding> = findings
        .iter()
        .filter(|f| opts.rules.is_empty() || opts.rules.contains(&f.rule))
        .filter(|f| opts.min_severity.is_none_or(|m| f.severity.at_least(m)))
        .collect();
    let mut node_marks: HashMap<NodeIx, Severity> = HashMap::new();
    let mut edge_marks: HashMap<EdgeIx, Severity> = HashMap::new();
    let mut mark_node = |n: NodeIx, s: Severity| {
        let e = node_marks.entry(n).or_insert(s);
        *e = (*e).min(s);
    };
    for f in &drawn {
        let ids: Vec<Option<NodeIx>> = f.path.iter().map(|id| g.node_ix(id)).collect();
        for n in ids.iter().flatten() {
            mark_node(*n, f.severity);
        }
        if f.path.is_empty()
            && let Some(n) = g.node_ix(&f.subject)
        {
            mark_node(n, f.severity);
        }
        for (i, kind) in f.path_edges.iter().enumerate() {
            let (Some(Some(a)), Some(Some(b))) = (ids.get(i), ids.get(i + 1)) else {
                continue;
            };
            for &ei in g.out_edges(*a) {
                let e = &model.edges[ei.index()];
                if e.to == *b && e.kind == *kind {
                    let m = edge_marks.entry(ei).or_insert(f.severity);
                    *m = (*m).min(f.severity);
                }
            }
        }
    }

    // Candidates and their priority: marked nodes first (worst severity first), then by
    // distance from the focus, then in file order.
    let distance = match opts.focus.is_empty() {
        true => None,
        false => Some(neighbourhood(g, &opts.focus, opts.depth)?),
    };
    let mut candidates: Vec<(u8, usize, NodeIx)> = Vec::new();
    for i in 0..model.nodes.len() {
        let n = NodeIx(i as u32);
        let mark = node_marks.get(&n).copied();
        if opts.paths_only && mark.is_none() {
            continue;
        }
        let dist = match &distance {
            Some(d) => match d.get(&n) {
                Some(d) => *d,
                None => continue,
            },
            None => 0,
        };
        let rank = mark.map_or(Severity::ALL.len() as u8, |s| s as u8);
        candidates.push((rank, dist, n));
    }
    candidates.sort_unstable();
    let left_out = candidates.len().saturating_sub(opts.max_nodes);
    candidates.truncate(opts.max_nodes);
    let mut nodes: Vec<NodeIx> = candidates.into_iter().map(|(_, _, n)| n).collect();
    nodes.sort_unstable();
    let mut keep = vec![false; model.nodes.len()];
    for n in &nodes {
        keep[n.index()] = true;
    }
    let edges: Vec<EdgeIx> = (0..model.edges.len() as u32)
        .map(EdgeIx)
        .filter(|ei| {
            let e = model.edge(*ei);
            keep[e.from.index()]
                && keep[e.to.index()]
                && (!opts.paths_only || edge_marks.contains_key(ei))
        })
        .collect();
    node_marks.retain(|n, _| keep[n.index()]);
    edge_marks.retain(|e, _| edges.binary_search(e).is_ok());
    Ok(Picture {
        model,
        as_of,
        nodes,
        edges,
        node_marks,
        edge_marks,
        findings_drawn: drawn.len(),
        compromised: HashSet::new(),
        cut: HashSet::new(),
        left_out,
    })
}

/// A picture of walks (an incident's answer): their nodes plus `extra`, every edge between
/// drawn nodes, each walk's edges marked with its severity. The node cap keeps marked nodes
/// first, as `select` does.
pub(crate) fn of_walks<'g>(
    g: &AuthGraph<'g>,
    as_of: Timestamp,
    walks: &[(&Walk, Severity)],
    extra: &[NodeIx],
    max_nodes: usize,
) -> Picture<'g> {
    let model = g.model;
    let mut node_marks: HashMap<NodeIx, Severity> = HashMap::new();
    let mut edge_marks: HashMap<EdgeIx, Severity> = HashMap::new();
    for (w, sev) in walks {
        for n in &w.nodes {
            let m = node_marks.entry(*n).or_insert(*sev);
            *m = (*m).min(*sev);
        }
        for e in &w.edges {
            let m = edge_marks.entry(*e).or_insert(*sev);
            *m = (*m).min(*sev);
        }
    }
    let mut candidates: Vec<(u8, NodeIx)> = node_marks
        .iter()
        .map(|(n, s)| (*s as u8, *n))
        .chain(extra.iter().map(|n| (0, *n)))
        .collect();
    candidates.sort_unstable();
    candidates.dedup_by_key(|(_, n)| *n);
    let left_out = candidates.len().saturating_sub(max_nodes);
    candidates.truncate(max_nodes);
    let mut nodes: Vec<NodeIx> = candidates.into_iter().map(|(_, n)| n).collect();
    nodes.sort_unstable();
    nodes.dedup();
    let keep: HashSet<NodeIx> = nodes.iter().copied().collect();
    let edges: Vec<EdgeIx> = (0..model.edges.len() as u32)
        .map(EdgeIx)
        .filter(|ei| {
            let e = model.edge(*ei);
            keep.contains(&e.from) && keep.contains(&e.to)
        })
        .collect();
    node_marks.retain(|n, _| keep.contains(n));
    edge_marks.retain(|e, _| edges.binary_search(e).is_ok());
    Picture {
        model,
        as_of,
        nodes,
        edges,
        node_marks,
        edge_marks,
        findings_drawn: walks.len(),
        compromised: HashSet::new(),
        cut: HashSet::new(),
        left_out,
    }
}

/// The picture of a blast radius: the witness to each node reached, those to critical nodes
/// marked critical and the rest medium, with the sources drawn as compromised.
pub(crate) fn of_blast_radius<'g>(
    g: &AuthGraph<'g>,
    as_of: Timestamp,
    b: &crate::incident::blast::BlastRadius,
    max_nodes: usize,
) -> Picture<'g> {
    let walks: Vec<(&Walk, Severity)> = b
        .reached
        .iter()
        .map(|r| {
            let critical = g.model.node(r.node).is_critical();
            let sev = if critical {
                Severity::Critical
            } else {
                Severity::Medium
            };
            (&r.walk, sev)
        })
        .collect();
    let mut p = of_walks(g, as_of, &walks, &b.sources, max_nodes);
    p.compromised = b.sources.iter().copied().collect();
    p
}

/// The picture of a who-can answer: each subject's witness to the target.
pub(crate) fn of_who_can<'g>(
    g: &AuthGraph<'g>,
    as_of: Timestamp,
    w: &crate::incident::whocan::WhoCan,
    max_nodes: usize,
) -> Picture<'g> {
    let walks: Vec<(&Walk, Severity)> = w
        .subjects
        .iter()
        .map(|(_, walk, _)| (walk, Severity::High))
        .collect();
    of_walks(g, as_of, &walks, &[w.target], max_nodes)
}

/// The picture of a path answer: the shortest path marked critical, the other simple paths
/// high, and the nearest latent path (when nothing reaches the target) low.
pub(crate) fn of_paths<'g>(
    g: &AuthGraph<'g>,
    as_of: Timestamp,
    p: &crate::incident::paths::PathAnswer,
    max_nodes: usize,
) -> Picture<'g> {
    let shortest_first = [Severity::Critical]
        .into_iter()
        .chain(std::iter::repeat(Severity::High));
    let walks: Vec<(&Walk, Severity)> = p
        .paths
        .iter()
        .map(|(w, _)| w)
        .zip(shortest_first)
        .chain(p.nearest_blocked.iter().map(|(w, _)| (w, Severity::Low)))
        .collect();
    of_walks(g, as_of, &walks, &[p.from, p.to], max_nodes)
}

/// The picture of a cut: what it breaks (`broken`, the witnesses to the targets exposed
/// before it) marked high, the sources compromised and the cut edges drawn as cut.
pub(crate) fn of_cut<'g>(
    g: &AuthGraph<'g>,
    as_of: Timestamp,
    cut: &crate::incident::cut::Cut,
    broken: &[Walk],
    max_nodes: usize,
) -> Picture<'g> {
    let marked: Vec<(&Walk, Severity)> = broken.iter().map(|w| (w, Severity::High)).collect();
    let mut extra = cut.sources.clone();
    for e in &cut.edges {
        let edge = &g.model.edges[e.index()];
        extra.push(edge.from);
        extra.push(edge.to);
    }
    let mut p = of_walks(g, as_of, &marked, &extra, max_nodes);
    p.compromised = cut.sources.iter().copied().collect();
    p.cut = cut.edges.iter().copied().collect();
    p
}

/// Hop distance from the focus nodes, following edges both ways, up to `depth`.
fn neighbourhood(
    g: &AuthGraph<'_>,
    focus: &[String],
    depth: usize,
) -> Result<HashMap<NodeIx, usize>, PictureError> {
    let mut dist = HashMap::new();
    let mut queue = VecDeque::new();
    for id in focus {
        let Ok(n) = g.named(id) else {
            let hint = did_you_mean(id, g.ids.keys().copied())
                .map(|m| format!(": did you mean {}?", quote(m)))
                .unwrap_or_default();
            return Err(PictureError(format!(
                "--focus {} names no node in the graph{hint}",
                quote(id)
            )));
        };
        dist.insert(n, 0);
        queue.push_back(n);
    }
    while let Some(n) = queue.pop_front() {
        let d = dist[&n];
        if d == depth {
            continue;
        }
        let model = g.model;
        let next = g
            .out_edges(n)
            .iter()
            .map(|e| model.edges[e.index()].to)
            .chain(g.in_edges(n).iter().map(|e| model.edges[e.index()].from));
        for m in next {
            if let std::collections::hash_map::Entry::Vacant(v) = dist.entry(m) {
                v.insert(d + 1);
                queue.push_back(m);
            }
        }
    }
    Ok(dist)
}
