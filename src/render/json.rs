//! `--format json`: the findings document of docs/rules.md.

use super::{Reporter, query};
use crate::analyze::{AsOfSource, Report};
use crate::choke::{ChokePoints, Element};
use crate::error::Result;
use crate::exposure::{Exposure, share};
use crate::findings::{Finding, Rule, Severity, Summary};
use crate::model::{EdgeKind, Level};
use crate::request::Notes;
use crate::request::analysis::{Diff, Findings};
use schemars::{JsonSchema, Schema};
use serde::Serialize;

/// The findings document.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "authpath findings document", deny_unknown_fields)]
pub struct FindingsDocument<'a> {
    /// Always 1.
    #[schemars(extend("const" = 1))]
    pub schema_version: u32,
    pub tool: Tool,
    /// The instant of judgement, UTC.
    #[schemars(extend("pattern" = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?Z$"))]
    pub as_of: String,
    pub as_of_source: AsOfSource,
    pub graph: GraphCounts,
    /// What the analysis is based on: the sources read, the seams between them evaluated,
    /// and what could not be decided.
    pub coverage: &'a crate::coverage::Coverage,
    pub summary: Summary,
    pub findings: Vec<FindingOut<'a>>,
    /// With a policy whose waivers accept findings: those findings, reported but not
    /// counted in `summary` or towards `--fail-on`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<Vec<FindingOut<'a>>>,
    /// With `--baseline`: how many findings the baseline removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baselined: Option<usize>,
    /// When `--max-findings` or `--max-path-nodes` left findings out: how many there were
    /// and are shown, per rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<TruncatedOut>,
    /// Every rule that found something: how many findings it has (all counted in
    /// `summary`) and how many `findings` shows.
    pub by_rule: std::collections::BTreeMap<&'static str, RuleCount>,
    /// What each `[[assert]]` of the policy checked, in policy order (absent without
    /// assertions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertions: Option<Vec<AssertionOut<'a>>>,
    /// Who reaches the critical nodes (absent when both transitive-privilege and
    /// external-critical-access are disabled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<ExposureOut<'a>>,
    /// The nodes and edges through which the most (subject, critical node) pairs pass
    /// (absent with `--choke-points 0` or when neither access rule runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choke_points: Option<ChokePointsOut<'a>>,
}

/// Choke points: a pair passes through a node or edge when its witness does.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ChokePointsOut<'a> {
    /// (subject, critical node) pairs with any access.
    pub pairs: u64,
    /// Pairs whose witnesses were walked: all of them when `exact`, else a uniform sample.
    pub walked: u64,
    /// Counts are exact; otherwise estimates with a 95% interval (`low`, `high`).
    pub exact: bool,
    pub nodes: Vec<ChokeNodeOut<'a>>,
    pub edges: Vec<ChokeEdgeOut<'a>>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ChokeNodeOut<'a> {
    pub node: &'a str,
    /// Pairs whose witness passes through the node (neither its subject nor its target).
    pub pairs: u64,
    pub low: u64,
    pub high: u64,
    /// When exact: how many of those pairs would lose their level if the node's edges were
    /// revoked (null for estimates).
    pub lost: Option<u64>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ChokeEdgeOut<'a> {
    /// Index in the input's `edges` array.
    pub edge: u32,
    pub from: &'a str,
    pub to: &'a str,
    pub kind: EdgeKind,
    /// Pairs whose witness uses the edge.
    pub pairs: u64,
    pub low: u64,
    pub high: u64,
    /// When exact: how many of those pairs would lose their level if it were revoked.
    pub lost: Option<u64>,
}

pub(crate) fn choke_points_out(c: &ChokePoints) -> ChokePointsOut<'_> {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for p in c.nodes.iter().chain(&c.edges) {
        match &p.what {
            Element::Node(id) => nodes.push(ChokeNodeOut {
                node: id,
                pairs: p.pairs,
                low: p.low,
                high: p.high,
                lost: p.lost,
            }),
            Element::Edge {
                index,
                from,
                to,
                kind,
            } => edges.push(ChokeEdgeOut {
                edge: index.0,
                from,
                to,
                kind: *kind,
                pairs: p.pairs,
                low: p.low,
                high: p.high,
                lost: p.lost,
            }),
        }
    }
    ChokePointsOut {
        pairs: c.pairs,
        walked: c.walked,
        exact: c.exact,
        nodes,
        edges,
    }
}

