//! The access matrix and everything counted from it, against brute force on small random
//! graphs: transitive-privilege and external-critical-access decided on levels (every pair,
//! every severity, the standing walk's length), indirect-partner-access, the totals, the
//! exposure and the choke points (with what revoking each would take away), each computed
//! here from an exhaustive enumeration of walks that shares no code with the engine.

#![allow(clippy::needless_range_loop)]

use authpath::analyze::{Options, analyze};
use authpath::choke::Element;
use authpath::findings::{Rule, Severity};
use authpath::model::{
    CredentialFields, Edge, EdgeKind, Graph, Level, Node, NodeIx, NodeKind, Sensitivity, Span,
    Status,
};
use authpath::timestamp::Timestamp;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Ids chosen so that byte order differs from index order.
const IDS: [&str; 7] = ["b", "a", "ab", "B", "aa", "ba", "c"];

const NODE_KINDS: [NodeKind; 7] = [
    NodeKind::Service,
    NodeKind::Partner,
    NodeKind::Group,
    NodeKind::Resource,
    NodeKind::Credential,
    NodeKind::Tenant,
    NodeKind::Human,
];

const EDGE_KINDS: [EdgeKind; 8] = [
    EdgeKind::Holds,
    EdgeKind::AuthenticatesAs,
    EdgeKind::MemberOf,
    EdgeKind::Assumes,
    EdgeKind::AdminOf,
    EdgeKind::Mints,
    EdgeKind::Grants,
    EdgeKind::Exposes,
];

