//! The access matrix: every subject's effective and standing level over every target, bit-
//! parallel, without a search per pair.
//!
//! Reachability over levels is reachability over states (node, carried level). Restricted to
//! the states that can still reach a target, that state graph is condensed once into its
//! strongly connected components (every state of a component reaches the same targets at
//! the same levels). Targets are then taken `BLOCK` at a time, each target one bit in a word
//! (multi-source traversal, as in MS-BFS): one pass over the components in reverse
//! topological order ORs each component's successors into it, so a block costs one sweep of
//! the condensed graph whatever the number of subjects. Levels are three bit planes in a
//! thermometer code (plane `L`: reached at `L` or above), so OR is the maximum.
//!
//! Two condensations are kept: over every usable edge (effective levels) and over
//! `member_of` and `grants` edges only (standing walks); a subject's one-edge standing
//! access is added from its own out-edges.

use super::{Engine, Forward, NEVER, level_of, lvl, step_of};
use crate::model::{EdgeKind, Level, NodeIx};

/// 64-bit words of targets per block.
pub(crate) const WORDS: usize = 2;
/// Targets per block.
pub(crate) const BLOCK: usize = 64 * WORDS;

/// Bit `j` of plane `L` (0 read, 1 write, 2 admin): target `j` of the block is reached at
/// `L` or above.
pub(crate) type Planes = [[u64; WORDS]; 3];

const NONE: u32 = u32::MAX;

/// One subject's levels over one block of targets.
pub struct Row<'a> {
    pub subject: NodeIx,
    /// Position of the subject in `Matrix::subjects` (id order).
    pub position: usize,
    /// The block's targets, one per lane (`None`: a lane with no target in this graph).
    pub targets: &'a [Option<NodeIx>],
    pub effective: Planes,
    pub standing: Planes,
}

/// The levels of the bits set in a lane mask, by effective level.
pub(crate) fn at_level(p: &Planes, level: Level, w: usize) -> u64 {
    match level {
        Level::Admin => p[2][w],
        Level::Write => p[1][w] & !p[2][w],
        Level::Read => p[0][w] & !p[1][w],
    }
}

/// The condensed state graph over one choice of edges.
pub(crate) struct Dag {
    /// Component of each state (`node * 3 + level`), `NONE` for a state that reaches no
    /// target. Components are numbered in reverse topological order: successors first.
    comp: Vec<u32>,
    /// Distinct successor components of each component.
    succ_start: Vec<u32>,
    succ: Vec<u32>,
}

impl Dag {
    pub(crate) fn components(&self) -> usize {
        self.succ_start.len() - 1
    }

    /// The component of state (`n`, `level`), `None` when it reaches no target.
    pub(crate) fn comp(&self, n: NodeIx, level: Level) -> Option<usize> {
        let c = self.comp[n.index() * 3 + lvl(level) as usize];
        (c != NONE).then_some(c as usize)
    }

    /// Sources spread forwards: `words` 64-bit words of lanes per component, each source's
    /// lane set in its component and in every component it reaches.
    pub(crate) fn spread(&self, sources: &[(usize, usize)], words: usize) -> Vec<u64> {
        let mut f = vec![0u64; self.components() * words];
        for &(c, lane) in sources {
            f[c * words + lane / 64] |= 1 << (lane % 64);
        }
        // Successors have smaller numbers: from the last component down is topological.
        for c in (0..self.components()).rev() {
            let range = self.succ_start[c] as usize..self.succ_start[c + 1] as usize;
            for &d in &self.succ[range] {
                for w in 0..words {
                    let bits = f[c * words + w];
                    f[d as usize * words + w] |= bits;
                }
            }
        }
        f
    }

