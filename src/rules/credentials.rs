//! The credential rules: orphaned-, stale-, over-scoped- and shared-credential. Each looks
//! at one active (live) credential, its owner and its holders.

use super::Context;
use crate::explain;
use crate::findings::{Draft, Finding, Rule, Severity};
use crate::model::{CredentialFields, EdgeKind, Level, Node, NodeIx, NodeKind, Status};
use crate::reach::with_scratch;
use crate::timestamp::Timestamp;
use rayon::prelude::*;
use std::collections::BTreeSet;

pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    (0..ctx.model.nodes.len() as u32)
        .into_par_iter()
        .map(NodeIx)
        .filter(|n| {
            let node = ctx.model.node(*n);
            node.kind == NodeKind::Credential && node.is_live()
        })
        .flat_map_iter(|c| for_credential(ctx, c))
        .collect()
}

struct Facts<'a> {
    c: NodeIx,
    node: &'a Node,
    fields: &'a CredentialFields,
    holders: Vec<NodeIx>,
}

fn draft(
    ctx: &Context<'_>,
    f: &Facts<'_>,
    rule: Rule,
    severity: Severity,
    reasons: Vec<String>,
    message: String,
) -> Finding {
    Finding::new(Draft {
        rule,
        severity,
        subject: ctx.id(f.c),
        target: None,
        level: None,
        reasons,
        nodes: Vec::new(),
        path: Vec::new(),
        path_edges: Vec::new(),
        message,
        edge_kind: None,
    })
}

fn for_credential(ctx: &Context<'_>, c: NodeIx) -> Vec<Finding> {
    let node = ctx.model.node(c);
    let default_fields = CredentialFields::default();
    let fields = node.credential.as_deref().unwrap_or(&default_fields);
    let facts = Facts {
        c,
        node,
        fields,
        holders: ctx.holders(c),
    };
    let mut out = Vec::new();
    out.extend(orphaned(ctx, &facts));
    out.extend(stale(ctx, &facts));
    out.extend(over_scoped(ctx, &facts));
    out.extend(shared(ctx, &facts));
    out
}

/// Partners a holder belongs to: the holder itself when it is a partner, or its org.
fn partner_of(ctx: &Context<'_>, holder: NodeIx) -> Option<NodeIx> {
    ctx.engine
        .org(holder)
        .filter(|o| ctx.model.node(*o).kind == NodeKind::Partner)
}

fn describe(ctx: &Context<'_>, f: &Facts<'_>) -> String {
    let kind = f.fields.credential_type();
    format!("Credential {} ({kind})", explain::name(ctx.model, f.c))
}

fn date(t: Timestamp) -> String {
    t.to_string()
}

fn orphaned(ctx: &Context<'_>, f: &Facts<'_>) -> Option<Finding> {
    let mut reasons = Vec::new();
    let mut words = Vec::new();
    match &f.node.owner {
        None => {
            reasons.push("no-owner");
            words.push("it has no owner".to_owned());
        }
        Some(owner) => match ctx.engine.g.node_ix(owner) {
            None => {
                reasons.push("owner-missing");
                words.push(format!("its owner {owner} does not exist"));
            }
            Some(o) => {
                let on = ctx.model.node(o);
                if on.status != Status::Active {
                    reasons.push("owner-inactive");
                    words.push(format!("its owner {} is {}", on.display_name(), on.status));
                }
            }
        },
    }
    let inactive: Vec<String> = f
        .holders
        .iter()
        .filter(|h| ctx.model.node(**h).status != Status::Active)
        .map(|h| explain::name(ctx.model, *h))
        .collect();
    if !inactive.is_empty() {
        reasons.push("holder-inactive");
        words.push(format!(
            "its holder {} is not active",
            explain::list(&inactive)
        ));
    }
    let ended: BTreeSet<NodeIx> = f
        .holders
        .iter()
        .filter_map(|h| partner_of(ctx, *h))
        .filter(|p| {
            let pn = ctx.model.node(*p);
            pn.status == Status::Offboarded || ctx.expired(pn.contract_end)
        })
        .collect();
    if !ended.is_empty() {
        reasons.push("partner-ended");
        let names: Vec<String> = ended.iter().map(|p| explain::name(ctx.model, *p)).collect();
        words.push(format!(
            "it is held for {}, whose partnership has ended",
            explain::list(&names)
        ));
    }
    let has_holder = ctx.engine.g.in_edges(f.c).iter().any(|ei| {
        let e = ctx.engine.edge(*ei);
        matches!(e.kind, EdgeKind::Holds | EdgeKind::Exposes) && !ctx.expired(e.expires_at)
    });
    if !has_holder {
        reasons.push("no-holder");
        words.push("nobody is known to hold it".to_owned());
    }
    if reasons.is_empty() {
        return None;
    }
    let grave = reasons.contains(&"partner-ended") || reasons.contains(&"owner-inactive");
    let critical = grave && with_scratch(|sc| ctx.reaches_critical(f.c, Level::Admin, sc));
    let severity = if critical {
        Severity::High
    } else {
        Severity::Medium
    };
    let tail = if critical {
        ", and it still reaches a critical node"
    } else {
        ""
    };
    let message = format!(
        "{} is orphaned: {}{tail}.",
        describe(ctx, f),
        words.join("; ")
    );
    Some(draft(
        ctx,
        f,
        Rule::OrphanedCredential,
        severity,
        reasons.into_iter().map(str::to_owned).collect(),
        message,
    ))
}

