//! `analyze`, `report` and `diff`: the rules run under a policy, answered with the findings
//! of one graph ([`Findings`]) or the comparison of two ([`Diff`]).

use super::{Answer, Limits, Notes, open, open_all};
use crate::analyze::{Options, Report};
use crate::error::{Error, ErrorKind, Result, Verdict};
use crate::findings::{Finding, Severity};
use crate::model::Graph;
use crate::policy::Policy;
use crate::progress::Progress;
use crate::rules::Subjects;
use crate::rules::assertions::Checked;
use crate::timestamp::Timestamp;
use std::collections::HashSet;
use std::io::{Seek, Write};
use std::path::PathBuf;

/// How the rules run. Each setting left `None` comes from the policy file, then from the
/// built-in default.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Judge time-based rules at this instant instead of the graph's `as_of`.
    pub now: Option<Timestamp>,
    pub subjects: Option<Subjects>,
    /// The `--fail-on` threshold; `Some(None)` never fails.
    pub fail_on: Option<Option<Severity>>,
    /// The policy file; `None` reads `./authpath.toml` when it exists.
    pub policy: Option<PathBuf>,
    /// Show at most this many findings (0: no cap).
    pub max_findings: usize,
    /// Choke points of each kind to report.
    pub choke_points: usize,
    /// An assertion that selects nothing fails the run (as `strict = true` in the policy).
    pub strict: bool,
    /// Rate the findings of nodes tagged `builtin` like any other's.
    pub include_builtin: bool,
}

impl Settings {
    /// The command-line defaults: the default cap and choke points, nothing overridden.
    pub fn new() -> Settings {
        Settings {
            max_findings: crate::analyze::DEFAULT_MAX_FINDINGS,
            choke_points: crate::analyze::DEFAULT_CHOKE_POINTS,
            ..Settings::default()
        }
    }

    /// The analysis options and the threshold: these settings first, then the policy, then
    /// the built-in defaults. `Err` lists every problem of the policy file.
    pub fn resolve(&self, limits: &Limits) -> Result<(Options, Option<Severity>)> {
        let mut policy = load_policy(self.policy.as_deref())?;
        policy.strict |= self.strict;
        let subjects = self.subjects.or(policy.subjects).unwrap_or_default();
        let fail_on = self
            .fail_on
            .unwrap_or(policy.fail_on.unwrap_or(Some(Severity::High)));
        let opts = Options {
            now: self.now,
            subjects,
            policy,
            max_findings: (self.max_findings != 0).then_some(self.max_findings),
            choke_points: Some(self.choke_points),
            max_path_nodes: Some(limits.max_path_nodes),
            include_builtin: self.include_builtin,
        };
        Ok((opts, fail_on))
    }
}

/// The policy at `path`, or `./authpath.toml` when it exists, or the default one.
pub fn load_policy(path: Option<&std::path::Path>) -> Result<Policy> {
    match crate::policy::find_and_load(path) {
        Ok(p) => Ok(p.unwrap_or_default()),
        Err(d) => Err(Error::input(&[&d])),
    }
}

/// `analyze FILE` (and `report FILE`): the findings of one graph.
#[derive(Clone, Debug)]
pub struct AnalyzeRequest {
    pub file: PathBuf,
    pub settings: Settings,
    /// A findings document whose finding ids are accepted as known.
    pub baseline: Option<PathBuf>,
    pub limits: Limits,
}

impl AnalyzeRequest {
    /// Analyses the graph and keeps every finding shown in memory, the baseline's taken out.
    pub fn run(&self, progress: &Progress) -> Result<Findings> {
        self.run_saving(progress, |_| Ok(()))
    }

    /// `run`, handing `save` every finding before the baseline takes its own out (what
    /// `--write-baseline` writes).
    pub fn run_saving(
        &self,
        progress: &Progress,
        save: impl FnOnce(&Findings) -> Result<()>,
    ) -> Result<Findings> {
        let mut prepared = self.prepare(progress)?;
        let report = {
            let _p = progress.phase("analysing");
            crate::analyze::analyze(&prepared.model, &prepared.options)
        };
        let baseline = prepared.baseline.take();
        let mut findings = prepared.answer(report, None);
        save(&findings)?;
        if let Some(ids) = baseline {
            crate::analyze::apply_baseline(&mut findings.report, &ids);
        }
        Ok(findings)
    }

