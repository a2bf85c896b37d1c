//! The rules of docs/rules.md, one module per family; each returns findings as data.
//!
//! - `privilege`: transitive-privilege, external-critical-access
//! - `partner`: indirect-partner-access
//! - `delegation`: delegation-cycle, redelegable-admin
//! - `credentials`: orphaned-, stale-, over-scoped- and shared-credential
//! - `governance`: ungoverned-access
//! - `assertions`: assertion-violated (the policy's `[[assert]]` entries)
//! - `trust`: open-trust (identities anyone at all can become)

pub mod assertions;
mod credentials;
mod delegation;
mod governance;
mod partner;
pub mod privilege;
mod trust;

pub use privilege::{Pending, Tally};

use crate::findings::{self, Finding, Rule, Severity};
use crate::model::NodeIx;
use crate::policy::Policy;
use crate::reach::matrix::Matrix;

// The settings the policy file holds; defined with it so that the policy depends on no rule.
pub use crate::policy::{Subjects, Thresholds};

// What every rule reads; defined apart so that exposure and choke points, computed in the
// rules' pass, depend on it and not on the rules.
pub use crate::context::Context;
pub(crate) use crate::context::is_subject;

/// What the rules found.
pub struct Outcome {
    /// In the contract's order; disabled rules left out, severity overrides applied, at
    /// most the cap.
    pub findings: Vec<Finding>,
    /// Every finding counted, shown or not: per severity, and per rule (total and shown).
    pub totals: Totals,
    /// Who reaches the critical nodes (when the transitive or external access rule runs).
    pub exposure: Option<crate::exposure::Exposure>,
    /// The nodes and edges the most (subject, critical node) pairs pass through (likewise).
    pub choke_points: Option<crate::choke::ChokePoints>,
}

/// Every finding counted, including those the cap left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub summary: findings::Summary,
    /// Per rule that found something: (total, shown).
    pub by_rule: std::collections::BTreeMap<&'static str, (usize, usize)>,
    /// When the budget of path nodes stopped the findings shown before `--max-findings`
    /// did: that budget.
    pub path_limit: Option<usize>,
    /// What each `[[assert]]` of the policy checked, in policy order.
    pub assertions: Vec<assertions::Checked>,
}

impl Totals {
    pub fn total(&self) -> usize {
        self.by_rule.values().map(|(t, _)| t).sum()
    }

    pub fn shown(&self) -> usize {
        self.by_rule.values().map(|(_, s)| s).sum()
    }

    /// Whether the cap left findings out.
    pub fn truncated(&self) -> bool {
        self.shown() < self.total()
    }
}

/// The contract's order on what both kinds of record share: severity, rule, subject,
/// target. Transitive-privilege and external-critical-access findings are unique by these,
/// so ordering them by this key agrees with the full order.
fn head_key(f: &Finding) -> (Severity, &'static str, &[u8], Option<&[u8]>) {
    (
        f.severity,
        f.rule.name(),
        f.subject.as_bytes(),
        f.target.as_deref().map(str::as_bytes),
    )
}

/// The usable critical nodes, in node order: the targets of the access matrix.
pub(crate) fn critical_targets(ctx: &Context<'_>) -> Vec<NodeIx> {
    (0..ctx.model.nodes.len() as u32)
        .map(NodeIx)
        .filter(|n| ctx.is_critical(*n) && ctx.engine.usable(*n))
        .collect()
}

/// What every rule found before any path is written: the transitive and partner access
/// rules as counts and pending records, the other rules as findings.
struct Ran {
    /// Pending records of the access rules (overrides applied), in no particular order.
    pending: Vec<Pending>,
    /// The other rules' findings, sorted, overrides applied.
    others: Vec<Finding>,
    totals: Totals,
    exposure: Option<crate::exposure::Exposure>,
    /// The pair sample and the number of pairs, for choke points.
    choke: Option<(Vec<crate::choke::Sampled>, u64)>,
    /// The access rule's counts per (rule, severity) and stored rows, when streaming.
    tally_counts: [[u64; 5]; 2],
    rows: Option<Vec<Vec<privilege::Stored>>>,
}

