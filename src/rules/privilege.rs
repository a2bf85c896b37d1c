//! transitive-privilege and external-critical-access over every (subject, critical node)
//! pair. Both are decided on levels (RULES.md): a pair is transitive privilege when no
//! standing walk reaches the target at the effective level, external critical access when
//! one does and the subject is external. The access matrix gives both levels for every
//! pair, so every finding is counted — and exposure tallied — without a search per pair;
//! paths and sentences are written only for the findings kept.

use super::Context;
use crate::choke::{Sampled, Sampler, subject_hash, target_hash};
use crate::explain;
use crate::exposure::{Exposure, ExposureBlock};
use crate::findings::{Draft, Finding, Rule, Severity};
use crate::model::{Level, NodeIx};
use crate::reach::matrix::{BLOCK, Matrix, Row, WORDS, at_level};
use crate::reach::{Walk, with_scratch};
use rayon::prelude::*;
use std::collections::HashMap;

/// A finding of either rule before its path and sentence are written: enough to count,
/// order and cap findings without holding millions of paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    pub rule: Rule,
    pub severity: Severity,
    pub subject: NodeIx,
    pub target: NodeIx,
    /// The effective level.
    pub level: Level,
}

/// The two rules this family reports, in a fixed order for the tallies.
pub const RULES: [Rule; 2] = [Rule::TransitivePrivilege, Rule::ExternalCriticalAccess];

/// Every pair classified: how many findings of each rule at each severity, the first
/// findings of each (rule, severity) in the contract's order, and the exposure.
pub struct Tally {
    /// `counts[r][s]`: findings of `RULES[r]` at `Severity::ALL[s]`.
    pub counts: [[u64; 5]; 2],
    /// (subject, critical node) pairs with any access, finding or not.
    pub pairs: u64,
    /// A uniform sample of those pairs (all of them when there are few), for choke points.
    pub sample: Vec<Sampled>,
    /// At most `keep` per (rule, severity): the first in the contract's order.
    pub first: Vec<Pending>,
    pub exposure: Exposure,
}

/// What one block of targets contributes.
struct Block {
    counts: [[u64; 5]; 2],
    pairs: u64,
    sampler: Sampler,
    /// The sample hash of each lane's target.
    lane_hash: Vec<u64>,
    first: Vec<Vec<Pending>>,
    exposure: ExposureBlock,
}

fn category(rule: usize, severity: Severity) -> usize {
    rule * 5 + severity as usize
}

