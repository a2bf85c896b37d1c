//! Outputs of the incident-response commands: JSON (docs/rules.md "Query outputs", with added
//! keys only) and text for a responder.

use crate::explain;
use crate::model::{EdgeKind, Graph, Level, NodeIx};
use crate::reach::{Blocker, Walk};
use crate::request::query as request;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

fn id(g: &Graph, n: NodeIx) -> String {
    g.node(n).id.clone()
}

fn ids(g: &Graph, ns: &[NodeIx]) -> Vec<String> {
    ns.iter().map(|n| id(g, *n)).collect()
}

/// What on a latent path is disabled or expired today, in words.
pub(crate) fn blocker_words(g: &Graph, b: &Blocker) -> String {
    match b {
        Blocker::Inactive(n) => format!("{} is {}", g.node(*n).id, g.node(*n).status),
        Blocker::ExpiredCredential(n) => {
            let exp = g
                .node(*n)
                .credential
                .as_ref()
                .and_then(|c| c.expires_at)
                .map(|t| t.to_string())
                .unwrap_or_default();
            format!("credential {} expired on {exp}", g.node(*n).id)
        }
        Blocker::ExpiredEdge(e) => {
            let edge = &g.edges[e.index()];
            format!(
                "edges[{e}] ({} -{}-> {}) expired on {}",
                g.node(edge.from).id,
                edge.kind,
                g.node(edge.to).id,
                edge.expires_at.map(|t| t.to_string()).unwrap_or_default()
            )
        }
    }
}

/// One reached node or subject: docs/rules.md's keys, then ours.
#[derive(Serialize, JsonSchema)]
pub struct Entry {
    pub node: String,
    pub level: Level,
    pub path: Vec<String>,
    pub path_edges: Vec<EdgeKind>,
    /// The path in words.
    pub message: String,
    /// With --include-inactive: the path needs a disabled node or an expired edge or
    /// credential (listed in `blocked_by`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub latent: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_by: Vec<String>,
}

fn entry(g: &Graph, node: NodeIx, walk: &Walk, blockers: &[Blocker]) -> Entry {
    Entry {
        node: id(g, node),
        level: walk.level,
        path: ids(g, &walk.nodes),
        path_edges: walk.edges.iter().map(|e| g.edges[e.index()].kind).collect(),
        message: explain::reach_sentence(g, walk, ""),
        latent: !blockers.is_empty(),
        blocked_by: blockers.iter().map(|b| blocker_words(g, b)).collect(),
    }
}

/// An entry for a responder: `node (level) [latent]`, its sentence, and what blocks it.
fn entry_text(out: &mut String, indent: &str, e: &Entry) {
    let latent = if e.latent { " [latent]" } else { "" };
    let _ = writeln!(
        out,
        "{indent}{} ({}){latent}\n{indent}  {}",
        e.node, e.level, e.message
    );
    for b in &e.blocked_by {
        let _ = writeln!(out, "{indent}  needs re-enabling: {b}");
    }
}

fn to_json<T: Serialize>(doc: &T) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

fn schema_of<T: JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

// ------------------------------------------------------------------ blast-radius

#[derive(Serialize, JsonSchema)]
pub struct BlastSummary {
    pub reached: usize,
    pub critical: usize,
    pub by_kind: BTreeMap<String, usize>,
    /// Keyed by organisation id; `home` is the home organisation.
    pub by_org: BTreeMap<String, usize>,
    pub by_sensitivity: BTreeMap<String, usize>,
    pub by_level: BTreeMap<String, usize>,
}

/// `blast-radius --format json`.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "authpath blast-radius")]
pub struct BlastDocument {
    pub schema_version: u32,
    pub sources: Vec<String>,
    pub reached: Vec<Entry>,
    pub summary: BlastSummary,
    /// Sources that pass no authority today (inactive, or an expired credential).
    pub inactive_sources: Vec<String>,
    pub as_of: String,
}

fn org_key(g: &Graph, n: NodeIx) -> String {
    g.org_of(n)
        .map_or("home".to_owned(), |o| g.node(o).id.clone())
}

pub(crate) fn blast_document(a: &request::BlastRadius) -> BlastDocument {
    let (g, as_of, b) = (&a.model, a.instant.as_of, &a.answer);
    let mut summary = BlastSummary {
        reached: b.reached.len(),
        critical: 0,
        by_kind: BTreeMap::new(),
        by_org: BTreeMap::new(),
        by_sensitivity: BTreeMap::new(),
        by_level: BTreeMap::new(),
    };
    for r in &b.reached {
        let n = g.node(r.node);
        summary.critical += usize::from(n.is_critical());
        *summary.by_kind.entry(n.kind.to_string()).or_default() += 1;
        *summary.by_org.entry(org_key(g, r.node)).or_default() += 1;
        *summary
            .by_sensitivity
            .entry(n.sensitivity.to_string())
            .or_default() += 1;
        *summary
            .by_level
            .entry(r.walk.level.to_string())
            .or_default() += 1;
    }
    BlastDocument {
        schema_version: 1,
        sources: ids(g, &b.sources),
        reached: b
            .reached
            .iter()
            .map(|r| entry(g, r.node, &r.walk, &r.blockers))
            .collect(),
        summary,
        inactive_sources: ids(g, &b.dead_sources),
        as_of: as_of.to_string(),
    }
}