/// The share of subjects that reach at least one critical node.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ExposureOut<'a> {
    /// Subjects considered (the subject set of the analysis).
    pub subjects: u64,
    /// Subjects that reach at least one critical node, at any level.
    pub exposed: u64,
    /// `exposed / subjects` (0 without subjects).
    pub share: f64,
    /// Per organisation of the subjects; `org` is null for the home organisation.
    pub by_org: Vec<OrgExposureOut<'a>>,
    /// Per kind of subject.
    pub by_kind: Vec<KindExposureOut<'a>>,
    /// Per critical node, how many subjects reach it, by effective level; most reached
    /// first, then by id.
    pub targets: Vec<TargetExposureOut<'a>>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OrgExposureOut<'a> {
    pub org: Option<&'a str>,
    pub subjects: u64,
    pub exposed: u64,
    pub share: f64,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct KindExposureOut<'a> {
    pub kind: &'a str,
    pub subjects: u64,
    pub exposed: u64,
    pub share: f64,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TargetExposureOut<'a> {
    pub target: &'a str,
    /// Subjects that reach it at any level.
    pub subjects: u64,
    /// Subjects whose effective level over it is exactly read, write, admin.
    pub read: u64,
    pub write: u64,
    pub admin: u64,
}

pub(crate) fn exposure_out(e: &Exposure) -> ExposureOut<'_> {
    ExposureOut {
        subjects: e.subjects,
        exposed: e.exposed,
        share: share(e.exposed, e.subjects),
        by_org: e
            .by_org
            .iter()
            .map(|g| OrgExposureOut {
                org: g.key.as_deref(),
                subjects: g.subjects,
                exposed: g.exposed,
                share: share(g.exposed, g.subjects),
            })
            .collect(),
        by_kind: e
            .by_kind
            .iter()
            .map(|g| KindExposureOut {
                kind: g.key.as_deref().unwrap_or_default(),
                subjects: g.subjects,
                exposed: g.exposed,
                share: share(g.exposed, g.subjects),
            })
            .collect(),
        targets: e
            .targets
            .iter()
            .map(|t| TargetExposureOut {
                target: &t.target,
                subjects: t.total(),
                read: t.read,
                write: t.write,
                admin: t.admin,
            })
            .collect(),
    }
}

#[derive(Serialize, JsonSchema)]
pub struct TruncatedOut {
    pub total: usize,
    pub shown: usize,
    pub per_rule: std::collections::BTreeMap<&'static str, RuleCount>,
    /// When the budget of path nodes (`--max-path-nodes`) stopped the findings shown
    /// before `--max-findings` did: that budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_path_nodes: Option<usize>,
}

/// What one assertion checked.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AssertionOut<'a> {
    pub name: &'a str,
    /// `ok`, `violated`, or `selects-nothing` (its `from` or `to` chose no node: it checks
    /// nothing — a warning, an error under a strict policy).
    pub status: &'static str,
    /// Nodes its `from` selects.
    pub subjects: usize,
    /// Nodes its `to` selects.
    pub targets: usize,
    /// (subject, target) pairs of distinct nodes it constrains.
    pub pairs: u64,
    /// Pairs that break it (each an `assertion-violated` finding citing it).
    pub violations: usize,
}

#[derive(Serialize, JsonSchema)]
pub struct RuleCount {
    pub total: usize,
    pub shown: usize,
}

/// The waiver that names a finding.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct WaiverOut<'a> {
    pub reason: &'a str,
    pub owner: &'a str,
    pub expires: String,
    /// An expired waiver no longer waives: the finding counts again.
    pub expired: bool,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Tool {
    #[schemars(extend("const" = "authpath"))]
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GraphCounts {
    pub nodes: usize,
    pub edges: usize,
}

/// One finding. Every key is always present.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FindingOut<'a> {
    /// `ap-` and 16 lowercase hex digits; stable across runs and graph changes.
    #[schemars(extend("pattern" = "^ap-[0-9a-f]{16}$"))]
    pub id: &'a str,
    #[schemars(transform = rule_names)]
    pub rule: &'static str,
    pub severity: Severity,
    pub subject: &'a str,
    pub target: Option<&'a str>,
    pub level: Option<Level>,
    pub reasons: &'a [String],
    pub nodes: &'a [String],
    pub path: &'a [String],
    pub path_edges: &'a [EdgeKind],
    pub message: &'a str,
    /// Present only when a policy waiver names the finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverOut<'a>>,
}

fn rule_names(schema: &mut Schema) {
    let names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
    schema.insert("enum".into(), serde_json::json!(names));
}

