//! transitive-privilege and external-critical-access: what each subject reaches among the
//! critical nodes, split by how — through other identities, or standing access. The same
//! pass yields the access map (`Access`) that `diff` compares between two graphs. Findings
//! are first `Pending` records; paths and sentences are written only for those kept.

use super::Context;
use crate::explain;
use crate::findings::{Draft, Finding, Rule, Severity};
use crate::model::{Level, NodeIx};
use crate::reach::{Scratch, Walk, with_scratch};
use rayon::prelude::*;

/// A subject's effective level over a critical node, with its witness.
#[derive(Clone, Debug)]
pub struct Access {
    pub subject: NodeIx,
    pub target: NodeIx,
    pub walk: Walk,
}

/// A finding of either rule before its path and sentence are written: enough to count,
/// order and cap findings without holding millions of paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    pub rule: Rule,
    pub severity: Severity,
    pub subject: NodeIx,
    pub target: NodeIx,
}

/// The findings of both rules, as pending records; with `keep_access`, also the access map
/// (every pair with its witness) that `diff` compares.
///
/// Searches run from whichever side is smaller: one forward search per subject, or — when
/// critical nodes are fewer than subjects, as in any real estate — one backward `who_can`
/// per critical node. Both give the same witnesses (property-tested in `reach`).
pub fn pending(ctx: &Context<'_>, keep_access: bool) -> (Vec<Pending>, Vec<Access>) {
    let subjects = ctx.subjects();
    let targets: Vec<NodeIx> = (0..ctx.model.nodes.len() as u32)
        .map(NodeIx)
        .filter(|n| ctx.is_critical(*n) && ctx.engine.usable(*n))
        .collect();
    // Each side's answers are classified as they come: only with `keep_access` are the
    // millions of witnesses a large estate has kept.
    let digest = |found: Vec<Access>| -> (Vec<Pending>, Vec<Access>) {
        let pending = found
            .iter()
            .filter_map(|a| {
                classify(ctx, a).map(|(rule, severity, _)| Pending {
                    rule,
                    severity,
                    subject: a.subject,
                    target: a.target,
                })
            })
            .collect();
        (pending, if keep_access { found } else { Vec::new() })
    };
    let parts: Vec<(Vec<Pending>, Vec<Access>)> = if targets.len() < subjects.len() {
        let mut is_subject = vec![false; ctx.model.nodes.len()];
        for s in &subjects {
            is_subject[s.index()] = ctx.engine.usable(*s);
        }
        targets
            .par_iter()
            .map(|&t| {
                let found = crate::reach::with_back(|back| {
                    ctx.engine
                        .who_can_with(t, Level::Read, &|s| is_subject[s.index()], back, false)
                })
                .into_iter()
                .map(|(subject, walk)| Access {
                    subject,
                    target: t,
                    walk,
                })
                .collect();
                digest(found)
            })
            .collect()
    } else {
        subjects
            .par_iter()
            .map(|&s| digest(with_scratch(|scratch| for_subject(ctx, s, scratch))))
            .collect()
    };
    let mut pending = Vec::new();
    let mut access = Vec::new();
    for (p, a) in parts {
        pending.extend(p);
        access.extend(a);
    }
    access.par_sort_unstable_by_key(|a| (a.subject, a.target));
    (pending, access)
}

/// The full findings of `pending` records (one search per subject involved).
pub fn materialize(ctx: &Context<'_>, pending: &[Pending]) -> Vec<Finding> {
    let mut by_subject: std::collections::BTreeMap<NodeIx, Vec<NodeIx>> = Default::default();
    for p in pending {
        by_subject.entry(p.subject).or_default().push(p.target);
    }
    let subjects: Vec<(NodeIx, Vec<NodeIx>)> = by_subject.into_iter().collect();
    subjects
        .par_iter()
        .flat_map_iter(|(s, targets)| {
            with_scratch(|scratch| {
                let search = ctx.engine.search(
                    &[*s],
                    Level::Admin,
                    None,
                    Some(ctx.critical_floor()),
                    scratch,
                );
                targets
                    .iter()
                    .filter_map(|t| {
                        search.witness(*t, false).and_then(|walk| {
                            finding(
                                ctx,
                                &Access {
                                    subject: *s,
                                    target: *t,
                                    walk,
                                },
                            )
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect()
}

/// Whether a witness is the subject's own standing access: one edge, or only `member_of`
/// and `grants` edges.
pub fn is_standing(ctx: &Context<'_>, walk: &Walk) -> bool {
    walk.edges.len() < 2
        || walk
            .edges
            .iter()
            .all(|e| !ctx.engine.edge(*e).kind.is_identity_changing())
}

fn for_subject(ctx: &Context<'_>, s: NodeIx, scratch: &mut Scratch) -> Vec<Access> {
    if !ctx.engine.usable(s) || !ctx.can_reach_critical(s) {
        return Vec::new();
    }
    let search = ctx.engine.search(
        &[s],
        Level::Admin,
        None,
        Some(ctx.critical_floor()),
        scratch,
    );
    let mut targets: Vec<NodeIx> = search
        .reached()
        .filter(|n| *n != s && ctx.is_critical(*n))
        .collect();
    targets.sort_unstable();
    targets.dedup();
    targets
        .into_iter()
        .filter_map(|n| {
            search.witness(n, false).map(|walk| Access {
                subject: s,
                target: n,
                walk,
            })
        })
        .collect()
}

/// Which rule a pair falls under, at what severity, and how the sentence says it.
fn classify(ctx: &Context<'_>, a: &Access) -> Option<(Rule, Severity, &'static str)> {
    let (s, n, walk) = (a.subject, a.target, &a.walk);
    let external = ctx.engine.is_external(s);
    let level = walk.level;
    Some(if !is_standing(ctx, walk) {
        let cross_org = ctx.engine.org(s) != ctx.engine.org(n);
        let severity = if external && level == Level::Admin {
            Severity::Critical
        } else if external || cross_org || level == Level::Admin {
            Severity::High
        } else {
            Severity::Medium
        };
        (Rule::TransitivePrivilege, severity, "")
    } else if external {
        let severity = if level == Level::Admin {
            Severity::Critical
        } else {
            Severity::High
        };
        (
            Rule::ExternalCriticalAccess,
            severity,
            " through its own standing access",
        )
    } else {
        return None;
    })
}

fn finding(ctx: &Context<'_>, a: &Access) -> Option<Finding> {
    let (s, n, walk) = (a.subject, a.target, &a.walk);
    let level = walk.level;
    let (rule, severity, how) = classify(ctx, a)?;
    Some(Finding::new(Draft {
        rule,
        severity,
        subject: ctx.id(s),
        target: Some(ctx.id(n)),
        level: Some(level),
        reasons: Vec::new(),
        nodes: Vec::new(),
        path: ctx.ids(&walk.nodes),
        path_edges: walk
            .edges
            .iter()
            .map(|e| ctx.engine.edge(*e).kind)
            .collect(),
        message: explain::reach_sentence(ctx.model, walk, how),
        edge_kind: None,
    }))
}
