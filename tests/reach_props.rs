//! The reachability engine against brute force: on hundreds of small random graphs, every
//! node as the source, the effective level, the witness walk and its edges must equal what an
//! exhaustive enumeration of walks finds.

// Node indices are the common language of the engine and the oracle, so loops count them.
#![allow(clippy::needless_range_loop)]

use authpath::graph::AuthGraph;
use authpath::model::{
    CredentialFields, Edge, EdgeIx, EdgeKind, Graph, Level, Node, NodeIx, NodeKind, Sensitivity,
    Span, Status,
};
use authpath::reach::{Engine, ReachOptions, Scratch};
use authpath::timestamp::Timestamp;
use proptest::prelude::*;

/// Ids chosen so that byte order differs from index order and from length order.
const IDS: [&str; 6] = ["b", "a", "ab", "B", "aa", "ba"];

const KINDS: [EdgeKind; 4] = [
    EdgeKind::MemberOf,
    EdgeKind::Assumes,
    EdgeKind::Grants,
    EdgeKind::Exposes,
];

#[derive(Clone, Debug)]
struct Spec {
    /// (is a credential, live, expired credential)
    nodes: Vec<(bool, bool, bool)>,
    /// (from, to, kind, level, requires, expired)
    edges: Vec<(usize, usize, usize, usize, usize, bool)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (2usize..=5).prop_flat_map(|n| {
        let node = (
            any::<bool>(),
            prop::bool::weighted(0.85),
            prop::bool::weighted(0.2),
        );
        let edge = (
            0..n,
            0..n,
            0..4usize,
            0..3usize,
            0..3usize,
            prop::bool::weighted(0.1),
        );
        (
            prop::collection::vec(node, n),
            prop::collection::vec(edge, 0..=8),
        )
            .prop_map(|(nodes, edges)| Spec { nodes, edges })
    })
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn build(spec: &Spec) -> Graph {
    let nodes = spec
        .nodes
        .iter()
        .enumerate()
        .map(|(i, (cred, live, expired))| Node {
            id: IDS[i].to_owned(),
            kind: if *cred {
                NodeKind::Credential
            } else {
                NodeKind::Service
            },
            name: None,
            org: None,
            owner: None,
            status: if *live {
                Status::Active
            } else {
                Status::Disabled
            },
            sensitivity: Sensitivity::Medium,
            tags: Vec::new(),
            purpose: None,
            reviewed_at: None,
            credential: cred.then(|| {
                Box::new(CredentialFields {
                    expires_at: expired.then(|| ts("2026-01-01T00:00:00Z")),
                    ..CredentialFields::default()
                })
            }),
            contract_end: None,
            properties: Vec::new(),
            span: Span::default(),
            critical_by_policy: false,
        })
        .collect();
    let edges = spec
        .edges
        .iter()
        .map(|&(f, t, k, l, r, expired)| Edge {
            from: NodeIx(f as u32),
            to: NodeIx(t as u32),
            kind: KINDS[k],
            level: Level::ALL[l],
            requires: Level::ALL[r],
            redelegable: false,
            expires_at: expired.then(|| ts("2026-01-01T00:00:00Z")),
            span: Span::default(),
            extra: None,
        })
        .collect();
    Graph {
        source: "random".into(),
        as_of: Some(ts("2026-11-01T00:00:00Z")),
        nodes,
        edges,
        notes: Vec::new(),
        coverage: None,
    }
}

/// docs/format.md, read directly: what passes authority, and what one edge carries.
fn usable_node(g: &Graph, n: usize) -> bool {
    let node = &g.nodes[n];
    node.status == Status::Active
        && node
            .credential
            .as_ref()
            .and_then(|c| c.expires_at)
            .is_none_or(|t| t >= g.as_of.unwrap())
}

fn carry(e: &Edge, held: Level) -> Option<Level> {
    if e.kind == EdgeKind::Exposes {
        (held >= e.requires).then_some(Level::Admin)
    } else {
        Some(held.min(e.level))
    }
}

/// Best per end node: (level, fewest edges, smallest id sequence).
type Best = Vec<Option<(Level, usize, Vec<String>)>>;

/// Every walk of one to 3·n edges from `source`, by length: for each length k and each end
/// state (node, carried level) the smallest id sequence among the walks of exactly k edges
/// ending there. A walk's extensions depend only on its end state, so keeping the smallest
/// per state and length loses no walk that could be best. No visited set, no early stop:
/// longer walks are all considered, unlike the engine's breadth-first search.
fn brute_force(g: &Graph, source: usize) -> Best {
    let n = g.nodes.len();
    let mut best: Best = vec![None; n];
    if !usable_node(g, source) {
        return best;
    }
    let id = |i: usize| g.nodes[i].id.clone();
    let less = |a: &[String], b: &[String]| {
        a.iter()
            .map(|s| s.as_bytes())
            .lt(b.iter().map(|s| s.as_bytes()))
    };
    // layer[v][level] = smallest sequence of the current length ending in that state.
    let mut layer: Vec<[Option<Vec<String>>; 3]> = vec![[None, None, None]; n];
    layer[source][Level::Admin as usize] = Some(vec![id(source)]);
    for len in 1..=3 * n {
        let mut next: Vec<[Option<Vec<String>>; 3]> = vec![[None, None, None]; n];
        for (v, states) in layer.iter().enumerate() {
            for (l, seq) in states.iter().enumerate() {
                let Some(seq) = seq else { continue };
                for e in &g.edges {
                    if e.from.index() != v
                        || e.expires_at.is_some_and(|t| t < g.as_of.unwrap())
                        || !usable_node(g, e.to.index())
                    {
                        continue;
                    }
                    let Some(l2) = carry(e, Level::ALL[l]) else {
                        continue;
                    };
                    let mut cand = seq.clone();
                    cand.push(id(e.to.index()));
                    let slot = &mut next[e.to.index()][l2 as usize];
                    if slot.as_ref().is_none_or(|cur| less(&cand, cur)) {
                        *slot = Some(cand);
                    }
                }
            }
        }
        for (w, states) in next.iter().enumerate() {
            for (l, seq) in states.iter().enumerate() {
                let Some(seq) = seq else { continue };
                let level = Level::ALL[l];
                let better = match &best[w] {
                    None => true,
                    Some((bl, blen, bseq)) => {
                        level > *bl
                            || (level == *bl && (len < *blen || (len == *blen && less(seq, bseq))))
                    }
                };
                if better {
                    best[w] = Some((level, len, seq.clone()));
                }
            }
        }
        layer = next;
    }
    best
}

/// docs/format.md's edge choice between consecutive witness nodes, computed independently.
fn expected_kinds(g: &Graph, ids: &[String]) -> Vec<EdgeKind> {
    let ix = |id: &String| g.nodes.iter().position(|n| &n.id == id).unwrap();
    let mut held = Level::Admin;
    let mut out = Vec::new();
    for pair in ids.windows(2) {
        let (a, b) = (ix(&pair[0]), ix(&pair[1]));
        let mut cands: Vec<(Level, bool, &str, EdgeKind)> = g
            .edges
            .iter()
            .filter(|e| {
                e.from.index() == a
                    && e.to.index() == b
                    && e.expires_at.is_none_or(|t| t >= g.as_of.unwrap())
            })
            .filter_map(|e| {
                carry(e, held).map(|l| (l, e.kind.is_identity_changing(), e.kind.as_str(), e.kind))
            })
            .collect();
        // Highest level, then member_of/grants before identity-changing, then smallest name.
        cands.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(y.2)));
        let (l, _, _, k) = cands[0];
        held = l;
        out.push(k);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_exhaustive_walks(spec in spec()) {
        let g = build(&spec);
        let ag = AuthGraph::build(&g);
        let engine = Engine::new(&ag, g.as_of.unwrap(), ReachOptions::default());
        let mut scratch = Scratch::default();
        for s in 0..g.nodes.len() {
            let expected = brute_force(&g, s);
            let search = engine.search(&[NodeIx(s as u32)], Level::Admin, None, None, &mut scratch);
            for (v, exp) in expected.iter().enumerate() {
                let got = search.witness(NodeIx(v as u32), false);
                match (exp, got) {
                    (None, None) => {}
                    (None, Some(w)) if v == s => {
                        // The source itself at admin, with no edge: not a walk of one or more edges.
                        prop_assert!(w.edges.is_empty());
                    }
                    (Some((level, len, seq)), Some(w)) if v == s && w.edges.is_empty() => {
                        // A cycle back to the source: the engine starts at admin already.
                        prop_assert!(*level <= Level::Admin && *len >= 1 && !seq.is_empty());
                    }
                    (Some((level, len, seq)), Some(w)) => {
                        let ids: Vec<String> = w.nodes.iter().map(|n| g.nodes[n.index()].id.clone()).collect();
                        prop_assert_eq!(w.level, *level, "level of {} from {}", IDS[v], IDS[s]);
                        prop_assert_eq!(w.edges.len(), *len, "length of {} from {}", IDS[v], IDS[s]);
                        prop_assert_eq!(&ids, seq, "witness of {} from {}", IDS[v], IDS[s]);
                        let kinds: Vec<EdgeKind> = w.edges.iter().map(|e| g.edge(*e).kind).collect();
                        prop_assert_eq!(kinds, expected_kinds(&g, seq));
                    }
                    (exp, got) => prop_assert!(false, "from {} to {}: brute {:?}, engine {:?}", IDS[s], IDS[v], exp, got),
                }
            }
        }
    }