/// Runs every enabled rule: the access rules keep their first `keep` findings per rule and
/// severity as pending records (with `store`, every row for streaming instead, and every
/// partner record).
fn run_rules(
    ctx: &Context<'_>,
    policy: &Policy,
    keep: usize,
    matrix: &Matrix<'_>,
    choke_points: usize,
    store: bool,
) -> Ran {
    let on = |r: Rule| policy.rule(r).enabled;
    let ((reach, partner), ((cycles, redelegable), ((credentials, governance), (asserted, open)))) =
        rayon::join(
            || {
                rayon::join(
                    || {
                        (on(Rule::TransitivePrivilege) || on(Rule::ExternalCriticalAccess))
                            .then(|| privilege::tally(ctx, matrix, keep, store))
                    },
                    || {
                        // Streaming holds every partner finding as a record: at most
                        // partners × targets, far fewer than subjects × critical nodes.
                        let keep = if store { usize::MAX } else { keep };
                        on(Rule::IndirectPartnerAccess).then(|| partner::tally(ctx, keep))
                    },
                )
            },
            || {
                rayon::join(
                    || {
                        (
                            on(Rule::DelegationCycle).then(|| delegation::cycles(ctx)),
                            on(Rule::RedelegableAdmin).then(|| delegation::redelegable(ctx)),
                        )
                    },
                    || {
                        rayon::join(
                            || {
                                let credential_rules = [
                                    Rule::OrphanedCredential,
                                    Rule::StaleCredential,
                                    Rule::OverScopedCredential,
                                    Rule::SharedCredential,
                                ];
                                (
                                    credential_rules
                                        .iter()
                                        .any(|r| on(*r))
                                        .then(|| credentials::check(ctx)),
                                    on(Rule::UngovernedAccess).then(|| governance::check(ctx)),
                                )
                            },
                            || {
                                (
                                    on(Rule::AssertionViolated)
                                        .then(|| assertions::check(ctx, &policy.asserts)),
                                    on(Rule::OpenTrust).then(|| trust::check(ctx)),
                                )
                            },
                        )
                    },
                )
            },
        );
    crate::reach::matrix::release_buffers();
    let (asserted, checked) = asserted.unwrap_or_default();
    let mut others: Vec<Finding> = [
        cycles,
        redelegable,
        credentials,
        governance,
        Some(asserted),
        open,
    ]
    .into_iter()
    .flatten()
    .flatten()
    .collect();
    others.retain(|f| on(f.rule));
    for f in &mut others {
        // As for the access rules, classified at info first; a policy override of the
        // rule's severity then applies to every finding of the rule.
        if ctx
            .engine
            .g
            .node_ix(&f.subject)
            .is_some_and(|n| ctx.is_builtin_capped(n))
        {
            f.severity = Severity::Info;
        }
        if let Some(sev) = policy.rule(f.rule).severity {
            f.severity = sev;
        }
    }
    findings::sort(&mut others);
    let mut totals = Totals {
        assertions: checked,
        ..Totals::default()
    };
    for f in &others {
        *totals.summary.slot(f.severity) += 1;
        totals.by_rule.entry(f.rule.name()).or_default().0 += 1;
    }
    let mut ran = Ran {
        pending: Vec::new(),
        others,
        totals,
        exposure: None,
        choke: None,
        tally_counts: [[0; 5]; 2],
        rows: None,
    };
    if let Some(t) = reach {
        for (r, rule) in privilege::RULES.iter().enumerate() {
            if !on(*rule) {
                continue;
            }
            for (s, count) in t.counts[r].iter().enumerate() {
                if *count == 0 {
                    continue;
                }
                let sev = policy.rule(*rule).severity.unwrap_or(Severity::ALL[s]);
                *ran.totals.summary.slot(sev) += *count as usize;
                ran.totals.by_rule.entry(rule.name()).or_default().0 += *count as usize;
                ran.tally_counts[r][s] = *count;
            }
        }
        if choke_points > 0 {
            ran.choke = Some((t.sample, t.pairs));
        }
        ran.pending = t.first;
        ran.exposure = Some(t.exposure);
        ran.rows = t.rows;
    }
    if let Some((count, first)) = partner
        && count > 0
    {
        let rule = Rule::IndirectPartnerAccess;
        let sev = policy.rule(rule).severity.unwrap_or(Severity::High);
        *ran.totals.summary.slot(sev) += count as usize;
        ran.totals.by_rule.entry(rule.name()).or_default().0 += count as usize;
        ran.pending.extend(first);
    }
    ran.pending.retain(|p| on(p.rule));
    for p in &mut ran.pending {
        if let Some(sev) = policy.rule(p.rule).severity {
            p.severity = sev;
        }
    }
    ran
}