    /// Tarjan's algorithm over the implicit state graph, with an explicit call stack; the
    /// components that reach none of `targets` are then dropped.
    pub(crate) fn build(
        engine: &Engine<'_>,
        need: &[u8],
        standing: bool,
        targets: &[NodeIx],
    ) -> Dag {
        let fwd: &Forward = engine.forward();
        let states = engine.node_count() * 3;
        let included = |s: usize| -> bool { need[s / 3] != NEVER && (s % 3) as u8 >= need[s / 3] };
        let successor = |s: usize, k: usize| -> Option<usize> {
            let step = fwd.steps[k];
            if standing && !matches!(step.kind, EdgeKind::MemberOf | EdgeKind::Grants) {
                return None;
            }
            let l = step_of(
                step.kind,
                step.level,
                step.requires,
                level_of((s % 3) as u8),
            )?;
            let t = step.to as usize * 3 + lvl(l) as usize;
            included(t).then_some(t)
        };
        let range = |s: usize| fwd.start[s / 3] as usize..fwd.start[s / 3 + 1] as usize;
        let mut index = vec![NONE; states];
        let mut low = vec![0u32; states];
        let mut comp = vec![NONE; states];
        let mut stack: Vec<u32> = Vec::new();
        let mut calls: Vec<(u32, u32)> = Vec::new();
        let mut next = 0u32;
        let mut components = 0u32;
        for root in 0..states {
            if !included(root) || index[root] != NONE {
                continue;
            }
            index[root] = next;
            low[root] = next;
            next += 1;
            stack.push(root as u32);
            calls.push((root as u32, range(root).start as u32));
            while let Some(&(s, cursor)) = calls.last() {
                let s = s as usize;
                let end = range(s).end;
                if (cursor as usize) < end {
                    calls.last_mut().expect("a frame").1 += 1;
                    let Some(t) = successor(s, cursor as usize) else {
                        continue;
                    };
                    if index[t] == NONE {
                        index[t] = next;
                        low[t] = next;
                        next += 1;
                        stack.push(t as u32);
                        calls.push((t as u32, range(t).start as u32));
                    } else if comp[t] == NONE {
                        low[s] = low[s].min(index[t]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(&(p, _)) = calls.last() {
                    low[p as usize] = low[p as usize].min(low[s]);
                }
                if low[s] == index[s] {
                    while let Some(x) = stack.pop() {
                        comp[x as usize] = components;
                        if x as usize == s {
                            break;
                        }
                    }
                    components += 1;
                }
            }
        }
        drop(index);
        drop(low);
        // States grouped by component, then each component's distinct successors.
        let n = components as usize;
        let mut first = vec![0u32; n + 1];
        for &c in &comp {
            if c != NONE {
                first[c as usize + 1] += 1;
            }
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut members = vec![0u32; first[n] as usize];
        let mut fill = first.clone();
        for (s, &c) in comp.iter().enumerate() {
            if c != NONE {
                members[fill[c as usize] as usize] = s as u32;
                fill[c as usize] += 1;
            }
        }
        // Only components that reach a target over these edges are kept (renumbered in the
        // same order): over standing edges most states reach none, and every component
        // kept costs a slot in every block's sweep.
        let mut own = vec![false; n];
        for t in targets {
            for l in 0..3 {
                if let Some(&c) = comp.get(t.index() * 3 + l)
                    && c != NONE
                {
                    own[c as usize] = true;
                }
            }
        }
        let mut renumber = vec![NONE; n];
        let mut kept = 0u32;
        let mut succ_start = Vec::with_capacity(n + 1);
        let mut succ = Vec::new();
        let mut mark = vec![NONE; n];
        for c in 0..n {
            let begin = succ.len();
            for &s in &members[first[c] as usize..first[c + 1] as usize] {
                for k in range(s as usize) {
                    if let Some(t) = successor(s as usize, k) {
                        let d = comp[t];
                        if d as usize != c
                            && mark[d as usize] != c as u32
                            && renumber[d as usize] != NONE
                        {
                            mark[d as usize] = c as u32;
                            succ.push(renumber[d as usize]);
                        }
                    }
                }
            }
            if own[c] || succ.len() > begin {
                renumber[c] = kept;
                kept += 1;
                succ_start.push(begin as u32);
            }
        }
        succ_start.push(succ.len() as u32);
        for c in &mut comp {
            if *c != NONE {
                *c = renumber[*c as usize];
            }
        }
        Dag {
            comp,
            succ_start,
            succ,
        }
    }

    /// Every component's planes for one block of `lanes`: its own targets' bits, then its
    /// successors'.
    pub(crate) fn sweep_block(&self, lanes: &[Option<NodeIx>], out: &mut Vec<Planes>) {
        let mut own = Vec::new();
        for (j, t) in lanes.iter().enumerate() {
            let Some(t) = t else { continue };
            for l in 0..3u8 {
                let c = self.comp[t.index() * 3 + l as usize];
                if c != NONE {
                    let mut p = [[0; WORDS]; 3];
                    set_lane(&mut p, j, level_of(l));
                    own.push((c as usize, p));
                }
            }
        }
        self.sweep(&own, out);
    }

    fn sweep(&self, own: &[(usize, Planes)], out: &mut Vec<Planes>) {
        out.clear();
        out.resize(self.components(), [[0; WORDS]; 3]);
        for &(c, p) in own {
            or_into(&mut out[c], &p);
        }
        for c in 0..self.components() {
            let mut acc = out[c];
            for &d in &self.succ[self.succ_start[c] as usize..self.succ_start[c + 1] as usize] {
                or_into(&mut acc, &out[d as usize]);
            }
            out[c] = acc;
        }
    }
}

fn or_into(a: &mut Planes, b: &Planes) {
    for l in 0..3 {
        for w in 0..WORDS {
            a[l][w] |= b[l][w];
        }
    }
}

/// Sets lane `j` in every plane up to `level`.
pub(crate) fn set_lane(p: &mut Planes, j: usize, level: Level) {
    for plane in p.iter_mut().take(lvl(level) as usize + 1) {
        plane[j / 64] |= 1 << (j % 64);
    }
}

fn clear_lane(p: &mut Planes, j: usize) {
    for plane in p.iter_mut() {
        plane[j / 64] &= !(1 << (j % 64));
    }
}

/// The lanes of block `b` of a target list.
pub(crate) fn block_lanes(targets: &[Option<NodeIx>], b: usize) -> &[Option<NodeIx>] {
    &targets[b * BLOCK..((b + 1) * BLOCK).min(targets.len())]
}

/// Per organisation (`None`: home), the lanes of `lanes` whose target belongs to it.
pub(crate) fn org_lanes(
    engine: &Engine<'_>,
    lanes: &[Option<NodeIx>],
) -> std::collections::HashMap<Option<NodeIx>, [u64; WORDS]> {
    let mut out: std::collections::HashMap<Option<NodeIx>, [u64; WORDS]> = Default::default();
    for (j, t) in lanes.iter().enumerate() {
        if let Some(t) = t {
            out.entry(engine.org(*t)).or_default()[j / 64] |= 1 << (j % 64);
        }
    }
    out
}

/// Every subject's effective and standing levels over every target, block by block.
pub struct Matrix<'e> {
    engine: &'e Engine<'e>,
    /// The targets, `BLOCK` to a block; `None` leaves a lane empty (so that two graphs'
    /// blocks can line up by id).
    targets: Vec<Option<NodeIx>>,
    /// The subjects, in id order.
    subjects: Vec<NodeIx>,
    /// Each node's position in `targets` (`NONE` when it is not a target).
    lane: Vec<u32>,
    all: Dag,
    standing: Dag,
}

thread_local! {
    static SWEEP: std::cell::RefCell<(Vec<Planes>, Vec<Planes>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Gives back every rayon thread's sweep buffers (a few hundred megabytes at a million
/// nodes) once the sweeps are done, before paths and output need the memory.
pub(crate) fn release_buffers() {
    rayon::broadcast(|_| {
        SWEEP.with(|b| *b.borrow_mut() = (Vec::new(), Vec::new()));
    });
}

/// Runs `f` with this thread's sweep buffer (one `Planes` per component, reused; the same
/// memory the matrix's blocks use, so a thread holds at most two).
pub(crate) fn with_buffer<R>(f: impl FnOnce(&mut Vec<Planes>) -> R) -> R {
    SWEEP.with(|b| f(&mut b.borrow_mut().0))
}

impl<'e> Matrix<'e> {
    /// Prepares the two condensations for these targets (unusable ones are never reached)
    /// and subjects (sorted here by id; unusable ones reach nothing).
    pub fn new(
        engine: &'e Engine<'e>,
        targets: Vec<Option<NodeIx>>,
        mut subjects: Vec<NodeIx>,
    ) -> Matrix<'e> {
        let mut lane = vec![NONE; engine.node_count()];
        let live: Vec<NodeIx> = targets
            .iter()
            .flatten()
            .copied()
            .filter(|t| engine.usable(*t))
            .collect();
        for (i, t) in targets.iter().enumerate() {
            if let Some(t) = t {
                lane[t.index()] = i as u32;
            }
        }
        let need = engine.need_to_reach(&live, Level::Read);
        let (all, standing) = rayon::join(
            || Dag::build(engine, need.raw(), false, &live),
            || Dag::build(engine, need.raw(), true, &live),
        );
        subjects.retain(|s| engine.usable(*s));
        subjects.sort_unstable_by_key(|s| engine.id_rank(*s));
        subjects.dedup();
        Matrix {
            engine,
            targets,
            subjects,
            lane,
            all,
            standing,
        }
    }

    pub fn subjects(&self) -> &[NodeIx] {
        &self.subjects
    }

    pub fn targets(&self) -> &[Option<NodeIx>] {
        &self.targets
    }

    pub(crate) fn blocks(&self) -> usize {
        self.targets.len().div_ceil(BLOCK)
    }

    /// Calls `row` for every subject with some effective level over block `b`, in subject
    /// order.
    pub(crate) fn block(&self, b: usize, mut row: impl FnMut(&Row<'_>)) {
        let lanes = block_lanes(&self.targets, b);
        SWEEP.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (all, standing) = &mut *guard;
            self.all.sweep_block(lanes, all);
            self.standing.sweep_block(lanes, standing);
            let admin = lvl(Level::Admin) as usize;
            let fwd = self.engine.forward();
            for (position, &s) in self.subjects.iter().enumerate() {
                let c = self.all.comp[s.index() * 3 + admin];
                if c == NONE {
                    continue;
                }
                let mut effective = all[c as usize];
                if effective[0].iter().all(|w| *w == 0) {
                    continue;
                }
                let cs = self.standing.comp[s.index() * 3 + admin];
                let mut standing_planes = if cs == NONE {
                    [[0; WORDS]; 3]
                } else {
                    standing[cs as usize]
                };
                // One edge of any kind is standing access too.
                for step in
                    &fwd.steps[fwd.start[s.index()] as usize..fwd.start[s.index() + 1] as usize]
                {
                    let i = self.lane[step.to as usize];
                    if i != NONE
                        && i as usize / BLOCK == b
                        && let Some(l) = step_of(step.kind, step.level, step.requires, Level::Admin)
                    {
                        set_lane(&mut standing_planes, i as usize % BLOCK, l);
                    }
                }
                let me = self.lane[s.index()];
                if me != NONE && me as usize / BLOCK == b {
                    clear_lane(&mut effective, me as usize % BLOCK);
                    clear_lane(&mut standing_planes, me as usize % BLOCK);
                    if effective[0].iter().all(|w| *w == 0) {
                        continue;
                    }
                }
                row(&Row {
                    subject: s,
                    position,
                    targets: lanes,
                    effective,
                    standing: standing_planes,
                });
            }
        });
    }
}
