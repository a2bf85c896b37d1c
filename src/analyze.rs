//! `analyze` as a library call: choose the instant of judgement, prepare the engine, run
//! every rule, and hand back the report that the renderers print.

use crate::choke::ChokePoints;
use crate::exposure::Exposure;
use crate::findings::{Finding, Severity, Summary, WaiverNote};
use crate::graph::AuthGraph;
use crate::model::{Graph, Span};
use crate::policy::{Policy, Waiver, WaiverTarget};
use crate::reach::matrix::Matrix;
use crate::reach::{Engine, ReachOptions};
use crate::rules::{self, Context, Subjects, Totals};
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
    /// At most this many findings, the first in the contract's order (`None`: no cap).
    pub max_findings: Option<usize>,
    /// How many choke points of each kind (nodes, edges) to report (`None`: the default,
    /// 20; 0: none).
    pub choke_points: Option<usize>,
    /// The paths of the findings shown hold at most this many node ids in all (`None`:
    /// `rules::DEFAULT_MAX_PATH_NODES`); the findings past it are counted, not shown.
    pub max_path_nodes: Option<usize>,
    /// Rate findings of nodes tagged `builtin` (a platform's own identities) like any
    /// other's instead of `info`.
    pub include_builtin: bool,
}

impl Options {
    /// The budget of path nodes in effect.
    pub fn max_path_nodes(&self) -> usize {
        self.max_path_nodes.unwrap_or(rules::DEFAULT_MAX_PATH_NODES)
    }
}

/// The default `--choke-points`.
pub const DEFAULT_CHOKE_POINTS: usize = 20;

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
    /// Where each finding's subject is defined in the graph file.
    pub spans: HashMap<String, Span>,
    /// Every finding that counts, shown or not (waived and baselined ones taken out): per
    /// severity, and per rule with how many are shown.
    pub totals: Totals,
    /// Who reaches the critical nodes, when the transitive or external access rule ran.
    pub exposure: Option<Exposure>,
    /// The nodes and edges the most (subject, critical node) pairs pass through.
    pub choke_points: Option<ChokePoints>,
    /// What the analysis is based on: sources, seams, what could not be decided.
    pub coverage: crate::coverage::Coverage,
}

impl Report {
    /// Findings per severity, over every finding (not only those shown).
    pub fn summary(&self) -> Summary {
        self.totals.summary
    }
}

