//! Graphviz DOT: the picture an architect puts in a design review. One cluster per
//! organisation, shape and fill by node kind, critical nodes double-bordered, inactive ones
//! greyed and dashed, finding paths in their severity's colour, left to right so a path reads
//! like its sentence, and a legend.
//!
//! Every id, name and property is untrusted. DOT node ids are generated (`n0`, `n1`, …);
//! real ids and names only ever appear inside quoted labels, escaped here, because
//! `dot-writer` writes values verbatim. No value ever becomes an attribute name.

use super::Reporter;
use crate::error::{Error, ErrorKind, Result};
use crate::findings::Severity;
use crate::model::{EdgeIx, EdgeKind, Level, Node, NodeIx, NodeKind};
use crate::picture::{self, Picture, kind_style};
use crate::request::Notes;
use crate::request::analysis::{Diff, Findings};
use crate::request::query::{BlastRadius, Cut, Overview, Paths, WhoCan};
use dot_writer::{Attributes, DotWriter};
use std::collections::{BTreeMap, HashMap};

/// Longest id shown in a label; longer ones are cut in the middle.
const MAX_ID_CHARS: usize = 80;
/// Longest name shown in a label.
const MAX_NAME_CHARS: usize = 160;

/// Text made safe inside a DOT double-quoted string: backslashes and quotes escaped; line
/// breaks, control characters and bidirectional overrides shown as visible escapes so that
/// no value can break out of its string, add a line, or reorder what is displayed.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\\\n"),
            '\r' => out.push_str("\\\\r"),
            '\t' => out.push_str("\\\\t"),
            c if c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&format!("\\\\u{{{:04x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to `max` characters, keeping its start and end.
fn shorten(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max - 12).collect();
    let tail: String = text.chars().skip(count - 10).collect();
    format!("{head}…{tail}")
}

/// A label of several lines, each escaped; DOT's `\n` separates them.
fn lines(parts: &[String]) -> String {
    parts
        .iter()
        .map(|p| escape(p))
        .collect::<Vec<_>>()
        .join("\\n")
}

pub(crate) fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "#b91c1c",
        Severity::High => "#ea580c",
        Severity::Medium => "#ca8a04",
        Severity::Low => "#2563eb",
        Severity::Info => "#0891b2",
    }
}

/// Why a node passes no authority, in a word, if it does not.
fn inactive(p: &Picture<'_>, n: &Node) -> Option<String> {
    if !n.is_live() {
        return Some(n.status.to_string());
    }
    let expired = n
        .credential
        .as_ref()
        .and_then(|c| c.expires_at)
        .is_some_and(|t| t < p.as_of);
    expired.then(|| "expired".to_owned())
}

/// Chooses what to draw and writes it as DOT. Returns the DOT and, when the node cap left
/// nodes out, the note saying so (also written into the picture).
pub fn draw(
    g: &crate::graph::AuthGraph<'_>,
    as_of: crate::timestamp::Timestamp,
    findings: &[crate::findings::Finding],
    options: &crate::picture::PictureOptions,
    title: &str,
) -> std::result::Result<(String, Option<String>), crate::picture::PictureError> {
    let picture = crate::picture::select(g, as_of, findings, options)?;
    let title = if findings.is_empty() {
        title.to_owned()
    } else {
        format!("{title} — {} finding(s) drawn", picture.findings_drawn)
    };
    Ok((to_dot(&picture, &title), picture.left_out_message()))
}

/// Layout and fonts every picture shares, and its (already escaped) title.
fn header(g: &mut dot_writer::Scope<'_, '_>, label: &str) {
    g.set("rankdir", "LR", false)
        .set("labelloc", "t", false)
        .set("fontname", "Helvetica", true)
        .set("newrank", "true", false)
        .set("label", label, true);
    g.node_attributes()
        .set("fontname", "Helvetica", true)
        .set("fontsize", "10", false);
    g.edge_attributes()
        .set("fontname", "Helvetica", true)
        .set("fontsize", "9", false)
        .set("color", "#4b5563", true);
}

/// A node's label lines: its name (when it has one), its id, and the critical badge.
fn node_lines(node: &Node) -> Vec<String> {
    let mut label = Vec::new();
    if let Some(name) = &node.name
        && name != &node.id
    {
        label.push(shorten(name, MAX_NAME_CHARS));
    }
    label.push(shorten(&node.id, MAX_ID_CHARS));
    if node.is_critical() {
        label.push("★ critical".to_owned());
    }
    label
}

