//! The analysis graph: compressed adjacency over the model, built once and shared read-only
//! by every search. Node `i` is `Graph::nodes[i]`; an edge is its index in `Graph::edges`,
//! so every algorithm can go back to the full record. petgraph is used where it does real
//! work on a graph of its own (the flow network of `incident::cut`), not here.

use crate::model::{EdgeIx, Graph, NodeIx};
use indexmap::IndexMap;

/// What the hot loops read of an edge, packed in 12 bytes (the model's `Edge` is ten times
/// that, and the searches touch millions of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packed {
    pub from: NodeIx,
    pub to: NodeIx,
    pub kind: crate::model::EdgeKind,
    pub level: crate::model::Level,
    pub requires: crate::model::Level,
}

/// A directed multigraph over the model with id lookup, built once and shared read-only.
pub struct AuthGraph<'g> {
    pub model: &'g Graph,
    /// Id → node, in file order (deterministic iteration).
    pub ids: IndexMap<&'g str, NodeIx>,
    /// Compact adjacency for the hot searches: the model edge indices leaving (entering)
    /// node `n` are `out_edges[out_start[n]..out_start[n + 1]]` (likewise `in_`), in file order.
    out_start: Vec<u32>,
    out_edges: Vec<EdgeIx>,
    /// The node each of `out_edges` leads to, same position: whole-graph walks read it in
    /// sequence rather than look each edge up.
    out_to: Vec<u32>,
    in_start: Vec<u32>,
    in_edges: Vec<EdgeIx>,
    /// `model.edges[i]` packed, same index.
    pub packed: Vec<Packed>,
}