    /// The reverse labels agree with forward searches: `need[u] <= L` exactly when some
    /// search from `u` at `L` reaches the target at `at_least`.
    #[test]
    fn reverse_need_matches_forward_searches(spec in spec(), target in 0usize..5, at_least in 0usize..3) {
        let g = build(&spec);
        let target = target % g.nodes.len();
        let at_least = Level::ALL[at_least];
        let ag = AuthGraph::build(&g);
        let engine = Engine::new(&ag, g.as_of.unwrap(), ReachOptions::default());
        let need = engine.need_to_reach(&[NodeIx(target as u32)], at_least);
        let mut scratch = Scratch::default();
        for u in 0..g.nodes.len() {
            for start in Level::ALL {
                let s = engine.search(&[NodeIx(u as u32)], *start, None, None, &mut scratch);
                let reached = s.level(NodeIx(target as u32), false).is_some_and(|l| l >= at_least);
                prop_assert_eq!(need.need(NodeIx(u as u32)).is_some_and(|n| n <= *start), reached, "u={} start={} target={}", u, start, target);
            }
        }
    }

    /// The unranked forward labels give the levels the ranked search gives, from every node
    /// and every starting level.
    #[test]
    fn levels_from_matches_the_ranked_search(spec in spec()) {
        let g = build(&spec);
        let ag = AuthGraph::build(&g);
        let engine = Engine::new(&ag, g.as_of.unwrap(), ReachOptions::default());
        let mut scratch = Scratch::default();
        for u in 0..g.nodes.len() {
            for start in Level::ALL {
                let labels = engine.levels_from(&[NodeIx(u as u32)], *start);
                let s = engine.search(&[NodeIx(u as u32)], *start, None, None, &mut scratch);
                for v in 0..g.nodes.len() {
                    let want = s.level(NodeIx(v as u32), false);
                    prop_assert_eq!(labels[v], want, "u={} v={} start={}", u, v, start);
                }
            }
        }
    }

