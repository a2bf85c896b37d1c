//! transitive-privilege and external-critical-access over every (subject, critical node)
//! pair. Both are decided on levels (docs/rules.md): a pair is transitive privilege when no
//! standing walk reaches the target at the effective level, external critical access when
//! one does and the subject is external. The access matrix gives both levels for every
//! pair, so every finding is counted — and exposure tallied — without a search per pair;
//! paths and sentences are written only for the findings kept.

use super::{Context, Written};
use crate::choke::{Sampled, Sampler, subject_hash, target_hash};
use crate::explain;
use crate::exposure::{Exposure, ExposureBlock};
use crate::findings::{Draft, Finding, Rule, Severity};
use crate::model::{Level, NodeIx};
use crate::reach::matrix::{Matrix, Planes, Row, WORDS, at_level, block_lanes, org_lanes};
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
pub(crate) const RULES: [Rule; 2] = [Rule::TransitivePrivilege, Rule::ExternalCriticalAccess];

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
    /// With `store`: each block's rows, in subject order.
    pub rows: Option<Vec<Vec<Stored>>>,
}

/// What one block of targets contributes.
struct Block {
    counts: [[u64; 5]; 2],
    /// Every row, classified, when the findings are to be streamed (one list per block).
    rows: Option<Vec<Vec<Stored>>>,
    pairs: u64,
    sampler: Sampler,
    /// The sample hash of each lane's target.
    lane_hash: Vec<u64>,
    /// Lanes by the top 16 bits of their hash.
    lane_top: HashMap<u16, [u64; WORDS]>,
    first: Vec<Vec<Pending>>,
    exposure: ExposureBlock,
}

fn category(rule: usize, severity: Severity) -> usize {
    rule * 5 + severity as usize
}

