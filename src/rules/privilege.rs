//! transitive-privilege and external-critical-access: what each subject reaches among the
//! critical nodes, split by how — through other identities, or standing access.

use super::Context;
use crate::explain;
use crate::findings::{Draft, Finding, Rule, Severity};
use crate::model::{Level, NodeIx};
use crate::reach::{Walk, with_scratch};
use rayon::prelude::*;

pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    ctx.subjects()
        .par_iter()
        .flat_map_iter(|&s| with_scratch(|scratch| for_subject(ctx, s, scratch)))
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

fn for_subject(ctx: &Context<'_>, s: NodeIx, scratch: &mut crate::reach::Scratch) -> Vec<Finding> {
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
    let external = ctx.engine.is_external(s);
    let mut out = Vec::new();
    for n in targets {
        let Some(walk) = search.witness(n, false) else {
            continue;
        };
        let level = walk.level;
        let (rule, severity, how) = if !is_standing(ctx, &walk) {
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
            continue;
        };
        out.push(Finding::new(Draft {
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
            message: explain::reach_sentence(ctx.model, &walk, how),
            edge_kind: None,
        }));
    }
    out
}
