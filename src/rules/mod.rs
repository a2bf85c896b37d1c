//! The rules of docs/rules.md, one module per family; each returns findings as data.
//!
//! - `privilege`: transitive-privilege, external-critical-access
//! - `partner`: indirect-partner-access
//! - `delegation`: delegation-cycle, redelegable-admin
//! - `credentials`: orphaned-, stale-, over-scoped- and shared-credential
//! - `governance`: ungoverned-access
//! - `assertions`: assertion-violated (the policy's `[[assert]]` entries)

mod assertions;
mod credentials;
mod delegation;
mod governance;
mod partner;
pub mod privilege;

pub use privilege::{Pending, Tally};

use crate::findings::{self, Finding, Rule, Severity};
use crate::model::{EdgeKind, Graph, Level, NodeIx, NodeKind};
use crate::policy::Policy;
use crate::reach::matrix::Matrix;
use crate::reach::{Engine, NEVER, Scratch};
use crate::timestamp::Timestamp;

/// Which principals start the subject-based rules (docs/rules.md "subjects").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Subjects {
    /// Live partners, services, agents and apps, and live external principals of any kind.
    #[default]
    Default,
    /// The default set plus every live human and tenant.
    All,
}

/// The time thresholds of the credential rules, in days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    pub dormant_days: u32,
    pub never_used_days: u32,
    pub rotation_days: u32,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            dormant_days: 90,
            never_used_days: 90,
            rotation_days: 365,
        }
    }
}

/// docs/rules.md "subjects": live partners, services, agents and apps, and live external
/// principals of any kind; with `Subjects::All`, every live principal.
pub fn is_subject(engine: &Engine<'_>, subjects: Subjects, n: NodeIx) -> bool {
    let node = engine.g.model.node(n);
    if !node.is_live() || !node.kind.is_principal() {
        return false;
    }
    match node.kind {
        NodeKind::Partner | NodeKind::Service | NodeKind::Agent | NodeKind::App => true,
        _ => subjects == Subjects::All || engine.is_external(n),
    }
}

/// What every rule reads: the graph prepared for searches, and the facts several rules share.
pub struct Context<'a> {
    pub engine: &'a Engine<'a>,
    pub model: &'a Graph,
    pub as_of: Timestamp,
    pub subjects: Subjects,
    pub thresholds: Thresholds,
    critical: Vec<bool>,
    /// For each node, the lowest starting level from which some usable critical node is
    /// reached (`NEVER` when none is).
    need_critical: Vec<u8>,
}