/// Writes the picture as DOT. `title` heads the picture.
pub(crate) fn to_dot(p: &Picture<'_>, title: &str) -> String {
    let model = p.model;
    let mut bytes = Vec::new();
    {
        let mut writer = DotWriter::from(&mut bytes);
        // Pretty mode: the compact mode strips whitespace, including inside labels.
        writer.set_pretty_print(true);
        let mut g = writer.digraph();
        let mut heading = vec![title.to_owned()];
        if let Some(note) = p.left_out_message() {
            heading.push(note);
        }
        header(&mut g, &lines(&heading));

        // One cluster per organisation: home first, then in file order of the org node.
        let mut by_org: BTreeMap<Option<NodeIx>, Vec<NodeIx>> = BTreeMap::new();
        for &n in &p.nodes {
            by_org.entry(model.org_of(n)).or_default().push(n);
        }
        for (org, members) in &by_org {
            let mut c = g.cluster();
            let label = match org {
                None => "Home organisation".to_owned(),
                Some(o) => {
                    let on = model.node(*o);
                    let mut l = format!(
                        "{} ({})",
                        shorten(on.display_name(), MAX_NAME_CHARS),
                        on.kind
                    );
                    if let Some(end) = on.contract_end {
                        let verb = if end < p.as_of { "ended" } else { "ends" };
                        l.push_str(&format!(" — contract {verb} {end}"));
                    }
                    l
                }
            };
            let dashed = org.is_some_and(|o| model.node(o).kind == NodeKind::Partner);
            c.set("label", &escape(&label), true)
                .set(
                    "style",
                    if dashed { "rounded,dashed" } else { "rounded" },
                    true,
                )
                .set("color", if dashed { "#d97706" } else { "#9ca3af" }, true)
                .set("fontcolor", "#374151", true);
            for &n in members {
                write_node(p, &mut c, n);
            }
        }
        for &ei in &p.edges {
            write_edge(p, &mut g, ei);
        }
        write_legend(p, &mut g);
    }
    String::from_utf8(bytes).unwrap_or_default()
}

fn write_node(p: &Picture<'_>, scope: &mut dot_writer::Scope<'_, '_>, n: NodeIx) {
    let node = p.model.node(n);
    let (shape, style, fill) = kind_style(node.kind);
    let mut label = node_lines(node);
    let critical = node.is_critical();
    let dead = inactive(p, node);
    if let Some(why) = &dead {
        label.push(format!("({why})"));
    }
    let mut node_out = scope.node_named(format!("n{}", n.0));
    let attrs = node_out
        .set("shape", shape, false)
        .set("label", &lines(&label), true)
        .set("tooltip", &escape(&shorten(&node.id, MAX_ID_CHARS)), true);
    match dead {
        Some(_) => attrs
            .set("style", &format!("{style},dashed"), true)
            .set("fillcolor", "#e5e7eb", true)
            .set("fontcolor", "#6b7280", true)
            .set("color", "#9ca3af", true),
        None => attrs.set("style", style, true).set("fillcolor", fill, true),
    };
    if critical {
        attrs.set("peripheries", "2", false);
    }
    if p.compromised.contains(&n) {
        attrs
            .set("color", "#000000", true)
            .set("fillcolor", "#fca5a5", true)
            .set("penwidth", "4", false);
        return;
    }
    match p.node_marks.get(&n) {
        Some(sev) => {
            attrs
                .set("color", severity_color(*sev), true)
                .set("penwidth", "2.5", false);
        }
        None if critical => {
            attrs.set("penwidth", "2", false);
        }
        None => {}
    }
}

fn edge_label(e: &crate::model::Edge) -> String {
    let mut label = e.kind.as_str().to_owned();
    if e.kind == EdgeKind::Exposes {
        if e.requires != Level::Read {
            label.push_str(&format!(" (needs {})", e.requires));
        }
    } else if e.level != Level::Admin {
        label.push_str(&format!(" ({})", e.level));
    }
    if e.redelegable {
        label.push_str(" (re-delegable)");
    }
    label
}

