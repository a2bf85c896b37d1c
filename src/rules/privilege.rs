//! transitive-privilege and external-critical-access: what each subject reaches among the
//! critical nodes, split by how — through other identities, or standing access. The same
//! pass yields the access map (`Access`) that `diff` compares between two graphs.

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

/// Every (subject, critical node ≠ subject) pair the subject reaches, in subject order.
pub fn reach_critical(ctx: &Context<'_>) -> Vec<Access> {
    ctx.subjects()
        .par_iter()
        .flat_map_iter(|&s| with_scratch(|scratch| for_subject(ctx, s, scratch)))
        .collect()
}

/// The findings of both rules from the access map.
pub fn findings(ctx: &Context<'_>, access: &[Access]) -> Vec<Finding> {
    access.iter().filter_map(|a| finding(ctx, a)).collect()
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

fn finding(ctx: &Context<'_>, a: &Access) -> Option<Finding> {
    let (s, n, walk) = (a.subject, a.target, &a.walk);
    let external = ctx.engine.is_external(s);
    let level = walk.level;
    let (rule, severity, how) = if !is_standing(ctx, walk) {
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
    };
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
