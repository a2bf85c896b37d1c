//! The text report for people: grouped by severity, each finding's sentence and path, and
//! subjects that share the same final chain to a target folded into one block, so the
//! reader sees root causes rather than a flood.

use super::{Reporter, query};
use crate::analyze::{AsOfSource, Report};
use crate::choke::Element;
use crate::error::Result;
use crate::findings::{Finding, Severity};
use crate::request::Notes;
use crate::request::analysis::{Diff, Findings};
use anstyle::{AnsiColor, Style};
use std::collections::HashMap;
use std::fmt::Write;

/// How a text report is painted and judged.
struct Page {
    /// ANSI colour (only on a terminal, and never when NO_COLOR is set: the caller decides).
    pub color: bool,
    /// Findings at or above this count against the run (`None`: `--fail-on never`).
    pub fail_on: Option<Severity>,
}

impl Page {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    fn severity_style(sev: Severity) -> Style {
        let color = match sev {
            Severity::Critical | Severity::High => AnsiColor::Red,
            Severity::Medium => AnsiColor::Yellow,
            Severity::Low => AnsiColor::Blue,
            Severity::Info => AnsiColor::Cyan,
        };
        let style = Style::new().fg_color(Some(color.into()));
        if sev == Severity::Critical {
            style.bold()
        } else {
            style
        }
    }
}

/// `a -holds-> b -member_of-> c`.
fn path_words(path: &[String], edges: &[crate::model::EdgeKind]) -> String {
    let mut out = String::new();
    for (i, node) in path.iter().enumerate() {
        if i > 0 {
            let _ = write!(out, " -{}-> ", edges.get(i - 1).map_or("?", |k| k.as_str()));
        }
        out.push_str(&crate::diagnostics::quote_if_needed(node));
    }
    out
}

/// Findings that may share a chain: same rule, severity, target and level.
type GroupKey<'a> = (
    &'a str,
    Severity,
    Option<&'a str>,
    Option<crate::model::Level>,
);

/// The final part of a path: its nodes and the edges between them.
type Chain<'a> = (&'a [String], &'a [crate::model::EdgeKind]);

/// The last `c` nodes of a finding's path and the edges between them.
fn suffix(f: &Finding, c: usize) -> Chain<'_> {
    (
        &f.path[f.path.len() - c..],
        &f.path_edges[f.path_edges.len() + 1 - c..],
    )
}

/// Blocks of findings to print together: same rule, severity, target and level, and the same
/// final chain of at least one edge — the longest chain each finding shares with another.
/// Returns each finding's block (an index into the second value) and the blocks — the
/// shared chain's length in nodes (0 for a finding alone) and the members in finding order.
/// Counting suffixes keeps this linear in the findings times path length.
fn blocks(findings: &[Finding]) -> (Vec<usize>, Vec<(usize, Vec<usize>)>) {
    let mut groups: HashMap<GroupKey<'_>, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.target.is_some() && f.path.len() >= 2 && f.path_edges.len() + 1 == f.path.len() {
            groups
                .entry((f.rule.name(), f.severity, f.target.as_deref(), f.level))
                .or_default()
                .push(i);
        }
    }
    let mut chain = vec![0usize; findings.len()];
    for members in groups.values().filter(|m| m.len() >= 2) {
        let mut counts: HashMap<Chain<'_>, usize> = HashMap::new();
        for &i in members {
            for c in 2..=findings[i].path.len() {
                *counts.entry(suffix(&findings[i], c)).or_default() += 1;
            }
        }
        for &i in members {
            chain[i] = (2..=findings[i].path.len())
                .rev()
                .find(|c| counts[&suffix(&findings[i], *c)] >= 2)
                .unwrap_or(0);
        }
    }
    let mut index: HashMap<(GroupKey<'_>, usize, Chain<'_>), usize> = HashMap::new();
    let mut block_of = Vec::with_capacity(findings.len());
    let mut out: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let b = if chain[i] >= 2 {
            let key = (
                (f.rule.name(), f.severity, f.target.as_deref(), f.level),
                chain[i],
                suffix(f, chain[i]),
            );
            *index.entry(key).or_insert_with(|| {
                out.push((chain[i], Vec::new()));
                out.len() - 1
            })
        } else {
            out.push((0, Vec::new()));
            out.len() - 1
        };
        out[b].1.push(i);
        block_of.push(b);
    }
    (block_of, out)
}

/// The coverage block: said only when there is more to say than "one graph file" (an
/// estate, or a graph whose seams or gaps were reported).
fn coverage(out: &mut String, c: &crate::coverage::Coverage) {
    if c.sources.len() <= 1 && c.seams.is_empty() && c.undecided.is_empty() {
        return;
    }
    let _ = writeln!(out, "Coverage:");
    for line in c.lines() {
        let _ = writeln!(out, "  {line}");
    }
    out.push('\n');
}