fn write_edge(p: &Picture<'_>, g: &mut dot_writer::Scope<'_, '_>, ei: EdgeIx) {
    let e = &p.model.edges[ei.index()];
    let expired = e.expires_at.is_some_and(|t| t < p.as_of);
    let mut label = edge_label(e);
    if expired {
        label.push_str(" [expired]");
    }
    let cut = p.cut.contains(&ei);
    if cut {
        label = format!("✂ REVOKE {label}");
    }
    let edge = g.edge(format!("n{}", e.from.0), format!("n{}", e.to.0));
    let mut attrs = edge.attributes();
    attrs.set("label", &escape(&label), true);
    if expired {
        attrs
            .set("style", "dotted", false)
            .set("color", "#9ca3af", true);
    }
    if cut {
        attrs
            .set("color", "#000000", true)
            .set("fontcolor", "#000000", true)
            .set("style", "dashed", false)
            .set("penwidth", "4", false);
    } else if let Some(sev) = p.edge_marks.get(&ei) {
        attrs
            .set("color", severity_color(*sev), true)
            .set("fontcolor", severity_color(*sev), true)
            .set("penwidth", "3", false);
    }
}

/// A legend cluster: one sample per node kind drawn, critical and inactive samples, and
/// sample edges for finding paths (each severity drawn) and expired edges — each only when
/// the picture has one. Samples share a rank, so with left-to-right layout they stack in one
/// column.
fn write_legend(p: &Picture<'_>, g: &mut dot_writer::Scope<'_, '_>) {
    let mut kinds: Vec<NodeKind> = p.nodes.iter().map(|n| p.model.node(*n).kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut severities: Vec<Severity> = p
        .edge_marks
        .values()
        .chain(p.node_marks.values())
        .copied()
        .collect();
    severities.sort_unstable();
    severities.dedup();
    let mut samples: Vec<(String, &str, &str)> = severities
        .iter()
        .map(|s| (format!("{s} finding path"), severity_color(*s), "solid"))
        .collect();
    // Samples only for what the picture contains.
    let any_expired = p.edges.iter().any(|e| {
        p.model.edges[e.index()]
            .expires_at
            .is_some_and(|t| t < p.as_of)
    });
    if any_expired {
        samples.push(("expired edge".to_owned(), "#9ca3af", "dotted"));
    }
    let any_critical = p.nodes.iter().any(|n| p.model.node(*n).is_critical());
    let any_inactive = p
        .nodes
        .iter()
        .any(|n| inactive(p, p.model.node(*n)).is_some());

    let mut c = g.cluster();
    c.set("label", "Legend", true)
        .set("style", "rounded", true)
        .set("color", "#d1d5db", true)
        .set("fontcolor", "#374151", true);
    {
        let mut column = c.subgraph();
        column.set("rank", "same", false);
        for k in &kinds {
            let (shape, style, fill) = kind_style(*k);
            column
                .node_named(format!("legend_{k}"))
                .set("shape", shape, false)
                .set("style", style, true)
                .set("fillcolor", fill, true)
                .set("label", k.as_str(), true);
        }
        if any_critical {
            column
                .node_named("legend_critical")
                .set("shape", "box", false)
                .set("peripheries", "2", false)
                .set("penwidth", "2", false)
                .set("label", "★ critical (tier 0)", true);
        }
        if any_inactive {
            column
                .node_named("legend_inactive")
                .set("shape", "box", false)
                .set("style", "filled,dashed", true)
                .set("fillcolor", "#e5e7eb", true)
                .set("fontcolor", "#6b7280", true)
                .set("color", "#9ca3af", true)
                .set("label", "inactive / expired", true);
        }
        for i in 0..samples.len() {
            column
                .node_named(format!("legend_e{i}a"))
                .set("shape", "point", false)
                .set("width", "0.05", false);
        }
    }
    {
        let mut ends = c.subgraph();
        ends.set("rank", "same", false);
        for i in 0..samples.len() {
            ends.node_named(format!("legend_e{i}b"))
                .set("shape", "point", false)
                .set("width", "0.05", false);
        }
    }
    for (i, (label, color, style)) in samples.into_iter().enumerate() {
        c.edge(format!("legend_e{i}a"), format!("legend_e{i}b"))
            .attributes()
            .set("label", &label, true)
            .set("color", color, true)
            .set("fontcolor", color, true)
            .set("style", style, false)
            .set("penwidth", if style == "solid" { "3" } else { "1" }, false);
    }
}

/// `diff --format dot`: only what changed — paths that are new (new findings, access
/// gained) in one colour, paths that are gone (resolved findings, access lost) in another.
pub(crate) fn diff_dot(
    old: &crate::model::Graph,
    new: &crate::model::Graph,
    d: &crate::diff::Diff,
) -> String {
    const ADDED: &str = "#b91c1c";
    const REMOVED: &str = "#15803d";
    let mut paths: Vec<(&[String], &[EdgeKind], bool)> = Vec::new();
    for f in &d.new_findings {
        paths.push((&f.path, &f.path_edges, true));
    }
    for f in &d.resolved {
        paths.push((&f.path, &f.path_edges, false));
    }
    for a in &d.access {
        paths.push((&a.path, &a.path_edges, a.change.is_gain()));
    }
    let mut ids: Vec<&str> = paths
        .iter()
        .flat_map(|(p, _, _)| p.iter().map(String::as_str))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let index = |id: &str| ids.binary_search(&id).unwrap_or(0);
    let lookup = |g: &crate::model::Graph, id: &str| g.nodes.iter().position(|n| n.id == id);
    let mut edges: Vec<(usize, usize, EdgeKind, bool)> = paths
        .iter()
        .flat_map(|(p, kinds, added)| {
            p.windows(2)
                .zip(kinds.iter())
                .map(move |(w, k)| (index(&w[0]), index(&w[1]), *k, *added))
        })
        .collect();
    edges.sort_unstable_by_key(|(a, b, k, added)| (*a, *b, k.as_str(), !*added));
    edges.dedup();

    let mut bytes = Vec::new();
    {
        let mut writer = DotWriter::from(&mut bytes);
        writer.set_pretty_print(true);
        let mut g = writer.digraph();
        let title = format!("authpath diff {} → {}", d.old.source, d.new.source);
        header(&mut g, &escape(&title));
        // Nodes only in OLD are drawn from OLD and marked removed.
        let new_ix: HashMap<&str, usize> = new
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect();
        for (i, id) in ids.iter().enumerate() {
            let (node, gone) = match new_ix.get(id) {
                Some(&n) => (&new.nodes[n], false),
                None => match lookup(old, id) {
                    Some(n) => (&old.nodes[n], true),
                    None => continue,
                },
            };
            let (shape, style, fill) = kind_style(node.kind);
            let mut label = node_lines(node);
            if gone {
                label.push("(removed)".to_owned());
            }
            let mut n = g.node_named(format!("n{i}"));
            n.set("shape", shape, false)
                .set("label", &lines(&label), true)
                .set("style", if gone { "filled,dashed" } else { style }, true)
                .set("fillcolor", if gone { "#e5e7eb" } else { fill }, true);
            if node.is_critical() {
                n.set("peripheries", "2", false);
            }
        }
        for (a, b, kind, added) in edges {
            let color = if added { ADDED } else { REMOVED };
            let label = format!("{kind} ({})", if added { "new" } else { "removed" });
            g.edge(format!("n{a}"), format!("n{b}"))
                .attributes()
                .set("label", &escape(&label), true)
                .set("color", color, true)
                .set("fontcolor", color, true)
                .set("penwidth", "3", false)
                .set("style", if added { "solid" } else { "dashed" }, false);
        }
        let mut legend = g.cluster();
        legend
            .set("label", "Legend", true)
            .set("style", "rounded", true)
            .set("color", "#d1d5db", true);
        for (i, (label, color, style)) in [
            ("new path", ADDED, "solid"),
            ("removed path", REMOVED, "dashed"),
        ]
        .into_iter()
        .enumerate()
        {
            for end in ["a", "b"] {
                legend
                    .node_named(format!("legend_{i}{end}"))
                    .set("shape", "point", false)
                    .set("width", "0.05", false);
            }
            legend
                .edge(format!("legend_{i}a"), format!("legend_{i}b"))
                .attributes()
                .set("label", label, true)
                .set("color", color, true)
                .set("fontcolor", color, true)
                .set("penwidth", "3", false)
                .set("style", style, false);
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// Graphviz DOT pictures: the findings of `analyze` on the graph (narrowed by `options`), a
/// diff's changed paths, each incident answer's witnesses, and the whole graph.
pub struct Dot {
    /// Finding filters, focus and the node cap (answers use only the cap).
    pub options: crate::picture::PictureOptions,
}

impl Dot {
    /// Writes a picture that `select` chose from the graph, `findings` highlighted.
    fn chosen(
        &self,
        model: &crate::model::Graph,
        as_of: crate::timestamp::Timestamp,
        findings: &[crate::findings::Finding],
        title: &str,
        out: &mut dyn std::io::Write,
    ) -> Result<Notes> {
        let g = crate::graph::AuthGraph::build(model);
        let (dot, note) = draw(&g, as_of, findings, &self.options, title)
            .map_err(|e| Error::new(ErrorKind::Usage, e.0))?;
        super::put(out, &dot)?;
        Ok(note
            .map(|n| format!("authpath: note: {n}"))
            .into_iter()
            .collect())
    }

    /// Writes the picture of an incident answer, which `picture` draws on the analysis graph
    /// of `model` and titles.
    fn answer<'m>(
        &self,
        model: &'m crate::model::Graph,
        out: &mut dyn std::io::Write,
        picture: impl FnOnce(&crate::graph::AuthGraph<'m>, usize) -> (Picture<'m>, String),
    ) -> Result<Notes> {
        let g = crate::graph::AuthGraph::build(model);
        let (p, title) = picture(&g, self.options.max_nodes);
        let note = p.left_out_message();
        super::put(out, &to_dot(&p, &title))?;
        Ok(note
            .map(|n| format!("authpath: note: {n}"))
            .into_iter()
            .collect())
    }
}

impl Reporter for Dot {
    fn name(&self) -> &'static str {
        "dot"
    }

    fn findings(&self, doc: &Findings, out: &mut dyn std::io::Write) -> Result<Notes> {
        let r = &doc.report;
        let title = format!("authpath analyze {}: judged at {}", r.source, r.as_of);
        self.chosen(&doc.model, r.as_of, &r.findings, &title, out)
    }

    fn overview(&self, doc: &Overview, out: &mut dyn std::io::Write) -> Result<Notes> {
        let title = format!("authpath: {}", doc.model.source);
        self.chosen(&doc.model, doc.instant.as_of, &[], &title, out)
    }

    fn diff(&self, doc: &Diff, out: &mut dyn std::io::Write) -> Result<Notes> {
        super::put(out, &diff_dot(&doc.old, &doc.new, &doc.changes))
    }

    fn blast_radius(&self, doc: &BlastRadius, out: &mut dyn std::io::Write) -> Result<Notes> {
        let b = &doc.answer;
        self.answer(&doc.model, out, |g, max| {
            let ids: Vec<&str> = b
                .sources
                .iter()
                .map(|s| g.model.node(*s).id.as_str())
                .collect();
            let title = format!(
                "authpath blast-radius from {}: {} node(s) reached",
                ids.join(", "),
                b.reached.len()
            );
            (
                picture::of_blast_radius(g, doc.instant.as_of, b, max),
                title,
            )
        })
    }

    fn who_can(&self, doc: &WhoCan, out: &mut dyn std::io::Write) -> Result<Notes> {
        let w = &doc.answer;
        self.answer(&doc.model, out, |g, max| {
            let title = format!(
                "authpath who-can reach {}: {} subject(s)",
                g.model.node(w.target).id,
                w.subjects.len()
            );
            (picture::of_who_can(g, doc.instant.as_of, w, max), title)
        })
    }

    fn paths(&self, doc: &Paths, out: &mut dyn std::io::Write) -> Result<Notes> {
        let p = &doc.answer;
        self.answer(&doc.model, out, |g, max| {
            let (from, to) = (&g.model.node(p.from).id, &g.model.node(p.to).id);
            let title = format!("authpath path {from} → {to}");
            (picture::of_paths(g, doc.instant.as_of, p, max), title)
        })
    }

    fn cut(&self, doc: &Cut, out: &mut dyn std::io::Write) -> Result<Notes> {
        let c = &doc.answer;
        self.answer(&doc.model, out, |g, max| {
            let title = format!(
                "authpath cut: revoke {} edge(s), cost {}",
                c.edges.len(),
                c.cost
            );
            (
                picture::of_cut(g, doc.instant.as_of, c, &doc.broken, max),
                title,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_values_inside_their_string() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape("x\ny"), "x\\\\ny");
        assert_eq!(
            escape("\"]; n0 [image=\"/etc/passwd\""),
            "\\\"]; n0 [image=\\\"/etc/passwd\\\""
        );
        assert_eq!(escape("a\u{202E}b"), "a\\\\u{202e}b");
        assert_eq!(escape("<b>&</b> {x|y}"), "<b>&</b> {x|y}");
    }

    #[test]
    fn long_text_is_cut_in_the_middle() {
        let long = "x".repeat(10_000) + "END";
        let s = shorten(&long, 80);
        assert_eq!(s.chars().count(), 79);
        assert!(s.ends_with("xxxxxxxEND"));
    }
}