pub(crate) fn blast_text(a: &request::BlastRadius) -> String {
    let (g, b) = (&a.model, &a.answer);
    let doc = blast_document(a);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Blast radius of {} (judged at {}): {} node(s) reached, {} critical",
        doc.sources.join(", "),
        doc.as_of,
        doc.summary.reached,
        doc.summary.critical
    );
    for s in &doc.inactive_sources {
        let _ = writeln!(
            out,
            "note: {s} is not active and passes no authority (see --include-inactive)"
        );
    }
    let crit: Vec<&Entry> = doc
        .reached
        .iter()
        .zip(&b.reached)
        .filter(|(_, r)| g.node(r.node).is_critical())
        .map(|(e, _)| e)
        .collect();
    if !crit.is_empty() {
        let _ = writeln!(out, "\nCritical nodes reached ({}):", crit.len());
        for e in crit {
            entry_text(&mut out, "  ", e);
        }
    }
    let line = |m: &BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "\nBy level: {}", line(&doc.summary.by_level));
    let _ = writeln!(out, "By kind: {}", line(&doc.summary.by_kind));
    let _ = writeln!(out, "By organisation: {}", line(&doc.summary.by_org));
    let _ = writeln!(out, "By sensitivity: {}", line(&doc.summary.by_sensitivity));
    let others: Vec<&Entry> = doc
        .reached
        .iter()
        .zip(&b.reached)
        .filter(|(_, r)| !g.node(r.node).is_critical())
        .map(|(e, _)| e)
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out, "\nEverything else reached ({}):", others.len());
        for e in others {
            let latent = if e.latent { " [latent]" } else { "" };
            let path: Vec<String> = e
                .path
                .iter()
                .map(|p| crate::diagnostics::quote_if_needed(p))
                .collect();
            let _ = writeln!(
                out,
                "  {} ({}){latent}: {}",
                e.node,
                e.level,
                path.join(" → ")
            );
        }
    }
    out
}

// ------------------------------------------------------------------ who-can

/// `who-can --format json`.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "authpath who-can")]
pub struct WhoCanDocument {
    pub schema_version: u32,
    pub target: String,
    pub min_level: Level,
    pub subjects: Vec<Entry>,
    /// Subjects per organisation id (`home` for the home organisation).
    pub by_org: BTreeMap<String, usize>,
    pub as_of: String,
    /// With the default subjects: live people (human and tenant nodes) that also reach the
    /// target at `min_level` but are not listed; `--subjects all` lists them.
    pub people_left_out: usize,
}

pub(crate) fn whocan_document(a: &request::WhoCan) -> WhoCanDocument {
    let (g, as_of, w) = (&a.model, a.instant.as_of, &a.answer);
    let mut by_org = BTreeMap::new();
    for (n, _, _) in &w.subjects {
        *by_org.entry(org_key(g, *n)).or_default() += 1;
    }
    WhoCanDocument {
        schema_version: 1,
        target: id(g, w.target),
        min_level: w.min_level,
        subjects: w
            .subjects
            .iter()
            .map(|(n, walk, b)| entry(g, *n, walk, b))
            .collect(),
        by_org,
        as_of: as_of.to_string(),
        people_left_out: w.left_out,
    }
}

pub(crate) fn whocan_text(a: &request::WhoCan) -> String {
    let (g, w) = (&a.model, &a.answer);
    let doc = whocan_document(a);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Who can reach {} at {} or more (judged at {}): {} subject(s)",
        doc.target,
        doc.min_level,
        doc.as_of,
        doc.subjects.len()
    );
    if doc.people_left_out > 0 {
        let _ = writeln!(
            out,
            "note: {} person(s) (human or tenant nodes) also reach it but are not subjects by default; --subjects all lists them",
            doc.people_left_out
        );
    }
    for (org, count) in &doc.by_org {
        let name = if org == "home" {
            "Home organisation".to_owned()
        } else {
            g.nodes
                .iter()
                .find(|n| &n.id == org)
                .map(|n| format!("{} ({})", n.display_name(), n.kind))
                .unwrap_or_else(|| org.clone())
        };
        let _ = writeln!(out, "\n{name} — {count}");
        for ((n, _, _), e) in w.subjects.iter().zip(&doc.subjects) {
            if &org_key(g, *n) != org {
                continue;
            }
            entry_text(&mut out, "  ", e);
        }
    }
    out
}