impl<'a> Context<'a> {
    /// `critical` says which nodes are critical (docs/rules.md; the policy may widen it).
    pub fn new(
        engine: &'a Engine<'a>,
        subjects: Subjects,
        thresholds: Thresholds,
        critical: Vec<bool>,
    ) -> Context<'a> {
        let targets: Vec<NodeIx> = critical
            .iter()
            .enumerate()
            .filter(|(_, c)| **c)
            .map(|(i, _)| NodeIx(i as u32))
            .collect();
        let need_critical = engine.need_to_reach(&targets, Level::Read);
        Context {
            engine,
            model: engine.g.model,
            as_of: engine.as_of,
            subjects,
            thresholds,
            critical,
            need_critical,
        }
    }

    pub fn is_critical(&self, n: NodeIx) -> bool {
        self.critical[n.index()]
    }

    /// The subject set of docs/rules.md, in node order.
    pub fn subjects(&self) -> Vec<NodeIx> {
        (0..self.model.nodes.len() as u32)
            .map(NodeIx)
            .filter(|n| self.is_subject(*n))
            .collect()
    }

    pub fn is_subject(&self, n: NodeIx) -> bool {
        is_subject(self.engine, self.subjects, n)
    }

    /// docs/rules.md "reaches a critical node": some live critical node other than `x` is
    /// reachable from `x` starting at `level`.
    pub fn reaches_critical(&self, x: NodeIx, level: Level, scratch: &mut Scratch) -> bool {
        if !self.engine.usable(x) {
            return false;
        }
        if !self.is_critical(x) {
            return self.need_critical[x.index()] <= level as u8;
        }
        // The reverse labels cannot tell "reaches itself" from "reaches another": search.
        let floor = &self.need_critical;
        let search = self.engine.search(&[x], level, None, Some(floor), scratch);
        search.reached().any(|n| n != x && self.is_critical(n))
    }

    /// Per-node floor for searches that only care about critical targets.
    pub fn critical_floor(&self) -> &[u8] {
        &self.need_critical
    }

    pub fn can_reach_critical(&self, x: NodeIx) -> bool {
        self.need_critical[x.index()] != NEVER
    }

    /// docs/rules.md "holders": the `from` of every unexpired `holds` edge into `c`, whatever the
    /// holder's status; each holder once, in node order.
    pub fn holders(&self, c: NodeIx) -> Vec<NodeIx> {
        let mut out: Vec<NodeIx> = self
            .engine
            .g
            .in_edges(c)
            .iter()
            .map(|ei| self.engine.edge(*ei))
            .filter(|e| e.kind == EdgeKind::Holds && !self.expired(e.expires_at))
            .map(|e| e.from)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Strictly before `as_of`.
    pub fn expired(&self, t: Option<Timestamp>) -> bool {
        t.is_some_and(|t| t < self.as_of)
    }

    pub fn id(&self, n: NodeIx) -> String {
        self.model.node(n).id.clone()
    }

    pub fn ids(&self, ns: &[NodeIx]) -> Vec<String> {
        ns.iter().map(|n| self.id(*n)).collect()
    }
}

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
pub fn critical_targets(ctx: &Context<'_>) -> Vec<NodeIx> {
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
    let ((reach, partner), ((cycles, redelegable), ((credentials, governance), asserted))) =
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
                                on(Rule::AssertionViolated)
                                    .then(|| assertions::check(ctx, &policy.asserts))
                            },
                        )
                    },
                )
            },
        );
    crate::reach::matrix::release_buffers();
    let mut others: Vec<Finding> = [cycles, redelegable, credentials, governance, asserted]
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    others.retain(|f| on(f.rule));
    for f in &mut others {
        if let Some(sev) = policy.rule(f.rule).severity {
            f.severity = sev;
        }
    }
    findings::sort(&mut others);
    let mut totals = Totals::default();
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
pub fn sketch(ctx: &Context<'_>, p: &Pending) -> Finding {
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
pub fn pending_of(
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

/// Paths and sentences for pending records of any access rule.
pub fn materialize(ctx: &Context<'_>, pending: Vec<Pending>) -> Vec<Finding> {
    let (partner_pending, pending): (Vec<Pending>, Vec<Pending>) = pending
        .into_iter()
        .partition(|p| p.rule == Rule::IndirectPartnerAccess);
    let (mut all, partner_findings) = rayon::join(
        || privilege::materialize(ctx, &pending),
        || partner::materialize(ctx, &partner_pending),
    );
    all.extend(partner_findings);
    all
}

fn choke_points_of(
    ctx: &Context<'_>,
    choke: Option<(Vec<crate::choke::Sampled>, u64)>,
    top: usize,
) -> Option<crate::choke::ChokePoints> {
    choke.map(|(sample, pairs)| crate::choke::choke_points(ctx, sample, pairs, top))
}

/// Every rule over the graph under `policy`, at most `max_findings` findings (the first in
/// the contract's order). `matrix` holds the subjects' levels over the critical nodes;
/// transitive and external access are counted from it over every pair, and paths and
/// sentences are written only for the findings kept.
///
/// With `paths` false, the access findings kept are written without path and sentence
/// (`sketch`): enough for their ids, order and waivers, for callers that will write out only
/// a few of them (`diff`, with `materialize`).
pub fn run_all(
    ctx: &Context<'_>,
    policy: &Policy,
    max_findings: usize,
    matrix: &Matrix<'_>,
    choke_points: usize,
    paths: bool,
) -> Outcome {
    let Ran {
        mut pending,
        mut others,
        mut totals,
        exposure,
        choke,
        ..
    } = run_rules(ctx, policy, max_findings, matrix, choke_points, false);
    sort_pending(ctx, &mut pending);
    let model = ctx.model;
    let (mut i, mut j) = (0, 0);
    while i + j < max_findings && (i < pending.len() || j < others.len()) {
        let take_pending = match (pending.get(i), others.get(j)) {
            (Some(p), Some(o)) => {
                (
                    p.severity,
                    p.rule.name(),
                    model.node(p.subject).id.as_bytes(),
                    Some(model.node(p.target).id.as_bytes()),
                ) < head_key(o)
            }
            (Some(_), None) => true,
            _ => false,
        };
        if take_pending {
            i += 1;
        } else {
            j += 1;
        }
    }
    pending.truncate(i);
    others.truncate(j);
    for p in &pending {
        totals.by_rule.entry(p.rule.name()).or_default().1 += 1;
    }
    for o in &others {
        totals.by_rule.entry(o.rule.name()).or_default().1 += 1;
    }
    let (mut all, choke_points) = rayon::join(
        || {
            if paths {
                materialize(ctx, pending)
            } else {
                pending.iter().map(|p| sketch(ctx, p)).collect()
            }
        },
        || choke_points_of(ctx, choke, choke_points),
    );
    all.extend(others);
    findings::sort(&mut all);
    Outcome {
        findings: all,
        totals,
        exposure,
        choke_points,
    }
}

/// Every finding, none left out, handed to `emit` in the contract's order a chunk at a time
/// instead of being held: memory stays bounded by the access matrix's rows (a few dozen
/// bytes per subject and block of targets) however many findings there are. The outcome's
/// `findings` is empty.
pub fn stream_all(
    ctx: &Context<'_>,
    policy: &Policy,
    matrix: &Matrix<'_>,
    choke_points: usize,
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
    for (_, (total, shown)) in totals.by_rule.iter_mut() {
        *shown = *total;
    }
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
    for (severity, _, segment) in segments {
        match segment {
            Segment::Access(rule, originals) => {
                privilege::stream(ctx, matrix, &rows, rule, &originals, severity, emit);
            }
            Segment::Partner => {
                for chunk in partner_pending.chunks(4096) {
                    let mut found = partner::materialize(ctx, chunk);
                    findings::sort(&mut found);
                    emit(found);
                }
            }
            Segment::Others(a, b) => emit(others[a..b].to_vec()),
        }
    }
    Outcome {
        findings: Vec::new(),
        totals,
        exposure,
        choke_points,
    }
}