/// The contract's order on pending records (byte order of ids is rank order).
fn sort_pending(ctx: &Context<'_>, pending: &mut [Pending]) {
    let engine = ctx.engine;
    pending.sort_unstable_by_key(|p| {
        (
            p.severity,
            p.rule.name(),
            engine.id_rank(p.subject),
            engine.id_rank(p.target),
        )
    });
}

/// A pending record as a finding without path or sentence: its id, rule, severity,
/// subject, target and level are those the written finding will have.
pub(crate) fn sketch(ctx: &Context<'_>, p: &Pending) -> Finding {
    Finding::new(findings::Draft {
        rule: p.rule,
        severity: p.severity,
        subject: ctx.id(p.subject),
        target: Some(ctx.id(p.target)),
        level: Some(p.level),
        reasons: Vec::new(),
        nodes: Vec::new(),
        path: Vec::new(),
        path_edges: Vec::new(),
        message: String::new(),
        edge_kind: None,
    })
}

/// One pair's finding of an access rule, if the pair has one (for a finding the cap left
/// out that a waiver names): classified exactly as the matrix classifies every pair.
pub(crate) fn pending_of(
    ctx: &Context<'_>,
    policy: &Policy,
    rule: Rule,
    s: NodeIx,
    t: NodeIx,
) -> Option<Pending> {
    if !policy.rule(rule).enabled || s == t || !ctx.engine.usable(s) || !ctx.engine.usable(t) {
        return None;
    }
    let found = match rule {
        Rule::TransitivePrivilege | Rule::ExternalCriticalAccess => {
            if !ctx.is_subject(s) || !ctx.is_critical(t) {
                return None;
            }
            privilege::pair(ctx, s, t)?
        }
        Rule::IndirectPartnerAccess => partner::pair(ctx, s, t)?,
        _ => return None,
    };
    (found.rule == rule).then(|| Pending {
        severity: policy.rule(rule).severity.unwrap_or(found.severity),
        ..found
    })
}

/// The default budget of path nodes: how many node ids the paths of the findings shown may
/// hold in all (a witness may be as long as the graph, and a long chain or cycle gives many
/// findings each with a long witness). About 250 bytes each in memory while written.
pub(crate) const DEFAULT_MAX_PATH_NODES: usize = 25_000_000;

/// A pending record written out, or why not.
pub enum Written {
    Finding(Box<Finding>),
    /// Its witness holds this many nodes, more than the record's share of the budget.
    Long(usize),
    /// No witness (the record does not hold on this graph).
    Unreached,
}

/// Results tagged with their record's index, in record order (`Unreached` where none came).
fn in_input_order(n: usize, mut tagged: Vec<(usize, Written)>) -> Vec<Written> {
    tagged.sort_unstable_by_key(|(i, _)| *i);
    let mut out: Vec<Written> = Vec::with_capacity(n);
    for (i, w) in tagged {
        while out.len() < i {
            out.push(Written::Unreached);
        }
        out.push(w);
    }
    while out.len() < n {
        out.push(Written::Unreached);
    }
    out
}

/// Paths and sentences for pending records of any access rule, in their order; each
/// record's witness may use `share` nodes (see `privilege::materialize`).
fn materialize_shares(ctx: &Context<'_>, pending: &[Pending], share: usize) -> Vec<Written> {
    let (partner_ix, privilege_ix): (Vec<usize>, Vec<usize>) =
        (0..pending.len()).partition(|i| pending[*i].rule == Rule::IndirectPartnerAccess);
    let pick = |ix: &[usize]| ix.iter().map(|i| pending[*i]).collect::<Vec<_>>();
    let (a, b) = (pick(&privilege_ix), pick(&partner_ix));
    let (a, b) = rayon::join(
        || privilege::materialize(ctx, &a, share),
        || partner::materialize(ctx, &b, share),
    );
    let tagged = privilege_ix
        .into_iter()
        .zip(a)
        .chain(partner_ix.into_iter().zip(b))
        .collect();
    in_input_order(pending.len(), tagged)
}

/// Paths and sentences for pending records of any access rule (every witness written,
/// however long: for a handful of records).
pub(crate) fn materialize(ctx: &Context<'_>, pending: Vec<Pending>) -> Vec<Finding> {
    materialize_shares(ctx, &pending, usize::MAX)
        .into_iter()
        .filter_map(|w| match w {
            Written::Finding(f) => Some(*f),
            _ => None,
        })
        .collect()
}

/// A finding to show, in the contract's order: written already, or a pending record.
pub enum Item {
    Ready(Box<Finding>),
    Pending(Pending),
}