// ------------------------------------------------------------------ path

#[derive(Serialize, JsonSchema)]
pub struct PathOut {
    pub level: Level,
    pub path: Vec<String>,
    pub path_edges: Vec<EdgeKind>,
    pub message: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub latent: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_by: Vec<String>,
}

/// `path --format json`.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "authpath path")]
pub struct PathDocument {
    pub schema_version: u32,
    pub from: String,
    pub to: String,
    /// The effective level (`null`: no path).
    pub level: Option<Level>,
    /// The witness of the effective level (it may pass a node twice).
    pub witness: Option<PathOut>,
    /// Simple paths that carry authority, shortest first.
    pub paths: Vec<PathOut>,
    /// When there is no path: the nearest one that a disabled node or an expired edge or
    /// credential blocks, and what blocks it.
    pub nearest_blocked: Option<PathOut>,
    pub as_of: String,
}

fn path_out(g: &Graph, walk: &Walk, blockers: &[Blocker]) -> PathOut {
    let e = entry(g, *walk.nodes.last().unwrap_or(&NodeIx(0)), walk, blockers);
    PathOut {
        level: e.level,
        path: e.path,
        path_edges: e.path_edges,
        message: e.message,
        latent: e.latent,
        blocked_by: e.blocked_by,
    }
}

pub(crate) fn path_document(a: &request::Paths) -> PathDocument {
    let (g, as_of, p) = (&a.model, a.instant.as_of, &a.answer);
    PathDocument {
        schema_version: 1,
        from: id(g, p.from),
        to: id(g, p.to),
        level: p.effective.as_ref().map(|w| w.level),
        witness: p.effective.as_ref().map(|w| path_out(g, w, &[])),
        paths: p.paths.iter().map(|(w, b)| path_out(g, w, b)).collect(),
        nearest_blocked: p.nearest_blocked.as_ref().map(|(w, b)| path_out(g, w, b)),
        as_of: as_of.to_string(),
    }
}

pub(crate) fn path_text(a: &request::Paths) -> String {
    let doc = path_document(a);
    let mut out = String::new();
    match &doc.witness {
        None => {
            let _ = writeln!(
                out,
                "No path from {} to {} (judged at {}).",
                doc.from, doc.to, doc.as_of
            );
            match &doc.nearest_blocked {
                Some(n) => {
                    let _ = writeln!(
                        out,
                        "The nearest path is blocked today; re-enabling it would give {}:\n  {}",
                        n.level, n.message
                    );
                    for b in &n.blocked_by {
                        let _ = writeln!(out, "  blocked by: {b}");
                    }
                }
                None => {
                    let _ = writeln!(out, "Not even through disabled nodes or expired edges.");
                }
            }
        }
        Some(w) => {
            let _ = writeln!(
                out,
                "{} reaches {} at {} (judged at {}).",
                doc.from, doc.to, w.level, doc.as_of
            );
            let _ = writeln!(out, "  {}", w.message);
            if !doc.paths.is_empty() {
                let _ = writeln!(out, "\nSimple paths, shortest first ({}):", doc.paths.len());
                for (i, p) in doc.paths.iter().enumerate() {
                    let latent = if p.latent { " [latent]" } else { "" };
                    let _ = writeln!(
                        out,
                        "{}. {} edge(s), {}{latent}: {}",
                        i + 1,
                        p.path_edges.len(),
                        p.level,
                        p.message
                    );
                    for b in &p.blocked_by {
                        let _ = writeln!(out, "   needs re-enabling: {b}");
                    }
                }
            }
        }
    }
    out
}

// ------------------------------------------------------------------ cut

#[derive(Serialize, JsonSchema)]
pub struct CutEdge {
    /// Index in the input's `edges` array.
    pub edge: u32,
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    pub cost: u64,
    /// Targets this edge led to before the cut.
    pub protects: Vec<String>,
}

/// `cut --format json`.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "authpath cut")]
pub struct CutDocument {
    pub schema_version: u32,
    pub sources: Vec<String>,
    pub targets: Vec<String>,
    pub cost: u64,
    /// The revocation plan, cheapest first.
    pub cut: Vec<CutEdge>,
    /// After removing the cut edges, no source reaches any target at any level.
    pub verified: bool,
    /// Targets the sources reached before the cut.
    pub exposed_targets: Vec<String>,
    /// The cost of revoking one edge of each kind.
    pub costs: BTreeMap<String, u64>,
}