/// Counting sort of edge indices by one endpoint: stable, so each node's list is in file order.
fn adjacency(
    nodes: usize,
    edges: &[crate::model::Edge],
    key: fn(&crate::model::Edge) -> NodeIx,
) -> (Vec<u32>, Vec<EdgeIx>) {
    let mut start = vec![0u32; nodes + 1];
    for e in edges {
        start[key(e).index() + 1] += 1;
    }
    for i in 0..nodes {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut list = vec![EdgeIx(0); edges.len()];
    for (i, e) in edges.iter().enumerate() {
        let slot = &mut fill[key(e).index()];
        list[*slot as usize] = EdgeIx(i as u32);
        *slot += 1;
    }
    (start, list)
}

impl<'g> AuthGraph<'g> {
    pub fn build(model: &'g Graph) -> AuthGraph<'g> {
        let mut ids = IndexMap::with_capacity(model.nodes.len());
        for (i, n) in model.nodes.iter().enumerate() {
            ids.insert(n.id.as_str(), NodeIx(i as u32));
        }
        let (out_start, out_edges) = adjacency(model.nodes.len(), &model.edges, |e| e.from);
        let (in_start, in_edges) = adjacency(model.nodes.len(), &model.edges, |e| e.to);
        let packed = model
            .edges
            .iter()
            .map(|e| Packed {
                from: e.from,
                to: e.to,
                kind: e.kind,
                level: e.level,
                requires: e.requires,
            })
            .collect();
        let out_to = out_edges.iter().map(|ei| model.edge(*ei).to.0).collect();
        AuthGraph {
            model,
            ids,
            out_start,
            out_edges,
            out_to,
            in_start,
            in_edges,
            packed,
        }
    }

    /// Indices (into `model.edges`) of the edges leaving `n`, in file order.
    pub fn out_edges(&self, n: NodeIx) -> &[EdgeIx] {
        let i = n.index();
        &self.out_edges[self.out_start[i] as usize..self.out_start[i + 1] as usize]
    }

    /// Indices (into `model.edges`) of the edges entering `n`, in file order.
    pub fn in_edges(&self, n: NodeIx) -> &[EdgeIx] {
        let i = n.index();
        &self.in_edges[self.in_start[i] as usize..self.in_start[i + 1] as usize]
    }

    /// The node with this id, if any.
    pub fn node_ix(&self, id: &str) -> Option<NodeIx> {
        self.ids.get(id).copied()
    }

    /// The nodes whose `native_key` property is `key` (an estate's ARN,
    /// `CLUSTER/NS/KIND/NAME`, `github:ORG/REPO`…): what a command takes in place of an id.
    pub fn by_native_key(&self, key: &str) -> Vec<NodeIx> {
        self.model
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                n.properties
                    .iter()
                    .any(|(k, v)| k == "native_key" && v.as_str() == Some(key))
            })
            .map(|(i, _)| NodeIx(i as u32))
            .collect()
    }

    /// The node a command's argument names: its id, else its native key when exactly one
    /// node has it; `Err` lists the nodes sharing the key (empty: no node at all).
    pub fn named(&self, name: &str) -> Result<NodeIx, Vec<NodeIx>> {
        if let Some(n) = self.node_ix(name) {
            return Ok(n);
        }
        match self.by_native_key(name).as_slice() {
            [one] => Ok(*one),
            many => Err(many.to_vec()),
        }
    }

    /// The strongly connected components of the subgraph of the edges `keep` accepts, each
    /// once, every node in exactly one (singletons included). Tarjan's algorithm with an
    /// explicit call stack over the CSR adjacency: no recursion (petgraph's `tarjan_scc`
    /// overflows the stack on deep graphs) and none of the linked-list walks of `Graph`.
    pub fn strong_components(&self, keep: impl Fn(EdgeIx) -> bool) -> Vec<Vec<NodeIx>> {
        const UNSEEN: u32 = u32::MAX;
        let n = self.out_start.len() - 1;
        let mut index = vec![UNSEEN; n];
        let mut low = vec![0u32; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        // (node, position of its next edge in `out_edges`)
        let mut calls: Vec<(u32, u32)> = Vec::new();
        let mut next = 0u32;
        let mut out = Vec::new();
        for root in 0..n as u32 {
            if index[root as usize] != UNSEEN {
                continue;
            }
            index[root as usize] = next;
            low[root as usize] = next;
            next += 1;
            stack.push(root);
            on_stack[root as usize] = true;
            calls.push((root, self.out_start[root as usize]));
            while let Some(top) = calls.len().checked_sub(1) {
                let (v, pos) = calls[top];
                if pos < self.out_start[v as usize + 1] {
                    calls[top].1 += 1;
                    if !keep(self.out_edges[pos as usize]) {
                        continue;
                    }
                    let w = self.out_to[pos as usize] as usize;
                    if index[w] == UNSEEN {
                        index[w] = next;
                        low[w] = next;
                        next += 1;
                        stack.push(w as u32);
                        on_stack[w] = true;
                        calls.push((w as u32, self.out_start[w]));
                    } else if on_stack[w] {
                        low[v as usize] = low[v as usize].min(index[w]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(&(u, _)) = calls.last() {
                    low[u as usize] = low[u as usize].min(low[v as usize]);
                }
                if low[v as usize] == index[v as usize] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w as usize] = false;
                        comp.push(NodeIx(w));
                        if w == v {
                            break;
                        }
                    }
                    out.push(comp);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_bytes;

    #[test]
    fn indices_line_up_with_the_model() {
        let text = r#"{"version": 1, "nodes": [
            {"id": "a", "kind": "service"}, {"id": "g", "kind": "group"}
        ], "edges": [{"from": "a", "to": "g", "kind": "member_of"}]}"#;
        let model = load_bytes("t.json", text.as_bytes()).graph.unwrap();
        let g = AuthGraph::build(&model);
        let a = g.node_ix("a").unwrap();
        assert_eq!(a, NodeIx(0));
        let out = g.out_edges(a);
        assert_eq!(out.len(), 1);
        assert_eq!(model.edge(out[0]).kind, crate::model::EdgeKind::MemberOf);
        assert_eq!(g.ids.get_index(1).map(|(k, _)| *k), Some("g"));
        assert_eq!(g.out_edges(NodeIx(0)), &[EdgeIx(0)]);
        assert_eq!(g.in_edges(NodeIx(1)), &[EdgeIx(0)]);
        assert!(g.in_edges(NodeIx(0)).is_empty());
    }

    #[test]
    fn strong_components_match_kosaraju_and_survive_depth() {
        // A 200,000-node chain closed into one cycle, plus a tail: recursion would overflow.
        let n = 200_000;
        let mut text = String::from(r#"{"version": 1, "nodes": ["#);
        for i in 0..n + 2 {
            text.push_str(&format!(
                r#"{}{{"id": "n{i}", "kind": "service"}}"#,
                if i > 0 { "," } else { "" }
            ));
        }
        text.push_str(r#"], "edges": ["#);
        for i in 0..n {
            text.push_str(&format!(
                r#"{}{{"from": "n{i}", "to": "n{}", "kind": "assumes"}}"#,
                if i > 0 { "," } else { "" },
                (i + 1) % n
            ));
        }
        text.push_str(&format!(
            r#",{{"from": "n{}", "to": "n0", "kind": "assumes"}}"#,
            n
        ));
        text.push_str("]}");
        let model = load_bytes("t.json", text.as_bytes()).graph.unwrap();
        let g = AuthGraph::build(&model);
        let mut ours: Vec<Vec<NodeIx>> = g
            .strong_components(|_| true)
            .into_iter()
            .map(|mut c| {
                c.sort_unstable();
                c
            })
            .collect();
        ours.sort();
        // petgraph's own algorithm on a petgraph copy, as the reference.
        let mut reference = petgraph::graph::DiGraph::<(), (), u32>::with_capacity(n + 2, n + 1);
        for _ in 0..n + 2 {
            reference.add_node(());
        }
        for e in &model.edges {
            reference.add_edge(
                petgraph::graph::NodeIndex::new(e.from.index()),
                petgraph::graph::NodeIndex::new(e.to.index()),
                (),
            );
        }
        let mut theirs: Vec<Vec<NodeIx>> = petgraph::algo::kosaraju_scc(&reference)
            .into_iter()
            .map(|c| {
                let mut c: Vec<NodeIx> =
                    c.into_iter().map(|ix| NodeIx(ix.index() as u32)).collect();
                c.sort_unstable();
                c
            })
            .collect();
        theirs.sort();
        assert_eq!(ours, theirs);
        assert_eq!(ours.len(), 3);
        assert_eq!(ours.iter().map(Vec::len).max(), Some(n));
        // With every edge filtered out, every node is its own component.
        assert_eq!(g.strong_components(|_| false).len(), n + 2);
    }
}