/// The graph's coverage: an estate's own, else the file as its one source.
pub fn coverage_of(model: &Graph) -> crate::coverage::Coverage {
    model.coverage.clone().unwrap_or_else(|| {
        let mut c =
            crate::coverage::Coverage::single(&model.source, model.nodes.len(), model.edges.len());
        let props = model
            .edges
            .iter()
            .filter_map(|e| e.extra.as_ref().map(|x| x.properties.as_slice()));
        for (key, n) in crate::coverage::condition_keys(props) {
            c.undecided.push(crate::coverage::Undecided {
                source: model.source.clone(),
                seam: None,
                what: format!("condition key {key} on {n} edge(s)"),
                why: crate::coverage::CONDITION_KEYS_WHY.to_string(),
            });
        }
        c
    })
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

/// Runs every rule of docs/rules.md over `model` under the policy in `opts`.
pub fn analyze(model: &Graph, opts: &Options) -> Report {
    prepared(model, opts, |ctx, matrix, as_of_source| {
        report(ctx, matrix, opts, as_of_source)
    })
}

/// Runs `f` on the graph prepared for the rules at the instant of judgement: the context
/// and the access matrix of its subjects over its critical nodes.
fn prepared<R>(
    model: &Graph,
    opts: &Options,
    f: impl FnOnce(&Context<'_>, &Matrix<'_>, AsOfSource) -> R,
) -> R {
    let (as_of, as_of_source) = judgement_time(model, opts.now);
    let g = AuthGraph::build(model);
    let engine = Engine::new(&g, as_of, ReachOptions::default());
    let ctx = context(&engine, opts);
    let targets = rules::critical_targets(&ctx)
        .into_iter()
        .map(Some)
        .collect();
    let matrix = Matrix::new(&engine, targets, ctx.subjects());
    f(&ctx, &matrix, as_of_source)
}

/// What every rule reads, for `engine` under the policy in `opts`.
pub fn context<'a>(engine: &'a Engine<'a>, opts: &Options) -> Context<'a> {
    let critical = engine
        .g
        .model
        .nodes
        .iter()
        .map(|n| opts.policy.critical.is_critical(n))
        .collect();
    let mut ctx = Context::new(engine, opts.subjects, opts.policy.thresholds, critical);
    ctx.include_builtin = opts.include_builtin;
    ctx
}

/// The rules over a prepared context; `matrix` holds its subjects' levels over its critical
/// nodes (in any order of targets).
pub fn report(
    ctx: &Context<'_>,
    matrix: &Matrix<'_>,
    opts: &Options,
    as_of_source: AsOfSource,
) -> Report {
    report_with(ctx, matrix, opts, as_of_source, true)
}

/// `report`; with `paths` false the access findings carry no path or sentence
/// (`rules::run_all`).
pub fn report_with(
    ctx: &Context<'_>,
    matrix: &Matrix<'_>,
    opts: &Options,
    as_of_source: AsOfSource,
    paths: bool,
) -> Report {
    let model = ctx.model;
    let outcome = rules::run_all(
        ctx,
        &opts.policy,
        rules::Limits {
            max_findings: opts.max_findings.unwrap_or(usize::MAX),
            max_path_nodes: opts.max_path_nodes(),
        },
        matrix,
        opts.choke_points.unwrap_or(DEFAULT_CHOKE_POINTS),
        paths,
    );
    let (findings, mut waived, mut unused_waivers) =
        apply_waivers(outcome.findings, &opts.policy.waivers, ctx.as_of);
    // A waiver that named no shown finding may name one the cap left out: look its pair up.
    let mut totals = outcome.totals;
    for f in &waived {
        uncount(&mut totals, f);
    }
    if totals.truncated() {
        unused_waivers.retain(|w| match past_the_cap(ctx, &opts.policy, w) {
            Some(f) => {
                let (f, accepted) = judge(f, std::slice::from_ref(w), ctx.as_of, &mut [false]);
                if accepted {
                    // Counted, never shown: out of the totals only.
                    *totals.summary.slot(f.severity) -= 1;
                    if let Some((total, _)) = totals.by_rule.get_mut(f.rule.name()) {
                        *total -= 1;
                    }
                    waived.push(f);
                }
                false
            }
            None => true,
        });
    }
    let mut spans = HashMap::new();
    for f in findings.iter().chain(&waived) {
        if let Some(n) = ctx.engine.g.node_ix(&f.subject) {
            spans.insert(f.subject.clone(), model.node(n).span);
        }
    }
    Report {
        source: model.source.clone(),
        coverage: coverage_of(model),
        as_of: ctx.as_of,
        as_of_source,
        nodes: model.nodes.len(),
        edges: model.edges.len(),
        findings,
        waived,
        unused_waivers,
        baselined: None,
        spans,
        totals,
        exposure: outcome.exposure,
        choke_points: outcome.choke_points,
    }
}

/// The finding of an access rule that a waiver names by rule, subject and target, written
/// out, when there is one (waivers naming an id cannot be looked up this way).
fn past_the_cap(ctx: &Context<'_>, policy: &Policy, w: &Waiver) -> Option<Finding> {
    let WaiverTarget::Finding {
        rule,
        subject,
        target: Some(target),
    } = &w.names
    else {
        return None;
    };
    let g = ctx.engine.g;
    let p = rules::pending_of(ctx, policy, *rule, g.node_ix(subject)?, g.node_ix(target)?)?;
    rules::materialize(ctx, vec![p]).pop()
}

/// Takes a shown finding out of the totals (waived or baselined).
fn uncount(totals: &mut Totals, f: &Finding) {
    uncount_one(totals, f.rule, f.severity);
}

fn uncount_one(totals: &mut Totals, rule: crate::findings::Rule, severity: Severity) {
    let s = totals.summary.slot(severity);
    *s = s.saturating_sub(1);
    if let Some((total, shown)) = totals.by_rule.get_mut(rule.name()) {
        *total = total.saturating_sub(1);
        *shown = shown.saturating_sub(1);
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
    for f in findings {
        let (f, accepted) = judge(f, waivers, as_of, &mut used);
        if accepted {
            waived.push(f);
        } else {
            counted.push(f);
        }
    }
    (counted, waived, unused(waivers, &used))
}

/// One finding against the waivers, with an expired waiver noted on it; `true` when an
/// unexpired waiver accepts it (it does not count). Marks the waivers that name it as used.
fn judge(
    mut f: Finding,
    waivers: &[Waiver],
    as_of: Timestamp,
    used: &mut [bool],
) -> (Finding, bool) {
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
    let Some(w) = best else {
        return (f, false);
    };
    let expired = w.expires < as_of;
    f.waiver = Some(WaiverNote {
        reason: w.reason.clone(),
        owner: w.owner.clone(),
        expires: w.expires,
        expired,
    });
    (f, !expired)
}

fn unused(waivers: &[Waiver], used: &[bool]) -> Vec<Waiver> {
    waivers
        .iter()
        .zip(used)
        .filter(|(_, u)| !**u)
        .map(|(w, _)| w.clone())
        .collect()
}

/// `analyze` without a cap and without holding the findings: each finding that counts is
/// handed to `emit` in the contract's order (waived ones are kept in the report, and those
/// `skip` says are already known — a baseline — are counted out). The report's `findings`
/// is empty; everything else is as `analyze` gives it.
pub fn analyze_each(
    model: &Graph,
    opts: &Options,
    skip: Option<&dyn Fn(&Finding) -> bool>,
    emit: &mut dyn FnMut(Finding),
) -> Report {
    prepared(model, opts, |ctx, matrix, as_of_source| {
        let as_of = ctx.as_of;
        let waivers = &opts.policy.waivers;
        let mut used = vec![false; waivers.len()];
        let mut waived = Vec::new();
        let mut skipped = Vec::new();
        let outcome = rules::stream_all(
            ctx,
            &opts.policy,
            matrix,
            opts.choke_points.unwrap_or(DEFAULT_CHOKE_POINTS),
            opts.max_path_nodes(),
            &mut |chunk| {
                for f in chunk {
                    let (f, accepted) = judge(f, waivers, as_of, &mut used);
                    if accepted {
                        waived.push(f);
                    } else if skip.is_some_and(|skip| skip(&f)) {
                        skipped.push((f.rule, f.severity));
                    } else {
                        emit(f);
                    }
                }
            },
        );
        let mut totals = outcome.totals;
        for f in &waived {
            uncount(&mut totals, f);
        }
        for (rule, severity) in &skipped {
            uncount_one(&mut totals, *rule, *severity);
        }
        let mut spans = HashMap::new();
        for f in &waived {
            if let Some(n) = ctx.engine.g.node_ix(&f.subject) {
                spans.insert(f.subject.clone(), model.node(n).span);
            }
        }
        Report {
            source: model.source.clone(),
            coverage: coverage_of(model),
            as_of,
            as_of_source,
            nodes: model.nodes.len(),
            edges: model.edges.len(),
            findings: Vec::new(),
            waived,
            unused_waivers: unused(waivers, &used),
            baselined: skip.map(|_| skipped.len()),
            spans,
            totals,
            exposure: outcome.exposure,
            choke_points: outcome.choke_points,
        }
    })
}

/// Removes the findings whose ids a baseline lists; returns how many it removed.
pub fn apply_baseline(report: &mut Report, baseline: &std::collections::HashSet<String>) -> usize {
    let (kept, removed): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut report.findings)
        .into_iter()
        .partition(|f| !baseline.contains(&f.id));
    report.findings = kept;
    for f in &removed {
        uncount(&mut report.totals, f);
    }
    let removed = removed.len();
    report.baselined = Some(removed);
    removed
}
