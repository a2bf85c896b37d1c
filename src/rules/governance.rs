//! ungoverned-access: external access not bound to a purpose, an expiry and an approver.

use super::Context;
use crate::explain;
use crate::findings::{Draft, Finding, Rule, Severity};
use crate::model::{EdgeKind, NodeIx};
use std::collections::{BTreeMap, BTreeSet};

pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    // Identical edges (same from, to, kind) are one finding: the union of their reasons at
    // the highest of their severities.
    let mut merged: BTreeMap<(NodeIx, NodeIx, EdgeKind), (BTreeSet<&'static str>, Severity)> =
        BTreeMap::new();
    for e in &ctx.model.edges {
        if !matches!(
            e.kind,
            EdgeKind::AdminOf | EdgeKind::Grants | EdgeKind::Assumes | EdgeKind::Holds
        ) || ctx.expired(e.expires_at)
            || !ctx.engine.is_external(e.from)
        {
            continue;
        }
        let mut reasons = BTreeSet::new();
        if e.purpose().is_none() {
            reasons.insert("no-purpose");
        }
        if e.expires_at.is_none() {
            reasons.insert("no-expiry");
        }
        if e.granted_by().is_none() {
            reasons.insert("no-granted-by");
        }
        if reasons.is_empty() {
            continue;
        }
        let reaches = ctx.engine.usable(e.to)
            && (ctx.is_critical(e.to)
                || crate::reach::with_scratch(|sc| ctx.reaches_critical(e.to, e.level, sc)));
        let severity = if reaches {
            Severity::Medium
        } else {
            Severity::Low
        };
        let slot = merged
            .entry((e.from, e.to, e.kind))
            .or_insert_with(|| (BTreeSet::new(), Severity::Low));
        slot.0.extend(reasons);
        slot.1 = slot.1.min(severity);
    }
    merged
        .into_iter()
        .map(|((from, to, kind), (reasons, severity))| {
            let missing: Vec<String> = reasons
                .iter()
                .map(|r| match *r {
                    "no-purpose" => "no purpose".to_owned(),
                    "no-expiry" => "no expiry".to_owned(),
                    _ => "no approver (granted_by)".to_owned(),
                })
                .collect();
            let tail = if severity == Severity::Medium {
                ", and it leads to a critical node"
            } else {
                ""
            };
            let message = format!(
                "{} {} {} with {}{tail}.",
                explain::who(ctx.model, from),
                relation(kind),
                explain::name(ctx.model, to),
                explain::list(&missing)
            );
            Finding::new(Draft {
                rule: Rule::UngovernedAccess,
                severity,
                subject: ctx.id(from),
                target: Some(ctx.id(to)),
                level: None,
                reasons: reasons.into_iter().map(str::to_owned).collect(),
                nodes: Vec::new(),
                path: vec![ctx.id(from), ctx.id(to)],
                path_edges: vec![kind],
                message,
                edge_kind: Some(kind),
            })
        })
        .collect()
}

fn relation(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Holds => "holds",
        EdgeKind::AdminOf => "administers",
        EdgeKind::Assumes => "can assume",
        _ => "has a grant on",
    }
}
