//! The cross-account AWS seam. A role's trust policy that names another account (or one of
//! its principals) lets in only those principals of that account whose own identity
//! policies allow `sts:AssumeRole` on the role: both sides must agree. When that account's
//! export is a source of the estate, the trust is resolved to exactly those principals (and
//! the account's root user, which no identity policy limits); otherwise the account stays
//! an external node, and coverage says so.

use super::{Item, drop_edges, id_of, prop};
use crate::coverage::{AWS_CROSS_ACCOUNT, SeamTally};
use crate::import::aws::cross_account::{Principals, principal_arn, reason, trusted};
use crate::import::aws::policy::Permissions;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// One `aws-iam` source: its account and what its principals may assume.
pub(super) struct Account<'a> {
    pub source: &'a str,
    pub account: String,
    /// Prefixed principal id → its `sts:AssumeRole` permissions.
    pub assume_role: BTreeMap<String, &'a Permissions>,
}

/// Resolves trusts to accounts of the estate; returns the placeholder edges it replaced.
pub(super) fn join(
    nodes: &[Item],
    edges: &mut Vec<Item>,
    accounts: &[Account<'_>],
    tally: &mut SeamTally,
) {
    if accounts.len() < 2 {
        tally.not_evaluated(
            AWS_CROSS_ACCOUNT,
            "fewer than two aws-iam sources: a trust naming another account cannot be resolved to its principals",
        );
        return;
    }
    tally.evaluated(AWS_CROSS_ACCOUNT);
    let by_account: BTreeMap<&str, &Account<'_>> =
        accounts.iter().map(|a| (a.account.as_str(), a)).collect();
    let node: BTreeMap<&str, &Item> = nodes.iter().map(|n| (id_of(n), n)).collect();
    // Each account's principals by ARN, and its root user.
    let mut arns: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    for n in nodes {
        let (Some(source), Some(arn)) = (prop(n, "source"), prop(n, "aws_arn")) else {
            continue;
        };
        arns.entry(source)
            .or_default()
            .insert(arn.to_string(), id_of(n).to_string());
    }
    let principals: BTreeMap<&str, Principals<'_>> = accounts
        .iter()
        .map(|a| {
            let root = format!("{}:aws:root:{}", a.source, a.account);
            let p = Principals {
                arns: arns.remove(a.source).unwrap_or_default(),
                assume_role: a.assume_role.clone(),
                root: node.contains_key(root.as_str()).then_some(root),
            };
            (a.account.as_str(), p)
        })
        .collect();
    let mut added: Vec<Item> = Vec::new();
    let mut replaced: BTreeSet<usize> = BTreeSet::new();
    let mut made = 0;
    for (ei, e) in edges.iter().enumerate() {
        if e.get("kind").and_then(Value::as_str) != Some("assumes") {
            continue;
        }
        let (Some(from), Some(role_id)) = (prop(e, "from"), prop(e, "to")) else {
            continue;
        };
        let Some(placeholder) = node.get(from) else {
            continue;
        };
        let Some(account) = prop(placeholder, "native_key")
            .and_then(|k| k.strip_prefix("aws:account:"))
            .filter(|_| prop(placeholder, "kind") == Some("partner"))
        else {
            continue;
        };
        let Some(target) = by_account.get(account) else {
            continue;
        };
        let Some(role) = node.get(role_id) else {
            continue;
        };
        let (Some(role_arn), Some(role_source)) = (prop(role, "aws_arn"), prop(role, "source"))
        else {
            continue;
        };
        if role_source == target.source {
            continue;
        }
        replaced.insert(ei);
        let (whole, named) = trusted(|k| e.get(k));
        let (admitted, missing) = principals[account].admitted(whole, &named, role_arn);
        for arn in missing {
            tally.undecided(
                AWS_CROSS_ACCOUNT,
                role_source,
                format!("trust of {role_arn} naming {}", principal_arn(&arn)),
                "the trusted principal is not in its account's export (deleted, or exported without it)",
            );
        }
        for (p, allowed) in admitted {
            let mut edge = e.clone();
            edge.insert("from".into(), json!(p));
            edge.insert("seam".into(), json!(AWS_CROSS_ACCOUNT));
            edge.remove("trusted_whole_account");
            edge.remove("trusted_principals");
            let mut derived: Vec<Value> = e
                .get("derived_from")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            derived.push(json!(reason(role_arn, allowed.as_ref())));
            edge.insert("derived_from".into(), json!(derived));
            if let Some(a) = &allowed
                && !a.conditions.is_empty()
            {
                let mut c: Vec<Value> = e
                    .get("conditions")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                c.extend(a.conditions.iter().map(|c| json!(c.describe())));
                edge.insert("conditions".into(), json!(c));
            }
            added.push(edge);
            made += 1;
        }
    }
    tally.made(AWS_CROSS_ACCOUNT, made);
    drop_edges(edges, &replaced);
    edges.extend(added);
}