/// The longest prefix of `items` whose paths hold at most `budget` nodes in all, written
/// out; `budget` is reduced by what they use. The second value says whether every item fit.
///
/// Memory stays within the budget however long the witnesses: records are first written
/// within an even share of it each, the lengths of those that did not fit are read off the
/// search, and only the ones the prefix keeps are then written in full.
pub(crate) fn within_budget(
    ctx: &Context<'_>,
    items: Vec<Item>,
    budget: &mut usize,
) -> (Vec<Finding>, bool) {
    let pending: Vec<Pending> = items
        .iter()
        .filter_map(|i| match i {
            Item::Pending(p) => Some(*p),
            Item::Ready(_) => None,
        })
        .collect();
    let share = (*budget / items.len().max(1)).max(1);
    let mut written = materialize_shares(ctx, &pending, share).into_iter();
    // Each kept item, or the index of its record among `long` to write in full.
    let mut kept: Vec<Result<Finding, usize>> = Vec::new();
    let mut long: Vec<Pending> = Vec::new();
    let mut complete = true;
    for item in items {
        let (len, entry) = match item {
            Item::Ready(f) => (f.path.len(), Ok(*f)),
            Item::Pending(p) => match written.next() {
                Some(Written::Finding(f)) => (f.path.len(), Ok(*f)),
                Some(Written::Long(len)) => {
                    long.push(p);
                    (len, Err(long.len() - 1))
                }
                _ => continue,
            },
        };
        if len > *budget {
            complete = false;
            break;
        }
        *budget -= len;
        kept.push(entry);
    }
    let mut filled: Vec<Option<Finding>> = materialize_shares(ctx, &long, usize::MAX)
        .into_iter()
        .map(|w| match w {
            Written::Finding(f) => Some(*f),
            _ => None,
        })
        .collect();
    let out = kept
        .into_iter()
        .filter_map(|k| match k {
            Ok(f) => Some(f),
            Err(i) => filled[i].take(),
        })
        .collect();
    (out, complete)
}

fn choke_points_of(
    ctx: &Context<'_>,
    choke: Option<(Vec<crate::choke::Sampled>, u64)>,
    top: usize,
) -> Option<crate::choke::ChokePoints> {
    choke.map(|(sample, pairs)| crate::choke::choke_points(ctx, sample, pairs, top))
}

/// Every rule over the graph under `policy`, at most `max_findings` findings (the first in
/// the contract's order), and no more than the paths of `max_path_nodes` node ids allow.
/// `matrix` holds the subjects' levels over the critical nodes; transitive and external
/// access are counted from it over every pair, and paths and sentences are written only for
/// the findings kept.
///
/// With `paths` false, the access findings kept are written without path and sentence
/// (`sketch`): enough for their ids, order and waivers, for callers that will write out only
/// a few of them (`diff`, with `materialize`); the path budget does not apply.
pub(crate) fn run_all(
    ctx: &Context<'_>,
    policy: &Policy,
    limits: Limits,
    matrix: &Matrix<'_>,
    choke_points: usize,
    paths: bool,
) -> Outcome {
    let Limits {
        max_findings,
        max_path_nodes,
    } = limits;
    let Ran {
        mut pending,
        others,
        mut totals,
        exposure,
        choke,
        ..
    } = run_rules(ctx, policy, max_findings, matrix, choke_points, false);
    sort_pending(ctx, &mut pending);
    let model = ctx.model;
    let mut items = Vec::new();
    let mut pending = pending.into_iter().peekable();
    let mut others = others.into_iter().peekable();
    while items.len() < max_findings {
        let take_pending = match (pending.peek(), others.peek()) {
            (Some(p), Some(o)) => {
                (
                    p.severity,
                    p.rule.name(),
                    model.node(p.subject).id.as_bytes(),
                    Some(model.node(p.target).id.as_bytes()),
                ) < head_key(o)
            }
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        items.push(if take_pending {
            Item::Pending(pending.next().expect("peeked"))
        } else {
            Item::Ready(Box::new(others.next().expect("peeked")))
        });
    }
    let (mut all, choke_points) = rayon::join(
        || {
            if paths {
                let mut budget = max_path_nodes;
                let (shown, complete) = within_budget(ctx, items, &mut budget);
                (shown, (!complete).then_some(max_path_nodes))
            } else {
                let shown = items
                    .into_iter()
                    .map(|i| match i {
                        Item::Pending(p) => sketch(ctx, &p),
                        Item::Ready(f) => *f,
                    })
                    .collect();
                (shown, None)
            }
        },
        || choke_points_of(ctx, choke, choke_points),
    );
    totals.path_limit = all.1;
    for f in &all.0 {
        totals.by_rule.entry(f.rule.name()).or_default().1 += 1;
    }
    findings::sort(&mut all.0);
    Outcome {
        findings: all.0,
        totals,
        exposure,
        choke_points,
    }
}

/// The display limits of `run_all`.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// At most this many findings, the first in the contract's order.
    pub max_findings: usize,
    /// The paths of the findings shown hold at most this many node ids in all.
    pub max_path_nodes: usize,
}