/// Classifies every pair of the matrix, keeping the first `keep` findings of each rule and
/// severity.
///
/// With `store`, every row is also kept (compactly, per block) so that `stream` can write
/// every finding in order without the matrix.
pub(crate) fn tally(ctx: &Context<'_>, matrix: &Matrix<'_>, keep: usize, store: bool) -> Tally {
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
        let lanes = block_lanes(matrix.targets(), b);
        // Lanes whose target shares an organisation, for the cross-org severity.
        let same_org = org_lanes(engine, lanes);
        let lane_hash: Vec<u64> = lanes
            .iter()
            .map(|t| t.map_or(0, |t| target_hash(engine, t)))
            .collect();
        let mut lane_top: HashMap<u16, [u64; WORDS]> = HashMap::new();
        for (j, h) in lane_hash.iter().enumerate() {
            lane_top.entry((h >> 48) as u16).or_default()[j / 64] |= 1 << (j % 64);
        }
        (
            Block {
                counts: [[0; 5]; 2],
                rows: store.then(|| vec![Vec::new()]),
                pairs: 0,
                sampler: Sampler::new(),
                lane_hash,
                lane_top,
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
        // Once the sample's bound is below 2^48, only lanes whose hash shares the subject
        // hash's top 16 bits can give a pair hash under it: one lookup instead of a hash
        // per pair.
        let near = (acc.sampler.bound() < 1 << 48).then(|| {
            acc.lane_top
                .get(&((hs >> 48) as u16))
                .copied()
                .unwrap_or_default()
        });
        for w in 0..WORDS {
            let any = r.effective[0][w];
            acc.pairs += u64::from(any.count_ones());
            let mut bits = near.map_or(any, |m| any & m[w]);
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
        let direct = direct_lanes(&r.effective, &r.standing);
        if let Some(rows) = acc.rows.as_mut().and_then(|r| r.last_mut()) {
            rows.push(Stored::of(r.position as u32, &r.effective, direct));
        }
        classify(
            external,
            ctx.is_builtin_capped(s),
            same,
            &r.effective,
            direct,
            |rule, severity, w, level, mask| {
                acc.counts[rule][severity as usize] += u64::from(mask.count_ones());
                let list = &mut acc.first[category(rule, severity)];
                // Rows come in subject order: once a list is full, later subjects cannot
                // displace what it holds.
                if list.len() < keep {
                    push_lanes(list, mask, w, r.targets, s, RULES[rule], severity, level);
                }
            },
        );
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
            if let (Some(x), Some(y)) = (&mut a.rows, b.rows) {
                x.extend(y);
            }
            a
        });
    let (counts, first, exposure, pairs, sample, rows) = match merged {
        Some(b) => (
            b.counts,
            b.first.concat(),
            b.exposure,
            b.pairs,
            b.sampler.into_items(),
            b.rows,
        ),
        None => (
            [[0; 5]; 2],
            Vec::new(),
            ExposureBlock::new(0, matrix.subjects().len()),
            0,
            Vec::new(),
            store.then(Vec::new),
        ),
    };
    Tally {
        counts,
        pairs,
        sample,
        first,
        exposure: exposure.into_exposure(ctx, matrix),
        rows,
    }
}

/// One subject's finding over one critical node, if any: the same classification as
/// `tally`, from one search for the effective level and one over standing walks.
pub fn pair(ctx: &Context<'_>, s: NodeIx, t: NodeIx) -> Option<Pending> {
    let engine = ctx.engine;
    let (effective, standing) = with_scratch(|scratch| {
        let effective = engine
            .search(&[s], Level::Admin, None, None, scratch)
            .level(t, false);
        let walk = engine.search_standing(&[s], None, scratch).level(t, false);
        let direct = engine.best_edge(s, t, Level::Admin).map(|(_, l)| l);
        (effective, walk.max(direct))
    });
    let level = effective?;
    let mut eff = [[0; WORDS]; 3];
    crate::reach::matrix::set_lane(&mut eff, 0, level);
    let mut std = [[0; WORDS]; 3];
    if let Some(l) = standing {
        crate::reach::matrix::set_lane(&mut std, 0, l);
    }
    let mut same = [0; WORDS];
    same[0] = u64::from(engine.org(s) == engine.org(t));
    let mut out = None;
    classify(
        engine.is_external(s),
        ctx.is_builtin_capped(s),
        same,
        &eff,
        direct_lanes(&eff, &std),
        |rule, severity, _, level, _| {
            out = Some(Pending {
                rule: RULES[rule],
                severity,
                subject: s,
                target: t,
                level,
            });
        },
    );
    out
}

/// The lanes whose effective level a standing walk also reaches.
fn direct_lanes(effective: &Planes, standing: &Planes) -> [u64; WORDS] {
    let mut direct = [0; WORDS];
    for (w, d) in direct.iter_mut().enumerate() {
        for level in Level::ALL.iter().copied() {
            *d |= at_level(effective, level, w) & standing[level as usize][w];
        }
    }
    direct
}

/// docs/rules.md's two rules over one row: calls `put(rule, severity, word, level, lanes)` for
/// every non-empty set of lanes. `same` holds the lanes whose target shares the subject's
/// organisation; `direct` the lanes a standing walk reaches at the effective level.
///
/// A built-in identity's findings (`Context::is_builtin_capped`) are rated `info`.
fn classify(
    external: bool,
    builtin: bool,
    same: [u64; WORDS],
    effective: &Planes,
    direct: [u64; WORDS],
    mut put: impl FnMut(usize, Severity, usize, Level, u64),
) {
    for w in 0..WORDS {
        for level in Level::ALL.iter().copied() {
            let m = at_level(effective, level, w);
            if m == 0 {
                continue;
            }
            let transitive = m & !direct[w];
            let standing = m & direct[w];
            let admin = level == Level::Admin;
            let mut emit = |rule: usize, severity: Severity, mask: u64| {
                if mask != 0 {
                    put(
                        rule,
                        if builtin { Severity::Info } else { severity },
                        w,
                        level,
                        mask,
                    );
                }
            };
            if external {
                let sev = if admin {
                    Severity::Critical
                } else {
                    Severity::High
                };
                emit(0, sev, transitive);
                emit(1, sev, standing);
            } else if admin {
                emit(0, Severity::High, transitive);
            } else {
                emit(0, Severity::High, transitive & !same[w]);
                emit(0, Severity::Medium, transitive & same[w]);
            }
        }
    }
}

/// Appends a pending record for every lane of `mask` in word `w`.
#[allow(clippy::too_many_arguments)]
fn push_lanes(
    list: &mut Vec<Pending>,
    mask: u64,
    w: usize,
    targets: &[Option<NodeIx>],
    subject: NodeIx,
    rule: Rule,
    severity: Severity,
    level: Level,
) {
    let mut bits = mask;
    while bits != 0 {
        let j = w * 64 + bits.trailing_zeros() as usize;
        bits &= bits - 1;
        if let Some(target) = targets[j] {
            list.push(Pending {
                rule,
                severity,
                subject,
                target,
                level,
            });
        }
    }
}

/// One subject's row over one block, as `stream` needs it: the effective level of each
/// lane in two bit planes (`lo`, `hi`: 0 none, 1 read, 2 write, 3 admin) and the lanes a
/// standing walk reaches at that level (40 bytes and the subject's position).
#[derive(Clone, Copy, Debug)]
pub struct Stored {
    position: u32,
    lo: [u64; WORDS],
    hi: [u64; WORDS],
    direct: [u64; WORDS],
}

impl Stored {
    fn of(position: u32, p: &Planes, direct: [u64; WORDS]) -> Stored {
        let mut lo = [0; WORDS];
        let mut hi = [0; WORDS];
        for w in 0..WORDS {
            let read = at_level(p, Level::Read, w);
            let write = at_level(p, Level::Write, w);
            let admin = p[2][w];
            lo[w] = read | admin;
            hi[w] = write | admin;
        }
        Stored {
            position,
            lo,
            hi,
            direct,
        }
    }

    fn planes(&self) -> Planes {
        let mut p = [[0; WORDS]; 3];
        for (w, (lo, hi)) in self.lo.iter().zip(&self.hi).enumerate() {
            p[2][w] = lo & hi;
            p[1][w] = *hi;
            p[0][w] = hi | lo;
        }
        p
    }
}

/// Subjects whose findings are written together while streaming: enough to keep both
/// threads busy, few enough that one chunk's findings stay small.
const STREAM_CHUNK: usize = 256;

/// Every finding of `rule` whose unadjusted severity is one of `severities` (they are
/// written under one severity when the policy overrides it), in the contract's order:
/// subjects in id order, a chunk at a time, each chunk's findings handed to `emit` sorted.
///
/// The paths written take from `budget`; returns `false` when it ran out (the findings
/// handed out are then the longest prefix that fit).
pub fn stream(
    ctx: &Context<'_>,
    matrix: &Matrix<'_>,
    rows: &[Vec<Stored>],
    (rule, severities, severity): (Rule, &[Severity], Severity),
    budget: &mut usize,
    emit: &mut dyn FnMut(Vec<Finding>),
) -> bool {
    let engine = ctx.engine;
    let r = RULES.iter().position(|x| *x == rule).unwrap_or(0);
    let same_org: Vec<HashMap<Option<NodeIx>, [u64; WORDS]>> = (0..matrix.blocks())
        .map(|b| org_lanes(engine, block_lanes(matrix.targets(), b)))
        .collect();
    let mut cursor = vec![0usize; rows.len()];
    let subjects = matrix.subjects();
    for start in (0..subjects.len()).step_by(STREAM_CHUNK) {
        let end = (start + STREAM_CHUNK).min(subjects.len());
        let mut pending = Vec::new();
        for (b, block) in rows.iter().enumerate() {
            let targets = block_lanes(matrix.targets(), b);
            while let Some(row) = block.get(cursor[b]) {
                if row.position as usize >= end {
                    break;
                }
                cursor[b] += 1;
                let s = subjects[row.position as usize];
                let same = same_org[b]
                    .get(&engine.org(s))
                    .copied()
                    .unwrap_or([0; WORDS]);
                let planes = row.planes();
                classify(
                    engine.is_external(s),
                    ctx.is_builtin_capped(s),
                    same,
                    &planes,
                    row.direct,
                    |x, sev, w, level, mask| {
                        if x == r && severities.contains(&sev) {
                            push_lanes(&mut pending, mask, w, targets, s, rule, severity, level);
                        }
                    },
                );
            }
        }
        if pending.is_empty() {
            continue;
        }
        pending.sort_unstable_by_key(|p| (engine.id_rank(p.subject), engine.id_rank(p.target)));
        let items = pending.into_iter().map(super::Item::Pending).collect();
        let (found, complete) = super::within_budget(ctx, items, budget);
        emit(found);
        if !complete {
            return false;
        }
    }
    true
}

/// The full findings of `pending` records (one search per subject involved), in their
/// order. Each subject's witnesses may hold `share` nodes per record of that subject in all
/// (written in the records' order while they fit); a record past that gives its witness's
/// length instead (`Written::Long`), so memory stays within `share` per record however long
/// the witnesses are.
pub(crate) fn materialize(ctx: &Context<'_>, pending: &[Pending], share: usize) -> Vec<Written> {
    let mut by_subject: std::collections::BTreeMap<NodeIx, Vec<usize>> = Default::default();
    for (i, p) in pending.iter().enumerate() {
        by_subject.entry(p.subject).or_default().push(i);
    }
    let subjects: Vec<(NodeIx, Vec<usize>)> = by_subject.into_iter().collect();
    let written: Vec<(usize, Written)> = subjects
        .par_iter()
        .flat_map_iter(|(s, list)| {
            let mut left = share.saturating_mul(list.len());
            with_scratch(|scratch| {
                // External critical access is shown by its standing walk; only transitive
                // privilege needs the witness, and the search stops once it has them all.
                let transitive = |i: &&usize| pending[**i].rule == Rule::TransitivePrivilege;
                let until: Vec<(NodeIx, Level, bool)> = list
                    .iter()
                    .filter(transitive)
                    .map(|i| (pending[*i].target, pending[*i].level, false))
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
                    let mut depths = None;
                    for &i in list.iter().filter(transitive) {
                        let p = &pending[i];
                        if let Some(w) = search.witness_within(p.target, false, left, &mut depths) {
                            out.push((i, written(ctx, p, w, &mut left)));
                        }
                    }
                }
                for &i in list.iter().filter(|i| !transitive(i)) {
                    let p = &pending[i];
                    if let Some(w) = ctx
                        .engine
                        .standing_walk_within(*s, p.target, p.level, left, scratch)
                    {
                        out.push((i, written(ctx, p, w, &mut left)));
                    }
                }
                out
            })
        })
        .collect();
    super::in_input_order(pending.len(), written)
}