fn stale(ctx: &Context<'_>, f: &Facts<'_>) -> Option<Finding> {
    let t = ctx.thresholds;
    let as_of = ctx.as_of;
    let c = f.fields;
    let mut reasons = Vec::new();
    let mut words = Vec::new();
    if let Some(exp) = c.expires_at
        && exp < as_of
    {
        reasons.push("expired-not-revoked");
        words.push(format!("it expired on {} but was never revoked", date(exp)));
    }
    if let Some(used) = c.last_used_at
        && as_of.more_than_days_after(used, t.dormant_days)
    {
        reasons.push("dormant");
        words.push(format!("it was last used on {}", date(used)));
    }
    let never_used = c.last_used_at.is_none()
        && c.issued_at
            .is_some_and(|issued| as_of.more_than_days_after(issued, t.never_used_days));
    let overdue = c
        .rotated_at
        .max(c.issued_at)
        .filter(|last| as_of.more_than_days_after(*last, t.rotation_days));
    if never_used {
        reasons.push("never-used");
    }
    if overdue.is_some() {
        reasons.push("rotation-overdue");
    }
    // One date, said once: never rotated means its last rotation is its issue.
    match (never_used, overdue, c.issued_at, c.rotated_at) {
        (true, Some(_), Some(issued), None) => words.push(format!(
            "it was issued on {} and has been neither used nor rotated since",
            date(issued)
        )),
        (never_used, overdue, issued, rotated) => {
            if let (true, Some(issued)) = (never_used, issued) {
                words.push(format!("it was issued on {} and never used", date(issued)));
            }
            match (overdue, rotated) {
                (Some(last), Some(r)) if r == last => {
                    words.push(format!("it was last rotated on {}", date(last)));
                }
                (Some(last), _) => {
                    words.push(format!("it was issued on {} and never rotated", date(last)));
                }
                (None, _) => {}
            }
        }
    }
    if c.expires_at.is_none() {
        reasons.push("no-expiry");
        words.push("it never expires".to_owned());
    }
    let outlived: BTreeSet<NodeIx> = f
        .holders
        .iter()
        .filter_map(|h| partner_of(ctx, *h))
        .filter(|p| match ctx.model.node(*p).contract_end {
            Some(end) => c.expires_at.is_none_or(|exp| exp > end),
            None => false,
        })
        .collect();
    if !outlived.is_empty() {
        reasons.push("outlives-contract");
        let names: Vec<String> = outlived
            .iter()
            .map(|p| explain::name(ctx.model, *p))
            .collect();
        words.push(format!(
            "it outlives the contract with {}",
            explain::list(&names)
        ));
    }
    if reasons.is_empty() {
        return None;
    }
    let external = f.holders.iter().any(|h| ctx.engine.is_external(*h));
    let severity = if external {
        Severity::Medium
    } else {
        Severity::Low
    };
    let message = format!("{} is stale: {}.", describe(ctx, f), words.join("; "));
    Some(draft(
        ctx,
        f,
        Rule::StaleCredential,
        severity,
        reasons.into_iter().map(str::to_owned).collect(),
        message,
    ))
}

fn over_scoped(ctx: &Context<'_>, f: &Facts<'_>) -> Option<Finding> {
    let used = f.fields.used_scopes.as_ref()?;
    let granted = f.fields.scopes.as_deref().unwrap_or_default();
    let unused: BTreeSet<&[u8]> = granted
        .iter()
        .filter(|s| !used.contains(s))
        .map(|s| s.as_bytes())
        .collect();
    if unused.is_empty() {
        return None;
    }
    let unused: Vec<String> = unused
        .into_iter()
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    let message = format!(
        "{} carries scope(s) it never used: {}.",
        describe(ctx, f),
        explain::list(&unused)
    );
    Some(draft(
        ctx,
        f,
        Rule::OverScopedCredential,
        Severity::Low,
        unused.iter().map(|s| format!("unused:{s}")).collect(),
        message,
    ))
}

fn shared(ctx: &Context<'_>, f: &Facts<'_>) -> Option<Finding> {
    let orgs: BTreeSet<Option<NodeIx>> = f.holders.iter().map(|h| ctx.engine.org(*h)).collect();
    if orgs.len() < 2 {
        return None;
    }
    let names: Vec<String> = orgs
        .iter()
        .map(|o| match o {
            Some(o) => explain::name(ctx.model, *o),
            None => "the home organisation".to_owned(),
        })
        .collect();
    let message = format!(
        "{} is held from {} organisations: {}.",
        describe(ctx, f),
        orgs.len(),
        explain::list(&names)
    );
    Some(draft(
        ctx,
        f,
        Rule::SharedCredential,
        Severity::Medium,
        Vec::new(),
        message,
    ))
}