/// Every finding, none left out, handed to `emit` in the contract's order a chunk at a time
/// instead of being held: memory stays bounded by the access matrix's rows (a few dozen
/// bytes per subject and block of targets) however many findings there are. The outcome's
/// `findings` is empty.
pub(crate) fn stream_all(
    ctx: &Context<'_>,
    policy: &Policy,
    matrix: &Matrix<'_>,
    choke_points: usize,
    max_path_nodes: usize,
    emit: &mut dyn FnMut(Vec<Finding>),
) -> Outcome {
    let Ran {
        pending,
        others,
        mut totals,
        exposure,
        choke,
        tally_counts,
        rows,
    } = run_rules(ctx, policy, 0, matrix, choke_points, true);
    // Only partner records are pending here: the access rules kept none.
    let mut partner_pending = pending;
    sort_pending(ctx, &mut partner_pending);
    // The output is a sequence of segments, one per (severity, rule), in the contract's
    // order; within a segment, by subject and target (and the rest of the order for the
    // other rules, already sorted).
    enum Segment {
        Access(Rule, Vec<Severity>),
        Partner,
        Others(usize, usize),
    }
    let mut segments: Vec<(Severity, &'static str, Segment)> = Vec::new();
    for (r, rule) in privilege::RULES.iter().enumerate() {
        let mut by_final: std::collections::BTreeMap<Severity, Vec<Severity>> = Default::default();
        for (s, count) in tally_counts[r].iter().enumerate() {
            if *count > 0 {
                let original = Severity::ALL[s];
                let sev = policy.rule(*rule).severity.unwrap_or(original);
                by_final.entry(sev).or_default().push(original);
            }
        }
        for (sev, originals) in by_final {
            segments.push((sev, rule.name(), Segment::Access(*rule, originals)));
        }
    }
    if let Some(p) = partner_pending.first() {
        segments.push((p.severity, p.rule.name(), Segment::Partner));
    }
    let mut k = 0;
    while k < others.len() {
        let (sev, rule) = (others[k].severity, others[k].rule);
        let end = k + others[k..]
            .iter()
            .take_while(|f| f.severity == sev && f.rule == rule)
            .count();
        segments.push((sev, rule.name(), Segment::Others(k, end)));
        k = end;
    }
    segments.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let choke_points = choke_points_of(ctx, choke, choke_points);
    let rows = rows.unwrap_or_default();
    let mut budget = max_path_nodes;
    let mut shown: std::collections::BTreeMap<&'static str, usize> = Default::default();
    let mut emit_counted = |found: Vec<Finding>| {
        for f in &found {
            *shown.entry(f.rule.name()).or_default() += 1;
        }
        emit(found);
    };
    let mut complete = true;
    for (severity, _, segment) in segments {
        complete = match segment {
            Segment::Access(rule, originals) => privilege::stream(
                ctx,
                matrix,
                &rows,
                (rule, &originals, severity),
                &mut budget,
                &mut emit_counted,
            ),
            Segment::Partner => partner_pending.chunks(4096).all(|chunk| {
                let items = chunk.iter().map(|p| Item::Pending(*p)).collect();
                let (found, complete) = within_budget(ctx, items, &mut budget);
                emit_counted(found);
                complete
            }),
            Segment::Others(a, b) => {
                let items = others[a..b]
                    .iter()
                    .map(|f| Item::Ready(Box::new(f.clone())))
                    .collect();
                let (found, complete) = within_budget(ctx, items, &mut budget);
                emit_counted(found);
                complete
            }
        };
        if !complete {
            break;
        }
    }
    for (rule, (_, n)) in totals.by_rule.iter_mut() {
        *n = shown.get(rule).copied().unwrap_or(0);
    }
    totals.path_limit = (!complete).then_some(max_path_nodes);
    Outcome {
        findings: Vec::new(),
        totals,
        exposure,
        choke_points,
    }
}