/// A record's finding when its walk fit (taking its length from `left`), else its length.
fn written(ctx: &Context<'_>, p: &Pending, walk: Result<Walk, usize>, left: &mut usize) -> Written {
    match walk {
        Ok(walk) => {
            *left -= walk.nodes.len();
            Written::Finding(Box::new(finding(ctx, p, &walk)))
        }
        Err(len) => Written::Long(len),
    }
}

fn finding(ctx: &Context<'_>, p: &Pending, walk: &Walk) -> Finding {
    let how = match (p.rule, ctx.is_builtin_capped(p.subject)) {
        (Rule::ExternalCriticalAccess, false) => " through its own standing access",
        (Rule::ExternalCriticalAccess, true) => {
            " through its own standing access (a built-in platform identity, rated info; --include-builtin rates it like any other)"
        }
        (_, true) => {
            " (a built-in platform identity, rated info; --include-builtin rates it like any other)"
        }
        _ => "",
    };
    match ended_partner(ctx, p.subject) {
        Some(ended) => access_finding(ctx, p, walk, &format!("{ended}{how}")),
        None => access_finding(ctx, p, walk, how),
    }
}

/// For a subject that belongs to a partner whose contract has ended (or which is
/// offboarded), the clause that says so: the access outlived the reason it was given. The
/// partner itself is named in the sentence already, so only its members get the clause.
fn ended_partner(ctx: &Context<'_>, subject: NodeIx) -> Option<String> {
    let org = ctx.engine.org(subject).filter(|o| *o != subject)?;
    let partner = ctx.model.node(org);
    if partner.kind != crate::model::NodeKind::Partner {
        return None;
    }
    let name = partner.display_name();
    match partner.contract_end {
        Some(end) if ctx.expired(Some(end)) => Some(format!(
            ", though it belongs to {name}, whose contract ended on {end}"
        )),
        _ if partner.status == crate::model::Status::Offboarded => Some(format!(
            ", though it belongs to {name}, which is offboarded"
        )),
        _ => None,
    }
}

/// The finding of an access rule's record shown by `walk`, its sentence ending in `how`.
pub(crate) fn access_finding(ctx: &Context<'_>, p: &Pending, walk: &Walk, how: &str) -> Finding {
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
