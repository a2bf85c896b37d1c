//! SARIF 2.1.0 for code scanning: a small typed model serialised at the edge. One SARIF rule
//! per authpath rule; each result points at the line where its subject node is defined in
//! the graph file, and carries the finding id as its partial fingerprint.

use super::Reporter;
use crate::error::Result;
use crate::findings::{Finding, Rule, Severity};
use crate::model::Span;
use crate::request::Notes;
use crate::request::analysis::{Diff, Findings};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

pub(crate) const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
pub struct Log<'a> {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run<'a> {
    pub tool: Tool,
    /// Warnings about the run itself (an assertion that selects nothing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invocations: Vec<Invocation>,
    pub results: Vec<SarifResult>,
    pub column_kind: &'static str,
    /// Every finding counted, shown or not, and what each assertion checked: the same
    /// numbers as the JSON document, whatever `--max-findings` showed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<RunProperties<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    pub tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
pub struct Notification {
    pub level: &'static str,
    pub message: Text,
}

#[derive(Serialize)]
pub struct RunProperties<'a> {
    pub summary: crate::findings::Summary,
    /// Per rule: findings counted and shown.
    pub by_rule: BTreeMap<&'static str, super::json::RuleCount>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assertions: Vec<super::json::AssertionOut<'a>>,
    /// The sources read, the seams evaluated and what could not be decided.
    pub coverage: &'a crate::coverage::Coverage,
}

/// The run's counts and assertion checks, and a notification per assertion that selects
/// nothing (an error under a strict policy).
fn run_facts<'a>(
    totals: &'a crate::rules::Totals,
    coverage: &'a crate::coverage::Coverage,
    strict: bool,
) -> (Vec<Invocation>, RunProperties<'a>) {
    let notes: Vec<Notification> = totals
        .assertions
        .iter()
        .filter(|a| a.selects_nothing())
        .map(|a| Notification {
            level: if strict { "error" } else { "warning" },
            message: Text {
                text: format!(
                    "assertion \"{}\": {}, so it checks nothing",
                    a.name,
                    a.empty_sides()
                ),
            },
        })
        .collect();
    let invocations = if notes.is_empty() {
        Vec::new()
    } else {
        vec![Invocation {
            execution_successful: !strict,
            tool_execution_notifications: notes,
        }]
    };
    let properties = RunProperties {
        summary: totals.summary,
        by_rule: super::json::rule_counts(totals),
        assertions: super::json::assertions_out(totals),
        coverage,
    };
    (invocations, properties)
}

#[derive(Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    pub rules: Vec<Descriptor>,
}

#[derive(Serialize)]
pub struct Text {
    pub text: String,
}

#[derive(Serialize)]
pub struct Help {
    pub text: String,
    pub markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub id: String,
    pub name: String,
    pub short_description: Text,
    pub full_description: Text,
    pub help: Help,
    pub default_configuration: Configuration,
    pub properties: DescriptorProperties,
}