    /// Analyses the graph without a cap and without holding the findings: each one is
    /// written as it is found to a temporary file outside memory, and the JSON reporter
    /// assembles the document around it. `encode` writes one finding as the reporter that
    /// will read the spill expects it (`render::json::finding_lines`); `first` says it opens
    /// the list.
    pub fn run_streamed(&self, progress: &Progress, encode: Encode) -> Result<Findings> {
        let prepared = self.prepare(progress)?;
        let cannot = |what: &str, e: std::io::Error| {
            Error::new(ErrorKind::Io, format!("cannot {what}: {e}"))
        };
        let file = tempfile::tempfile()
            .map_err(|e| cannot("create a temporary file for the findings", e))?;
        let mut writer = std::io::BufWriter::new(file);
        let mut count = 0u64;
        let mut failed: Option<std::io::Error> = None;
        let baseline = prepared.baseline.as_ref();
        let skip = |f: &Finding| baseline.is_some_and(|b| b.contains(&f.id));
        let report = {
            let _p = progress.phase("analysing");
            crate::analyze::analyze_each(
                &prepared.model,
                &prepared.options,
                baseline.map(|_| &skip as &dyn Fn(&Finding) -> bool),
                &mut |f| {
                    if failed.is_none() {
                        match encode(&f, count == 0, &mut writer) {
                            Ok(()) => count += 1,
                            Err(e) => failed = Some(e),
                        }
                    }
                },
            )
        };
        let writing = "write the findings to a temporary file";
        if let Some(e) = failed {
            return Err(cannot(writing, e));
        }
        let file = writer
            .into_inner()
            .map_err(|e| cannot(writing, e.into_error()))?;
        Ok(prepared.answer(report, Some(Spill { file, count })))
    }

    /// Settings, then the baseline, then the graph: the order in which problems are found.
    fn prepare(&self, progress: &Progress) -> Result<Prepared> {
        let (options, fail_on) = self.settings.resolve(&self.limits)?;
        let baseline = match &self.baseline {
            Some(path) => Some(crate::baseline::read_ids(path).map_err(|d| Error::input(&[&d]))?),
            None => None,
        };
        let mut model = open(&self.file, &self.limits, progress)?;
        options.policy.critical.mark(&mut model);
        Ok(Prepared {
            options,
            fail_on,
            baseline,
            model,
        })
    }
}

/// A request's inputs, read and checked.
struct Prepared {
    options: Options,
    fail_on: Option<Severity>,
    baseline: Option<HashSet<String>>,
    model: Graph,
}

impl Prepared {
    /// The document of `report` (the baseline is the caller's to apply).
    fn answer(self, report: Report, spill: Option<Spill>) -> Findings {
        Findings {
            subjects: self.options.subjects,
            fail_on: self.fail_on,
            strict: self.options.policy.strict,
            model: self.model,
            report,
            spill,
        }
    }
}

/// Writes one finding into a spill (`first`: it opens the list).
pub type Encode = fn(&Finding, bool, &mut dyn Write) -> std::io::Result<()>;

/// Findings written to a temporary file as they were found, in the report's order.
#[derive(Debug)]
pub struct Spill {
    file: std::fs::File,
    count: u64,
}

impl Spill {
    /// The findings, from the first, as `encode` wrote them; `count` of them.
    pub fn read(&self) -> std::io::Result<(impl std::io::Read + '_, u64)> {
        let mut f = &self.file;
        f.rewind()?;
        Ok((f, self.count))
    }
}

/// What `analyze` found in one graph, and how to judge it.
#[derive(Debug)]
pub struct Findings {
    pub model: Graph,
    pub report: Report,
    /// Who started the reachability rules.
    pub subjects: Subjects,
    /// Findings at or above this fail the run.
    pub fail_on: Option<Severity>,
    /// An assertion that selects nothing fails the run.
    pub strict: bool,
    spill: Option<Spill>,
}

impl Findings {
    /// The findings written as they were found, when the analysis was streamed (the
    /// report's own `findings` are empty then).
    pub fn spilled(&self) -> Option<&Spill> {
        self.spill.as_ref()
    }
}