pub(crate) fn cut_document(a: &request::Cut) -> CutDocument {
    let (g, c, costs) = (&a.model, &a.answer, &a.costs);
    let mut plan: Vec<CutEdge> = c
        .edges
        .iter()
        .map(|&ei| {
            let e = &g.edges[ei.index()];
            CutEdge {
                edge: ei.0,
                from: id(g, e.from),
                to: id(g, e.to),
                kind: e.kind,
                cost: costs.of(e.kind),
                protects: ids(
                    g,
                    c.protects.get(&ei).map(Vec::as_slice).unwrap_or_default(),
                ),
            }
        })
        .collect();
    plan.sort_by_key(|e| (e.cost, e.edge));
    CutDocument {
        schema_version: 1,
        sources: ids(g, &c.sources),
        targets: ids(g, &c.targets),
        cost: c.cost,
        cut: plan,
        verified: c.verified,
        exposed_targets: ids(g, &c.exposed_before),
        costs: EdgeKind::ALL
            .iter()
            .map(|k| (k.to_string(), costs.of(*k)))
            .collect(),
    }
}

pub(crate) fn cut_text(a: &request::Cut) -> String {
    let g = &a.model;
    let doc = cut_document(a);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Kill switch for {} → {} target(s): {} of them reachable now.",
        doc.sources.join(", "),
        doc.targets.len(),
        doc.exposed_targets.len()
    );
    if doc.cut.is_empty() {
        let _ = writeln!(out, "Nothing to revoke: no source reaches any target.");
    } else {
        let _ = writeln!(
            out,
            "Revoke these {} edge(s), total cost {}:",
            doc.cut.len(),
            doc.cost
        );
        for (i, e) in doc.cut.iter().enumerate() {
            let edge = &g.edges[e.edge as usize];
            let what = match edge.kind {
                EdgeKind::Holds => format!("take {} away from {}", e.to, e.from),
                EdgeKind::AuthenticatesAs => {
                    format!("revoke {} (it authenticates as {})", e.from, e.to)
                }
                EdgeKind::Mints => format!("stop {} minting for {}", e.from, e.to),
                EdgeKind::Exposes => format!("remove {} from {} and rotate it", e.to, e.from),
                EdgeKind::Assumes => format!("stop {} assuming {}", e.from, e.to),
                EdgeKind::AdminOf => format!("withdraw {}'s admin over {}", e.from, e.to),
                EdgeKind::Grants => format!("remove {}'s grant on {}", e.from, e.to),
                EdgeKind::MemberOf => format!("remove {} from {}", e.from, e.to),
            };
            let _ = writeln!(
                out,
                "{}. edges[{}] {} -{}-> {}: {what} (cost {}); protects {}",
                i + 1,
                e.edge,
                e.from,
                e.kind,
                e.to,
                e.cost,
                if e.protects.is_empty() {
                    "-".to_owned()
                } else {
                    e.protects.join(", ")
                }
            );
        }
    }
    let verdict = if doc.verified {
        "verified: with these edges revoked, reachability was re-run and no source reaches any target at any level"
    } else {
        "NOT VERIFIED: a target is still reachable after the cut"
    };
    let _ = writeln!(out, "{verdict}.");
    out
}

/// JSON Schemas of the query outputs, by command name.
pub fn query_schema(command: &str) -> Option<String> {
    match command {
        "blast-radius" => Some(schema_of::<BlastDocument>()),
        "who-can" => Some(schema_of::<WhoCanDocument>()),
        "path" => Some(schema_of::<PathDocument>()),
        "cut" => Some(schema_of::<CutDocument>()),
        _ => None,
    }
}

/// An answer's JSON document as text.
pub(crate) fn as_json<T: Serialize>(doc: T) -> String {
    to_json(&doc)
}

/// An answer's text as it is.
pub(crate) fn as_text(text: String) -> String {
    text
}

/// The four incident answers written in one of this module's forms (`json` or `text`), for
/// the reporters of those formats: `query::answers!(json)` inside `impl Reporter`.
macro_rules! answers {
    (json) => {
        crate::render::query::answers!(@each as_json, blast_radius: BlastRadius => blast_document,
            who_can: WhoCan => whocan_document, paths: Paths => path_document, cut: Cut => cut_document);
    };
    (text) => {
        crate::render::query::answers!(@each as_text, blast_radius: BlastRadius => blast_text,
            who_can: WhoCan => whocan_text, paths: Paths => path_text, cut: Cut => cut_text);
    };
    (@each $form:ident, $($method:ident: $doc:ident => $write:ident),*) => {
        $(fn $method(
            &self,
            doc: &crate::request::query::$doc,
            out: &mut dyn std::io::Write,
        ) -> crate::error::Result<crate::request::Notes> {
            super::put(out, &super::query::$form(super::query::$write(doc)))
        })*
    };
}
pub(crate) use answers;