    /// The reverse who-can gives exactly what a forward search from every node gives: the
    /// same nodes, the same effective levels, the same witnesses — for every target and
    /// every minimum level.
    #[test]
    fn who_can_matches_forward_searches(spec in spec()) {
        let g = build(&spec);
        let ag = AuthGraph::build(&g);
        let engine = Engine::new(&ag, g.as_of.unwrap(), ReachOptions::default());
        let mut scratch = Scratch::default();
        for target in (0..g.nodes.len() as u32).map(NodeIx) {
            for at_least in Level::ALL.iter().copied() {
                let got = engine.who_can(target, at_least, &|_| true);
                let mut expected = Vec::new();
                for u in (0..g.nodes.len() as u32).map(NodeIx) {
                    if u == target {
                        continue;
                    }
                    let s = engine.search(&[u], Level::Admin, None, None, &mut scratch);
                    if let Some(w) = s.witness(target, false).filter(|w| w.level >= at_least) {
                        expected.push((u, w));
                    }
                }
                prop_assert_eq!(got, expected, "target {} at least {}", IDS[target.index()], at_least);
            }
        }
    }

    /// The cut is a minimum: no subset of edges of smaller total cost disconnects every
    /// source from every target (brute force over all subsets), and the cut itself does.
    #[test]
    fn cut_is_minimal_against_brute_force(spec in spec(), src in 0usize..6, dst in 0usize..6, two in any::<bool>()) {
        let g = build(&spec);
        let n = g.nodes.len();
        let (s, t) = (src % n, dst % n);
        prop_assume!(s != t);
        let mut targets = vec![NodeIx(t as u32)];
        if two && n > 2 {
            let t2 = (0..n).find(|x| *x != s && *x != t).unwrap();
            targets.push(NodeIx(t2 as u32));
        }
        let ag = AuthGraph::build(&g);
        let engine = Engine::new(&ag, g.as_of.unwrap(), ReachOptions::default());
        let costs = authpath::incident::cut::Costs::default();
        let cut = authpath::incident::cut::min_cut(&engine, &[NodeIx(s as u32)], &targets, &costs).unwrap();
        prop_assert!(cut.verified);
        // Brute force: usable edges only (others pass nothing anyway); exposes always usable.
        let usable: Vec<usize> = (0..g.edges.len())
            .filter(|i| engine.edge_usable(EdgeIx(*i as u32)) && usable_node(&g, g.edges[*i].from.index()) && usable_node(&g, g.edges[*i].to.index()))
            .collect();
        let connected = |removed: u32| -> bool {
            let mut seen = vec![false; n];
            let mut stack = vec![s];
            if !usable_node(&g, s) {
                return false;
            }
            seen[s] = true;
            while let Some(u) = stack.pop() {
                for (bit, &i) in usable.iter().enumerate() {
                    let e = &g.edges[i];
                    if removed & (1 << bit) != 0 || e.from.index() != u || seen[e.to.index()] {
                        continue;
                    }
                    seen[e.to.index()] = true;
                    stack.push(e.to.index());
                }
            }
            targets.iter().any(|t| seen[t.index()])
        };
        let mut best = u64::MAX;
        for mask in 0u32..(1 << usable.len()) {
            if !connected(mask) {
                let cost: u64 = usable.iter().enumerate().filter(|(b, _)| mask & (1 << b) != 0).map(|(_, i)| costs.of(g.edges[*i].kind)).sum();
                best = best.min(cost);
            }
        }
        prop_assert_eq!(cut.cost, best);
        let cut_mask: u32 = usable.iter().enumerate().filter(|(_, i)| cut.edges.contains(&EdgeIx(**i as u32))).map(|(b, _)| 1 << b).sum();
        prop_assert!(!connected(cut_mask), "the cut disconnects");
    }

