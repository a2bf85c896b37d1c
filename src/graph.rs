//! The analysis graph: the one place a petgraph graph is built from the model.
//!
//! Node `i` of the petgraph graph is `Graph::nodes[i]`; each edge's weight is its index in
//! `Graph::edges`, so every algorithm can go back to the full record.

use crate::model::{Graph, NodeIx};
use indexmap::IndexMap;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};

/// A directed multigraph over the model with id lookup, built once and shared read-only.
pub struct AuthGraph<'g> {
    pub model: &'g Graph,
    /// Node weights are model node indices; edge weights are model edge indices.
    pub graph: DiGraph<NodeIx, u32, u32>,
    /// Id → node, in file order (deterministic iteration).
    pub ids: IndexMap<&'g str, NodeIndex<u32>>,
}

impl<'g> AuthGraph<'g> {
    pub fn build(model: &'g Graph) -> AuthGraph<'g> {
        let mut graph = DiGraph::with_capacity(model.nodes.len(), model.edges.len());
        let mut ids = IndexMap::with_capacity(model.nodes.len());
        for (i, n) in model.nodes.iter().enumerate() {
            let ix = graph.add_node(NodeIx(i as u32));
            ids.insert(n.id.as_str(), ix);
        }
        for (i, e) in model.edges.iter().enumerate() {
            graph.add_edge(
                NodeIndex::new(e.from.index()),
                NodeIndex::new(e.to.index()),
                i as u32,
            );
        }
        AuthGraph { model, graph, ids }
    }

    /// The node with this id, if any.
    pub fn lookup(&self, id: &str) -> Option<NodeIndex<u32>> {
        self.ids.get(id).copied()
    }

    /// The model edge behind a petgraph edge.
    pub fn edge(&self, e: EdgeIndex<u32>) -> &'g crate::model::Edge {
        &self.model.edges[self.graph[e] as usize]
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
        let a = g.lookup("a").unwrap();
        assert_eq!(g.graph[a], NodeIx(0));
        let out: Vec<_> = g.graph.edges(a).collect();
        assert_eq!(out.len(), 1);
        use petgraph::visit::EdgeRef;
        assert_eq!(g.edge(out[0].id()).kind, crate::model::EdgeKind::MemberOf);
        assert_eq!(g.ids.get_index(1).map(|(k, _)| *k), Some("g"));
    }
}