impl Page {
    fn report(&self, report: &Report) -> String {
        let mut out = String::new();
        let source = match report.as_of_source {
            AsOfSource::Graph => "the graph's as_of",
            AsOfSource::Now => "--now",
            AsOfSource::WallClock => "the wall clock",
        };
        let _ = writeln!(
            out,
            "{}: {} nodes, {} edges, judged at {} ({source})\n",
            report.source, report.nodes, report.edges, report.as_of
        );
        coverage(&mut out, &report.coverage);
        let findings = &report.findings;
        let (block_of, blocks) = blocks(findings);
        let summary = report.summary();
        headline(&mut out, report);
        let mut printed = vec![false; blocks.len()];
        let mut current: Option<Severity> = None;
        for (i, f) in findings.iter().enumerate() {
            let b = block_of[i];
            if printed[b] {
                continue;
            }
            printed[b] = true;
            if current != Some(f.severity) {
                current = Some(f.severity);
                let count = summary.count(f.severity);
                let head = format!("{} ({count})", f.severity.as_str().to_uppercase());
                let _ = writeln!(
                    out,
                    "{}",
                    self.paint(Self::severity_style(f.severity), &head)
                );
            }
            let (chain, block) = &blocks[b];
            if block.len() >= 2 {
                self.block(&mut out, findings, block, *chain);
            } else {
                self.single(&mut out, f);
            }
            out.push('\n');
        }
        if !report.waived.is_empty() {
            let _ = writeln!(
                out,
                "WAIVED ({}) — accepted by the policy, not counted",
                report.waived.len()
            );
            for f in &report.waived {
                self.single(&mut out, f);
                out.push('\n');
            }
        }
        if !report.totals.assertions.is_empty() {
            let _ = writeln!(out, "Assertions:");
            for a in &report.totals.assertions {
                let verdict = if a.selects_nothing() {
                    format!("checks nothing: {}", a.empty_sides())
                } else if a.violations > 0 {
                    format!("{} violation(s)", a.violations)
                } else {
                    "holds".to_owned()
                };
                let _ = writeln!(
                    out,
                    "  {}: {verdict} ({} subject(s) × {} target(s), {} pair(s) checked)",
                    a.name, a.subjects, a.targets, a.pairs
                );
            }
            out.push('\n');
        }
        for w in &report.unused_waivers {
            let _ = writeln!(
                out,
                "note: the [[waiver]] at line {} of the policy names no finding: remove it or fix what it names",
                w.line
            );
        }
        if let Some(n) = report.baselined {
            let _ = writeln!(out, "{n} finding(s) already in the baseline are not shown");
        }
        let s = summary;
        let counted = match self.fail_on {
            Some(t) => {
                let n: usize = Severity::ALL
                    .iter()
                    .filter(|sev| sev.at_least(t))
                    .map(|sev| s.count(*sev))
                    .sum();
                format!("; {n} at or above --fail-on {t}")
            }
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{} finding(s): {} critical, {} high, {} medium, {} low, {} info{counted}",
            s.total(),
            s.critical,
            s.high,
            s.medium,
            s.low,
            s.info
        );
        out
    }
}

impl Page {
    fn title(&self, f: &Finding, subject: &str) -> String {
        let mut t = format!("{}  {subject}", f.rule);
        if let Some(target) = &f.target {
            let _ = write!(t, " → {}", crate::diagnostics::quote_if_needed(target));
        }
        if let Some(level) = f.level {
            let _ = write!(t, " ({level})");
        }
        t
    }

    fn single(&self, out: &mut String, f: &Finding) {
        let bold = Style::new().bold();
        let subject = crate::diagnostics::quote_if_needed(&f.subject);
        let _ = writeln!(
            out,
            "  {}  [{}]",
            self.paint(bold, &self.title(f, &subject)),
            f.id
        );
        let _ = writeln!(out, "    {}", f.message);
        if !f.path.is_empty() {
            let _ = writeln!(out, "    path: {}", path_words(&f.path, &f.path_edges));
        }
        if !f.reasons.is_empty() {
            let _ = writeln!(out, "    reasons: {}", f.reasons.join(", "));
        }
        if let Some(w) = &f.waiver {
            let _ = if w.expired {
                writeln!(
                    out,
                    "    waiver expired on {} — this finding counts again (it said: {}; owner {})",
                    w.expires, w.reason, w.owner
                )
            } else {
                writeln!(
                    out,
                    "    waived until {} by {}: {}",
                    w.expires, w.owner, w.reason
                )
            };
        }
        let _ = writeln!(out, "    more: authpath explain {}", f.rule.name());
    }

