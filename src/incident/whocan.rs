//! `who-can`: every subject that reaches a node at least at a level, and how.

use crate::model::{Level, NodeIx};
use crate::reach::{Blocker, Engine, Walk};
use crate::rules::{Subjects, is_subject};

#[derive(Debug)]
pub struct WhoCan {
    pub target: NodeIx,
    pub min_level: Level,
    /// Sorted by id: each subject, its witness (whose level is its effective level), and
    /// with latent paths included what on it is disabled or expired today.
    pub subjects: Vec<(NodeIx, Walk, Vec<Blocker>)>,
    /// With the default subjects: live people (`human` and `tenant` nodes) that reach the
    /// target at the level too but are not subjects (`--subjects all` lists them).
    pub left_out: usize,
}

/// Who reaches `target` at `min_level` or more. `Err(n)`: the witnesses would hold more
/// than `max_path_nodes` node ids (at least `n`); nothing is written then.
pub fn who_can(
    engine: &Engine<'_>,
    target: NodeIx,
    min_level: Level,
    subjects: Subjects,
    max_path_nodes: usize,
) -> Result<WhoCan, usize> {
    let keep = |n: NodeIx| {
        is_subject(engine, subjects, n)
            || (engine.includes_latent() && latent_subject(engine, subjects, n))
    };
    let mut found: Vec<(NodeIx, Walk, Vec<Blocker>)> = engine
        .who_can_within(target, min_level, &keep, max_path_nodes)?
        .into_iter()
        .map(|(n, w)| {
            let b = engine.blockers(&w);
            (n, w, b)
        })
        .collect();
    found.sort_unstable_by_key(|(n, _, _)| engine.id_rank(*n));
    let left_out = if subjects == Subjects::Default {
        let need = engine.need_to_reach(&[target], min_level);
        (0..engine.g.model.nodes.len() as u32)
            .map(NodeIx)
            .filter(|n| {
                *n != target
                    && need.reaches(*n)
                    && engine.usable(*n)
                    && is_subject(engine, Subjects::All, *n)
                    && !is_subject(engine, Subjects::Default, *n)
            })
            .count()
    } else {
        0
    };
    Ok(WhoCan {
        target,
        min_level,
        subjects: found,
        left_out,
    })
}

/// With latent paths, a disabled principal counts as a subject too: it can be switched back on.
fn latent_subject(engine: &Engine<'_>, subjects: Subjects, n: NodeIx) -> bool {
    let node = engine.g.model.node(n);
    if node.is_live() || !node.kind.is_principal() {
        return false;
    }
    use crate::model::NodeKind as K;
    matches!(node.kind, K::Partner | K::Service | K::Agent | K::App)
        || subjects == Subjects::All
        || engine.is_external(n)
}
