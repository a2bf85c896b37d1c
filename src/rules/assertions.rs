//! assertion-violated: the policy's `[[assert]]` entries turned into findings. Each
//! (subject, target) pair whose effective level exceeds one or more assertions is one
//! finding, citing every assertion it breaks.

use super::Context;
use crate::explain;
use crate::findings::{Draft, Finding, Rule};
use crate::model::{Level, NodeIx};
use crate::policy::{Assertion, Selector};
use crate::reach::with_scratch;
use rayon::prelude::*;

/// Whether `n` is chosen by `sel`: every field given must match; a list matches any value.
pub fn matches(ctx: &Context<'_>, sel: &Selector, n: NodeIx) -> bool {
    let node = ctx.model.node(n);
    (sel.ids.is_empty() || sel.ids.iter().any(|i| i == &node.id))
        && (sel.kinds.is_empty() || sel.kinds.contains(&node.kind))
        && (sel.sensitivities.is_empty() || sel.sensitivities.contains(&node.sensitivity))
        && (sel.tags.is_empty() || node.tags.iter().any(|t| sel.tags.contains(t)))
        && (sel.orgs.is_empty()
            || ctx
                .engine
                .org(n)
                .is_some_and(|o| sel.orgs.iter().any(|id| id == &ctx.model.node(o).id)))
        && sel.external.is_none_or(|e| e == ctx.engine.is_external(n))
}

/// What one assertion checked: a guard that selects nothing checks nothing, and says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub name: String,
    /// Nodes its `from` selects, and its `to`.
    pub subjects: usize,
    pub targets: usize,
    /// (subject, target) pairs of distinct nodes it constrains.
    pub pairs: u64,
    /// Pairs that break it.
    pub violations: usize,
}

impl Checked {
    /// `from` or `to` selects no node: the assertion checks nothing.
    pub fn selects_nothing(&self) -> bool {
        self.subjects == 0 || self.targets == 0
    }

    /// `ok`, `violated` or `selects-nothing`.
    pub fn status(&self) -> &'static str {
        if self.selects_nothing() {
            "selects-nothing"
        } else if self.violations > 0 {
            "violated"
        } else {
            "ok"
        }
    }

    /// Which side selects nothing, in words, for warnings.
    pub fn empty_sides(&self) -> &'static str {
        match (self.subjects, self.targets) {
            (0, 0) => "neither `from` nor `to` selects any node",
            (0, _) => "`from` selects no node",
            _ => "`to` selects no node",
        }
    }
}

/// Every assertion's findings, and what each checked (in policy order).
pub fn check(ctx: &Context<'_>, asserts: &[Assertion]) -> (Vec<Finding>, Vec<Checked>) {
    if asserts.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let all: Vec<NodeIx> = (0..ctx.model.nodes.len() as u32).map(NodeIx).collect();
    // Per assertion: which nodes it constrains as subjects and as targets.
    let from: Vec<Vec<bool>> = asserts
        .iter()
        .map(|a| all.iter().map(|n| matches(ctx, &a.from, *n)).collect())
        .collect();
    let to: Vec<Vec<bool>> = asserts
        .iter()
        .map(|a| all.iter().map(|n| matches(ctx, &a.to, *n)).collect())
        .collect();
    let targets: Vec<NodeIx> = all
        .iter()
        .copied()
        .filter(|n| to.iter().any(|t| t[n.index()]))
        .collect();
    let floor = ctx.engine.need_to_reach(&targets, Level::Read);
    let found: Vec<Finding> = all
        .par_iter()
        .filter(|s| from.iter().any(|f| f[s.index()]))
        .flat_map_iter(|&s| {
            with_scratch(|scratch| {
                let mut out = Vec::new();
                if !ctx.engine.usable(s) || !floor.reaches(s) {
                    return out;
                }
                let search = ctx
                    .engine
                    .search(&[s], Level::Admin, None, Some(&floor), scratch);
                let mut reached: Vec<NodeIx> = search.reached().filter(|t| *t != s).collect();
                reached.sort_unstable();
                reached.dedup();
                for t in reached {
                    let Some(level) = search.level(t, false) else {
                        continue;
                    };
                    let broken: Vec<&Assertion> = asserts
                        .iter()
                        .enumerate()
                        .filter(|(i, a)| {
                            from[*i][s.index()]
                                && to[*i][t.index()]
                                && a.max_level.is_none_or(|max| level > max)
                        })
                        .map(|(_, a)| a)
                        .collect();
                    if broken.is_empty() {
                        continue;
                    }
                    let Some(walk) = search.witness(t, false) else {
                        continue;
                    };
                    let severity = broken
                        .iter()
                        .map(|a| a.severity)
                        .min()
                        .unwrap_or(crate::findings::Severity::High);
                    let names: Vec<String> =
                        broken.iter().map(|a| format!("\"{}\"", a.name)).collect();
                    let allowed = match broken.iter().filter_map(|a| a.max_level).min() {
                        Some(max) => format!("more than the {max} access"),
                        None => "any access, which".to_owned(),
                    };
                    let how = format!(
                        " — {allowed} {} allow{}",
                        explain::list(&names),
                        if broken.len() == 1 { "s" } else { "" }
                    );
                    out.push(Finding::new(Draft {
                        rule: Rule::AssertionViolated,
                        severity,
                        subject: ctx.id(s),
                        target: Some(ctx.id(t)),
                        level: Some(walk.level),
                        reasons: broken
                            .iter()
                            .map(|a| format!("assert:{}", a.name))
                            .collect(),
                        nodes: Vec::new(),
                        path: ctx.ids(&walk.nodes),
                        path_edges: walk
                            .edges
                            .iter()
                            .map(|e| ctx.engine.edge(*e).kind)
                            .collect(),
                        message: explain::reach_sentence(ctx.model, &walk, &how),
                        edge_kind: None,
                    }));
                }
                out
            })
        })
        .collect();
    let checked = asserts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let subjects = from[i].iter().filter(|x| **x).count();
            let targets = to[i].iter().filter(|x| **x).count();
            let both = from[i]
                .iter()
                .zip(&to[i])
                .filter(|(f, t)| **f && **t)
                .count();
            let reason = format!("assert:{}", a.name);
            Checked {
                name: a.name.clone(),
                subjects,
                targets,
                pairs: subjects as u64 * targets as u64 - both as u64,
                violations: found.iter().filter(|f| f.reasons.contains(&reason)).count(),
            }
        })
        .collect();
    (found, checked)
}
