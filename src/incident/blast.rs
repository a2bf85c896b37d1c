//! `blast-radius`: everything one or more compromised nodes reach, at what level, and how.

use crate::model::{Level, NodeIx, NodeKind};
use crate::reach::{Blocker, Engine, Walk, with_scratch};

/// One node the sources reach.
#[derive(Clone, Debug)]
pub struct Reached {
    pub node: NodeIx,
    /// The effective level over all sources together; the walk is its witness (fewest edges
    /// from any source, then the smallest ids).
    pub walk: Walk,
    /// With latent paths included: what on the witness is disabled or expired today.
    pub blockers: Vec<Blocker>,
}

#[derive(Debug)]
pub struct BlastRadius {
    /// Sorted by id.
    pub sources: Vec<NodeIx>,
    /// Sources that pass no authority (inactive, or an expired credential).
    pub dead_sources: Vec<NodeIx>,
    /// Sorted by id.
    pub reached: Vec<Reached>,
}

/// What `sources` reach, keeping nodes at `min_level` or more and (when `kinds` is not
/// empty) of those kinds. `Err(n)`: the witnesses would hold `n` node ids, more than
/// `max_path_nodes`; nothing is written then.
pub fn blast_radius(
    engine: &Engine<'_>,
    sources: &[NodeIx],
    min_level: Level,
    kinds: &[NodeKind],
    max_path_nodes: usize,
) -> Result<BlastRadius, usize> {
    let model = engine.g.model;
    let dead_sources = sources
        .iter()
        .copied()
        .filter(|s| !engine.usable(*s))
        .collect();
    let mut reached = with_scratch(|scratch| {
        let search = engine.search(sources, Level::Admin, None, None, scratch);
        let mut nodes: Vec<NodeIx> = search.reached().filter(|n| !sources.contains(n)).collect();
        nodes.sort_unstable();
        nodes.dedup();
        nodes.retain(|n| {
            (kinds.is_empty() || kinds.contains(&model.node(*n).kind))
                && search.level(*n, false).is_some_and(|l| l >= min_level)
        });
        let mut depths = Vec::new();
        search.depths_into(&mut depths);
        let needed = nodes
            .iter()
            .filter_map(|n| search.witness_len(&depths, *n, false))
            .fold(0usize, usize::saturating_add);
        if needed > max_path_nodes {
            return Err(needed);
        }
        drop(depths);
        Ok(nodes
            .into_iter()
            .filter_map(|n| search.witness(n, false).map(|walk| (n, walk)))
            .filter(|(_, w)| w.level >= min_level)
            .map(|(node, walk)| Reached {
                node,
                blockers: engine.blockers(&walk),
                walk,
            })
            .collect::<Vec<_>>())
    })?;
    reached.sort_unstable_by_key(|r| engine.id_rank(r.node));
    Ok(BlastRadius {
        sources: sources.to_vec(),
        dead_sources,
        reached,
    })
}