    /// Authority only grows with the graph: adding an edge never lowers any effective level.
    #[test]
    fn adding_an_edge_never_lowers_a_level(spec in spec(), extra in (0usize..5, 0usize..5, 0..4usize, 0..3usize, 0..3usize)) {
        let g = build(&spec);
        let mut bigger = spec.clone();
        let n = spec.nodes.len();
        bigger.edges.push((extra.0 % n, extra.1 % n, extra.2, extra.3, extra.4, false));
        let g2 = build(&bigger);
        let (a1, a2) = (AuthGraph::build(&g), AuthGraph::build(&g2));
        let e1 = Engine::new(&a1, g.as_of.unwrap(), ReachOptions::default());
        let e2 = Engine::new(&a2, g2.as_of.unwrap(), ReachOptions::default());
        let (mut s1, mut s2) = (Scratch::default(), Scratch::default());
        for s in 0..n {
            let before = e1.search(&[NodeIx(s as u32)], Level::Admin, None, None, &mut s1);
            let after = e2.search(&[NodeIx(s as u32)], Level::Admin, None, None, &mut s2);
            for v in 0..n {
                let l1 = before.witness(NodeIx(v as u32), false).map(|w| w.level);
                let l2 = after.witness(NodeIx(v as u32), false).map(|w| w.level);
                prop_assert!(l2 >= l1, "{} over {}: {:?} before, {:?} after adding {:?}", IDS[s], IDS[v], l1, l2, extra);
            }
        }
    }

}