#[derive(Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Serialize)]
pub struct DescriptorProperties {
    pub tags: Vec<&'static str>,
    #[serde(rename = "security-severity")]
    pub security_severity: String,
    pub precision: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: String,
    pub rule_index: usize,
    pub level: &'static str,
    pub rank: f64,
    pub message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    pub partial_fingerprints: BTreeMap<&'static str, String>,
    pub properties: ResultProperties,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
    pub logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

#[derive(Serialize)]
pub struct ArtifactLocation {
    pub uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: u32,
    pub start_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    pub name: String,
    pub fully_qualified_name: String,
    pub kind: &'static str,
}

#[derive(Serialize)]
pub struct ResultProperties {
    pub severity: Severity,
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

#[derive(Serialize)]
pub struct Suppression {
    pub kind: &'static str,
    pub status: &'static str,
    pub justification: String,
}

/// SARIF `level` of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` score: critical ≥ 9, high 7–8.9, medium 4–6.9, low < 4.
pub(crate) fn score(s: Severity) -> f64 {
    match s {
        Severity::Critical => 9.5,
        Severity::High => 8.0,
        Severity::Medium => 5.5,
        Severity::Low => 3.0,
        Severity::Info => 0.0,
    }
}

fn pascal(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// An extra rule for the SARIF of `diff`: not a finding rule of docs/rules.md.
pub struct ExtraRule {
    pub id: &'static str,
    pub short: &'static str,
    pub full: &'static str,
    pub help: &'static str,
    pub severity: Severity,
}

/// What `diff` reports beyond findings: an external subject gaining access to a critical node.
pub(crate) const ACCESS_GAINED: ExtraRule = ExtraRule {
    id: "access-gained",
    short: "An external subject gained access to a critical node.",
    full: "Comparing two versions of the graph, an external subject (a partner or a partner's principal) reaches a critical node it did not reach before, or reaches it at a higher level.",
    help: "Check that the change meant to give this access; if not, remove the edge the new path uses.",
    severity: Severity::High,
};

fn descriptor(id: &str, short: &str, full: &str, help: &str, highest: Severity) -> Descriptor {
    let mut tags = vec!["security", "identity", "authorization"];
    if id.contains("credential") {
        tags.push("credentials");
    }
    Descriptor {
        id: id.to_owned(),
        name: pascal(id),
        short_description: Text {
            text: short.to_owned(),
        },
        full_description: Text {
            text: full.to_owned(),
        },
        help: Help {
            text: help.to_owned(),
            markdown: format!("**{short}**\n\n{full}\n\n**Fix:** {help}"),
        },
        default_configuration: Configuration {
            level: level(highest),
        },
        properties: DescriptorProperties {
            tags,
            security_severity: format!("{:.1}", score(highest)),
            precision: "high",
        },
    }
}

/// Where findings point: the graph file as given, and each subject's definition.
pub struct Source<'a> {
    /// The graph file's path as the user gave it; `None` for standard input.
    pub uri: Option<String>,
    pub spans: &'a HashMap<String, Span>,
}

impl Source<'_> {
    fn locations(&self, subject: &str) -> Vec<Location> {
        let (Some(uri), Some(span)) = (&self.uri, self.spans.get(subject)) else {
            return Vec::new();
        };
        vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: uri.clone() },
                region: Region {
                    start_line: span.line.max(1),
                    start_column: span.column.max(1),
                },
            },
            logical_locations: vec![LogicalLocation {
                name: subject.to_owned(),
                fully_qualified_name: subject.to_owned(),
                kind: "object",
            }],
        }]
    }
}

/// The graph path as a SARIF URI: relative paths keep their form (code scanning resolves
/// them against the repository root), with `/` separators.
pub(crate) fn uri_of(path: &str) -> Option<String> {
    if path == "-" {
        return None;
    }
    let p = path.replace('\\', "/");
    Some(p.strip_prefix("./").unwrap_or(&p).to_owned())
}

/// A SARIF result for one finding (waived findings carry an accepted suppression).
fn result(f: &Finding, rule_index: usize, source: &Source<'_>) -> SarifResult {
    let suppressions = match &f.waiver {
        Some(w) if !w.expired => vec![Suppression {
            kind: "external",
            status: "accepted",
            justification: format!("{} (owner {}, until {})", w.reason, w.owner, w.expires),
        }],
        _ => Vec::new(),
    };
    SarifResult {
        rule_id: f.rule.name().to_owned(),
        rule_index,
        level: level(f.severity),
        rank: score(f.severity) * 10.0,
        message: Text {
            text: f.message.clone(),
        },
        locations: source.locations(&f.subject),
        partial_fingerprints: BTreeMap::from([("authpathFindingId/v1", f.id.clone())]),
        properties: ResultProperties {
            severity: f.severity,
            subject: f.subject.clone(),
            target: f.target.clone(),
            path: f.path.clone(),
            reasons: f.reasons.clone(),
        },
        suppressions,
    }
}

/// A log with one run: every rule described, a result per finding, then `extra` results
/// (already built) whose rules are `extra_rules`.
pub fn log<'a>(
    findings: &[&Finding],
    source: &Source<'_>,
    extra_rules: &[&ExtraRule],
    extra: Vec<SarifResult>,
) -> Log<'a> {
    let mut rules: Vec<Descriptor> = Rule::ALL
        .iter()
        .map(|r| {
            descriptor(
                r.name(),
                r.summary(),
                r.description(),
                r.help(),
                r.highest_severity(),
            )
        })
        .collect();
    for x in extra_rules {
        rules.push(descriptor(x.id, x.short, x.full, x.help, x.severity));
    }
    let index = |r: Rule| Rule::ALL.iter().position(|x| *x == r).unwrap_or(0);
    let mut results: Vec<SarifResult> = findings
        .iter()
        .map(|f| result(f, index(f.rule), source))
        .collect();
    results.extend(extra);
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "authpath",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            invocations: Vec::new(),
            results,
            column_kind: "unicodeCodePoints",
            properties: None,
        }],
    }
}

