//! The graph (and, when asked, the findings) as the CSV files two scale-out Cypher engines
//! bulk-load, plus `queries.cypher`, the main questions in openCypher.
//!
//! - `neo4j/`: `neo4j-admin database import full` headers (`id:ID(AP_Node)`, `:LABEL`,
//!   `:START_ID(AP_Node)`, `:END_ID(AP_Node)`, `:TYPE`, `name:type`, arrays `string[]`
//!   split on `;`), written for Neo4j 5.
//! - `neptune/`: Amazon Neptune's openCypher load format (`~id`, `~label`, `~from`, `~to`,
//!   typed columns `name:String`, `name:Bool`, `name:Int`, `name:String[]`).
//!
//! Each layout has the same files: `nodes.csv` (`AP_Node`, with a second label for the
//! kind), `edges.csv` (`AP_EDGE`: every edge with every field), `passes.csv` (`AP_PASSES`:
//! the edges that pass authority at the instant of judgement — unexpired, between usable
//! nodes — so that reachability is a plain variable-length match), `delegates.csv`
//! (`AP_DELEGATES`: those of kind `admin_of` or `assumes`, for delegation cycles), and with
//! findings `findings.csv` (`AP_Finding`) and `involves.csv` (`AP_INVOLVES`: finding → node,
//! with its role and position on the path).

use super::{Facts, Membership, node_fields, worst};
use crate::findings::Finding;
use crate::model::{EdgeKind, Graph};
use crate::output::write_atomic_with;
use serde_json::Value;
use std::io;
use std::path::Path;

/// The questions, in openCypher that Neo4j 5, Neptune and Kùzu all run.
pub(crate) const QUERIES: &str = include_str!("queries.cypher");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Neo4j,
    Neptune,
}

/// A column: its name and type (`None`: a string).
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Bool,
    Int,
    StrList,
}

/// What was written, for the user to read.
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<String>,
    pub nodes: usize,
    pub edges: usize,
    pub passing: usize,
    pub findings: usize,
}

/// Writes both layouts and `queries.cypher` under `dir` (created when missing); every file
/// is written to a temporary file and renamed into place.
pub fn write(
    model: &Graph,
    facts: &Facts,
    findings: Option<&[Finding]>,
    dir: &Path,
) -> io::Result<Written> {
    std::fs::create_dir_all(dir)?;
    let members = findings.map(Membership::of);
    let mut jobs: Vec<(Layout, &'static str)> = Vec::new();
    for layout in [Layout::Neo4j, Layout::Neptune] {
        for file in ["nodes.csv", "edges.csv", "passes.csv", "delegates.csv"] {
            jobs.push((layout, file));
        }
        if findings.is_some() {
            jobs.push((layout, "findings.csv"));
            jobs.push((layout, "involves.csv"));
        }
    }
    for layout in [Layout::Neo4j, Layout::Neptune] {
        std::fs::create_dir_all(dir.join(layout_dir(layout)))?;
    }
    use rayon::prelude::*;
    let results: Vec<io::Result<String>> = jobs
        .par_iter()
        .map(|(layout, file)| {
            let path = dir.join(layout_dir(*layout)).join(file);
            write_atomic_with(&path, &mut |w| {
                let mut csv = csv::WriterBuilder::new().flexible(false).from_writer(w);
                let r = match *file {
                    "nodes.csv" => nodes(&mut csv, *layout, model, facts, members.as_ref()),
                    "edges.csv" => edges(&mut csv, *layout, model, facts, members.as_ref()),
                    "passes.csv" => passing(&mut csv, *layout, model, facts, false),
                    "delegates.csv" => passing(&mut csv, *layout, model, facts, true),
                    "findings.csv" => {
                        finding_nodes(&mut csv, *layout, findings.unwrap_or_default())
                    }
                    _ => involves(&mut csv, *layout, findings.unwrap_or_default()),
                };
                r.and_then(|()| csv.flush().map_err(csv_error))
            })?;
            Ok(format!("{}/{}", layout_dir(*layout), file))
        })
        .collect();
    let mut written = Written {
        nodes: model.nodes.len(),
        edges: model.edges.len(),
        passing: facts.passes.iter().filter(|p| **p).count(),
        findings: findings.map_or(0, <[Finding]>::len),
        ..Written::default()
    };
    for r in results {
        written.files.push(r?);
    }
    crate::output::write_atomic(&dir.join("queries.cypher"), QUERIES.as_bytes())?;
    written.files.push("queries.cypher".into());
    Ok(written)
}

fn layout_dir(layout: Layout) -> &'static str {
    match layout {
        Layout::Neo4j => "neo4j",
        Layout::Neptune => "neptune",
    }
}

