//! The incident-response questions — `blast-radius`, `who-can`, `path`, `cut` — and the
//! `dot` overview: each a request on one graph at one instant, answered with a document that
//! keeps the graph it speaks of, so every reporter can name nodes and draw pictures.

use super::{Answer, Instant, Limits, Notes, open};
use crate::error::{Error, ErrorKind, Result};
use crate::graph::AuthGraph;
use crate::incident;
use crate::model::{EdgeKind, Graph, Level, NodeIx, NodeKind};
use crate::policy::Policy;
use crate::progress::Progress;
use crate::reach::{Engine, ReachOptions, Walk};
use crate::rules::Subjects;
use crate::timestamp::Timestamp;
use std::path::PathBuf;

/// What every incident-response request shares.
#[derive(Clone, Debug)]
pub struct Query {
    pub file: PathBuf,
    /// Judge expiry and inactivity at this instant instead of the graph's `as_of`.
    pub now: Option<Timestamp>,
    /// Treat disabled nodes and expired edges as re-enabled, marking latent paths.
    pub include_inactive: bool,
    /// The policy file whose `[critical]` (and, for `who-can`, `subjects`) apply, as in
    /// `analyze`; `None` reads `./authpath.toml` when it exists.
    pub policy: Option<PathBuf>,
    pub limits: Limits,
}

impl Query {
    /// Opens the graph, judges it at its instant, and answers `ask` on its analysis graph
    /// and an engine at that instant; the answer keeps the graph it speaks of.
    fn ask<A>(
        &self,
        progress: &Progress,
        ask: impl FnOnce(&AuthGraph<'_>, &Engine<'_>, Instant, &Policy) -> Result<A>,
    ) -> Result<(Graph, Instant, A)> {
        let (model, policy) =
            open_judged(&self.file, self.policy.as_deref(), &self.limits, progress)?;
        let instant = Instant::of(&model, self.now);
        let answer = {
            let g = AuthGraph::build(&model);
            let options = ReachOptions {
                include_inactive: self.include_inactive,
            };
            let engine = Engine::new(&g, instant.as_of, options);
            // A refused question still owes the wall-clock warning.
            let owed: Notes = instant.note(&model.source).into_iter().collect();
            ask(&g, &engine, instant, &policy).map_err(|e| e.after(&owed))?
        };
        Ok((model, instant, answer))
    }
}

/// The policy (so that its problems come first), then the graph with the policy's critical
/// nodes marked: every command then judges the same critical set as `analyze`.
fn open_judged(
    file: &std::path::Path,
    policy: Option<&std::path::Path>,
    limits: &Limits,
    progress: &Progress,
) -> Result<(Graph, Policy)> {
    let policy = super::analysis::load_policy(policy)?;
    let mut model = open(file, limits, progress)?;
    policy.critical.mark(&mut model);
    Ok((model, policy))
}

/// Ids given by the caller, or a usage error naming every unknown one.
fn resolve(g: &AuthGraph<'_>, ids: &[String], flag: &str) -> Result<Vec<NodeIx>> {
    incident::resolve(g, ids, flag).map_err(|errors| Error::sentences(ErrorKind::Usage, errors))
}

/// An answer whose witnesses would hold more node ids than the budget allows.
fn too_long(needed: usize, max: usize, narrow: &str) -> Error {
    Error::new(
        ErrorKind::Limit,
        format!(
            "the answer's paths would hold {needed} or more node ids, more than --max-path-nodes {max} (a path can be as long as the graph)\n  help: {narrow}, or raise --max-path-nodes if the machine has the memory (about 250 bytes per node id)"
        ),
    )
}

/// Every answer: the graph it speaks of and the instant it was judged at.
macro_rules! answer_document {
    ($doc:ident) => {
        impl Answer for $doc {
            fn notes(&self) -> Notes {
                let read = self.model.notes.iter().cloned();
                read.chain(self.instant.note(&self.model.source)).collect()
            }
        }
    };
}

/// `blast-radius --from A,B`: what compromised nodes reach.
#[derive(Clone, Debug)]
pub struct BlastRadiusRequest {
    pub query: Query,
    /// The compromised nodes' ids.
    pub from: Vec<String>,
    /// List only nodes reached at this level or more.
    pub min_level: Level,
    /// List only nodes of these kinds (all when empty).
    pub kinds: Vec<NodeKind>,
}

#[derive(Debug)]
pub struct BlastRadius {
    pub model: Graph,
    pub instant: Instant,
    pub answer: incident::blast::BlastRadius,
}

impl BlastRadiusRequest {
    pub fn run(&self, progress: &Progress) -> Result<BlastRadius> {
        let max = self.query.limits.max_path_nodes;
        let (model, instant, answer) = self.query.ask(progress, |g, engine, _, _| {
            let sources = resolve(g, &self.from, "--from")?;
            incident::blast::blast_radius(engine, &sources, self.min_level, &self.kinds, max)
                .map_err(|needed| too_long(needed, max, "narrow it with --min-level or --kind"))
        })?;
        Ok(BlastRadius {
            model,
            instant,
            answer,
        })
    }
}

answer_document!(BlastRadius);

/// `who-can --reach X`: every subject that reaches a node.
#[derive(Clone, Debug)]
pub struct WhoCanRequest {
    pub query: Query,
    /// The node to reach.
    pub reach: String,
    /// The least level that counts.
    pub level: Level,
    /// `None`: the policy's `subjects`, else the default.
    pub subjects: Option<Subjects>,
}

