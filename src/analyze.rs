//! `analyze` as a library call: choose the instant of judgement, prepare the engine, run
//! every rule, and hand back the report that the renderers print.

use crate::findings::{Finding, Summary};
use crate::graph::AuthGraph;
use crate::model::Graph;
use crate::reach::{Engine, ReachOptions};
use crate::rules::{self, Context, Subjects, Thresholds};
use crate::timestamp::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where the instant of judgement came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AsOfSource {
    /// The graph's `as_of`.
    Graph,
    /// `--now`.
    Now,
    /// Neither was given: the wall clock (a warning is printed).
    WallClock,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Overrides the graph's `as_of`.
    pub now: Option<Timestamp>,
    pub subjects: Subjects,
    pub thresholds: Thresholds,
}

/// What `analyze` found, in the contract's order.
#[derive(Clone, Debug)]
pub struct Report {
    pub source: String,
    pub as_of: Timestamp,
    pub as_of_source: AsOfSource,
    pub nodes: usize,
    pub edges: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn summary(&self) -> Summary {
        Summary::of(&self.findings)
    }
}

/// The instant every time-based rule is judged at: `--now`, else the graph's `as_of`, else
/// the wall clock.
pub fn judgement_time(model: &Graph, now: Option<Timestamp>) -> (Timestamp, AsOfSource) {
    match (now, model.as_of) {
        (Some(t), _) => (t, AsOfSource::Now),
        (None, Some(t)) => (t, AsOfSource::Graph),
        (None, None) => (Timestamp::now(), AsOfSource::WallClock),
    }
}

/// Runs every rule of RULES.md over `model`.
pub fn analyze(model: &Graph, opts: &Options) -> Report {
    let (as_of, as_of_source) = judgement_time(model, opts.now);
    let g = AuthGraph::build(model);
    let engine = Engine::new(&g, as_of, ReachOptions::default());
    let critical = model.nodes.iter().map(|n| n.is_critical()).collect();
    let ctx = Context::new(&engine, opts.subjects, opts.thresholds, critical);
    let findings = rules::run_all(&ctx);
    Report {
        source: model.source.clone(),
        as_of,
        as_of_source,
        nodes: model.nodes.len(),
        edges: model.edges.len(),
        findings,
    }
}