fn csv_error(e: impl Into<io::Error>) -> io::Error {
    e.into()
}

type Csv<'w> = csv::Writer<&'w mut dyn io::Write>;

/// The header cell of a property column.
fn column(layout: Layout, name: &str, ty: Ty) -> String {
    match (layout, ty) {
        (Layout::Neo4j, Ty::Str) => name.to_string(),
        (Layout::Neo4j, Ty::Bool) => format!("{name}:boolean"),
        (Layout::Neo4j, Ty::Int) => format!("{name}:int"),
        (Layout::Neo4j, Ty::StrList) => format!("{name}:string[]"),
        (Layout::Neptune, Ty::Str) => format!("{name}:String"),
        (Layout::Neptune, Ty::Bool) => format!("{name}:Bool"),
        (Layout::Neptune, Ty::Int) => format!("{name}:Int"),
        (Layout::Neptune, Ty::StrList) => format!("{name}:String[]"),
    }
}

const NODE_COLUMNS: &[(&str, Ty)] = &[
    ("kind", Ty::Str),
    ("name", Ty::Str),
    ("org", Ty::Str),
    ("owner", Ty::Str),
    ("status", Ty::Str),
    ("sensitivity", Ty::Str),
    ("tags", Ty::StrList),
    ("purpose", Ty::Str),
    ("reviewed_at", Ty::Str),
    ("credential_type", Ty::Str),
    ("issued_at", Ty::Str),
    ("expires_at", Ty::Str),
    ("last_used_at", Ty::Str),
    ("rotated_at", Ty::Str),
    ("scopes", Ty::StrList),
    ("used_scopes", Ty::StrList),
    ("contract_end", Ty::Str),
    ("usable", Ty::Bool),
    ("critical", Ty::Bool),
    ("subject", Ty::Bool),
    ("external", Ty::Bool),
    ("properties", Ty::Str),
];

const EDGE_COLUMNS: &[(&str, Ty)] = &[
    ("index", Ty::Int),
    ("kind", Ty::Str),
    ("level", Ty::Str),
    ("requires", Ty::Str),
    ("redelegable", Ty::Bool),
    ("expires_at", Ty::Str),
    ("granted_by", Ty::Str),
    ("purpose", Ty::Str),
    ("reviewed_at", Ty::Str),
    ("passes", Ty::Bool),
    ("properties", Ty::Str),
];

/// A JSON value as a cell: strings as they are, arrays joined on `;`, others as JSON.
fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(";"),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn node_header(layout: Layout, with_findings: bool) -> Vec<String> {
    let mut h = match layout {
        Layout::Neo4j => vec!["id:ID(AP_Node)".to_string(), ":LABEL".into()],
        Layout::Neptune => vec!["~id".to_string(), "~label".into()],
    };
    h.extend(NODE_COLUMNS.iter().map(|(n, t)| column(layout, n, *t)));
    if with_findings {
        h.push(column(layout, "findings", Ty::StrList));
        h.push(column(layout, "max_severity", Ty::Str));
    }
    h
}

fn nodes(
    csv: &mut Csv<'_>,
    layout: Layout,
    model: &Graph,
    facts: &Facts,
    members: Option<&Membership<'_>>,
) -> io::Result<()> {
    csv.write_record(node_header(layout, members.is_some()))
        .map_err(csv_error)?;
    let mut row: Vec<String> = Vec::with_capacity(NODE_COLUMNS.len() + 4);
    for (i, n) in model.nodes.iter().enumerate() {
        row.clear();
        row.push(n.id.clone());
        row.push(format!("AP_Node;{}", crate::vocabulary::node_kind(n.kind)));
        let fields = node_fields(model, n);
        for (name, _) in NODE_COLUMNS {
            let v = match *name {
                "kind" => n.kind.as_str().to_string(),
                "usable" => facts.usable[i].to_string(),
                "critical" => facts.critical[i].to_string(),
                "subject" => facts.subject[i].to_string(),
                "external" => facts.external[i].to_string(),
                "properties" => properties(&n.properties),
                field => fields
                    .iter()
                    .find(|(k, _)| *k == field)
                    .map(|(_, v)| cell(v))
                    .unwrap_or_default(),
            };
            row.push(v);
        }
        if let Some(m) = members {
            let found = m.of_node(&n.id);
            row.push(ids(found));
            row.push(
                worst(found)
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            );
        }
        csv.write_record(&row).map_err(csv_error)?;
    }
    Ok(())
}

