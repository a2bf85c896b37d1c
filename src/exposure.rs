//! Exposure: how many subjects reach at least one critical node, out of how many — overall,
//! by organisation and by subject kind — and, per critical node, how many subjects reach it
//! at each level. Tallied from the access matrix in the same pass that classifies pairs.

use crate::context::Context;
use crate::model::{Level, NodeIx};
use crate::reach::matrix::{BLOCK, Matrix, Planes, Row, WORDS, at_level};

/// The estate's exposure to its critical nodes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exposure {
    /// Subjects considered (docs/rules.md's subject set).
    pub subjects: u64,
    /// Subjects that reach at least one critical node at any level.
    pub exposed: u64,
    /// Per organisation of the subjects (`None`: the home organisation), in id order with
    /// the home organisation first.
    pub by_org: Vec<Group>,
    /// Per subject kind, in the kinds' order.
    pub by_kind: Vec<Group>,
    /// Per critical node, the subjects whose effective level over it is exactly each level;
    /// most reached first, then by id.
    pub targets: Vec<TargetExposure>,
}

/// Subjects of one organisation or kind, and how many of them are exposed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// An organisation's id (`None`: home) or a kind's name.
    pub key: Option<String>,
    pub subjects: u64,
    pub exposed: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetExposure {
    pub target: String,
    pub read: u64,
    pub write: u64,
    pub admin: u64,
}

impl TargetExposure {
    pub fn total(&self) -> u64 {
        self.read + self.write + self.admin
    }
}

/// The share of `part` in `whole`, 0 for an empty whole.
pub fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Counting bits per lane without a loop over bits: `slices[k]` holds bit `k` of every
/// lane's count (a bit-sliced ripple counter), so adding a mask costs a few word operations.
const SLICES: usize = 40;

/// One block's contribution: which subjects it found exposed, and its targets' counts.
pub struct ExposureBlock {
    block: usize,
    exposed: Vec<u64>,
    slices: Vec<Planes>,
    /// `(position in the matrix's targets, [read, write, admin])`, after `finish`.
    targets: Vec<(usize, [u64; 3])>,
}

impl ExposureBlock {
    pub fn new(block: usize, subjects: usize) -> ExposureBlock {
        ExposureBlock {
            block,
            exposed: vec![0; subjects.div_ceil(64)],
            slices: vec![[[0; WORDS]; 3]; SLICES],
            targets: Vec::new(),
        }
    }

    pub fn add(&mut self, r: &Row<'_>) {
        self.exposed[r.position / 64] |= 1 << (r.position % 64);
        for level in Level::ALL.iter().copied() {
            for w in 0..WORDS {
                let mut carry = at_level(&r.effective, level, w);
                for slice in &mut self.slices {
                    if carry == 0 {
                        break;
                    }
                    let c = &mut slice[level as usize][w];
                    let next = *c & carry;
                    *c ^= carry;
                    carry = next;
                }
            }
        }
    }

    /// Reads the counters out per lane.
    pub(crate) fn finish(&mut self) {
        for j in 0..BLOCK {
            let mut counts = [0u64; 3];
            for (l, count) in counts.iter_mut().enumerate() {
                for (k, slice) in self.slices.iter().enumerate() {
                    *count |= ((slice[l][j / 64] >> (j % 64)) & 1) << k;
                }
            }
            self.targets.push((self.block * BLOCK + j, counts));
        }
        self.slices = Vec::new();
    }

    /// Blocks merge in block order.
    pub(crate) fn merge(&mut self, other: ExposureBlock) {
        for (a, b) in self.exposed.iter_mut().zip(other.exposed) {
            *a |= b;
        }
        self.targets.extend(other.targets);
    }

    pub(crate) fn into_exposure(self, ctx: &Context<'_>, matrix: &Matrix<'_>) -> Exposure {
        let engine = ctx.engine;
        let subjects = matrix.subjects();
        let mut by_org: std::collections::BTreeMap<Option<(u32, NodeIx)>, (u64, u64)> =
            Default::default();
        let mut by_kind: std::collections::BTreeMap<crate::model::NodeKind, (u64, u64)> =
            Default::default();
        let mut exposed = 0;
        for (i, s) in subjects.iter().enumerate() {
            let hit = u64::from((self.exposed[i / 64] >> (i % 64)) & 1 == 1);
            exposed += hit;
            let org = engine.org(*s).map(|o| (engine.id_rank(o), o));
            let e = by_org.entry(org).or_default();
            e.0 += 1;
            e.1 += hit;
            let e = by_kind.entry(ctx.model.node(*s).kind).or_default();
            e.0 += 1;
            e.1 += hit;
        }
        let mut targets: Vec<TargetExposure> = self
            .targets
            .into_iter()
            .filter_map(|(i, [read, write, admin])| {
                let t = (*matrix.targets().get(i)?)?;
                Some(TargetExposure {
                    target: ctx.id(t),
                    read,
                    write,
                    admin,
                })
            })
            .collect();
        targets.sort_by(|a, b| {
            b.total()
                .cmp(&a.total())
                .then_with(|| a.target.as_bytes().cmp(b.target.as_bytes()))
        });
        Exposure {
            subjects: subjects.len() as u64,
            exposed,
            by_org: by_org
                .into_iter()
                .map(|(org, (subjects, exposed))| Group {
                    key: org.map(|(_, o)| ctx.id(o)),
                    subjects,
                    exposed,
                })
                .collect(),
            by_kind: by_kind
                .into_iter()
                .map(|(kind, (subjects, exposed))| Group {
                    key: Some(kind.as_str().to_string()),
                    subjects,
                    exposed,
                })
                .collect(),
            targets,
        }
    }
}