/// What an extra result says (for `diff`).
pub struct ExtraFinding {
    pub fingerprint: String,
    pub message: String,
    pub subject: String,
    pub target: String,
    pub path: Vec<String>,
}

/// An extra result, located at its subject like a finding.
pub(crate) fn extra_result(
    rule: &ExtraRule,
    rule_index: usize,
    x: ExtraFinding,
    source: &Source<'_>,
) -> SarifResult {
    SarifResult {
        rule_id: rule.id.to_owned(),
        rule_index,
        level: level(rule.severity),
        rank: score(rule.severity) * 10.0,
        message: Text { text: x.message },
        locations: source.locations(&x.subject),
        partial_fingerprints: BTreeMap::from([("authpathFindingId/v1", x.fingerprint)]),
        properties: ResultProperties {
            severity: rule.severity,
            subject: x.subject,
            target: Some(x.target),
            path: x.path,
            reasons: Vec::new(),
        },
        suppressions: Vec::new(),
    }
}

/// Serialises a log as pretty JSON with a final newline.
pub fn to_json(log: &Log<'_>) -> String {
    let mut text = serde_json::to_string_pretty(log).unwrap_or_default();
    text.push('\n');
    text
}

/// SARIF 2.1.0 logs. `analyze`: counted findings, then waived ones as suppressed results;
/// the run carries every count and, under strict, says an assertion selecting nothing is an
/// error. `diff`: the new findings and the access gained (`diff_log`).
pub struct Sarif;

impl Reporter for Sarif {
    fn name(&self) -> &'static str {
        "sarif"
    }

    fn findings(&self, doc: &Findings, out: &mut dyn std::io::Write) -> Result<Notes> {
        let report = &doc.report;
        let source = Source {
            uri: uri_of(&report.source),
            spans: &report.spans,
        };
        let all: Vec<&Finding> = report.findings.iter().chain(&report.waived).collect();
        let mut log = log(&all, &source, &[], Vec::new());
        let (invocations, properties) = run_facts(&report.totals, &report.coverage, doc.strict);
        log.runs[0].invocations = invocations;
        log.runs[0].properties = Some(properties);
        super::put(out, &to_json(&log))
    }

    fn diff(&self, doc: &Diff, out: &mut dyn std::io::Write) -> Result<Notes> {
        super::put(out, &diff_log(&doc.changes))
    }
}

/// `diff --format sarif`: the new findings, and one `access-gained` result per external
/// subject that gained access to a critical node, located in the NEW graph file.
pub(crate) fn diff_log(d: &crate::diff::Diff) -> String {
    let source = Source {
        uri: uri_of(&d.new.source),
        spans: &d.new.spans,
    };
    let index = Rule::ALL.len();
    let extra: Vec<SarifResult> = d
        .external_gains()
        .map(|a| {
            let before = a.before.map_or("no".to_owned(), |l| l.to_string());
            let after = a.after.map_or("no".to_owned(), |l| l.to_string());
            let x = ExtraFinding {
                fingerprint: crate::findings::fingerprint_named(
                    ACCESS_GAINED.id,
                    &a.subject,
                    Some(&a.target),
                    &[],
                    None,
                ),
                message: format!(
                    "Access {} from {before} to {after}: {}",
                    a.change.as_str(),
                    a.message
                ),
                subject: a.subject.clone(),
                target: a.target.clone(),
                path: a.path.clone(),
            };
            extra_result(&ACCESS_GAINED, index, x, &source)
        })
        .collect();
    let findings: Vec<&Finding> = d.new_findings.iter().collect();
    let mut log = log(&findings, &source, &[&ACCESS_GAINED], extra);
    // The new graph's counts and coverage: what the verdict is based on.
    let (_, properties) = run_facts(&d.new.totals, &d.new.coverage, false);
    log.runs[0].properties = Some(properties);
    to_json(&log)
}