fn properties(p: &[(String, Value)]) -> String {
    if p.is_empty() {
        return String::new();
    }
    let map: serde_json::Map<String, Value> = p.iter().cloned().collect();
    Value::Object(map).to_string()
}

fn ids(found: &[&Finding]) -> String {
    let mut ids: Vec<&str> = found.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.join(";")
}

/// The id, ends and type columns of a relationship file. Neptune's columns start with the
/// ends too (it reads columns by name; other engines read them by position).
fn rel_header(layout: Layout, from: &str, to: &str) -> Vec<String> {
    match layout {
        Layout::Neo4j => vec![
            format!(":START_ID({from})"),
            format!(":END_ID({to})"),
            ":TYPE".into(),
        ],
        Layout::Neptune => vec!["~from".into(), "~to".into(), "~id".into(), "~label".into()],
    }
}

fn rel_lead(layout: Layout, row: &mut Vec<String>, from: &str, to: &str, id: String, ty: &str) {
    row.push(from.to_string());
    row.push(to.to_string());
    if layout == Layout::Neptune {
        row.push(id);
    }
    row.push(ty.to_string());
}

fn edges(
    csv: &mut Csv<'_>,
    layout: Layout,
    model: &Graph,
    facts: &Facts,
    members: Option<&Membership<'_>>,
) -> io::Result<()> {
    use std::fmt::Write as _;
    let mut header = rel_header(layout, "AP_Node", "AP_Node");
    header.extend(EDGE_COLUMNS.iter().map(|(n, t)| column(layout, n, *t)));
    if members.is_some() {
        header.push(column(layout, "findings", Ty::StrList));
    }
    csv.write_record(&header).map_err(csv_error)?;
    let mut num = String::new();
    for (i, e) in model.edges.iter().enumerate() {
        let (from, to) = (&model.node(e.from).id, &model.node(e.to).id);
        // Fields are written one by one: millions of rows, no row of strings built.
        csv.write_field(from).map_err(csv_error)?;
        csv.write_field(to).map_err(csv_error)?;
        num.clear();
        let _ = write!(num, "{i}");
        if layout == Layout::Neptune {
            csv.write_field(format!("e{i}")).map_err(csv_error)?;
        }
        csv.write_field("AP_EDGE").map_err(csv_error)?;
        csv.write_field(&num).map_err(csv_error)?;
        csv.write_field(e.kind.as_str()).map_err(csv_error)?;
        let exposes = e.kind == EdgeKind::Exposes;
        csv.write_field(if exposes { "" } else { e.level.as_str() })
            .map_err(csv_error)?;
        csv.write_field(if exposes { e.requires.as_str() } else { "" })
            .map_err(csv_error)?;
        csv.write_field(if e.redelegable { "true" } else { "false" })
            .map_err(csv_error)?;
        csv.write_field(e.expires_at.map(|t| t.to_string()).unwrap_or_default())
            .map_err(csv_error)?;
        csv.write_field(e.granted_by().unwrap_or(""))
            .map_err(csv_error)?;
        csv.write_field(e.purpose().unwrap_or(""))
            .map_err(csv_error)?;
        csv.write_field(e.reviewed_at().map(|t| t.to_string()).unwrap_or_default())
            .map_err(csv_error)?;
        csv.write_field(if facts.passes[i] { "true" } else { "false" })
            .map_err(csv_error)?;
        csv.write_field(properties(e.properties()))
            .map_err(csv_error)?;
        if let Some(m) = members {
            csv.write_field(ids(m.of_edge(from, to, e.kind)))
                .map_err(csv_error)?;
        }
        csv.write_record(None::<&[u8]>).map_err(csv_error)?;
    }
    Ok(())
}