#[derive(Debug)]
pub struct WhoCan {
    pub model: Graph,
    pub instant: Instant,
    pub answer: incident::whocan::WhoCan,
}

impl WhoCanRequest {
    pub fn run(&self, progress: &Progress) -> Result<WhoCan> {
        let max = self.query.limits.max_path_nodes;
        let (model, instant, answer) = self.query.ask(progress, |g, engine, _, policy| {
            let target = resolve(g, std::slice::from_ref(&self.reach), "--reach")?[0];
            let subjects = self.subjects.or(policy.subjects).unwrap_or_default();
            incident::whocan::who_can(engine, target, self.level, subjects, max)
                .map_err(|needed| too_long(needed, max, "narrow it with --level"))
        })?;
        Ok(WhoCan {
            model,
            instant,
            answer,
        })
    }
}

answer_document!(WhoCan);

/// `path --from A --to B`: the effective level and the simple paths between two nodes.
#[derive(Clone, Debug)]
pub struct PathsRequest {
    pub query: Query,
    pub from: String,
    pub to: String,
    /// How many simple paths to list, shortest first.
    pub max: usize,
}

#[derive(Debug)]
pub struct Paths {
    pub model: Graph,
    pub instant: Instant,
    pub answer: incident::paths::PathAnswer,
}

impl PathsRequest {
    pub fn run(&self, progress: &Progress) -> Result<Paths> {
        let (model, instant, answer) = self.query.ask(progress, |g, engine, instant, _| {
            // Both ends are checked before either is refused: one run names every unknown id.
            resolve(g, &[self.from.clone(), self.to.clone()], "--from/--to")?;
            let from = resolve(g, std::slice::from_ref(&self.from), "--from/--to")?[0];
            let to = resolve(g, std::slice::from_ref(&self.to), "--from/--to")?[0];
            // Without latent paths in the answer, an engine that includes them explains a
            // missing path (what is disabled or expired on the nearest one).
            let latent = (!self.query.include_inactive).then(|| {
                let options = ReachOptions {
                    include_inactive: true,
                };
                Engine::new(g, instant.as_of, options)
            });
            Ok(incident::paths::paths(
                engine,
                latent.as_ref(),
                from,
                to,
                self.max,
            ))
        })?;
        Ok(Paths {
            model,
            instant,
            answer,
        })
    }
}

answer_document!(Paths);

/// `cut --from A [--to B]`: the cheapest set of edges whose revocation cuts the sources off
/// from the targets.
#[derive(Clone, Debug)]
pub struct CutRequest {
    pub query: Query,
    /// The compromised nodes' ids.
    pub from: Vec<String>,
    /// The nodes to protect; every critical node that is not a source when empty.
    pub to: Vec<String>,
    /// Revocation cost per edge kind, over the defaults.
    pub costs: Vec<(EdgeKind, u64)>,
}

#[derive(Debug)]
pub struct Cut {
    pub model: Graph,
    pub instant: Instant,
    pub costs: incident::cut::Costs,
    pub answer: incident::cut::Cut,
    /// The witness from the sources to each target exposed before the cut: what the cut
    /// breaks.
    pub broken: Vec<Walk>,
}

impl CutRequest {
    pub fn run(&self, progress: &Progress) -> Result<Cut> {
        let mut costs = incident::cut::Costs::default();
        costs.0.extend(self.costs.iter().copied());
        let (model, instant, (answer, broken)) = self.query.ask(progress, |g, engine, _, _| {
            let sources = resolve(g, &self.from, "--from")?;
            let targets = if self.to.is_empty() {
                critical_targets(g.model, &sources)
            } else {
                resolve(g, &self.to, "--to")?
            };
            let answer = incident::cut::min_cut(engine, &sources, &targets, &costs)
                .map_err(|e| Error::new(ErrorKind::Usage, e.0))?;
            let broken = crate::reach::with_scratch(|scratch| {
                let s = engine.search(&sources, Level::Admin, None, None, scratch);
                let exposed = answer.exposed_before.iter();
                exposed.filter_map(|t| s.witness(*t, false)).collect()
            });
            Ok((answer, broken))
        })?;
        Ok(Cut {
            model,
            instant,
            costs,
            answer,
            broken,
        })
    }
}

/// A cut's default targets: every critical node that is not a source, by id.
fn critical_targets(model: &Graph, sources: &[NodeIx]) -> Vec<NodeIx> {
    let mut t: Vec<NodeIx> = (0..model.nodes.len() as u32)
        .map(NodeIx)
        .filter(|n| model.node(*n).is_critical() && !sources.contains(n))
        .collect();
    t.sort_unstable_by_key(|n| model.node(*n).id.as_str());
    t
}

answer_document!(Cut);

/// `dot FILE`: a picture of the graph itself, no findings.
#[derive(Clone, Debug)]
pub struct OverviewRequest {
    pub file: PathBuf,
    pub now: Option<Timestamp>,
    /// The policy whose `[critical]` the picture marks; `None` reads `./authpath.toml`
    /// when it exists.
    pub policy: Option<PathBuf>,
    pub limits: Limits,
}

#[derive(Debug)]
pub struct Overview {
    pub model: Graph,
    pub instant: Instant,
}

impl OverviewRequest {
    pub fn run(&self, progress: &Progress) -> Result<Overview> {
        let (model, _) = open_judged(&self.file, self.policy.as_deref(), &self.limits, progress)?;
        let instant = Instant::of(&model, self.now);
        Ok(Overview { model, instant })
    }
}

impl Answer for Overview {
    fn notes(&self) -> Notes {
        self.model.notes.clone()
    }
}
