//! Requests and answers: each command's arguments as a request the library checks and runs,
//! and the document it answers with. The command line only fills a request, runs it, hands
//! the document to a [`Reporter`](crate::render::Reporter) and turns the outcome into an
//! exit code ([`crate::error::exit_code`]); a Rust caller does the same without the
//! command line.
//!
//! - [`analysis`]: `analyze` and `report` ([`analysis::Findings`]), `diff`
//!   ([`analysis::Diff`]);
//! - [`query`]: `blast-radius`, `who-can`, `path`, `cut` and the `dot` overview;
//! - [`convert`]: `validate`, the importers and the exports (their output is a graph file
//!   or a foreign format, not a document of findings).
//!
//! The library never prints: what a person should know besides the output (the wall clock
//! used, an assertion that selects nothing, nodes a picture left out) comes back as
//! [`Notes`], and the caller decides where they go.

pub mod analysis;
pub mod convert;
pub mod query;

use crate::analyze::AsOfSource;
use crate::error::{Error, Result, Verdict};
use crate::model::Graph;
use crate::progress::Progress;
use crate::timestamp::Timestamp;
use std::path::Path;

/// Lines for standard error (warnings, notes), each without its final newline.
pub type Notes = Vec<String>;

/// Bounds on what one run loads and writes, so that no input exhausts memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Refuse a graph with more nodes than this, before building anything.
    pub max_graph_nodes: usize,
    /// Refuse a graph with more edges than this.
    pub max_graph_edges: usize,
    /// The paths written hold at most this many node ids in all.
    pub max_path_nodes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_graph_nodes: crate::load::DEFAULT_MAX_NODES,
            max_graph_edges: crate::load::DEFAULT_MAX_EDGES,
            max_path_nodes: crate::rules::DEFAULT_MAX_PATH_NODES,
        }
    }
}

impl Limits {
    fn load(&self) -> crate::load::Limits {
        crate::load::Limits {
            nodes: self.max_graph_nodes,
            edges: self.max_graph_edges,
        }
    }
}

/// What every document a command answers with says besides itself (reporters write the
/// document: `crate::render::Document`).
pub trait Answer {
    /// What a person should know before reading the answer.
    fn notes(&self) -> Notes {
        Vec::new()
    }

    /// The judgement, taken once the document is written: findings at or above the
    /// threshold, or a strict gate that failed. Answers that judge nothing pass.
    fn verdict(&self) -> Result<Verdict> {
        Ok(Verdict::Pass)
    }
}

/// The graphs of a request, each checked in full: `Err` carries every problem of every
/// file (both of a `diff` are read before either is refused).
pub fn open_all(paths: &[&Path], limits: &Limits, progress: &Progress) -> Result<Vec<Graph>> {
    let mut graphs = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let loaded = {
            let _p = progress.phase(&format!("loading {}", path.display()));
            match load_input(path, limits) {
                Ok(l) => l,
                Err(mut p) => {
                    problems.append(&mut p);
                    continue;
                }
            }
        };
        // Warnings are `validate`'s business and are not repeated by the other commands.
        match loaded.graph {
            Some(g) if !loaded.diagnostics.has_errors() => graphs.push(g),
            _ => problems.push(loaded.diagnostics),
        }
    }
    if problems.is_empty() {
        Ok(graphs)
    } else {
        Err(Error::input(&problems.iter().collect::<Vec<_>>()))
    }
}

/// A graph file, or an estate manifest read as the graph `import estate` writes; `Err`:
/// the manifest or one of its sources had an error (every problem, warnings too).
pub fn load_input(
    path: &Path,
    limits: &Limits,
) -> std::result::Result<crate::load::Loaded, Vec<crate::diagnostics::Diagnostics>> {
    if !crate::estate::is_manifest(path) {
        return Ok(crate::load::load_path_with(path, limits.load()));
    }
    let joined = crate::estate::import(path);
    match joined.graph {
        Some(text) => {
            let mut loaded = crate::load::load_bytes_with(
                &path.display().to_string(),
                text.as_bytes(),
                limits.load(),
            );
            // The estate's warnings (a key not read, an alias that merged nothing) go with
            // the graph, so that every answer says what was not evaluated.
            if let Some(g) = &mut loaded.graph {
                g.notes = lines(&joined.problems);
                g.coverage = Some(joined.coverage);
            }
            Ok(loaded)
        }
        None => Err(joined.problems),
    }
}

/// Every problem of `problems` rendered, one note per file.
pub(crate) fn lines(problems: &[crate::diagnostics::Diagnostics]) -> Notes {
    problems
        .iter()
        .map(|d| d.render())
        .filter(|r| !r.is_empty())
        .map(|r| r.trim_end_matches('\n').to_owned())
        .collect()
}

/// One graph, checked in full.
pub fn open(path: &Path, limits: &Limits, progress: &Progress) -> Result<Graph> {
    let mut graphs = open_all(&[path], limits, progress)?;
    Ok(graphs.remove(0))
}

/// The instant an answer is judged at, and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instant {
    pub as_of: Timestamp,
    pub source: AsOfSource,
}

impl Instant {
    /// `--now`, else the graph's `as_of`, else the wall clock.
    pub fn of(model: &Graph, now: Option<Timestamp>) -> Instant {
        let (as_of, source) = crate::analyze::judgement_time(model, now);
        Instant { as_of, source }
    }

    /// The warning owed when the instant came from the wall clock.
    pub fn note(&self, graph: &str) -> Option<String> {
        wall_clock_note(graph, self.as_of, self.source)
    }
}

/// Says so when an instant of judgement came from the wall clock: the answer then depends
/// on when it was asked.
pub fn wall_clock_note(graph: &str, as_of: Timestamp, from: AsOfSource) -> Option<String> {
    (from == AsOfSource::WallClock).then(|| {
        format!(
            "authpath: warning: {graph} has no as_of and no --now was given: judging at the wall clock ({as_of})"
        )
    })
}
