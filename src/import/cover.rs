//! Broader resources cover narrower ones. Importers make a resource node for each pattern a
//! policy names (`k8s:res:*:*/*`, `aws:res:s3:*`, a Secret by name), and a grant on a broader
//! pattern is authority over every narrower resource it names, at the grant's level. The
//! graph format has no "covers" edge (a resource passes authority on only through
//! `exposes`), so coverage is written with the format's own kinds:
//!
//! - a `group` node `P#covers` stands for "everything P covers";
//! - whoever holds `grants` (or `admin_of`) on P at level L is `member_of` `P#covers` at L;
//! - `P#covers` `grants` (admin) each resource whose nearest coverers include P, and is
//!   `member_of` the cover group of each such resource that covers others in turn.
//!
//! Edges stay linear in the resources: each resource is granted by its *nearest* coverers
//! only, never by every holder of every pattern above it. Walking holder → `P#covers` →
//! … → resource passes the holder's level unchanged (every cover edge is admin), and the
//! walk is standing access (`member_of` and `grants` only), so no rule reads it as
//! privilege gained through another identity.

use super::GraphBuilder;
use crate::model::{EdgeKind, Level, NodeKind};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// The id of the group standing for what `pattern` covers.
pub fn cover_id(pattern: &str) -> String {
    format!("{pattern}#covers")
}

/// Adds the cover groups of `resources` (ids of resource nodes in `g`): `coverers(r)` gives
/// the ids of every node in `g` that strictly covers `r` (a pattern naming `r` and more). A
/// coverer must itself be in `resources` for what covers it to be followed. A holder's edge
/// properties (its conditions, the partial denies it lists) are copied to its membership
/// of the cover group: what qualifies the grant qualifies what it covers.
pub fn add_cover_groups(
    g: &mut GraphBuilder,
    resources: &[String],
    coverers: impl Fn(&str) -> Vec<String>,
) {
    let strict: BTreeMap<&str, BTreeSet<String>> = resources
        .iter()
        .map(|r| {
            let c: BTreeSet<String> = coverers(r)
                .into_iter()
                .filter(|p| p != r && g.has_node(p))
                .collect();
            (r.as_str(), c)
        })
        .filter(|(_, c)| !c.is_empty())
        .collect();
    if strict.is_empty() {
        return;
    }
    let patterns: BTreeSet<&str> = strict.values().flatten().map(String::as_str).collect();
    // A coverer is nearest when it covers no other coverer of the same resource; the ones
    // above it reach the resource through its cover group.
    let covers = |p: &str, q: &str| strict.get(q).is_some_and(|c| c.contains(p));
    for (r, cs) in &strict {
        for p in cs {
            if cs.iter().any(|q| q != p && covers(p, q)) {
                continue;
            }
            let group = cover_group(g, p);
            let why = format!("covered by {p}");
            g.edge(&group, r, EdgeKind::Grants, Level::Admin, &why);
            if patterns.contains(r) {
                let inner = cover_group(g, r);
                g.edge(&group, &inner, EdgeKind::MemberOf, Level::Admin, &why);
            }
        }
    }
    // Holders of a pattern hold what it covers, at the level they hold it.
    let held: Vec<(String, String, EdgeKind, Level, _)> = g
        .edges
        .iter()
        .filter(|((_, to, kind), _)| {
            matches!(kind, EdgeKind::Grants | EdgeKind::AdminOf) && patterns.contains(to.as_str())
        })
        .map(|((from, to, kind), e)| {
            (
                from.clone(),
                to.clone(),
                *kind,
                e.level,
                e.properties.clone(),
            )
        })
        .collect();
    for (from, pattern, _, level, properties) in held {
        // A holder that is a cover group already reaches the pattern's cover through the
        // membership above.
        if from.ends_with("#covers") {
            continue;
        }
        let why = format!("a grant on {pattern} covers every narrower resource");
        let e = g.edge(&from, &cover_id(&pattern), EdgeKind::MemberOf, level, &why);
        e.properties.extend(properties);
    }
}

/// The cover group of `pattern`, created on first use: named after it, in its organisation.
fn cover_group(g: &mut GraphBuilder, pattern: &str) -> String {
    let id = cover_id(pattern);
    if !g.has_node(&id) {
        let (name, org) = g
            .nodes
            .get(pattern)
            .map(|n| (n.name.clone(), n.org.clone()))
            .unwrap_or_default();
        let shown = name.unwrap_or_else(|| pattern.to_string());
        let n = g.node(&id, NodeKind::Group);
        n.name = Some(format!("everything {shown} covers"));
        n.org = org;
        n.properties.insert("covers".into(), json!(pattern));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(resources: &[&str]) -> GraphBuilder {
        let mut g = GraphBuilder::default();
        for r in resources {
            g.node(r, NodeKind::Resource);
        }
        g
    }

    /// `a` covers everything, `a/b` covers `a/b/...`.
    fn prefix_coverers(all: &[&str]) -> impl Fn(&str) -> Vec<String> {
        let all: Vec<String> = all.iter().map(|s| s.to_string()).collect();
        move |r: &str| {
            all.iter()
                .filter(|p| p.as_str() != r && r.starts_with(&format!("{p}/")))
                .cloned()
                .collect()
        }
    }

    #[test]
    fn holders_reach_every_narrower_resource_through_nearest_coverers_only() {
        let rs = ["a", "a/b", "a/b/c", "a/d"];
        let mut g = graph(&rs);
        g.node("role", NodeKind::Group);
        g.edge("role", "a", EdgeKind::Grants, Level::Read, "rule");
        let ids: Vec<String> = rs.iter().map(|s| s.to_string()).collect();
        add_cover_groups(&mut g, &ids, prefix_coverers(&rs));
        let edges: Vec<(String, String, EdgeKind, Level)> = g
            .edges
            .iter()
            .map(|((f, t, k), e)| (f.clone(), t.clone(), *k, e.level))
            .collect();
        let has =
            |f: &str, t: &str, k: EdgeKind, l: Level| edges.contains(&(f.into(), t.into(), k, l));
        assert!(has("role", "a#covers", EdgeKind::MemberOf, Level::Read));
        assert!(has("a#covers", "a/b", EdgeKind::Grants, Level::Admin));
        assert!(has("a#covers", "a/d", EdgeKind::Grants, Level::Admin));
        assert!(has(
            "a#covers",
            "a/b#covers",
            EdgeKind::MemberOf,
            Level::Admin
        ));
        assert!(has("a/b#covers", "a/b/c", EdgeKind::Grants, Level::Admin));
        // Not granted twice: a/b/c's nearest coverer is a/b.
        assert!(
            !edges
                .iter()
                .any(|(f, t, _, _)| f == "a#covers" && t == "a/b/c")
        );
        assert_eq!(g.nodes.get("a#covers").unwrap().kind, NodeKind::Group);
        assert_eq!(g.nodes.get("a#covers").unwrap().properties["covers"], "a");
        assert_eq!(edges.len(), 6);
    }

    #[test]
    fn nothing_is_added_when_nothing_is_covered() {
        let rs = ["x", "y"];
        let mut g = graph(&rs);
        let ids: Vec<String> = rs.iter().map(|s| s.to_string()).collect();
        add_cover_groups(&mut g, &ids, prefix_coverers(&rs));
        assert_eq!(g.node_count(), 2);
        assert_eq!(g.edge_count(), 0);
    }
}
