//! Authority paths in words: the one plain sentence a business owner can read.

use crate::model::{EdgeKind, Graph, Level, NodeIx};
use crate::reach::Walk;

/// A node as a sentence names it: its name, or its id when it has none.
pub fn name(model: &Graph, n: NodeIx) -> String {
    model.node(n).display_name().to_owned()
}

/// The sentence's subject: `Acme Logistics (partner)`.
pub fn who(model: &Graph, n: NodeIx) -> String {
    let node = model.node(n);
    format!("{} ({})", node.display_name(), node.kind)
}

/// `administer`, `write to`, `read`.
pub(crate) fn verb(level: Level) -> &'static str {
    match level {
        Level::Admin => "administer",
        Level::Write => "write to",
        Level::Read => "read",
    }
}

/// A level as an adjective phrase for a capped step: `with read access`.
fn capped(level: Level) -> String {
    format!(" with {level} access")
}

/// One step of a chain; `first` chooses "it …" over "which …".
fn step(model: &Graph, kind: EdgeKind, edge_level: Level, to: NodeIx, first: bool) -> String {
    let to = name(model, to);
    let cap = if edge_level < Level::Admin && kind != EdgeKind::Grants {
        capped(edge_level)
    } else {
        String::new()
    };
    let (lead, member) = if first {
        ("it", "it is a member of")
    } else {
        ("which", "a member of")
    };
    match kind {
        EdgeKind::Holds => format!("{lead} holds {to}{cap}"),
        EdgeKind::AuthenticatesAs => format!("{lead} authenticates as {to}{cap}"),
        EdgeKind::MemberOf => format!("{member} {to}{cap}"),
        EdgeKind::Assumes => format!("{lead} can assume {to}{cap}"),
        EdgeKind::AdminOf => format!("{lead} administers {to}{cap}"),
        EdgeKind::Mints => format!("{lead} can mint credentials for {to}{cap}"),
        EdgeKind::Grants => format!("{lead} has {edge_level} on {to}"),
        EdgeKind::Exposes => format!("{lead} exposes {to}"),
    }
}

/// The chain of a walk: `it holds key ak-1, which authenticates as svc:sync, a member of
/// grp:ops, which has admin on db:prod`.
pub fn chain(model: &Graph, walk: &Walk) -> String {
    let mut parts = Vec::with_capacity(walk.edges.len());
    for (i, &ei) in walk.edges.iter().enumerate() {
        let e = &model.edges[ei.index()];
        parts.push(step(model, e.kind, e.level, walk.nodes[i + 1], i == 0));
    }
    parts.join(", ")
}

/// `Acme Logistics (partner) can administer db:prod: it holds …, which has admin on db:prod.`
pub(crate) fn reach_sentence(model: &Graph, walk: &Walk, how: &str) -> String {
    let (Some(&from), Some(&to)) = (walk.nodes.first(), walk.nodes.last()) else {
        return String::new();
    };
    format!(
        "{} can {} {}{how}: {}.",
        who(model, from),
        verb(walk.level),
        name(model, to),
        chain(model, walk)
    )
}

/// `a, b and c`.
pub fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::AuthGraph;
    use crate::reach::{Engine, ReachOptions, Scratch};

    #[test]
    fn the_format_example_reads_as_one_sentence() {
        let text = r#"{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [
            {"id": "partner:acme", "kind": "partner", "name": "Acme Logistics"},
            {"id": "key:ak-1", "kind": "credential"}, {"id": "svc:sync", "kind": "service"},
            {"id": "grp:ops", "kind": "group"}, {"id": "db:prod", "kind": "resource"}],
            "edges": [{"from": "partner:acme", "to": "key:ak-1", "kind": "holds"},
            {"from": "key:ak-1", "to": "svc:sync", "kind": "authenticates_as"},
            {"from": "svc:sync", "to": "grp:ops", "kind": "member_of"},
            {"from": "grp:ops", "to": "db:prod", "kind": "grants", "level": "admin"}]}"#;
        let m = crate::load::load_bytes("t", text.as_bytes()).graph.unwrap();
        let g = AuthGraph::build(&m);
        let e = Engine::new(&g, m.as_of.unwrap(), ReachOptions::default());
        let mut sc = Scratch::default();
        let s = e.search(&[NodeIx(0)], Level::Admin, None, None, &mut sc);
        let w = s.witness(NodeIx(4), false).unwrap();
        assert_eq!(
            reach_sentence(&m, &w, ""),
            "Acme Logistics (partner) can administer db:prod: it holds key:ak-1, which authenticates as svc:sync, a member of grp:ops, which has admin on db:prod."
        );
    }

    #[test]
    fn lists_read_naturally() {
        assert_eq!(list(&["a".into()]), "a");
        assert_eq!(list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
    }
}