#[derive(Clone, Debug)]
struct Spec {
    /// (kind, org pick, critical, live)
    nodes: Vec<(usize, Option<usize>, bool, bool)>,
    /// (from, to, kind, level, requires, expired)
    edges: Vec<(usize, usize, usize, usize, usize, bool)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (3usize..=7).prop_flat_map(|n| {
        let node = (
            0..NODE_KINDS.len(),
            prop::option::weighted(0.4, 0..n),
            prop::bool::weighted(0.4),
            prop::bool::weighted(0.9),
        );
        let edge = (
            0..n,
            0..n,
            0..EDGE_KINDS.len(),
            0..3usize,
            0..3usize,
            prop::bool::weighted(0.1),
        );
        (
            prop::collection::vec(node, n),
            prop::collection::vec(edge, 0..=14),
        )
            .prop_map(|(nodes, edges)| Spec { nodes, edges })
    })
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn build(spec: &Spec) -> Graph {
    let kinds: Vec<NodeKind> = spec.nodes.iter().map(|n| NODE_KINDS[n.0]).collect();
    let nodes = spec
        .nodes
        .iter()
        .enumerate()
        .map(|(i, &(_, org, critical, live))| {
            let kind = kinds[i];
            // An org must be a tenant or partner, and those carry none themselves.
            let org = org.filter(|o| {
                !kind.is_org() && matches!(kinds[*o], NodeKind::Tenant | NodeKind::Partner)
            });
            Node {
                id: IDS[i].to_owned(),
                kind,
                name: None,
                org: org.map(|o| NodeIx(o as u32)),
                owner: None,
                status: if live {
                    Status::Active
                } else {
                    Status::Disabled
                },
                sensitivity: if critical {
                    Sensitivity::Critical
                } else {
                    Sensitivity::Medium
                },
                tags: Vec::new(),
                purpose: None,
                reviewed_at: None,
                credential: (kind == NodeKind::Credential)
                    .then(|| Box::new(CredentialFields::default())),
                contract_end: None,
                properties: Vec::new(),
                span: Span::default(),
                critical_by_policy: false,
            }
        })
        .collect();
    let edges = spec
        .edges
        .iter()
        .map(|&(f, t, k, l, r, expired)| Edge {
            from: NodeIx(f as u32),
            to: NodeIx(t as u32),
            kind: EDGE_KINDS[k],
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

// ---- docs/rules.md and docs/format.md, read directly ----

fn live(g: &Graph, n: usize) -> bool {
    g.nodes[n].status == Status::Active
}

fn edge_ok(g: &Graph, e: &Edge, removed: &BTreeSet<usize>, i: usize) -> bool {
    !removed.contains(&i)
        && e.expires_at.is_none_or(|t| t >= g.as_of.unwrap())
        && live(g, e.from.index())
        && live(g, e.to.index())
}

fn carry(e: &Edge, held: Level) -> Option<Level> {
    if e.kind == EdgeKind::Exposes {
        (held >= e.requires).then_some(Level::Admin)
    } else {
        Some(held.min(e.level))
    }
}

fn org(g: &Graph, n: usize) -> Option<usize> {
    if g.nodes[n].kind.is_org() {
        Some(n)
    } else {
        g.nodes[n].org.map(|o| o.index())
    }
}

fn partner_org(g: &Graph, n: usize) -> Option<usize> {
    org(g, n).filter(|o| g.nodes[*o].kind == NodeKind::Partner)
}

fn external(g: &Graph, n: usize) -> bool {
    partner_org(g, n).is_some()
}

fn critical(g: &Graph, n: usize) -> bool {
    g.nodes[n].sensitivity == Sensitivity::Critical && live(g, n)
}

fn subject(g: &Graph, n: usize) -> bool {
    let k = g.nodes[n].kind;
    live(g, n)
        && k.is_principal()
        && (matches!(
            k,
            NodeKind::Partner | NodeKind::Service | NodeKind::Agent | NodeKind::App
        ) || external(g, n))
}

/// The smallest id sequence among the walks of exactly each length ending in each state
/// (node, level, flag), for lengths 1 to 6·n; `flag_at(u)` raises the flag on leaving `u`
/// and `only` restricts the edge kinds. Best per node and flag: (level, length, sequence).
type Best = Vec<[Option<(Level, usize, Vec<usize>)>; 2]>;

fn walks(
    g: &Graph,
    source: usize,
    removed: &BTreeSet<usize>,
    flag_at: &dyn Fn(usize) -> bool,
    only: Option<&[EdgeKind]>,
) -> Best {
    let n = g.nodes.len();
    let mut best: Best = vec![[None, None]; n];
    if !live(g, source) {
        return best;
    }
    let less = |a: &[usize], b: &[usize]| {
        a.iter()
            .map(|i| IDS[*i].as_bytes())
            .lt(b.iter().map(|i| IDS[*i].as_bytes()))
    };
    let mut layer: Vec<[[Option<Vec<usize>>; 2]; 3]> = vec![Default::default(); n];
    layer[source][2][0] = Some(vec![source]);
    for len in 1..=6 * n {
        let mut next: Vec<[[Option<Vec<usize>>; 2]; 3]> = vec![Default::default(); n];
        for (v, states) in layer.iter().enumerate() {
            for (l, flags) in states.iter().enumerate() {
                for (f, seq) in flags.iter().enumerate() {
                    let Some(seq) = seq else { continue };
                    let f2 = f == 1 || flag_at(v);
                    for (i, e) in g.edges.iter().enumerate() {
                        if e.from.index() != v
                            || !edge_ok(g, e, removed, i)
                            || only.is_some_and(|k| !k.contains(&e.kind))
                        {
                            continue;
                        }
                        let Some(l2) = carry(e, Level::ALL[l]) else {
                            continue;
                        };
                        let mut cand = seq.clone();
                        cand.push(e.to.index());
                        let slot = &mut next[e.to.index()][l2 as usize][usize::from(f2)];
                        if slot.as_ref().is_none_or(|cur| less(&cand, cur)) {
                            *slot = Some(cand);
                        }
                    }
                }
            }
        }
        for (w, states) in next.iter().enumerate() {
            for (l, flags) in states.iter().enumerate() {
                for (f, seq) in flags.iter().enumerate() {
                    let Some(seq) = seq else { continue };
                    let level = Level::ALL[l];
                    let better = match &best[w][f] {
                        None => true,
                        Some((bl, blen, bseq)) => {
                            level > *bl
                                || (level == *bl
                                    && (len < *blen || (len == *blen && less(seq, bseq))))
                        }
                    };
                    if better {
                        best[w][f] = Some((level, len, seq.clone()));
                    }
                }
            }
        }
        layer = next;
    }
    best
}

/// The edge docs/format.md names between consecutive witness nodes (the first in file order
/// among equals), and the level it carries.
fn witness_edges(g: &Graph, seq: &[usize]) -> Vec<usize> {
    let mut held = Level::Admin;
    let mut out = Vec::new();
    for pair in seq.windows(2) {
        let mut best: Option<(Level, bool, &str, usize)> = None;
        for (i, e) in g.edges.iter().enumerate() {
            if e.from.index() != pair[0]
                || e.to.index() != pair[1]
                || !edge_ok(g, e, &BTreeSet::new(), i)
            {
                continue;
            }
            let Some(l) = carry(e, held) else { continue };
            let key = (l, !e.kind.is_identity_changing(), e.kind.as_str());
            let better = match best {
                None => true,
                Some((bl, bs, bk, _)) => {
                    (key.0, key.1, std::cmp::Reverse(key.2)) > (bl, bs, std::cmp::Reverse(bk))
                }
            };
            if better {
                best = Some((key.0, key.1, key.2, i));
            }
        }
        let (l, _, _, i) = best.unwrap();
        held = l;
        out.push(i);
    }
    out
}

struct Pair {
    s: usize,
    t: usize,
    level: Level,
    standing: Option<Level>,
    /// Fewest edges of a standing walk reaching `level` (when there is one).
    standing_len: Option<usize>,
    seq: Vec<usize>,
}

fn pairs(g: &Graph, removed: &BTreeSet<usize>) -> Vec<Pair> {
    let mut out = Vec::new();
    let standing_kinds = [EdgeKind::MemberOf, EdgeKind::Grants];
    for s in 0..g.nodes.len() {
        if !subject(g, s) {
            continue;
        }
        let all = walks(g, s, removed, &|_| false, None);
        let own = walks(g, s, removed, &|_| false, Some(&standing_kinds));
        for t in 0..g.nodes.len() {
            if t == s || !critical(g, t) {
                continue;
            }
            let Some((level, _, seq)) = all[t][0].clone() else {
                continue;
            };
            let direct = g
                .edges
                .iter()
                .enumerate()
                .filter(|(i, e)| {
                    e.from.index() == s && e.to.index() == t && edge_ok(g, e, removed, *i)
                })
                .filter_map(|(_, e)| carry(e, Level::Admin))
                .max();
            let walk = own[t][0].as_ref().map(|b| b.0);
            let standing = direct.max(walk);
            let standing_len = if direct == Some(level) {
                Some(1)
            } else {
                own[t][0].as_ref().filter(|b| b.0 == level).map(|b| b.1)
            };
            out.push(Pair {
                s,
                t,
                level,
                standing,
                standing_len,
                seq,
            });
        }
    }
    out
}

fn severity(g: &Graph, p: &Pair) -> (Rule, Severity) {
    let ext = external(g, p.s);
    let admin = p.level == Level::Admin;
    if p.standing.is_none_or(|l| l < p.level) {
        let cross = org(g, p.s) != org(g, p.t);
        let sev = if ext && admin {
            Severity::Critical
        } else if ext || cross || admin {
            Severity::High
        } else {
            Severity::Medium
        };
        (Rule::TransitivePrivilege, sev)
    } else {
        let sev = if admin {
            Severity::Critical
        } else {
            Severity::High
        };
        (Rule::ExternalCriticalAccess, sev)
    }
}

/// docs/rules.md's indirect-partner-access: (A, N) → best level over walks through a third party.
fn indirect(g: &Graph) -> BTreeMap<(usize, usize), Level> {
    let mut out = BTreeMap::new();
    for a in 0..g.nodes.len() {
        if g.nodes[a].kind != NodeKind::Partner || !live(g, a) {
            continue;
        }
        for t in 0..g.nodes.len() {
            let node = &g.nodes[t];
            if t == a
                || !live(g, t)
                || !(node.kind == NodeKind::Tenant || critical(g, t))
                || org(g, t) == Some(a)
            {
                continue;
            }
            let c = partner_org(g, t);
            let third = |u: usize| partner_org(g, u).is_some_and(|b| b != a && Some(b) != c);
            let best = walks(g, a, &BTreeSet::new(), &third, None);
            if let Some((level, _, _)) = &best[t][1] {
                out.insert((a, t), *level);
            }
        }
    }
    out
}

fn options() -> Options {
    Options {
        max_findings: None,
        choke_points: Some(1000),
        ..Options::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn counts_findings_exposure_and_choke_points_match_brute_force(spec in spec()) {
        let g = build(&spec);
        let report = analyze(&g, &options());
        let id = |i: usize| IDS[i].to_owned();
        let all = pairs(&g, &BTreeSet::new());

        // Every pair classified on levels, with its severity; the standing walk's length.
        let mut expected: BTreeSet<(Rule, Severity, String, String, Level)> = BTreeSet::new();
        for p in &all {
            let (rule, sev) = severity(&g, p);
            if rule == Rule::ExternalCriticalAccess && !external(&g, p.s) {
                continue;
            }
            expected.insert((rule, sev, id(p.s), id(p.t), p.level));
        }
        for ((a, t), level) in indirect(&g) {
            expected.insert((Rule::IndirectPartnerAccess, Severity::High, id(a), id(t), level));
        }
        let access_rules = [
            Rule::TransitivePrivilege,
            Rule::ExternalCriticalAccess,
            Rule::IndirectPartnerAccess,
        ];
        let got: BTreeSet<_> = report
            .findings
            .iter()
            .filter(|f| access_rules.contains(&f.rule))
            .map(|f| (f.rule, f.severity, f.subject.clone(), f.target.clone().unwrap(), f.level.unwrap()))
            .collect();
        prop_assert_eq!(&got, &expected);
        for f in report.findings.iter().filter(|f| f.rule == Rule::ExternalCriticalAccess) {
            let p = all.iter().find(|p| id(p.s) == f.subject && Some(id(p.t)) == f.target).unwrap();
            prop_assert_eq!(Some(f.path.len() - 1), p.standing_len, "{:?}", f);
        }

        // Totals: every finding counted, and the uncapped report shows them all.
        prop_assert_eq!(report.totals.total(), report.findings.len());
        let capped = analyze(&g, &Options { max_findings: Some(1), ..options() });
        prop_assert_eq!(capped.totals.summary, report.totals.summary);
        prop_assert_eq!(capped.totals.total(), report.findings.len());
        prop_assert!(capped.findings.len() <= 1);

        // Exposure.
        let e = report.exposure.as_ref().unwrap();
        let subjects: Vec<usize> = (0..g.nodes.len()).filter(|s| subject(&g, *s)).collect();
        let exposed: BTreeSet<usize> = all.iter().map(|p| p.s).collect();
        prop_assert_eq!(e.subjects, subjects.len() as u64);
        prop_assert_eq!(e.exposed, exposed.len() as u64);
        for t in &e.targets {
            let at = |l: Level| all.iter().filter(|p| id(p.t) == t.target && p.level == l).count() as u64;
            prop_assert_eq!((t.read, t.write, t.admin), (at(Level::Read), at(Level::Write), at(Level::Admin)));
        }
        prop_assert_eq!(e.targets.len(), (0..g.nodes.len()).filter(|t| critical(&g, *t)).count());

        // Choke points: every pair's witness walked; what revoking each takes away.
        let c = report.choke_points.as_ref().unwrap();
        prop_assert_eq!(c.pairs, all.len() as u64);
        prop_assert!(c.exact);
        let mut nodes: BTreeMap<usize, u64> = BTreeMap::new();
        let mut edges: BTreeMap<usize, u64> = BTreeMap::new();
        for p in &all {
            let inner: BTreeSet<usize> = p.seq[1..p.seq.len() - 1].iter().copied().collect();
            for n in inner {
                *nodes.entry(n).or_default() += 1;
            }
            let used: BTreeSet<usize> = witness_edges(&g, &p.seq).into_iter().collect();
            for e in used {
                *edges.entry(e).or_default() += 1;
            }
        }
        let lost = |removed: BTreeSet<usize>, through: &dyn Fn(&Pair) -> bool| -> u64 {
            let after = pairs(&g, &removed);
            all.iter()
                .filter(|p| through(p))
                .filter(|p| {
                    after
                        .iter()
                        .find(|q| q.s == p.s && q.t == p.t)
                        .is_none_or(|q| q.level < p.level)
                })
                .count() as u64
        };
        let mut got_nodes = BTreeMap::new();
        let mut got_edges = BTreeMap::new();
        for k in c.nodes.iter().chain(&c.edges) {
            prop_assert_eq!(k.low, k.pairs);
            prop_assert_eq!(k.high, k.pairs);
            match &k.what {
                Element::Node(n) => {
                    let ix = IDS.iter().position(|x| x == n).unwrap();
                    let removed: BTreeSet<usize> = g
                        .edges
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| e.from.index() == ix || e.to.index() == ix)
                        .map(|(i, _)| i)
                        .collect();
                    let expect = lost(removed, &|p: &Pair| p.seq[1..p.seq.len() - 1].contains(&ix));
                    prop_assert_eq!(k.lost, Some(expect), "node {}", n);
                    got_nodes.insert(ix, k.pairs);
                }
                Element::Edge { index, .. } => {
                    let i = index.index();
                    let expect = lost(BTreeSet::from([i]), &|p: &Pair| witness_edges(&g, &p.seq).contains(&i));
                    prop_assert_eq!(k.lost, Some(expect), "edge {}", i);
                    got_edges.insert(i, k.pairs);
                }
            }
        }
        prop_assert_eq!(got_nodes, nodes);
        prop_assert_eq!(got_edges, edges);
    }
}

/// A shorter walk through an assumed role and a longer walk through the subject's own
/// groups reach the same node at the same level: standing access, not transitive privilege
/// — and, for an outsider, external critical access shown by the longer standing walk.
#[test]
fn a_longer_standing_walk_outranks_a_shorter_assumed_one() {
    let text = r#"{"version": 1, "as_of": "2026-11-01T00:00:00Z",
      "nodes": [
        {"id": "p", "kind": "partner"},
        {"id": "svc:in", "kind": "service"},
        {"id": "svc:out", "kind": "service", "org": "p"},
        {"id": "role:ops", "kind": "group"},
        {"id": "grp:a", "kind": "group"},
        {"id": "grp:b", "kind": "group"},
        {"id": "db", "kind": "resource", "sensitivity": "critical"}
      ],
      "edges": [
        {"from": "svc:in", "to": "role:ops", "kind": "assumes"},
        {"from": "svc:out", "to": "role:ops", "kind": "assumes"},
        {"from": "role:ops", "to": "db", "kind": "grants"},
        {"from": "svc:in", "to": "grp:a", "kind": "member_of"},
        {"from": "svc:out", "to": "grp:a", "kind": "member_of"},
        {"from": "grp:a", "to": "grp:b", "kind": "member_of"},
        {"from": "grp:b", "to": "db", "kind": "grants"}
      ]}"#;
    let loaded = authpath::load::load_bytes("t.json", text.as_bytes());
    let g = loaded.graph.expect("valid");
    let report = analyze(&g, &options());
    let rules: Vec<(Rule, &str)> = report
        .findings
        .iter()
        .map(|f| (f.rule, f.subject.as_str()))
        .collect();
    assert!(
        !rules.iter().any(|(r, _)| *r == Rule::TransitivePrivilege),
        "{rules:?}"
    );
    let eca: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::ExternalCriticalAccess)
        .collect();
    assert_eq!(eca.len(), 1, "{rules:?}");
    assert_eq!(eca[0].subject, "svc:out");
    assert_eq!(eca[0].path, ["svc:out", "grp:a", "grp:b", "db"]);
    assert_eq!(eca[0].level, Some(Level::Admin));
    // Lower the standing walk to read: the assumed role's admin is then transitive.
    let lowered = text.replace(
        r#"{"from": "grp:b", "to": "db", "kind": "grants"}"#,
        r#"{"from": "grp:b", "to": "db", "kind": "grants", "level": "read"}"#,
    );
    let g = authpath::load::load_bytes("t.json", lowered.as_bytes())
        .graph
        .expect("valid");
    let report = analyze(&g, &options());
    let tp: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::TransitivePrivilege)
        .map(|f| (f.subject.as_str(), f.path.clone()))
        .collect();
    // The outsider's is critical, so it comes first.
    assert_eq!(
        tp,
        [
            (
                "svc:out",
                vec!["svc:out".to_owned(), "role:ops".into(), "db".into()]
            ),
            (
                "svc:in",
                vec!["svc:in".to_owned(), "role:ops".into(), "db".into()]
            ),
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    /// `diff G G` finds nothing: no new or resolved finding, no access change, no edit.
    #[test]
    fn a_graph_diffed_with_itself_is_empty(spec in spec()) {
        let g = build(&spec);
        let d = authpath::diff::diff(&g, &g, &options(), None);
        prop_assert!(d.new_findings.is_empty(), "{:?}", d.new_findings);
        prop_assert!(d.resolved.is_empty());
        prop_assert!(d.access.is_empty());
        prop_assert!(d.delta.is_empty());
    }

    /// The findings document is the same bytes on one thread and on four.
    #[test]
    fn output_is_identical_for_any_thread_count(spec in spec()) {
        let g = build(&spec);
        let render = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let report = analyze(&g, &options());
                let mut out = Vec::new();
                authpath::render::json::write_document(&report, &mut out).unwrap();
                out
            })
        };
        prop_assert_eq!(render(1), render(4));
    }
}