impl<'a> FindingOut<'a> {
    pub fn of(f: &'a Finding) -> FindingOut<'a> {
        FindingOut {
            id: &f.id,
            rule: f.rule.name(),
            severity: f.severity,
            subject: &f.subject,
            target: f.target.as_deref(),
            level: f.level,
            reasons: &f.reasons,
            nodes: &f.nodes,
            path: &f.path,
            path_edges: &f.path_edges,
            message: &f.message,
            waiver: f.waiver.as_ref().map(|w| WaiverOut {
                reason: &w.reason,
                owner: &w.owner,
                expires: w.expires.to_string(),
                expired: w.expired,
            }),
        }
    }
}

pub fn document(report: &Report) -> FindingsDocument<'_> {
    FindingsDocument {
        schema_version: 1,
        tool: Tool {
            name: "authpath",
            version: env!("CARGO_PKG_VERSION"),
        },
        as_of: report.as_of.to_string(),
        as_of_source: report.as_of_source,
        graph: GraphCounts {
            nodes: report.nodes,
            edges: report.edges,
        },
        coverage: &report.coverage,
        summary: report.summary(),
        findings: report.findings.iter().map(FindingOut::of).collect(),
        waived: (!report.waived.is_empty())
            .then(|| report.waived.iter().map(FindingOut::of).collect()),
        baselined: report.baselined,
        truncated: report.totals.truncated().then(|| TruncatedOut {
            total: report.totals.total(),
            shown: report.totals.shown(),
            per_rule: by_rule(report),
            max_path_nodes: report.totals.path_limit,
        }),
        by_rule: by_rule(report),
        assertions: (!report.totals.assertions.is_empty()).then(|| assertions_out(&report.totals)),
        exposure: report.exposure.as_ref().map(exposure_out),
        choke_points: report.choke_points.as_ref().map(choke_points_out),
    }
}

fn by_rule(report: &Report) -> std::collections::BTreeMap<&'static str, RuleCount> {
    rule_counts(&report.totals)
}

/// Per rule: findings counted and shown (also the SARIF run's `by_rule`).
pub(crate) fn rule_counts(
    totals: &crate::rules::Totals,
) -> std::collections::BTreeMap<&'static str, RuleCount> {
    totals
        .by_rule
        .iter()
        .map(|(r, (total, shown))| {
            (
                *r,
                RuleCount {
                    total: *total,
                    shown: *shown,
                },
            )
        })
        .collect()
}

/// What each assertion checked (also the SARIF run's `assertions`).
pub(crate) fn assertions_out(totals: &crate::rules::Totals) -> Vec<AssertionOut<'_>> {
    totals
        .assertions
        .iter()
        .map(|a| AssertionOut {
            name: &a.name,
            status: a.status(),
            subjects: a.subjects,
            targets: a.targets,
            pairs: a.pairs,
            violations: a.violations,
        })
        .collect()
}

/// One finding as it appears inside the document's `findings` array (indented, with the
/// separating comma before every finding but the first).
pub fn finding_lines(
    f: &Finding,
    first: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(&FindingOut::of(f)).unwrap_or_default();
    if !first {
        out.write_all(b",\n")?;
    }
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(b"    ")?;
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// The findings document written to `out` (the same bytes as `Json`): the findings are
/// rendered on rayon's threads a batch at a time and written in order, so neither the
/// document nor its findings' text is ever whole in memory.
pub fn write_document(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_around(report, !report.findings.is_empty(), out, &mut |o| {
        write_findings(&report.findings, o)
    })
}

/// The findings document with `findings` taken from `spill` — each finding as
/// `finding_lines` wrote it, `count` of them — and everything else from `report` (whose own
/// findings are not written: a streamed analysis has none).
pub(crate) fn write_streamed(
    report: &Report,
    spill: &mut dyn std::io::Read,
    count: u64,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_around(report, count > 0, out, &mut |o| {
        std::io::copy(spill, o).map(|_| ())
    })
}

/// The document of `report` with `body` writing the inside of its `findings` array.
fn write_around(
    report: &Report,
    any: bool,
    out: &mut dyn std::io::Write,
    body: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut doc = document(report);
    doc.findings.clear();
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    let marker = "\n  \"findings\": []";
    let at = text
        .find(marker)
        .map_or(text.len(), |i| i + marker.len() - 1);
    if any {
        out.write_all(&text.as_bytes()[..at])?;
        out.write_all(b"\n")?;
        body(out)?;
        out.write_all(b"\n  ")?;
        out.write_all(&text.as_bytes()[at..])?;
    } else {
        out.write_all(text.as_bytes())?;
    }
    out.write_all(b"\n")
}

/// The findings as the document's array holds them, rendered in parallel batches.
fn write_findings(findings: &[Finding], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use rayon::prelude::*;
    const CHUNK: usize = 1024;
    for (b, batch) in findings.chunks(CHUNK * 8).enumerate() {
        let parts: Vec<Vec<u8>> = batch
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(i, chunk)| {
                let mut buf = Vec::new();
                for (j, f) in chunk.iter().enumerate() {
                    // Writing to memory cannot fail.
                    let _ = finding_lines(f, b == 0 && i == 0 && j == 0, &mut buf);
                }
                buf
            })
            .collect();
        for part in parts {
            out.write_all(&part)?;
        }
    }
    Ok(())
}

