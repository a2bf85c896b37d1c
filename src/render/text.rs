//! The text report for people: grouped by severity, each finding's sentence and path, and
//! subjects that share the same final chain to a target folded into one block, so the
//! reader sees root causes rather than a flood.

use super::Renderer;
use crate::analyze::{AsOfSource, Report};
use crate::findings::{Finding, Severity};
use anstyle::{AnsiColor, Style};
use std::collections::HashMap;
use std::fmt::Write;

pub struct Text {
    /// ANSI colour (only on a terminal, and never when NO_COLOR is set: the caller decides).
    pub color: bool,
    /// Findings at or above this count against the run (`None`: `--fail-on never`).
    pub fail_on: Option<Severity>,
}

impl Text {
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

/// Length (in nodes) of the longest common suffix of two paths whose edges also agree.
fn common_suffix(a: &Finding, b: &Finding) -> usize {
    let n = a
        .path
        .iter()
        .rev()
        .zip(b.path.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let e = a
        .path_edges
        .iter()
        .rev()
        .zip(b.path_edges.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    n.min(e + 1)
}

/// Findings that may share a chain: same rule, severity, target and level.
type GroupKey<'a> = (
    &'a str,
    Severity,
    Option<&'a str>,
    Option<crate::model::Level>,
);

/// For each finding, the length of the final chain it shares with another finding of the
/// same rule, severity, target and level (0 when it shares none of at least one edge).
fn shared_chains(findings: &[Finding]) -> Vec<usize> {
    let mut groups: HashMap<GroupKey<'_>, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.target.is_some() && f.path.len() >= 2 && f.nodes.is_empty() {
            groups
                .entry((f.rule.name(), f.severity, f.target.as_deref(), f.level))
                .or_default()
                .push(i);
        }
    }
    let mut chain = vec![0usize; findings.len()];
    for members in groups.values().filter(|m| m.len() >= 2) {
        for &i in members {
            let best = members
                .iter()
                .filter(|j| **j != i)
                .map(|&j| common_suffix(&findings[i], &findings[j]))
                .max()
                .unwrap_or(0);
            if best >= 2 {
                chain[i] = best;
            }
        }
    }
    chain
}

impl Renderer for Text {
    fn render(&self, report: &Report) -> String {
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
        let findings = &report.findings;
        let chains = shared_chains(findings);
        let mut printed = vec![false; findings.len()];
        let mut current: Option<Severity> = None;
        for i in 0..findings.len() {
            if printed[i] {
                continue;
            }
            let f = &findings[i];
            if current != Some(f.severity) {
                current = Some(f.severity);
                let count = report.summary().count(f.severity);
                let head = format!("{} ({count})", f.severity.as_str().to_uppercase());
                let _ = writeln!(
                    out,
                    "{}",
                    self.paint(Self::severity_style(f.severity), &head)
                );
            }
            // Members of a block: same rule, severity, target, level, and the same final chain.
            let block: Vec<usize> = if chains[i] >= 2 {
                (i..findings.len())
                    .filter(|&j| {
                        let g = &findings[j];
                        !printed[j]
                            && chains[j] == chains[i]
                            && g.rule == f.rule
                            && g.severity == f.severity
                            && g.target == f.target
                            && g.level == f.level
                            && g.path[g.path.len() - chains[i]..]
                                == f.path[f.path.len() - chains[i]..]
                    })
                    .collect()
            } else {
                vec![i]
            };
            for &j in &block {
                printed[j] = true;
            }
            if block.len() >= 2 {
                self.block(&mut out, findings, &block, chains[i]);
            } else {
                self.single(&mut out, f);
            }
            out.push('\n');
        }
        let s = report.summary();
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

impl Text {
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
        for &j in block {
            let g = &findings[j];
            let s = g.path.len() - chain;
            let lead = if s == 0 {
                "(starts the chain)".to_owned()
            } else {
                format!(
                    "{} -{}-> …",
                    path_words(&g.path[..s], &g.path_edges[..s - 1]),
                    g.path_edges[s - 1]
                )
            };
            let _ = writeln!(
                out,
                "    - {}: {lead}  [{}]",
                crate::diagnostics::quote_if_needed(&g.subject),
                g.id
            );
        }
    }
}
