//! From bytes to a validated [`Graph`]: parse, read every node and edge, cross-check ids,
//! and report every problem found with its place — never only the first, never a panic.

mod check;
pub(crate) mod fields;
pub mod json;

use crate::diagnostics::{Diagnostic, Diagnostics, Subject, codes, did_you_mean};
use crate::model::Graph;
use fields::Reader;
pub(crate) use fields::is_format_key;
pub use json::StrictValue;
pub(crate) use json::strip_position;
use json::{Locator, NotObject};
use std::path::Path;

/// What loading an input produced: the graph when it has no errors, and every problem found
/// (warnings included, which never prevent the graph).
#[derive(Debug)]
pub struct Loaded {
    pub graph: Option<Graph>,
    pub diagnostics: Diagnostics,
}

const TOP_LEVEL_KEYS: &[&str] = &["version", "as_of", "nodes", "edges"];

/// How large a graph a load accepts: memory grows with nodes and edges (docs/format.md
/// gives the cost of each), so a file larger than the machine can analyse is refused
/// before it is read, with the limit to raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub nodes: usize,
    pub edges: usize,
}

/// The default `--max-graph-nodes`: ten times the million-node enterprise measured in
/// benches/README.md.
pub const DEFAULT_MAX_NODES: usize = 10_000_000;
/// The default `--max-graph-edges`.
pub const DEFAULT_MAX_EDGES: usize = 50_000_000;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            nodes: DEFAULT_MAX_NODES,
            edges: DEFAULT_MAX_EDGES,
        }
    }
}

/// Loads a graph file; `-` reads standard input.
pub fn load_path(path: &Path) -> Loaded {
    load_path_with(path, Limits::default())
}

/// `load_path` under `limits`.
pub fn load_path_with(path: &Path, limits: Limits) -> Loaded {
    match crate::source::read_bytes(path) {
        Ok(bytes) => load_bytes_with(&path.display().to_string(), &bytes, limits),
        Err(diagnostics) => Loaded {
            graph: None,
            diagnostics,
        },
    }
}

/// Loads a graph from the bytes of a file called `name` (used in messages).
pub fn load_bytes(name: &str, bytes: &[u8]) -> Loaded {
    load_bytes_with(name, bytes, Limits::default())
}

/// `load_bytes` under `limits`.
pub fn load_bytes_with(name: &str, bytes: &[u8], limits: Limits) -> Loaded {
    let mut diagnostics = Diagnostics::new(name);
    let graph = load_into(name, bytes, limits, &mut diagnostics);
    Loaded { graph, diagnostics }
}

/// Refuses an array of more than `limit` elements (reported at the array), so that nothing
/// is built for a graph too large to analyse.
fn within_limit<'a>(
    reader: &mut Reader<'_, 'a>,
    e: &json::Entry<'a>,
    raws: Option<Vec<&'a serde_json::value::RawValue>>,
    limit: usize,
    flag: &str,
    too_large: &mut bool,
) -> Option<Vec<&'a serde_json::value::RawValue>> {
    let raws = raws?;
    if raws.len() <= limit {
        return Some(raws);
    }
    *too_large = true;
    let span = reader.loc.span_of(e.value.get());
    reader.diags.push(
        Diagnostic::error(
            codes::SIZE_LIMIT,
            Some(span),
            format!(
                "`{}` has {} entries, more than the limit of {limit}",
                e.key,
                raws.len()
            ),
        )
        .help(format!(
            "raise it with {flag} {} if the machine has the memory (docs/format.md, \"Size limits\")",
            raws.len()
        )),
    );
    Some(Vec::new())
}