    fn block(&self, out: &mut String, findings: &[Finding], block: &[usize], chain: usize) {
        let f = &findings[block[0]];
        let bold = Style::new().bold();
        let who = format!("{} subjects", block.len());
        let _ = writeln!(
            out,
            "  {}  through one shared chain",
            self.paint(bold, &self.title(f, &who))
        );
        let start = f.path.len() - chain;
        let _ = writeln!(
            out,
            "    chain: {}",
            path_words(&f.path[start..], &f.path_edges[start..])
        );
        let _ = writeln!(out, "    {}", f.message);
        // Each subject's whole path, so that every line can be checked on its own.
        for &j in block {
            let g = &findings[j];
            let _ = writeln!(
                out,
                "    - {}  [{}]",
                path_words(&g.path, &g.path_edges),
                g.id
            );
        }
        let _ = writeln!(out, "    more: authpath explain {}", f.rule.name());
    }
}

/// The text for people: the findings report, the diff for a pull-request comment, and the
/// incident-response answers (`render::query`).
pub struct Text {
    /// ANSI colour (only on a terminal, and never when NO_COLOR is set: the caller decides).
    pub color: bool,
}

impl Reporter for Text {
    fn name(&self) -> &'static str {
        "text"
    }

    fn findings(&self, doc: &Findings, out: &mut dyn std::io::Write) -> Result<Notes> {
        let page = Page {
            color: self.color,
            fail_on: doc.fail_on,
        };
        super::put(out, &page.report(&doc.report))
    }

    fn diff(&self, doc: &Diff, out: &mut dyn std::io::Write) -> Result<Notes> {
        super::put(out, &diff_text(&doc.changes, self.color))
    }

    query::answers!(text);
}

/// `diff` as text for a pull-request comment: the verdict first, then what was gained,
/// what is new, what was resolved and what was lost, each path in words.
pub(crate) fn diff_text(d: &crate::diff::Diff, color: bool) -> String {
    let t = Page {
        color,
        fail_on: d.fail_on,
    };
    let bold = Style::new().bold();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "authpath diff {} → {} (judged at {})",
        d.old.source, d.new.source, d.new.as_of
    );
    let g = &d.delta;
    let _ = writeln!(
        out,
        "graph: nodes +{} −{} ~{}; edges +{} −{} ~{}",
        g.nodes_added,
        g.nodes_removed,
        g.nodes_changed,
        g.edges_added,
        g.edges_removed,
        g.edges_changed
    );
    let why = crate::render::json::diff_reasons(d);
    let verdict = if why.is_empty() {
        t.paint(Style::new().fg_color(Some(AnsiColor::Green.into())), "PASS")
    } else {
        t.paint(Page::severity_style(Severity::Critical), "FAIL")
    };
    let because = if why.is_empty() {
        "no new finding at or above --fail-on and no external subject gained access to a critical node".to_owned()
    } else {
        why.join("; ")
    };
    let _ = writeln!(out, "{verdict}: {because}\n");
    coverage(&mut out, &d.new.coverage);

    let gained: Vec<&crate::diff::AccessChange> =
        d.access.iter().filter(|a| a.change.is_gain()).collect();
    let lost: Vec<&crate::diff::AccessChange> =
        d.access.iter().filter(|a| !a.change.is_gain()).collect();
    let level = |l: Option<crate::model::Level>| l.map_or("none".to_owned(), |l| l.to_string());
    if !gained.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            t.paint(bold, &format!("Access gained ({})", gained.len()))
        );
        for a in gained {
            let ext = if a.external { ", external" } else { "" };
            let _ = writeln!(
                out,
                "  {} {} → {}: {} → {}{ext}\n    {}",
                a.change.as_str(),
                crate::diagnostics::quote_if_needed(&a.subject),
                crate::diagnostics::quote_if_needed(&a.target),
                level(a.before),
                level(a.after),
                a.message
            );
        }
        out.push('\n');
    }
    let assertions = crate::render::json::newly_failing_assertions(d);
    if !assertions.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            t.paint(
                bold,
                &format!("Assertions newly failing: {}", assertions.join(", "))
            )
        );
        out.push('\n');
    }
    for (title, list) in [
        ("New findings", &d.new_findings),
        ("Resolved findings", &d.resolved),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "{}",
            t.paint(bold, &format!("{title} ({})", list.len()))
        );
        for f in list {
            let sev = t.paint(Page::severity_style(f.severity), f.severity.as_str());
            let target = f
                .target
                .as_deref()
                .map(|x| format!(" → {}", crate::diagnostics::quote_if_needed(x)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  [{sev}] {} {}{target}  [{}]\n    {}",
                f.rule,
                crate::diagnostics::quote_if_needed(&f.subject),
                f.id,
                f.message
            );
        }
        out.push('\n');
    }
    if !lost.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            t.paint(bold, &format!("Access lost ({})", lost.len()))
        );
        for a in lost {
            let _ = writeln!(
                out,
                "  {} {} → {}: {} → {}",
                a.change.as_str(),
                crate::diagnostics::quote_if_needed(&a.subject),
                crate::diagnostics::quote_if_needed(&a.target),
                level(a.before),
                level(a.after)
            );
        }
        out.push('\n');
    }
    if d.access.is_empty() && d.new_findings.is_empty() && d.resolved.is_empty() {
        let _ = writeln!(out, "No change in findings or in access to critical nodes.");
    }
    out
}

