//! `analyze` as a library call: choose the instant of judgement, prepare the engine, run
//! every rule, and hand back the report that the renderers print.

use crate::findings::{Finding, Summary, WaiverNote};
use crate::graph::AuthGraph;
use crate::model::{Graph, Span};
use crate::policy::{Policy, Waiver, WaiverTarget};
use crate::reach::{Engine, ReachOptions};
use crate::rules::{self, Context, Subjects};
use crate::timestamp::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
    /// Thresholds, what is critical, rule settings, waivers and assertions.
    pub policy: Policy,
    /// Keep every subject's level over every critical node (what `diff` compares).
    pub collect_access: bool,
    /// At most this many findings, the first in the contract's order (`None`: no cap).
    pub max_findings: Option<usize>,
}

/// The default `--max-findings`: far more than anyone reads, far less than exhausts memory.
pub const DEFAULT_MAX_FINDINGS: usize = 100_000;

/// What `analyze` found, in the contract's order.
#[derive(Clone, Debug)]
pub struct Report {
    pub source: String,
    pub as_of: Timestamp,
    pub as_of_source: AsOfSource,
    pub nodes: usize,
    pub edges: usize,
    /// The findings that count, in the contract's order (an expired waiver is noted on
    /// its finding, which counts again).
    pub findings: Vec<Finding>,
    /// Findings an unexpired waiver accepts: reported, not counted.
    pub waived: Vec<Finding>,
    /// Waivers that named no finding (worth removing from the policy).
    pub unused_waivers: Vec<Waiver>,
    /// How many findings a baseline removed, when one was applied.
    pub baselined: Option<usize>,
    /// With `Options::collect_access`: every subject's level over every critical node it
    /// reaches, with the witness (node indices of the analysed graph), in subject order.
    pub access: Vec<crate::rules::Access>,
    /// Where each finding's subject is defined in the graph file.
    pub spans: HashMap<String, Span>,
    /// Set when `max_findings` left findings out.
    pub truncated: Option<crate::rules::Truncation>,
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

/// Runs every rule of RULES.md over `model` under the policy in `opts`.
pub fn analyze(model: &Graph, opts: &Options) -> Report {
    let (as_of, as_of_source) = judgement_time(model, opts.now);
    let g = AuthGraph::build(model);
    let engine = Engine::new(&g, as_of, ReachOptions::default());
    let critical = model
        .nodes
        .iter()
        .map(|n| opts.policy.critical.is_critical(n))
        .collect();
    let ctx = Context::new(&engine, opts.subjects, opts.policy.thresholds, critical);
    let outcome = rules::run_all(
        &ctx,
        &opts.policy,
        opts.max_findings.unwrap_or(usize::MAX),
        opts.collect_access,
    );
    let (findings, waived, unused_waivers) =
        apply_waivers(outcome.findings, &opts.policy.waivers, as_of);
    let mut spans = HashMap::new();
    for f in findings.iter().chain(&waived) {
        if let Some(n) = g.node_ix(&f.subject) {
            spans.insert(f.subject.clone(), model.node(n).span);
        }
    }
    if opts.collect_access {
        for a in &outcome.access {
            let n = model.node(a.subject);
            spans.entry(n.id.clone()).or_insert(n.span);
        }
    }
    let access = if opts.collect_access {
        outcome.access
    } else {
        Vec::new()
    };
    Report {
        source: model.source.clone(),
        as_of,
        as_of_source,
        nodes: model.nodes.len(),
        edges: model.edges.len(),
        findings,
        waived,
        unused_waivers,
        baselined: None,
        access,
        spans,
        truncated: outcome.truncated,
    }
}

fn waiver_names(w: &Waiver, f: &Finding) -> bool {
    match &w.names {
        WaiverTarget::Id(id) => id == &f.id,
        WaiverTarget::Finding {
            rule,
            subject,
            target,
        } => *rule == f.rule && subject == &f.subject && target == &f.target,
    }
}

/// Splits findings into those that count and those an unexpired waiver accepts; a finding
/// whose only waivers expired counts again, with the latest of them noted. Waivers are
/// judged at the instant of judgement, like everything else.
fn apply_waivers(
    findings: Vec<Finding>,
    waivers: &[Waiver],
    as_of: Timestamp,
) -> (Vec<Finding>, Vec<Finding>, Vec<Waiver>) {
    if waivers.is_empty() {
        return (findings, Vec::new(), Vec::new());
    }
    let mut used = vec![false; waivers.len()];
    let mut counted = Vec::new();
    let mut waived = Vec::new();
    for mut f in findings {
        let mut best: Option<&Waiver> = None;
        for (i, w) in waivers.iter().enumerate() {
            if waiver_names(w, &f) {
                used[i] = true;
                // Prefer an unexpired waiver; among expired ones, the latest.
                let better = match best {
                    None => true,
                    Some(b) => (w.expires >= as_of, w.expires) > (b.expires >= as_of, b.expires),
                };
                if better {
                    best = Some(w);
                }
            }
        }
        match best {
            Some(w) => {
                let expired = w.expires < as_of;
                f.waiver = Some(WaiverNote {
                    reason: w.reason.clone(),
                    owner: w.owner.clone(),
                    expires: w.expires,
                    expired,
                });
                if expired {
                    counted.push(f);
                } else {
                    waived.push(f);
                }
            }
            None => counted.push(f),
        }
    }
    let unused = waivers
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(w, _)| w.clone())
        .collect();
    (counted, waived, unused)
}

/// Removes the findings whose ids a baseline lists; returns how many it removed.
pub fn apply_baseline(report: &mut Report, baseline: &std::collections::HashSet<String>) -> usize {
    let before = report.findings.len();
    report.findings.retain(|f| !baseline.contains(&f.id));
    let removed = before - report.findings.len();
    report.baselined = Some(removed);
    removed
}