/// The edges that pass authority now (`delegation`: only `admin_of` and `assumes` among
/// them), with the fields a question about levels needs.
fn passing(
    csv: &mut Csv<'_>,
    layout: Layout,
    model: &Graph,
    facts: &Facts,
    delegation: bool,
) -> io::Result<()> {
    use std::fmt::Write as _;
    let mut header = rel_header(layout, "AP_Node", "AP_Node");
    for (n, t) in [
        ("index", Ty::Int),
        ("kind", Ty::Str),
        ("level", Ty::Str),
        ("requires", Ty::Str),
    ] {
        header.push(column(layout, n, t));
    }
    csv.write_record(&header).map_err(csv_error)?;
    let (ty, prefix) = if delegation {
        ("AP_DELEGATES", "d")
    } else {
        ("AP_PASSES", "p")
    };
    let mut num = String::new();
    for (i, e) in model.edges.iter().enumerate() {
        if !facts.passes[i]
            || (delegation && !matches!(e.kind, EdgeKind::AdminOf | EdgeKind::Assumes))
        {
            continue;
        }
        csv.write_field(&model.node(e.from).id).map_err(csv_error)?;
        csv.write_field(&model.node(e.to).id).map_err(csv_error)?;
        if layout == Layout::Neptune {
            num.clear();
            let _ = write!(num, "{prefix}{i}");
            csv.write_field(&num).map_err(csv_error)?;
        }
        csv.write_field(ty).map_err(csv_error)?;
        num.clear();
        let _ = write!(num, "{i}");
        csv.write_field(&num).map_err(csv_error)?;
        csv.write_field(e.kind.as_str()).map_err(csv_error)?;
        let exposes = e.kind == EdgeKind::Exposes;
        csv.write_field(if exposes { "" } else { e.level.as_str() })
            .map_err(csv_error)?;
        csv.write_field(if exposes { e.requires.as_str() } else { "" })
            .map_err(csv_error)?;
        csv.write_record(None::<&[u8]>).map_err(csv_error)?;
    }
    Ok(())
}

fn finding_nodes(csv: &mut Csv<'_>, layout: Layout, findings: &[Finding]) -> io::Result<()> {
    let mut header = match layout {
        Layout::Neo4j => vec!["id:ID(AP_Finding)".to_string(), ":LABEL".into()],
        Layout::Neptune => vec!["~id".to_string(), "~label".into()],
    };
    for (n, t) in [
        ("rule", Ty::Str),
        ("severity", Ty::Str),
        ("subject", Ty::Str),
        ("target", Ty::Str),
        ("level", Ty::Str),
        ("reasons", Ty::StrList),
        ("message", Ty::Str),
    ] {
        header.push(column(layout, n, t));
    }
    csv.write_record(&header).map_err(csv_error)?;
    for f in findings {
        csv.write_record([
            f.id.as_str(),
            "AP_Finding",
            f.rule.name(),
            f.severity.as_str(),
            f.subject.as_str(),
            f.target.as_deref().unwrap_or(""),
            f.level.map_or("", |l| l.as_str()),
            &f.reasons.join(";"),
            f.message.as_str(),
        ])
        .map_err(csv_error)?;
    }
    Ok(())
}

/// Finding → node: `subject`, `target`, `member` (of a cycle) or `path` (with its position).
fn involves(csv: &mut Csv<'_>, layout: Layout, findings: &[Finding]) -> io::Result<()> {
    let mut header = rel_header(layout, "AP_Finding", "AP_Node");
    header.push(column(layout, "role", Ty::Str));
    header.push(column(layout, "position", Ty::Int));
    csv.write_record(&header).map_err(csv_error)?;
    let mut row: Vec<String> = Vec::new();
    let mut n = 0usize;
    for f in findings {
        let mut links: Vec<(&str, &str, i64)> = vec![(f.subject.as_str(), "subject", -1)];
        if let Some(t) = &f.target {
            links.push((t, "target", -1));
        }
        links.extend(f.nodes.iter().map(|m| (m.as_str(), "member", -1)));
        links.extend(
            f.path
                .iter()
                .enumerate()
                .map(|(i, p)| (p.as_str(), "path", i as i64)),
        );
        for (node, role, position) in links {
            row.clear();
            rel_lead(
                layout,
                &mut row,
                &f.id,
                node,
                format!("i{n}"),
                "AP_INVOLVES",
            );
            row.push(role.to_string());
            row.push(if position < 0 {
                String::new()
            } else {
                position.to_string()
            });
            csv.write_record(&row).map_err(csv_error)?;
            n += 1;
        }
    }
    Ok(())
}