fn load_into(name: &str, bytes: &[u8], limits: Limits, diags: &mut Diagnostics) -> Option<Graph> {
    // docs/format.md: a leading byte-order mark is ignored.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            let span = Locator::new(valid).span(valid.len());
            diags.push(
                Diagnostic::error(codes::NOT_UTF8, Some(span), "the file is not valid UTF-8")
                    .help("save the file as UTF-8"),
            );
            return None;
        }
    };
    let mut loc = Locator::new(text);
    if text.trim().is_empty() {
        diags.push(
            Diagnostic::error(codes::EMPTY_FILE, Some(loc.span(0)), "the file is empty").help(
                "a graph file is a JSON object: {\"version\": 1, \"nodes\": [...], \"edges\": [...]}",
            ),
        );
        return None;
    }
    let entries = match json::object_entries(text) {
        Ok(entries) => entries,
        Err(NotObject::Type(found)) => {
            let start = text.len() - text.trim_start().len();
            diags.push(
                Diagnostic::error(
                    codes::WRONG_TYPE,
                    Some(loc.span(start)),
                    format!("the top level must be a JSON object, found {found}"),
                )
                .help("a graph file is a JSON object: {\"version\": 1, \"nodes\": [...], \"edges\": [...]}"),
            );
            return None;
        }
        Err(NotObject::Json(e)) => {
            if let Some(comma) = json::trailing_comma(text, loc.offset_of_error(&e)) {
                let closer = text[comma + 1..].trim_start().chars().next().unwrap_or(']');
                diags.push(
                    Diagnostic::error(
                        codes::JSON_SYNTAX,
                        Some(loc.span(comma)),
                        format!("invalid JSON: trailing comma before `{closer}`"),
                    )
                    .help("remove this comma: JSON allows no comma after the last element of an array or object"),
                );
                return None;
            }
            let help = if e.is_eof() {
                "the file ends too early: it looks truncated"
            } else {
                "fix the JSON syntax at this place"
            };
            diags.push(
                Diagnostic::error(
                    codes::JSON_SYNTAX,
                    Some(loc.span_of_error(&e)),
                    format!("invalid JSON: {}", json::strip_position(&e)),
                )
                .help(help),
            );
            return None;
        }
    };

    let top = loc.span(text.len() - text.trim_start().len());
    let mut reader = Reader {
        loc: &mut loc,
        diags,
    };
    reader.report_repeats(&entries, &Subject::Top);
    let mut version_seen = false;
    let mut as_of = None;
    let mut nodes = None;
    let mut edges = None;
    let mut too_large = false;
    for (i, e) in entries.iter().enumerate() {
        if entries[..i].iter().any(|f| f.key == e.key) {
            continue; // a repeated key, already reported
        }
        let value = e.value.get();
        match e.key.as_ref() {
            "version" => {
                version_seen = true;
                let problem = match value {
                    "1" => None,
                    "null" => Some("`version` is null".to_string()),
                    v if v.starts_with('"') => Some(format!(
                        "`version` must be the JSON number 1, not the string {v}"
                    )),
                    v if v.parse::<f64>() == Ok(1.0) => {
                        Some(format!("`version` must be the integer 1, not {v}"))
                    }
                    v if v.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) => {
                        Some(format!(
                            "unsupported version {v}: this authpath reads version 1"
                        ))
                    }
                    _ => Some(format!(
                        "`version` must be the JSON number 1, found {}",
                        json::type_name(e.value)
                    )),
                };
                if let Some(message) = problem {
                    let span = reader.loc.span_of(value);
                    reader.diags.push(
                        Diagnostic::error(codes::UNSUPPORTED_VERSION, Some(span), message)
                            .help("write \"version\": 1"),
                    );
                }
            }
            "as_of" => as_of = reader.time(&Subject::Top, e),
            "nodes" => {
                let raws = reader_array(&mut reader, e, "node");
                nodes = within_limit(
                    &mut reader,
                    e,
                    raws,
                    limits.nodes,
                    "--max-graph-nodes",
                    &mut too_large,
                );
            }
            "edges" => {
                let raws = reader_array(&mut reader, e, "edge");
                edges = within_limit(
                    &mut reader,
                    e,
                    raws,
                    limits.edges,
                    "--max-graph-edges",
                    &mut too_large,
                );
            }
            other => {
                let span = reader.loc.span(e.key_offset(reader.loc));
                let mut help = format!("the top-level keys are {}", TOP_LEVEL_KEYS.join(", "));
                if let Some(m) = did_you_mean(other, TOP_LEVEL_KEYS.iter().copied()) {
                    help = format!("did you mean {m:?}? ({help})");
                }
                reader.diags.push(
                    Diagnostic::error(
                        codes::UNKNOWN_TOP_LEVEL_KEY,
                        Some(span),
                        format!("unknown top-level key {other:?}"),
                    )
                    .help(help),
                );
            }
        }
    }
    for (key, seen) in [
        ("version", version_seen),
        ("nodes", nodes.is_some()),
        ("edges", edges.is_some()),
    ] {
        if !seen && !entries.iter().any(|e| e.key == key) {
            reader.diags.push(
                Diagnostic::error(codes::MISSING_FIELD, Some(top), format!("missing required top-level key `{key}`"))
                    .help("a graph file is a JSON object: {\"version\": 1, \"nodes\": [...], \"edges\": [...]}"),
            );
        }
    }

    if too_large {
        // Reading the entries would build what the limit is there to prevent.
        return None;
    }
    let raw_nodes = nodes.unwrap_or_default();
    let raw_edges = edges.unwrap_or_default();
    let pending_nodes: Vec<_> =
        in_parallel(name, &mut reader, &raw_nodes, |r, i, raw| r.node(i, raw))
            .into_iter()
            .flatten()
            .collect();
    // Chunks are drained one by one into the two vectors, each freed as it empties.
    let mut ends = Vec::with_capacity(raw_edges.len());
    let mut edges = Vec::with_capacity(raw_edges.len());
    for part in in_parallel(name, &mut reader, &raw_edges, |r, i, raw| r.edge(i, raw)) {
        for (end, edge) in part {
            ends.push(end);
            edges.push(edge);
        }
    }
    if as_of.is_none()
        && !entries
            .iter()
            .any(|e| e.key == "as_of" && !json::is_null(e.value))
    {
        reader.diags.push(
            Diagnostic::warning(codes::NO_AS_OF, Some(top), "no `as_of`: time-based rules will judge at the wall clock unless --now is given")
                .help("set \"as_of\" to the instant the snapshot describes, e.g. \"2026-11-01T00:00:00Z\""),
        );
    }
    let graph = check::resolve(name, as_of, pending_nodes, ends, edges, &mut reader);
    if reader.diags.has_errors() {
        None
    } else {
        Some(graph)
    }
}

