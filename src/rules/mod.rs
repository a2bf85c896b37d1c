//! The rules of RULES.md, one module per family; each returns findings as data.
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
mod privilege;

pub use privilege::Access;

use crate::findings::{self, Finding, Rule, Severity};
use crate::model::{EdgeKind, Graph, Level, NodeIx, NodeKind};
use crate::policy::Policy;
use crate::reach::{Engine, NEVER, Scratch};
use crate::timestamp::Timestamp;

/// Which principals start the subject-based rules (RULES.md "subjects").
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

/// RULES.md "subjects": live partners, services, agents and apps, and live external
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
    /// `critical` says which nodes are critical (RULES.md; the policy may widen it).
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

    /// The subject set of RULES.md, in node order.
    pub fn subjects(&self) -> Vec<NodeIx> {
        (0..self.model.nodes.len() as u32)
            .map(NodeIx)
            .filter(|n| self.is_subject(*n))
            .collect()
    }

    pub fn is_subject(&self, n: NodeIx) -> bool {
        is_subject(self.engine, self.subjects, n)
    }

    /// RULES.md "reaches a critical node": some live critical node other than `x` is
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

    /// RULES.md "holders": the `from` of every unexpired `holds` edge into `c`, whatever the
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

/// What the rules found, and the access map they computed on the way.
pub struct Outcome {
    /// In the contract's order; disabled rules left out, severity overrides applied, at
    /// most the cap.
    pub findings: Vec<Finding>,
    /// With `keep_access`: every subject's effective level over every critical node it
    /// reaches, with its witness.
    pub access: Vec<Access>,
    /// Set when the cap left findings out.
    pub truncated: Option<Truncation>,
}

/// Findings left out by `--max-findings`: per rule, how many there were and how many are
/// shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truncation {
    pub total: usize,
    pub shown: usize,
    pub per_rule: std::collections::BTreeMap<&'static str, (usize, usize)>,
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

/// Every rule over the graph under `policy`, at most `max_findings` findings (the first in
/// the contract's order). Paths and sentences of transitive and external access are written
/// only for the findings kept, so a graph with millions of them does not exhaust memory.
pub fn run_all(
    ctx: &Context<'_>,
    policy: &Policy,
    max_findings: usize,
    keep_access: bool,
) -> Outcome {
    let on = |r: Rule| policy.rule(r).enabled;
    let ((reach, partner), ((cycles, redelegable), ((credentials, governance), asserted))) =
        rayon::join(
            || {
                rayon::join(
                    || {
                        // Only computed when something needs it.
                        if keep_access
                            || on(Rule::TransitivePrivilege)
                            || on(Rule::ExternalCriticalAccess)
                        {
                            privilege::pending(ctx, keep_access)
                        } else {
                            (Vec::new(), Vec::new())
                        }
                    },
                    || on(Rule::IndirectPartnerAccess).then(|| partner::check(ctx)),
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
    let (mut pending, access) = reach;
    let mut others: Vec<Finding> = [
        partner,
        cycles,
        redelegable,
        credentials,
        governance,
        asserted,
    ]
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
    pending.retain(|p| on(p.rule));
    for p in &mut pending {
        if let Some(sev) = policy.rule(p.rule).severity {
            p.severity = sev;
        }
    }
    findings::sort(&mut others);
    let total = others.len() + pending.len();
    let (kept_pending, kept_others, truncated) = if total <= max_findings {
        (pending, others, None)
    } else {
        // Byte order of ids is rank order: sort the pending records cheaply, then take the
        // first `max_findings` of both sorted lists merged.
        let engine = ctx.engine;
        pending.sort_unstable_by_key(|p| {
            (
                p.severity,
                p.rule.name(),
                engine.id_rank(p.subject),
                engine.id_rank(p.target),
            )
        });
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
        let mut per_rule: std::collections::BTreeMap<&'static str, (usize, usize)> =
            Default::default();
        for (k, p) in pending.iter().enumerate() {
            let e = per_rule.entry(p.rule.name()).or_default();
            e.0 += 1;
            e.1 += usize::from(k < i);
        }
        for (k, o) in others.iter().enumerate() {
            let e = per_rule.entry(o.rule.name()).or_default();
            e.0 += 1;
            e.1 += usize::from(k < j);
        }
        pending.truncate(i);
        others.truncate(j);
        let t = Truncation {
            total,
            shown: i + j,
            per_rule,
        };
        (pending, others, Some(t))
    };
    let mut all = privilege::materialize(ctx, &kept_pending);
    all.extend(kept_others);
    findings::sort(&mut all);
    Outcome {
        findings: all,
        access,
        truncated,
    }
}