/// Classifies every pair of the matrix, keeping the first `keep` findings of each rule and
/// severity.
pub fn tally(ctx: &Context<'_>, matrix: &Matrix<'_>, keep: usize) -> Tally {
    let engine = ctx.engine;
    let key = |p: &Pending| {
        (
            p.severity,
            p.rule.name(),
            engine.id_rank(p.subject),
            engine.id_rank(p.target),
        )
    };
    let trim = |list: &mut Vec<Pending>| {
        list.sort_unstable_by_key(key);
        list.truncate(keep);
    };
    let init = |b: usize| {
        // Lanes whose target shares an organisation, for the cross-org severity.
        let mut same_org: HashMap<Option<NodeIx>, [u64; WORDS]> = HashMap::new();
        for (j, t) in matrix.targets()[b * BLOCK..].iter().take(BLOCK).enumerate() {
            if let Some(t) = t {
                same_org.entry(engine.org(*t)).or_default()[j / 64] |= 1 << (j % 64);
            }
        }
        (
            Block {
                counts: [[0; 5]; 2],
                pairs: 0,
                sampler: Sampler::new(),
                lane_hash: matrix.targets()[b * BLOCK..]
                    .iter()
                    .take(BLOCK)
                    .map(|t| t.map_or(0, |t| target_hash(engine, t)))
                    .collect(),
                first: vec![Vec::new(); 10],
                exposure: ExposureBlock::new(b, matrix.subjects().len()),
            },
            same_org,
        )
    };
    let row = |(acc, same_org): &mut (Block, HashMap<Option<NodeIx>, [u64; WORDS]>),
               r: &Row<'_>| {
        acc.exposure.add(r);
        let s = r.subject;
        let hs = subject_hash(engine, s);
        for w in 0..WORDS {
            let any = r.effective[0][w];
            acc.pairs += u64::from(any.count_ones());
            let mut bits = any;
            while bits != 0 {
                let j = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let h = hs ^ acc.lane_hash[j];
                if acc.sampler.wants(h)
                    && let Some(t) = r.targets[j]
                {
                    let level = if r.effective[2][w] >> (j % 64) & 1 == 1 {
                        Level::Admin
                    } else if r.effective[1][w] >> (j % 64) & 1 == 1 {
                        Level::Write
                    } else {
                        Level::Read
                    };
                    acc.sampler.push((h, s, t, level));
                }
            }
        }
        let external = engine.is_external(s);
        let same = same_org.get(&engine.org(s)).copied().unwrap_or([0; WORDS]);
        for (w, same) in same.iter().enumerate() {
            for level in Level::ALL.iter().copied() {
                let m = at_level(&r.effective, level, w);
                if m == 0 {
                    continue;
                }
                let standing = r.standing[level as usize][w];
                let transitive = m & !standing;
                let direct = m & standing;
                let admin = level == Level::Admin;
                let mut put = |rule: usize, severity: Severity, mask: u64| {
                    if mask == 0 {
                        return;
                    }
                    acc.counts[rule][severity as usize] += u64::from(mask.count_ones());
                    let list = &mut acc.first[category(rule, severity)];
                    // Rows come in subject order: once a list is full, later subjects
                    // cannot displace what it holds.
                    if list.len() < keep {
                        let mut bits = mask;
                        while bits != 0 {
                            let j = w * 64 + bits.trailing_zeros() as usize;
                            bits &= bits - 1;
                            if let Some(t) = r.targets[j] {
                                list.push(Pending {
                                    rule: RULES[rule],
                                    severity,
                                    subject: s,
                                    target: t,
                                    level,
                                });
                            }
                        }
                    }
                };
                if external {
                    let sev = if admin {
                        Severity::Critical
                    } else {
                        Severity::High
                    };
                    put(0, sev, transitive);
                    put(1, sev, direct);
                } else if admin {
                    put(0, Severity::High, transitive);
                } else {
                    put(0, Severity::High, transitive & !same);
                    put(0, Severity::Medium, transitive & same);
                }
            }
        }
    };
    let finish = |(mut acc, _): (Block, HashMap<Option<NodeIx>, [u64; WORDS]>)| {
        for list in &mut acc.first {
            trim(list);
        }
        acc.exposure.finish();
        acc
    };
    let merged = (0..matrix.blocks())
        .into_par_iter()
        .map(|b| {
            let mut acc = init(b);
            matrix.block(b, |r| row(&mut acc, r));
            finish(acc)
        })
        .reduce_with(|mut a, b| {
            for (x, y) in a.counts.iter_mut().zip(b.counts) {
                for (p, q) in x.iter_mut().zip(y) {
                    *p += q;
                }
            }
            for (x, y) in a.first.iter_mut().zip(b.first) {
                x.extend(y);
                trim(x);
            }
            a.exposure.merge(b.exposure);
            a.pairs += b.pairs;
            a.sampler.merge(b.sampler);
            a
        });
    let (counts, first, exposure, pairs, sample) = match merged {
        Some(b) => (
            b.counts,
            b.first.concat(),
            b.exposure,
            b.pairs,
            b.sampler.into_items(),
        ),
        None => (
            [[0; 5]; 2],
            Vec::new(),
            ExposureBlock::new(0, matrix.subjects().len()),
            0,
            Vec::new(),
        ),
    };
    Tally {
        counts,
        pairs,
        sample,
        first,
        exposure: exposure.into_exposure(ctx, matrix),
    }
}

/// The full findings of `pending` records (one search per subject involved).
pub fn materialize(ctx: &Context<'_>, pending: &[Pending]) -> Vec<Finding> {
    let mut by_subject: std::collections::BTreeMap<NodeIx, Vec<&Pending>> = Default::default();
    for p in pending {
        by_subject.entry(p.subject).or_default().push(p);
    }
    let subjects: Vec<(NodeIx, Vec<&Pending>)> = by_subject.into_iter().collect();
    subjects
        .par_iter()
        .flat_map_iter(|(s, list)| {
            with_scratch(|scratch| {
                // External critical access is shown by its standing walk; only transitive
                // privilege needs the witness, and the search stops once it has them all.
                let until: Vec<(NodeIx, Level, bool)> = list
                    .iter()
                    .filter(|p| p.rule == Rule::TransitivePrivilege)
                    .map(|p| (p.target, p.level, false))
                    .collect();
                let mut out = Vec::with_capacity(list.len());
                if !until.is_empty() {
                    let search = ctx.engine.search_until(
                        &[*s],
                        None,
                        Some(ctx.critical_floor()),
                        &until,
                        scratch,
                    );
                    for p in list.iter().filter(|p| p.rule == Rule::TransitivePrivilege) {
                        if let Some(walk) = search.witness(p.target, false) {
                            out.push(finding(ctx, p, &walk));
                        }
                    }
                }
                for p in list.iter().filter(|p| p.rule != Rule::TransitivePrivilege) {
                    if let Some(walk) = ctx.engine.standing_walk(*s, p.target, p.level, scratch) {
                        out.push(finding(ctx, p, &walk));
                    }
                }
                out
            })
        })
        .collect()
}

fn finding(ctx: &Context<'_>, p: &Pending, walk: &Walk) -> Finding {
    let how = if p.rule == Rule::ExternalCriticalAccess {
        " through its own standing access"
    } else {
        ""
    };
    Finding::new(Draft {
        rule: p.rule,
        severity: p.severity,
        subject: ctx.id(p.subject),
        target: Some(ctx.id(p.target)),
        level: Some(walk.level),
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
    })
}