/// Reads every element with `read`, in chunks on rayon's threads: each chunk has its own
/// locator (positioned once, in order, so the whole file is counted once) and its own
/// problem list, merged in order. Returns the chunks' results in element order.
fn in_parallel<'a, T: Send>(
    name: &str,
    reader: &mut Reader<'_, 'a>,
    raws: &[&'a serde_json::value::RawValue],
    read: impl Fn(&mut Reader<'_, 'a>, usize, &'a serde_json::value::RawValue) -> Option<T> + Sync,
) -> Vec<Vec<T>> {
    use rayon::prelude::*;
    const CHUNK: usize = 16_384;
    if raws.len() <= CHUNK {
        return vec![
            raws.iter()
                .enumerate()
                .filter_map(|(i, raw)| read(reader, i, raw))
                .collect(),
        ];
    }
    let starts: Vec<(usize, Locator<'a>)> = (0..raws.len())
        .step_by(CHUNK)
        .map(|i| {
            reader.loc.span_of(raws[i].get());
            (i, reader.loc.clone())
        })
        .collect();
    let parts: Vec<(Vec<T>, Diagnostics)> = starts
        .into_par_iter()
        .map(|(first, mut loc)| {
            let mut diags = Diagnostics::new(name);
            let mut r = Reader {
                loc: &mut loc,
                diags: &mut diags,
            };
            let out = raws[first..(first + CHUNK).min(raws.len())]
                .iter()
                .enumerate()
                .filter_map(|(k, raw)| read(&mut r, first + k, raw))
                .collect();
            (out, diags)
        })
        .collect();
    let mut out = Vec::with_capacity(parts.len());
    for (part, diags) in parts {
        out.push(part);
        reader.diags.absorb(diags);
    }
    out
}

/// The elements of `nodes` or `edges`, or `None` after reporting why it is not an array.
fn reader_array<'a>(
    reader: &mut Reader<'_, 'a>,
    e: &json::Entry<'a>,
    what: &str,
) -> Option<Vec<&'a serde_json::value::RawValue>> {
    let value = e.value.get();
    let span = reader.loc.span_of(value);
    if !value.starts_with('[') {
        reader.diags.push(
            Diagnostic::error(
                codes::WRONG_TYPE,
                Some(span),
                format!(
                    "`{}` must be an array of {what} objects, found {}",
                    e.key,
                    json::type_name(e.value)
                ),
            )
            .help(format!("write \"{}\": [ ... ]", e.key)),
        );
        return Some(Vec::new());
    }
    match json::array_elements(value) {
        Ok(v) => Some(v),
        Err(err) => {
            reader.diags.push(Diagnostic::error(
                codes::JSON_SYNTAX,
                Some(span),
                format!("`{}`: {}", e.key, json::strip_position(&err)),
            ));
            Some(Vec::new())
        }
    }
}