/// The JSON documents: the findings document of docs/rules.md, the diff document, and the
/// incident-response answers (`render::query`).
pub struct Json;

impl Reporter for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn streams(&self) -> bool {
        true
    }

    fn findings(&self, doc: &Findings, out: &mut dyn std::io::Write) -> Result<Notes> {
        match doc.spilled() {
            Some(spill) => {
                let (mut findings, count) = spill.read()?;
                write_streamed(&doc.report, &mut findings, count, out)?;
            }
            None => write_document(&doc.report, out)?,
        }
        Ok(Vec::new())
    }

    fn diff(&self, doc: &Diff, out: &mut dyn std::io::Write) -> Result<Notes> {
        super::put(out, &diff_document(&doc.changes))
    }

    query::answers!(json);
}

/// The JSON Schema of the findings document (`authpath schema --findings`).
pub fn findings_schema_json() -> String {
    let schema = schemars::schema_for!(FindingsDocument<'static>);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// One side of a diff.
#[derive(Serialize, JsonSchema)]
pub struct DiffSide {
    pub file: String,
    pub as_of: String,
    pub nodes: usize,
    pub edges: usize,
    pub summary: Summary,
}

/// A changed access, as `diff --format json` writes it.
#[derive(Serialize, JsonSchema)]
pub struct AccessChangeOut<'a> {
    pub change: crate::diff::Change,
    pub subject: &'a str,
    pub target: &'a str,
    pub before: Option<Level>,
    pub after: Option<Level>,
    pub external: bool,
    /// The new witness (the old one when the access vanished).
    pub path: &'a [String],
    pub path_edges: &'a [EdgeKind],
    pub message: &'a str,
}

/// The document of `diff --format json`.
#[derive(Serialize, JsonSchema)]
pub struct DiffDocument<'a> {
    pub schema_version: u32,
    pub tool: Tool,
    pub old: DiffSide,
    pub new: DiffSide,
    /// The new graph's coverage (sources, seams, what could not be decided).
    pub coverage: &'a crate::coverage::Coverage,
    /// The old graph's.
    pub coverage_old: &'a crate::coverage::Coverage,
    pub graph_changes: crate::diff::Delta,
    pub new_findings: Vec<FindingOut<'a>>,
    pub resolved_findings: Vec<FindingOut<'a>>,
    pub access_changes: Vec<AccessChangeOut<'a>>,
    /// Names of the assertions with new violations.
    pub assertions_newly_failing: Vec<String>,
    pub fail_on: Option<Severity>,
    /// Whether the diff fails the build (exit 1), and why.
    pub failing: bool,
    pub why: Vec<String>,
}

fn side(r: &Report) -> DiffSide {
    DiffSide {
        file: r.source.clone(),
        as_of: r.as_of.to_string(),
        nodes: r.nodes,
        edges: r.edges,
        summary: r.summary(),
    }
}

/// Why a diff fails, one sentence per reason (empty when it passes).
pub(crate) fn diff_reasons(d: &crate::diff::Diff) -> Vec<String> {
    let mut why = Vec::new();
    let failing = d.failing_findings().count();
    if failing > 0 {
        why.push(format!(
            "{failing} new finding(s) at or above --fail-on {}",
            d.fail_on.map_or("never", |s| s.as_str())
        ));
    }
    let gains = d.external_gains().count();
    if gains > 0 {
        why.push(format!(
            "{gains} external subject(s) gained access to a critical node"
        ));
    }
    why
}

/// Assertion names with new violations, sorted and unique.
pub(crate) fn newly_failing_assertions(d: &crate::diff::Diff) -> Vec<String> {
    let mut names: Vec<String> = d
        .new_assertion_failures()
        .flat_map(|f| f.reasons.iter())
        .filter_map(|r| r.strip_prefix("assert:").map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

pub(crate) fn diff_document(d: &crate::diff::Diff) -> String {
    let why = diff_reasons(d);
    let doc = DiffDocument {
        schema_version: 1,
        tool: Tool {
            name: "authpath",
            version: env!("CARGO_PKG_VERSION"),
        },
        old: side(&d.old),
        new: side(&d.new),
        coverage: &d.new.coverage,
        coverage_old: &d.old.coverage,
        graph_changes: d.delta,
        new_findings: d.new_findings.iter().map(FindingOut::of).collect(),
        resolved_findings: d.resolved.iter().map(FindingOut::of).collect(),
        access_changes: d
            .access
            .iter()
            .map(|a| AccessChangeOut {
                change: a.change,
                subject: &a.subject,
                target: &a.target,
                before: a.before,
                after: a.after,
                external: a.external,
                path: &a.path,
                path_edges: &a.path_edges,
                message: &a.message,
            })
            .collect(),
        assertions_newly_failing: newly_failing_assertions(d),
        fail_on: d.fail_on,
        failing: !why.is_empty(),
        why,
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