impl Answer for Findings {
    fn notes(&self) -> Notes {
        let r = &self.report;
        self.model
            .notes
            .iter()
            .cloned()
            .chain(super::wall_clock_note(&r.source, r.as_of, r.as_of_source))
            .chain(assertion_warnings(&r.totals.assertions, self.strict))
            .collect()
    }

    /// Fails when any finding that counts — shown or not — is at or above the threshold;
    /// a strict error when an assertion selects nothing.
    fn verdict(&self) -> Result<Verdict> {
        strict_gate(&self.report.totals.assertions, self.strict)?;
        let summary = self.report.summary();
        let failing = self.fail_on.is_some_and(|t| {
            Severity::ALL
                .iter()
                .any(|s| s.at_least(t) && summary.count(*s) > 0)
        });
        Ok(if failing {
            Verdict::Fail
        } else {
            Verdict::Pass
        })
    }
}

/// What to say of each assertion that selects no node — a guard that checks nothing —
/// with the help that fits (`strict` makes it an error).
fn empty_assertions(checked: &[Checked], strict: bool) -> Vec<String> {
    checked
        .iter()
        .filter(|a| a.selects_nothing())
        .map(|a| {
            format!(
                "assertion {}: {}, so it checks nothing\n  help: compare its selectors with the graph (ids, kinds, orgs, tags, sensitivities: a graph may mark critical nodes by `sensitivity = \"critical\"` rather than a `tier0` tag){}",
                crate::diagnostics::quote(&a.name),
                a.empty_sides(),
                if strict {
                    ""
                } else {
                    "; `strict = true` in the policy or --strict makes this an error"
                }
            )
        })
        .collect()
}

/// Without `strict`, an assertion that selects nothing is a warning.
fn assertion_warnings(checked: &[Checked], strict: bool) -> Notes {
    if strict {
        return Vec::new();
    }
    let said = empty_assertions(checked, false).into_iter();
    said.map(|w| format!("authpath: warning: {w}")).collect()
}

/// Under `strict`, an assertion that selects nothing is an error.
fn strict_gate(checked: &[Checked], strict: bool) -> Result<()> {
    let errors = if strict {
        empty_assertions(checked, true)
    } else {
        Vec::new()
    };
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::sentences(ErrorKind::Strict, errors))
    }
}

/// `diff OLD NEW`: the same rules on two graphs, compared.
#[derive(Clone, Debug)]
pub struct DiffRequest {
    pub old: PathBuf,
    pub new: PathBuf,
    pub settings: Settings,
    pub limits: Limits,
}

impl DiffRequest {
    pub fn run(&self, progress: &Progress) -> Result<Diff> {
        let (options, fail_on) = self.settings.resolve(&self.limits)?;
        let mut graphs = open_all(&[&self.old, &self.new], &self.limits, progress)?;
        for g in &mut graphs {
            options.policy.critical.mark(g);
        }
        let new = graphs.pop().expect("two graphs were read");
        let old = graphs.pop().expect("two graphs were read");
        let changes = {
            let _p = progress.phase("analysing both graphs");
            crate::diff::diff(&old, &new, &options, fail_on)
        };
        Ok(Diff {
            old,
            new,
            changes,
            strict: options.policy.strict,
        })
    }
}

/// What changed between two graphs: findings, access to critical nodes, nodes and edges.
#[derive(Debug)]
pub struct Diff {
    pub old: Graph,
    pub new: Graph,
    pub changes: crate::diff::Diff,
    /// The new graph's assertions must select something.
    pub strict: bool,
}

impl Answer for Diff {
    fn notes(&self) -> Notes {
        let d = &self.changes;
        let read = self.old.notes.iter().chain(&self.new.notes).cloned();
        read.chain(
            [&d.old, &d.new]
                .iter()
                .filter_map(|r| super::wall_clock_note(&r.source, r.as_of, r.as_of_source)),
        )
        .chain(assertion_warnings(&d.new.totals.assertions, self.strict))
        .collect()
    }

    /// Fails on a new finding at or above the threshold or an external subject's new access
    /// to a critical node; the new graph's assertions must select something under strict.
    fn verdict(&self) -> Result<Verdict> {
        strict_gate(&self.changes.new.totals.assertions, self.strict)?;
        Ok(if self.changes.fails() {
            Verdict::Fail
        } else {
            Verdict::Pass
        })
    }
}