/// The report's first lines: how many findings exist and how many are shown, and the
/// exposure of the critical nodes.
fn headline(out: &mut String, report: &Report) {
    let totals = &report.totals;
    let (total, shown) = (totals.total(), totals.shown());
    let s = report.summary();
    let per_severity: Vec<String> = Severity::ALL
        .iter()
        .filter(|sev| s.count(**sev) > 0)
        .map(|sev| format!("{} {}", s.count(*sev), sev.as_str()))
        .collect();
    let detail = if per_severity.is_empty() {
        String::new()
    } else {
        format!(" ({})", per_severity.join(", "))
    };
    if shown < total {
        let per: Vec<String> = totals
            .by_rule
            .iter()
            .filter(|(_, (t, s))| t > s)
            .map(|(r, (t, s))| format!("{r} {s} of {t}"))
            .collect();
        let why = match totals.path_limit {
            Some(limit) => {
                format!("their paths hold at most {limit} node ids in all, --max-path-nodes")
            }
            None => "--max-findings".to_string(),
        };
        let _ = writeln!(
            out,
            "{total} findings{detail}; the first {shown} in order of severity are shown ({why}): {}",
            per.join(", ")
        );
    } else {
        let _ = writeln!(out, "{total} findings{detail}, all shown");
    }
    if let Some(e) = &report.exposure {
        let kinds: Vec<String> = e
            .by_kind
            .iter()
            .map(|g| {
                format!(
                    "{} {} of {}",
                    g.key.as_deref().unwrap_or_default(),
                    g.exposed,
                    g.subjects
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "Exposure: {} of {} subjects ({}) reach at least one critical node{}",
            e.exposed,
            e.subjects,
            percent(e.exposed, e.subjects),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" — {}", kinds.join(", "))
            }
        );
        for t in e.targets.iter().take(5).filter(|t| t.total() > 0) {
            let _ = writeln!(
                out,
                "  {} is reached by {} subjects ({} admin, {} write, {} read)",
                t.target,
                t.total(),
                t.admin,
                t.write,
                t.read
            );
        }
    }
    if let Some(c) = &report.choke_points
        && (!c.nodes.is_empty() || !c.edges.is_empty())
    {
        let how = if c.exact {
            format!("all {} pairs with access walked", c.pairs)
        } else {
            format!(
                "estimated from {} of {} pairs with access, 95% interval in brackets",
                c.walked, c.pairs
            )
        };
        let _ = writeln!(
            out,
            "Choke points ({how}; the first {TEXT_CHOKE_POINTS} nodes and edges, --format json lists all asked for):"
        );
        let first = c.nodes.iter().take(TEXT_CHOKE_POINTS);
        for p in first.chain(c.edges.iter().take(TEXT_CHOKE_POINTS)) {
            let what = match &p.what {
                Element::Node(id) => format!("node {id}"),
                Element::Edge {
                    index,
                    from,
                    to,
                    kind,
                } => format!("edge edges[{index}] {from} -{}-> {to}", kind.as_str()),
            };
            let range = if c.exact {
                String::new()
            } else {
                format!(" [{}–{}]", p.low, p.high)
            };
            let lost = p
                .lost
                .map(|l| format!("; revoking it takes {l} of them below their level"))
                .unwrap_or_default();
            let pairs = if p.pairs == 1 {
                "pair passes"
            } else {
                "pairs pass"
            };
            let _ = writeln!(out, "  {what}: {} {pairs} through it{range}{lost}", p.pairs);
        }
    }
    out.push('\n');
}

/// Choke points of each kind the text report lists.
const TEXT_CHOKE_POINTS: usize = 5;

/// `part` of `whole` as a percentage with one decimal.
fn percent(part: u64, whole: u64) -> String {
    format!("{:.1}%", crate::exposure::share(part, whole) * 100.0)
}
